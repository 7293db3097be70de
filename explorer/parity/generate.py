"""Requests files written for the user: one request per operation both apps have, and writing a suite out.

``explorer parity --generate`` turns the routes both apps share (FastAPI's OpenAPI schema, Flask's
URL map, merged by :mod:`explorer.apps.routes`) into entries of a requests file, runs them, and with
``--write FILE`` writes them out to edit: the start of a suite, not its end. The caller hands the
routes over as plain :class:`Operation` s, so this module needs nothing of the route listing.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from explorer.parity.template import literal
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
        if op.body is not None:  # the app's own example: a "{{name}}" in it is text (escaped), not a placeholder
            try:
                entry["body"] = literal(json.loads(op.body))
            except ValueError:
                entry["body"] = literal(op.body)
        entries.append(entry)
    return entries


def write_entries(path: str | Path, entries: Sequence[dict[str, Any]], inputs: Iterable[str | Path | None] = (),
                  force: bool = False) -> Path:  # fmt: skip
    """Write ``entries`` as a YAML requests file, never over an input nor, unless ``force``, any file
    (:func:`~explorer.runtime.userdata.outfile.write_outputs`); :class:`OutputError` when it must not or cannot be."""
    text = _HEADER + yaml.safe_dump({"requests": list(entries)}, sort_keys=False, allow_unicode=True, width=110)
    return write_outputs([(path, text.encode("utf-8", "backslashreplace"))], "--write", inputs, force)[0]
