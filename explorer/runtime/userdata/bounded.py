"""Parsed data from outside (answers, files) measured without recursion, before anything else walks it.

Python's own tools for nested data recurse: ``json.loads`` and ``json.dumps``, ``==`` on lists,
Rich's pretty printer. Past about a thousand levels they raise ``RecursionError``; a structure whose
YAML aliases share one list a billion times looks small in memory and explodes when written out.
So every value that came from a user is measured here first, iteratively and once per distinct
container (shared ones are counted as often as they are referenced, but walked once): its depth,
how many values and roughly how many bytes of JSON it stands for, whether it refers to itself,
whether a text holds a lone surrogate (not valid Unicode: it cannot be encoded to be sent or
written), and whether an integer is too long to be written in decimal.

Answers are parsed with :func:`loads_json`, which keeps at most :data:`MAX_ANSWER_DEPTH` levels, so
everything downstream (the diff, the reports, ``--json``) can write them with the standard library.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

__all__ = [
    "MAX_ANSWER_DEPTH",
    "DataLimitError",
    "Measure",
    "check_depth",
    "escape_character",
    "format_path",
    "loads_json",
    "measure",
    "printable",
]

MAX_ANSWER_DEPTH = 500
_PLAIN_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")
_SURROGATE = re.compile("[\ud800-\udfff]")
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")  # C0, DEL, C1, lone surrogates
_SHOWN = re.compile("\x1b\\[[0-9;]*m|\x1b|[\x00-\x1a\x1c-\x1f\x7f-\x9f]+")  # a colour sequence, an ESC, other controls
_FLOAT_CHARS = 24
_Path = tuple[Any, Any] | None  # (parent path, key or index), built only as deep as the walk goes


class DataLimitError(ValueError):
    """A value breaks one of the bounds; ``str()`` is one line naming where."""


@dataclass(frozen=True)
class Measure:
    """What a value stands for once every shared part is written out in full."""

    depth: int  # 0 for a scalar, 1 for a flat list or object
    values: int  # every scalar and container, counted once per reference
    size: int  # a lower bound of its JSON text in characters (at most a few times less than the real size)


def _digits_limit() -> int:
    get = getattr(sys, "get_int_max_str_digits", None)
    limit = get() if get else 0
    return limit or 10**9


def _scalar(value: Any, where: _Path, digits: int, surrogates: bool = False) -> int:
    """The JSON size of a scalar; raises on an integer too long to write or (unless ``surrogates``) a lone surrogate."""
    if isinstance(value, str):
        if not surrogates and _SURROGATE.search(value):
            raise DataLimitError(f"the text at {_where(where)} holds a lone surrogate, which is not valid Unicode")
        return len(value) + 2
    if isinstance(value, bool) or value is None:
        return 5
    if isinstance(value, int):
        length = int(value.bit_length() * 0.30103) + 1
        if length > digits:
            raise DataLimitError(f"the number at {_where(where)} has more than {digits:,} digits")
        return length
    if isinstance(value, float):
        return _FLOAT_CHARS
    if isinstance(value, (bytes, bytearray)):
        return len(value) * 2
    return 16


def _where(path: _Path) -> str:
    parts: list[Any] = []
    while path is not None:
        path, part = path
        parts.append(part)
    return printable(format_path(reversed(parts))) or "the top level"


def escape_character(ch: str) -> str:
    """``\\x1b`` for a character below U+0100, ``\\ud800`` above: the escape Python and JUnit reports write."""
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str, keep: str = "", colours: bool = False) -> str:
    """``text`` with every control character and lone surrogate written as its escape (``\\x1b``, ``\\ud800``).

    Text from an app, a server or a user's file is data: printed as it came, an ``ESC]52`` would write
    the user's clipboard, ``ESC[2J`` clear the screen, an OSC 8 plant a link, and U+009B (the one-byte
    CSI) do the same in a terminal that honours C1. So every output shows such text through this
    function: the C0 controls, DEL, the C1 range U+0080-U+009F and lone surrogates (which cannot even
    be encoded) become visible escapes, the same ones the JUnit report writes. ``keep`` names the
    controls a multi-line output leaves live (``"\\n\\t"``; a ``\\r\\n`` pair then stays one line end,
    a lone ``\\r``, which would overwrite the line, does not). ``colours`` keeps colour sequences
    (``ESC[31m``) for a server log drawn with its colours; every other escape sequence is shown.
    """
    if not _UNSAFE.search(text):
        return text
    if _SURROGATE.search(text):
        text = text.encode("utf-8", "backslashreplace").decode("utf-8")

    def run(piece: str) -> str:
        return "".join(ch if ch in keep else _ESCAPED[ch] for ch in piece)

    def shown(match: re.Match[str]) -> str:
        piece = match.group()
        if len(piece) > 1 and piece[0] == "\x1b":  # a colour sequence
            return piece if colours else run(piece[0]) + piece[1:]
        if "\n" in keep:  # a CRLF stays a line end; a lone CR is shown
            return "\r\n".join(run(part) for part in piece.split("\r\n"))
        return run(piece)

    return _SHOWN.sub(shown, text)


_ESCAPED = {chr(code): escape_character(chr(code)) for code in (*range(0x20), *range(0x7F, 0xA0))}


def measure(
    value: Any,
    max_depth: int | None = None,
    max_values: int | None = None,
    max_size: int | None = None,
    surrogates: bool = False,
) -> Measure:
    """Depth, values and size of ``value``; :class:`DataLimitError` as soon as a bound is passed.

    Each distinct list or dict is walked once: a value shared by YAML aliases costs nothing extra to
    measure, however many times it is referenced. A structure that contains itself is refused.
    """
    found = _tree_measure(value, max_depth, max_values, max_size, surrogates)
    if found is not None:
        return found
    return _Walk(max_depth, max_values, max_size, surrogates).run(value)


def _no_match(_text: str) -> None:
    return None


def _tree_measure(
    value: Any, max_depth: int | None, max_values: int | None, max_size: int | None, surrogates: bool
) -> Measure | None:
    """The fast walk, for values that share nothing (parsed JSON, YAML without aliases); None on sharing."""
    digits = _digits_limit()
    if not isinstance(value, (dict, list)):
        return Measure(0, 1, _scalar(value, None, digits, surrogates))
    limit_depth = max_depth if max_depth is not None else sys.maxsize
    limit_values = max_values if max_values is not None else sys.maxsize
    limit_size = max_size if max_size is not None else sys.maxsize
    seen: set[int] = set()
    stack: list[tuple[Any, _Path, int]] = [(value, None, 1)]
    values = size = deepest = 0
    search = _no_match if surrogates else _SURROGATE.search
    while stack:
        node, path, level = stack.pop()
        if id(node) in seen:
            return None
        seen.add(id(node))
        if level > limit_depth:
            raise DataLimitError(f"nested deeper than {max_depth} levels (at {_where(path)})")
        deepest = max(deepest, level)
        values += 1 + len(node)
        size += 2 + len(node)
        is_dict = isinstance(node, dict)
        for key, child in node.items() if is_dict else enumerate(node):
            if is_dict:
                size += (
                    (len(key) + 2)
                    if type(key) is str and not search(key)
                    else _scalar(key, (path, key), digits, surrogates)
                )
            if type(child) is str and not search(child):
                size += len(child) + 2
            elif isinstance(child, (dict, list)):
                values -= 1  # counted when its own turn comes
                stack.append((child, (path, key), level + 1))
            else:
                size += _scalar(child, (path, key), digits, surrogates)
        if values > limit_values:
            raise DataLimitError(f"holds more than {max_values:,} values")
        if size > limit_size:
            raise DataLimitError(f"is larger than {_mib(limit_size)}")
    return Measure(deepest, values, size)


class _Walk:
    """One measurement: finished containers by id, the open ones, and running totals for early refusal."""

    def __init__(self, max_depth: int | None, max_values: int | None, max_size: int | None, surrogates: bool) -> None:
        self.max_depth, self.max_values, self.max_size = max_depth, max_values, max_size
        self.surrogates = surrogates
        self.digits = _digits_limit()
        self.done: dict[int, Measure] = {}
        self.open: set[int] = set()
        self.values = 0
        self.size = 0

    def count(self, values: int, size: int) -> None:
        self.values += values
        self.size += size
        if self.max_values is not None and self.values > self.max_values:
            raise DataLimitError(f"holds more than {self.max_values:,} values once its aliases are expanded")
        if self.max_size is not None and self.size > self.max_size:
            raise DataLimitError(f"is larger than {_mib(self.max_size)} once its aliases are expanded")

    def deep(self, path: _Path, level: int, depth: int) -> None:
        if self.max_depth is not None and level + depth > self.max_depth:
            raise DataLimitError(f"nested deeper than {self.max_depth} levels (at {_where(path)})")

    def run(self, value: Any) -> Measure:
        if not isinstance(value, (dict, list)):
            size = _scalar(value, None, self.digits, self.surrogates)
            self.count(1, size)
            return Measure(0, 1, size)
        # A frame: [container, its (key, child) iterator, path, level, deepest child, values, size].
        stack: list[list[Any]] = [self.open_frame(value, None, 0)]
        while True:
            frame = stack[-1]
            step = next(frame[1], None)
            if step is None:
                stack.pop()
                self.open.discard(id(frame[0]))
                finished = Measure(frame[4] + 1, frame[5], frame[6])
                self.done[id(frame[0])] = finished
                if not stack:
                    return finished
                _fold(stack[-1], finished)
                continue
            key, child = step
            path, level = (frame[2], key), frame[3] + 1
            if isinstance(frame[0], dict):
                key_size = _scalar(key, path, self.digits, self.surrogates) + 1
                frame[6] += key_size
                self.count(0, key_size)
            if not isinstance(child, (dict, list)):
                size = _scalar(child, path, self.digits, self.surrogates)
                self.count(1, size)
                _fold(frame, Measure(0, 1, size))
            elif id(child) in self.open:
                raise DataLimitError(f"the value at {_where(path)} contains itself (a recursive alias)")
            elif id(child) in self.done:
                known = self.done[id(child)]
                self.deep(path, level, known.depth)
                self.count(known.values, known.size)
                _fold(frame, known)
            else:
                stack.append(self.open_frame(child, path, level))

    def open_frame(self, container: Any, path: _Path, level: int) -> list[Any]:
        self.deep(path, level, 1)
        self.open.add(id(container))
        self.count(1, 2)
        items = iter(container.items()) if isinstance(container, dict) else iter(enumerate(container))
        return [container, items, path, level, 0, 1, 2]


def _fold(frame: list[Any], child: Measure) -> None:
    """Add a finished child's measure to its parent's frame."""
    frame[4] = max(frame[4], child.depth)
    frame[5] += child.values
    frame[6] += child.size + 1


def _mib(size: int) -> str:
    return f"{size // (1024 * 1024)} MiB" if size >= 1024 * 1024 else f"{size // 1024} KiB"


def loads_json(text: str | bytes, max_depth: int = MAX_ANSWER_DEPTH) -> Any:
    """``json.loads`` that keeps at most ``max_depth`` levels: :class:`DataLimitError` beyond, ValueError if malformed."""
    try:
        value = json.loads(text)
    except RecursionError:
        raise DataLimitError(f"nested deeper than {max_depth} levels") from None
    check_depth(value, max_depth)
    return value


def check_depth(value: Any, max_depth: int) -> None:
    """Parsed JSON shares nothing, so a plain walk is linear; it stops at the first level too deep.

    Level by level, one list per level and nothing per value: twice as fast as a stack of
    (container, depth) pairs (4 million lists: 8.7 s against 19 s on a busy machine).
    """
    if not isinstance(value, (dict, list)):
        return
    level = [value]
    depth = 0
    while level:
        depth += 1
        if depth > max_depth:
            raise DataLimitError(f"nested deeper than {max_depth} levels")
        below: list[Any] = []
        for node in level:
            if node:
                below += [c for c in (node.values() if isinstance(node, dict) else node) if isinstance(c, (dict, list))]
        level = below


def format_path(parts: Iterable[Any]) -> str:
    """``['items', 0, 'name']`` as ``items[0].name``; odd keys are quoted: ``["a.b"]``."""
    out = ""
    for part in parts:
        if isinstance(part, int) and not isinstance(part, bool):
            out += f"[{part}]"
        elif isinstance(part, str) and _PLAIN_KEY.match(part):
            out += f".{part}" if out else part
        else:
            out += f"[{_quote(part)}]"
    return out


def _quote(value: Any) -> str:
    text = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{text}"'
