"""What Python compiles from text at every start, kept on disk (issue 24: the first paint).

Four parts of the standard library compile text each time a module using them is imported, Textual's and the
explorer's alike: ``dataclasses`` writes each class's ``__init__``, ``__repr__``, ``__eq__`` (a frozen one's
``__hash__``, ``__setattr__`` and ``__delattr__`` too) as source and compiles it; ``collections.namedtuple``
compiles its ``__new__``; ``typing.ForwardRef`` compiles each annotation given as a string (a ``NamedTuple``'s
fields under ``from __future__ import annotations``); and ``re`` parses each pattern and makes its program in
Python code. Before the app's first frame that is ~330 functions, ~260 annotations and ~150 patterns, ~14% of its
instructions (docs/how-it-works.md, "The first paint"). Each part calls a name it looks up at call time
(``dataclasses``' ``exec``, ``collections``' ``eval``, ``typing``'s ``compile``, ``re._compiler.compile``), so
:func:`install`, run as the command line is imported and before any of our modules or Textual's is, gives each one
that takes the result from a file, keyed by the exact text (and a pattern's flags), and does the work only for a
text the file does not hold. The same text gives the same code, or the same pattern program, in the same Python:
what the classes and patterns are and do is unchanged, only where their code comes from.

The file is ``flask-fastapi-explorer/compiled-code.marshal`` in the explorer's cache folder
(:mod:`explorer.runtime.userdata.cache_files`: read only if it is the user's own, writable by no one else, at most
8 MiB). One written by another Python, corrupt or of another shape is ignored and replaced, never a traceback; an
entry of the wrong type is compiled again. The app writes it as it quits (:func:`save`), only when something was
compiled that it did not hold, and only with what was compiled while a module was imported (:func:`_importing`):
first what the start asked for before the app ran (:func:`mark_start`), read at once, then the rest, read on the
first text the first part does not hold that a module's import asks for (a screen opened, a module imported after
the first frame).
``EXPLORER_CODE_CACHE=0`` turns it off (nothing read, nothing written).
"""

from __future__ import annotations

import builtins
import collections
import dataclasses
import importlib
import marshal
import os
import re
import sys
import types
import typing
from pathlib import Path
from typing import Any

from explorer.runtime.userdata.cache_files import cache_folder, read_own_file, write_whole

__all__ = ["CACHE_VARIABLE", "KeptCode", "cache_path", "install", "mark_start", "save"]

CACHE_VARIABLE = "EXPLORER_CODE_CACHE"
_compiler = importlib.import_module("re._compiler")  # re's own internals, called as re itself calls them
_parser = importlib.import_module("re._parser")
_sre = importlib.import_module("_sre")
_re_compile = _compiler.compile
# Code compiled by another Python is never used; nor a file from before the code was compiled without this module's
# own `from __future__ import annotations` (it made a dataclass's __init__.__annotations__ strings), "2" since.
IDENTITY = f"{sys.implementation.cache_tag} {sys.version} 2"


def cache_path(environ: dict[str, str] | os._Environ[str] = os.environ) -> Path:
    return cache_folder(environ) / "compiled-code.marshal"


