"""Requests files written for the user: one request per operation both apps have, and writing a suite out.

``explorer parity --generate`` turns the routes both apps share (FastAPI's OpenAPI schema, Flask's
URL map, merged by :mod:`explorer.apps.routes`) into entries of a requests file, runs them, and with
``--write FILE`` writes them out to edit: the start of a suite, not its end. The caller hands the
routes over as plain :class:`Operation` s, so this module needs nothing of the route listing.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import yaml

from explorer.parity.template import literal
from explorer.runtime.http.forms import MULTIPART, URLENCODED
from explorer.runtime.userdata.outfile import write_outputs

__all__ = ["Operation", "auth_rank", "entries_for", "token_source", "write_entries"]

# Within one path: create first (so a read finds something), remove last.
_METHOD_ORDER = {"POST": 0, "PUT": 1, "PATCH": 2, "GET": 3, "HEAD": 4, "OPTIONS": 5, "DELETE": 6}
_SIGN_UP = re.compile(r"register|signup|sign-up|sign_up|join")
_LOGIN = re.compile(r"login|signin|sign-in|sign_in|token|session|sessions")
TOKEN = "<token>"  # the placeholder an example request from a schema carries (explorer.apps.requestparts)
_HEADER = """\
# Written by `explorer parity --generate` (or an import): one request per operation, with example
# values. Edit it: add `status`, `capture`, `expect_differences`, then run it with `explorer parity FILE`.
"""


@dataclass(frozen=True)
class Operation:
    """A route both apps have: its method, the pattern (``/orders/{order_id}``), a request to send."""

    method: str
    pattern: str
    path: str
    body: str | None = None  # JSON text, sketched from the schema
    openapi_path: str = ""  # the key under ``paths`` in FastAPI's schema, for generating more cases
    content_type: str = ""  # the body's media type when it is not JSON (a form's)
    headers: tuple[tuple[str, str], ...] = ()  # the credentials its schema declares, as placeholders (<token>)
    token_from: str | None = None  # a login's answer: where its token is (``json.access_token``), to capture

    @property
    def label(self) -> str:
        return f"{self.method} {self.pattern}"


def auth_rank(op: Operation) -> int:
    """0 for a sign-up (``POST /users``, ``/register``), 1 for a login, 2 for the rest: the order a session needs."""
    last = op.pattern.rstrip("/").rsplit("/", 1)[-1].lower()
    if op.method == "POST" and (_SIGN_UP.fullmatch(last) or op.pattern.rstrip("/") in ("/users", "/api/users")):
        return 0
    if op.method == "POST" and (_LOGIN.fullmatch(last) or op.token_from):
        return 1
    return 2


def entries_for(operations: Iterable[Operation]) -> list[dict[str, Any]]:
    """Requests-file entries: sign-up and login first, then by path, create before read before delete.

    A login whose answer holds a token captures it, and every later request whose schema declares a
    credential sends it (``Authorization: Bearer {{token}}``) instead of the ``<token>`` placeholder.
    """
    ordered = sorted(
        operations,
        key=lambda op: (auth_rank(op), op.pattern.split("/")[1:2], op.pattern, _METHOD_ORDER.get(op.method, 9)),
    )
    entries = []
    token = False  # a token captured by an earlier entry
    for op in ordered:
        entry: dict[str, Any] = {"name": op.label, "method": op.method, "path": literal(op.path)}
        headers = {name: literal(value) for name, value in op.headers}
        if token:
            headers = {name: value.replace(TOKEN, "{{token}}") for name, value in headers.items()}
        parts = _form_parts(op.content_type, op.body)
        if parts is None and op.body is not None and op.content_type:  # a body we did not write: with its type
            headers["Content-Type"] = op.content_type
        if headers:
            entry["headers"] = headers
        if parts is not None:  # sent as a form, with the Content-Type a browser would give it
            form, files = parts
            if form or not files:
                entry["form"] = {name: literal(value) for name, value in form}
            if files:  # a small text file in the entry itself, named after its field: there is none to name
                entry["files"] = {
                    name: {"content": content, "filename": _placeholder_name(name), "type": media}
                    for name, content, media in files
                }
        elif op.body is not None and op.content_type:  # not a form we can read: the example body as it is
            entry["body"] = literal(op.body)
        elif op.body is not None:  # the app's own example: a "{{name}}" in it is text (escaped), not a placeholder
            try:
                entry["body"] = literal(json.loads(op.body))
            except ValueError:
                entry["body"] = literal(op.body)
        if op.token_from and not token:
            entry["capture"] = {"token": op.token_from}
            token = True
        entries.append(entry)
    return entries


_PART = re.compile(r'\AContent-Disposition: form-data; name="([^"]*)"\r\n\r\n(.*)\r\n\Z', re.DOTALL)
_FILE_PART = re.compile(
    r'\AContent-Disposition: form-data; name="([^"]*)"; filename="[^"\r\n]*"\r\n'
    r"(?:Content-Type: ([^\r\n]*)\r\n)?\r\n(.*)\r\n\Z",
    re.DOTALL,
)
_PLACEHOLDER_CHARS = 64  # of a file part's example content: a placeholder, not data


def _form_parts(content_type: str, body: str | None) -> tuple[list[tuple[str, str]], list[tuple[str, str, str]]] | None:
    """The fields and files ``(name, content, type)`` of an example form body, or None when it is no form
    (or a multipart part we did not write).

    A multipart form without files is sent urlencoded: Flask's ``request.form`` and FastAPI's ``Form()``
    read both encodings; with files it is sent as multipart, as ``form:`` and ``files:``.
    """
    media = content_type.partition(";")[0].strip().lower()
    if body is None or media not in (URLENCODED, MULTIPART):
        return None
    if media == URLENCODED:
        return parse_qsl(body, keep_blank_values=True), []
    boundary = content_type.partition("boundary=")[2].strip()
    if not boundary:
        return None
    fields, files = [], []
    for part in body.split(f"--{boundary}")[1:-1]:
        part = part.removeprefix("\r\n")
        found, file = _PART.match(part), _FILE_PART.match(part)
        if found is not None:
            fields.append((found[1].replace("%22", '"'), found[2]))
        elif file is not None:
            files.append((file[1].replace("%22", '"'), file[3][:_PLACEHOLDER_CHARS], file[2] or "text/plain"))
        else:  # one we did not write: keep the body as it is
            return None
    return fields, files


def _placeholder_name(field: str) -> str:
    """``attachment.txt`` for the field ``attachment``: a file name any server accepts."""
    return (re.sub(r"[^A-Za-z0-9_.-]+", "_", field).strip("._")[:_PLACEHOLDER_CHARS] or "file") + ".txt"


def write_entries(
    path: str | Path, entries: Sequence[dict[str, Any]], inputs: Iterable[str | Path | None] = (), force: bool = False
) -> Path:
    """Write ``entries`` as a YAML requests file, never over an input nor, unless ``force``, any file
    (:func:`~explorer.runtime.userdata.outfile.write_outputs`); :class:`OutputError` when it must not or cannot be."""
    text = _HEADER + yaml.safe_dump({"requests": list(entries)}, sort_keys=False, allow_unicode=True, width=110)
    return write_outputs([(path, text.encode("utf-8", "backslashreplace"))], "--write", inputs, force)[0]


def _mapping(value: Any) -> dict[str, Any]:
    """``value`` when a schema gives a mapping where one belongs, else an empty one (any JSON may come)."""
    return value if isinstance(value, dict) else {}


def token_source(document: Any, openapi_path: str, method: str) -> str | None:
    """Where a login's answer holds its token, from FastAPI's schema: ``json.access_token`` (OAuth2's
    name, also when the answer is not described and the app declares OAuth2), ``json.token``, or one
    level down (``json.user.token``, RealWorld's); None when nothing says so."""
    if not isinstance(document, dict):
        return None
    components: dict[str, Any] = _mapping(document.get("components"))
    schemas: dict[str, Any] = _mapping(components.get("schemas"))

    def resolve(schema: Any) -> dict[str, Any]:
        ref = schema.get("$ref") if isinstance(schema, dict) else None
        if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
            schema = schemas.get(ref.rsplit("/", 1)[-1])
        return schema if isinstance(schema, dict) else {}

    operation = _mapping(_mapping(document.get("paths")).get(openapi_path)).get(method.lower())
    responses = operation.get("responses") if isinstance(operation, dict) else None
    answer: Any = next(
        (responses[code] for code in ("200", "201") if isinstance(responses, dict) and code in responses), {}
    )
    content = answer.get("content") if isinstance(answer, dict) else None
    media = content.get("application/json") if isinstance(content, dict) else None
    properties = resolve(resolve(media.get("schema")) if isinstance(media, dict) else {}).get("properties")
    if isinstance(properties, dict):
        for name in ("access_token", "token"):
            if name in properties:
                return f"json.{name}"
        for key, value in list(properties.items())[:50]:
            inner = resolve(value).get("properties")
            if isinstance(inner, dict) and "token" in inner:
                return f"json.{key}.token"
    schemes = components.get("securitySchemes")
    if isinstance(schemes, dict) and any(isinstance(v, dict) and v.get("type") == "oauth2" for v in schemes.values()):
        return "json.access_token"
    return None
