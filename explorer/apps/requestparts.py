"""The parts of an example request an OpenAPI operation declares besides JSON: credentials and form bodies.

A real API declares its security (``components.securitySchemes`` and ``security``, per operation or
for the whole document) and takes uploads as ``multipart/form-data``. An example request that
leaves them out only shows the 401 or the 422; so the route picker's requests carry a placeholder
for each credential (``Authorization: Bearer <token>``, ``X-API-Key: <api-key>``) and a form body
with every field filled. Like the rest of the schema reader, any JSON is accepted: a part of the
wrong type is named in ``skipped`` and left out.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from explorer.apps.openapi import Skipped, kind_name
from explorer.runtime.userdata.bounded import printable

__all__ = ["BOUNDARY", "FORM_MEDIA", "MULTIPART_MEDIA", "credentials", "form_body"]

BOUNDARY = "explorer-example-boundary"
MULTIPART_MEDIA = "multipart/form-data"
FORM_MEDIA = "application/x-www-form-urlencoded"
TOKEN = "<token>"
API_KEY = "<api-key>"
_BASIC = "dXNlcjpwYXNzd29yZA=="  # user:password
_MAX_FIELDS = 50


def _scheme_credential(name: str, scheme: dict[str, Any]) -> tuple[str, str, str] | None:
    """(where: header, query or cookie; name; placeholder) for one security scheme, or None."""
    kind = scheme.get("type")
    if kind == "http":
        method = str(scheme.get("scheme", "")).lower()
        value = f"Basic {_BASIC}" if method == "basic" else f"Bearer {TOKEN}"
        return "header", "Authorization", value
    if kind in ("oauth2", "openIdConnect"):
        return "header", "Authorization", f"Bearer {TOKEN}"
    if kind == "apiKey":
        where, key = scheme.get("in"), scheme.get("name")
        if where in ("header", "query", "cookie") and isinstance(key, str) and key and printable(key) == key:
            return str(where), key, API_KEY
    return None


def credentials(
    document: dict[str, Any], operation: dict[str, Any], where: list[Any], skipped: Skipped
) -> list[tuple[str, str, str]]:
    """The placeholders the operation's security asks for: its own ``security``, else the document's.

    The first alternative is used (a requirement is a list of alternatives, each naming schemes that
    apply together); an empty list means no credential at all.
    """
    requirement = operation.get("security", document.get("security"))
    if requirement is None:
        return []
    if not isinstance(requirement, list):
        skipped.add([*where, "security"], f"is {kind_name(requirement)}, not a list")
        return []
    if not requirement or not isinstance(requirement[0], dict):
        return []
    components = document.get("components")
    schemes = components.get("securitySchemes") if isinstance(components, dict) else None
    if not isinstance(schemes, dict):
        skipped.add(["components", "securitySchemes"], "is missing or not an object; no credentials filled in")
        return []
    found = []
    for name in requirement[0]:
        scheme = schemes.get(name)
        if not isinstance(scheme, dict):
            skipped.add(["components", "securitySchemes", name], f"is {kind_name(scheme)}, not an object")
            continue
        credential = _scheme_credential(str(name), scheme)
        if credential is not None and credential not in found:
            found.append(credential)
    return found


def _field_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value)
    return printable(str(value if value is not None else "example"))[:200]


def _is_file(schema: Any) -> bool:
    if not isinstance(schema, dict):
        return False
    if schema.get("format") == "binary" or "contentMediaType" in schema:
        return True
    items = schema.get("items")
    return schema.get("type") == "array" and isinstance(items, dict) and _is_file(items)


def form_body(media: str, fields: dict[str, Any], examples: dict[str, Any]) -> tuple[str, str]:
    """(Content-Type, body) of a form with every field: files as a small text file, the rest as text.

    ``fields`` maps each field name to its schema, ``examples`` to its example value.
    """
    names = [str(name) for name in list(fields)[:_MAX_FIELDS]]
    if media == FORM_MEDIA:
        pairs = [f"{quote(name)}={quote(_field_text(examples.get(name)))}" for name in names]
        return FORM_MEDIA, "&".join(pairs)
    parts = []
    for name in names:
        safe = name.replace('"', "%22").replace("\r", "").replace("\n", "")
        if _is_file(fields[name]):
            parts.append(
                f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{safe}"; filename="example.txt"\r\n'
                f"Content-Type: text/plain\r\n\r\nexample file content\r\n"
            )
        else:
            parts.append(
                f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{safe}"\r\n\r\n'
                f"{_field_text(examples.get(name))}\r\n"
            )
    return f"{MULTIPART_MEDIA}; boundary={BOUNDARY}", "".join(parts) + f"--{BOUNDARY}--\r\n"
