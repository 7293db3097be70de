"""The handler that served a request, found in the app's real route table, wherever the app defines it.

A real app keeps its handlers in blueprints and routers in other modules, behind prefixes, in
mounted sub-apps: reading the target's own module misses them. The route lister
(:mod:`explorer.runtime.child.routetable`, a child process under the app's interpreter) reports each endpoint's
module, function, file and first line; here that table is matched against the request, and the
handler's source is read from its file with :mod:`ast`, never by importing it. The table and the
files are the user's data: every field is checked, and files are read through the one loader of
user files, bounded.
"""

from __future__ import annotations

import ast
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from explorer.apps.source import MAX_SOURCE_BYTES, HandlerLookup, Route, pattern_regex, pick, with_comments, with_test
from explorer.runtime.userdata.bounded import printable
from explorer.runtime.userdata.datafile import DataFileError, read_text

__all__ = ["Endpoint", "endpoints_from", "find_in_table"]

_MAX_ENDPOINTS = 5000
_MAX_TEXT = 4096


@dataclass(frozen=True)
class Endpoint:
    """One route of the app's table: its rule as the framework writes it, methods, and where its handler is."""

    rule: str
    methods: tuple[str, ...]
    endpoint: str
    module: str
    function: str
    file: str | None
    line: int | None

    @property
    def placeholders(self) -> int:
        return self.rule.count("<") + self.rule.count("{")

    def matches(self, path: str) -> bool:
        return _regex(self.rule).fullmatch(path) is not None

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "methods": list(self.methods),
            "endpoint": self.endpoint,
            "module": self.module,
            "function": self.function,
            "file": self.file,
            "line": self.line,
        }


@lru_cache(maxsize=4096)
def _regex(rule: str) -> Any:
    return pattern_regex(rule)


def _text(value: Any) -> str | None:
    return printable(value[:_MAX_TEXT]) if isinstance(value, str) else None


def endpoints_from(rules: Any) -> tuple[Endpoint, ...]:
    """The lister's rules as endpoints; an entry of the wrong shape is left out, never an error."""
    found = []
    for rule in rules[:_MAX_ENDPOINTS] if isinstance(rules, list) else ():
        if not isinstance(rule, dict):
            continue
        text, methods = _text(rule.get("rule")), rule.get("methods")
        if not text or not text.startswith("/") or not isinstance(methods, list):
            continue
        line = rule.get("line")
        found.append(
            Endpoint(
                text,
                tuple(m.upper() for m in methods if isinstance(m, str))[:16],
                _text(rule.get("endpoint")) or "",
                _text(rule.get("module")) or "",
                _text(rule.get("function")) or "",
                _text(rule.get("file")),
                line if isinstance(line, int) and not isinstance(line, bool) and line > 0 else None,
            )
        )
    return tuple(found)


def _label(file: Path, root: Path | None) -> str:
    """The file as the user knows it: relative to the app's folder when inside it."""
    if root is not None:
        try:
            return file.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            pass
    return str(file)


@lru_cache(maxsize=32)
def _definitions(path: str, stamp: tuple[int, int]) -> tuple[tuple[int, int, str, str], ...]:
    """(first line, ``def`` line, name, source with the comments above it) of every def and class."""
    text = read_text(Path(path), MAX_SOURCE_BYTES, os.path.basename(path))
    lines = text.splitlines()
    found = []
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            _start, source = with_comments(lines, first, node.end_lineno or node.lineno)
            found.append((first, node.lineno, node.name, source))
    return tuple(found)


def _source(endpoint: Endpoint) -> tuple[int, str] | str:
    """(first line, source) of the endpoint's handler, or why it cannot be shown."""
    if not endpoint.file or endpoint.line is None or not os.path.isabs(endpoint.file):
        return "its source file is not known"
    try:
        info = os.stat(endpoint.file)
        definitions = _definitions(endpoint.file, (info.st_mtime_ns, info.st_size))
    except (OSError, DataFileError) as exc:
        return f"its source could not be read: {exc}"
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return "its source could not be parsed"
    short = endpoint.function.rsplit(".", 1)[-1]
    tests = {name: source for _, _, name, source in definitions if name.startswith("test_")}
    for first, line, name, source in definitions:
        if endpoint.line in (first, line) and (name == short or not short):
            return first, with_test(source, tests.get(f"test_{name}"))
    return f"no definition of {short or 'it'} at line {endpoint.line}"


def _lookup(endpoint: Endpoint, method: str, root: Path | None, note: str, ran: bool | None = None) -> HandlerLookup:
    found = _source(endpoint)
    name = endpoint.function.rsplit(".", 1)[-1] or endpoint.endpoint
    if isinstance(found, str):
        where = f"{endpoint.module}.{name}" if endpoint.module else name
        text = f"{where}() handles {method} {endpoint.rule}, but {found}." + (f"\n{note}" if note else "")
        return HandlerLookup(None, text, None, ran=ran)
    file = Path(endpoint.file or "")
    route = Route(endpoint.rule, endpoint.methods, name, found[1], found[0], _regex(endpoint.rule), file)
    return HandlerLookup(route, note, file, _label(file, root), ran)


def find_in_table(
    endpoints: tuple[Endpoint, ...], method: str, path: str, framework: str, root: Path | None = None
) -> HandlerLookup:
    """The handler that serves ``method path`` in the app's route table; Flask answers HEAD and OPTIONS itself.

    Flask prefers a rule with fewer placeholders (Werkzeug ranks static parts first); Starlette
    takes the first route in order.
    """
    bare = path.split("?", 1)[0]
    matching = [e for e in endpoints if e.matches(bare)]
    if framework == "flask":
        matching.sort(key=lambda e: e.placeholders)
    if picked := pick(matching, method, framework):
        endpoint, note, ran = picked
        return _lookup(endpoint, method, root, note, ran)
    note = f"No route of the app matches {bare}, so no handler ran ({len(endpoints)} routes in its route table)."
    return HandlerLookup(None, note, None, ran=False)