class KeptCode:
    """What was read from the file, what of it this session asked for, and what it compiled that the file did not
    hold while a module was being imported (:func:`_importing`)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.loaded, self._rest = self._read()
        self.asked: set[str] = set()
        self.new: dict[str, Any] = {}  # a text's code, or a pattern's program (what re hands _sre.compile)
        self.first: set[str] | None = None  # what a start asks for before the app runs (:meth:`mark_start`)

    def _read(self) -> tuple[dict[str, Any], bytes]:
        """The file's first part (what a start asks for before the app runs) and the rest, still marshalled: read on
        the first text an import asks for that the first part does not hold (reading a whole file of 450-730 KB was
        ~12-19 M instructions before the first frame, a quarter to a half of them for entries it did not ask for)."""
        data = read_own_file(self.path)
        if data is None:
            return {}, b""
        try:
            identity, first, rest = marshal.loads(data)
        except Exception:  # noqa: BLE001 - corrupt, or not a triple
            return {}, b""
        if identity != IDENTITY or type(first) is not dict or type(rest) is not bytes:
            return {}, b""
        return first, rest

    def _read_rest(self) -> None:
        rest, self._rest = self._rest, b""
        try:
            entries = marshal.loads(rest)
        except Exception:  # noqa: BLE001 - corrupt: what it held is compiled again
            return
        if type(entries) is dict:
            self.loaded = entries | self.loaded  # one step: another thread may be reading it

    def _get(self, key: str) -> Any:
        found = self.loaded.get(key)
        if found is None and self._rest and _importing():  # the file holds nothing else: see _keep
            self._read_rest()
            found = self.loaded.get(key)
        if found is not None:
            self.asked.add(key)
        return found

    def mark_start(self) -> None:
        """What was asked for and compiled so far is what a start needs: the file's first part, next time."""
        self.first = set(self.asked) | set(self.new)

    def _keep(self, key: str, made: Any) -> Any:
        if _importing():
            self.new[key] = made
        return made

    def exec(self, source: Any, globals: dict[str, Any] | None = None, locals: Any = None, /) -> None:
        """``exec`` as dataclasses calls it, with the code of a text it was given before taken from the file."""
        builtins.exec(self._code(source, "exec"), globals, locals)

    def eval(self, source: Any, globals: dict[str, Any] | None = None, locals: Any = None, /) -> Any:
        """``eval`` as ``collections.namedtuple`` calls it (its ``__new__``), with the code kept likewise."""
        return builtins.eval(self._code(source, "eval"), globals, locals)

    def _code(self, source: Any, mode: str) -> Any:
        """A text's code for ``mode`` (``exec`` or ``eval``), from the file or compiled; anything else as given."""
        if type(source) is not str:
            return source
        key = f"{mode}:{source}"
        code = self._get(key)
        if type(code) is not types.CodeType:
            # dont_inherit: compiled as the callers' own modules compile it (none of them has this module's
            # `from __future__ import annotations`, which would make a dataclass's annotations strings)
            code = self._keep(key, compile(source, "<string>", mode, dont_inherit=True))
        return code

    def compile(
        self, source: Any, filename: Any, mode: Any, flags: int = 0, dont_inherit: bool = False, optimize: int = -1, /
    ) -> Any:
        """``compile`` as ``typing.ForwardRef`` calls it (a string annotation's text, e.g. a ``NamedTuple``'s field
        under ``from __future__ import annotations``), with the code kept likewise; any other call as given (with
        ``typing``'s future statements, none, rather than this module's)."""
        if filename == "<string>" and mode == "eval" and not flags and optimize == -1:
            return self._code(source, "eval")
        return builtins.compile(source, filename, mode, flags, True, optimize)

    def compile_pattern(self, pattern: Any, flags: int = 0) -> Any:
        """``re``'s compiler as ``re.compile`` calls it (on a pattern it has not cached this session), with what
        its parser and code generator made of a text pattern kept likewise: only the last step is done here."""
        if type(pattern) is not str or flags & re.DEBUG:
            return _re_compile(pattern, flags)
        key = f"re:{int(flags)}:{pattern}"
        found = self._get(key)
        if type(found) is tuple and len(found) == 5:
            try:
                return _sre.compile(pattern, *found)
            except Exception:  # noqa: BLE001 - not what the compiler made: made again below
                pass
        parsed = _parser.parse(pattern, flags)  # re's own two steps, as it does them
        code = _compiler._code(parsed, flags)
        groupindex = dict(parsed.state.groupdict)
        indexgroup: list[str | None] = [None] * parsed.state.groups
        for name, index in groupindex.items():
            indexgroup[index] = name
        # plain ints: the compiler's are named ones, which marshal refuses
        made = (int(flags | parsed.state.flags), [int(op) for op in code], parsed.state.groups - 1, groupindex)
        return _sre.compile(pattern, *self._keep(key, (*made, tuple(indexgroup))))

    def save(self) -> None:
        """Write the file if this session compiled anything it did not hold: what it asked for and what it compiled,
        so what older versions of the modules compiled is dropped rather than kept beside the new."""
        if not self.new:
            return
        try:  # copied in one step each: a thread still importing may add to them
            loaded = self.loaded
            entries = {key: loaded[key] for key in list(self.asked) if key in loaded} | dict(self.new)
            first = entries.keys() if self.first is None else self.first
            rest = {key: code for key, code in entries.items() if key not in first}
            head = {key: code for key, code in entries.items() if key in first}
            data = marshal.dumps((IDENTITY, head, marshal.dumps(rest)))
        except Exception:  # noqa: BLE001 - something marshal cannot write: not worth a failed quit
            return
        write_whole(self.path, data)


def _importing() -> bool:
    """True while a module is being imported on this thread. Only what is compiled then is written to the file: a
    module's own classes and patterns, never a pattern or class made at run time from data handed over (a search
    typed, a secret to hide), which would otherwise be kept on disk."""
    frame = sys._getframe(2)
    while frame is not None:
        if frame.f_code.co_filename == _BOOTSTRAP:
            return True
        frame = frame.f_back  # type: ignore[assignment]  # None at the stack's bottom
    return False


_BOOTSTRAP = "<frozen importlib._bootstrap>"  # the import system's frames: a module's code runs below them

_kept: KeptCode | None = None


def install(environ: dict[str, str] | os._Environ[str] = os.environ) -> KeptCode | None:
    """From now on, dataclasses, named tuples and ``re`` take what they compile from the file (once per process)."""
    global _kept
    if _kept is not None or environ.get(CACHE_VARIABLE) == "0":
        return _kept
    try:
        _kept = KeptCode(cache_path(environ))
    except Exception:  # noqa: BLE001 - no home folder: a start without the cache
        return None
    setattr(dataclasses, "exec", _kept.exec)  # noqa: B010 - a module global that shadows the builtin
    setattr(collections, "eval", _kept.eval)  # noqa: B010 - likewise
    setattr(_compiler, "compile", _kept.compile_pattern)  # noqa: B010 - likewise
    setattr(typing, "compile", _kept.compile)  # noqa: B010 - likewise
    return _kept


def mark_start() -> None:
    """The app is about to run: what was compiled or read until now goes first in the file (see KeptCode's)."""
    if _kept is not None:
        _kept.mark_start()


def save() -> None:
    """Write what this session compiled (the app, as it quits)."""
    if _kept is not None:
        _kept.save()
