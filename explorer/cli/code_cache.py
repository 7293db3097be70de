"""The code Python compiles for dataclasses' methods, kept on disk (issue 24: the first paint).

``dataclasses`` writes each class's ``__init__``, ``__repr__``, ``__eq__`` (a frozen one's ``__hash__``,
``__setattr__`` and ``__delattr__`` too) as source text and compiles it at every import: ~200 functions for
Textual's classes and the explorer's before the app's first frame, ~7% of its instructions (docs/how-it-works.md,
"The first paint"). The module calls ``exec`` by a name it looks up in its own globals before the builtins, so
:func:`install`, run as the command line is imported and before any dataclass of ours or Textual's is made, gives
it one that takes the compiled code from a file, keyed by the exact text (the same text compiles to the same code
in the same Python), and compiles only the texts the file does not hold. What the classes are and do is unchanged:
only where their methods' code comes from.

The file is ``flask-fastapi-explorer/dataclass-code.marshal`` in the explorer's cache folder
(:mod:`explorer.runtime.userdata.cache_files`: read only if it is the user's own, writable by no one else, at most
8 MiB). One written by another Python, corrupt or of another shape is ignored and replaced, never a traceback. The
app writes it as it quits (:func:`save`), only when something was compiled that it did not hold.
``EXPLORER_CODE_CACHE=0`` turns it off (nothing read, nothing written).
"""

from __future__ import annotations

import builtins
import dataclasses
import marshal
import os
import sys
import types
from pathlib import Path
from typing import Any

from explorer.runtime.userdata.cache_files import cache_folder, read_own_file, write_whole

__all__ = ["CACHE_VARIABLE", "KeptCode", "cache_path", "install", "save"]

CACHE_VARIABLE = "EXPLORER_CODE_CACHE"
MAX_ENTRIES = 5000  # a file that grew past this (many versions) starts again from this session's code
IDENTITY = f"{sys.implementation.cache_tag} {sys.version}"  # code compiled by another Python is never used


def cache_path(environ: dict[str, str] | os._Environ[str] = os.environ) -> Path:
    return cache_folder(environ) / "dataclass-code.marshal"


class KeptCode:
    """The code read from the file, and the code compiled this session that it did not hold."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.loaded = self._read()
        self.new: dict[str, types.CodeType] = {}

    def _read(self) -> dict[str, types.CodeType]:
        data = read_own_file(self.path)
        if data is None:
            return {}
        try:
            identity, entries = marshal.loads(data)
        except Exception:  # noqa: BLE001 - corrupt, or not a pair
            return {}
        return entries if identity == IDENTITY and type(entries) is dict else {}

    def exec(self, source: Any, globals: dict[str, Any] | None = None, locals: Any = None, /) -> None:
        """``exec`` as dataclasses calls it, with the code of a text it was given before taken from the file."""
        if type(source) is str:
            code = self.loaded.get(source)
            if type(code) is not types.CodeType:
                code = self.new[source] = compile(source, "<string>", "exec")
            source = code
        builtins.exec(source, globals, locals)

    def save(self) -> None:
        """Write the file if this session compiled anything it did not hold."""
        if not self.new:
            return
        entries = {**self.loaded, **self.new}
        if len(entries) > MAX_ENTRIES:
            entries = self.new
        write_whole(self.path, marshal.dumps((IDENTITY, entries)))


_kept: KeptCode | None = None


def install(environ: dict[str, str] | os._Environ[str] = os.environ) -> KeptCode | None:
    """Make dataclasses take their methods' code from the file from now on (once per process)."""
    global _kept
    if _kept is not None or environ.get(CACHE_VARIABLE) == "0":
        return _kept
    try:
        _kept = KeptCode(cache_path(environ))
    except Exception:  # noqa: BLE001 - no home folder: a start without the cache
        return None
    setattr(dataclasses, "exec", _kept.exec)  # noqa: B010 - a module global that shadows the builtin
    return _kept


def save() -> None:
    """Write what this session compiled (the app, as it quits)."""
    if _kept is not None:
        _kept.save()
