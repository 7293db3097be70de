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

__all__ = ["Operation", "entries_for", "write_entries"]

# Within one path: create first (so a read finds something), remove last.
_METHOD_ORDER = {"POST": 0, "PUT": 1, "PATCH": 2, "GET": 3, "HEAD": 4, "OPTIONS": 5, "DELETE": 6}
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

    @property
    def label(self) -> str:
        return f"{self.method} {self.pattern}"


def entries_for(operations: Iterable[Operation]) -> list[dict[str, Any]]:
    """Requests-file entries, ordered by path, then create before read before delete."""
    ordered = sorted(
        operations, key=lambda op: (op.pattern.split("/")[1:2], op.pattern, _METHOD_ORDER.get(op.method, 9))
    )
    entries = []
    for op in ordered:
        entry: dict[str, Any] = {"name": op.label, "method": op.method, "path": literal(op.path)}
        form = _form_fields(op.content_type, op.body)
        if form is not None:  # sent as a form, with the Content-Type a browser would give it
            entry["form"] = {name: literal(value) for name, value in form}
        elif op.body is not None and op.content_type:  # a form with files: the example body as it is, with its type
            entry["headers"] = {"Content-Type": op.content_type}
            entry["body"] = literal(op.body)
        elif op.body is not None:  # the app's own example: a "{{name}}" in it is text (escaped), not a placeholder
            try:
                entry["body"] = literal(json.loads(op.body))
            except ValueError:
                entry["body"] = literal(op.body)
        entries.append(entry)
    return entries


_PART = re.compile(r'\AContent-Disposition: form-data; name="([^"]*)"\r\n\r\n(.*)\r\n\Z', re.DOTALL)


def _form_fields(content_type: str, body: str | None) -> list[tuple[str, str]] | None:
    """The fields of an example form body, or None when it is no form (or a multipart one with a file).

    A multipart form without files is sent urlencoded: Flask's ``request.form`` and FastAPI's ``Form()``
    read both encodings.
    """
    media = content_type.partition(";")[0].strip().lower()
    if body is None or media not in (URLENCODED, MULTIPART):
        return None
    if media == URLENCODED:
        return parse_qsl(body, keep_blank_values=True)
    boundary = content_type.partition("boundary=")[2].strip()
    if not boundary:
        return None
    fields = []
    for part in body.split(f"--{boundary}")[1:-1]:
        found = _PART.match(part.removeprefix("\r\n"))
        if found is None:  # a file part, or one we did not write: keep the body as it is
            return None
        fields.append((found[1].replace("%22", '"'), found[2]))
    return fields


def write_entries(path: str | Path, entries: Sequence[dict[str, Any]], inputs: Iterable[str | Path | None] = (),
                  force: bool = False) -> Path:  # fmt: skip
    """Write ``entries`` as a YAML requests file, never over an input nor, unless ``force``, any file
    (:func:`~explorer.runtime.userdata.outfile.write_outputs`); :class:`OutputError` when it must not or cannot be."""
    text = _HEADER + yaml.safe_dump({"requests": list(entries)}, sort_keys=False, allow_unicode=True, width=110)
    return write_outputs([(path, text.encode("utf-8", "backslashreplace"))], "--write", inputs, force)[0]
