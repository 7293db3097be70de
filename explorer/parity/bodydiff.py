"""Where two bodies differ, in a few words: the first JSON field that differs, else the first byte.

Two answers of the same size were summarised by their sizes alone ("26 bytes ≠ 26 bytes"), which
says nothing; this names the place. Both bodies are the servers' data, so the walk is bounded:
at most :data:`MAX_DEPTH` levels deep, and a field name is shown cut to :data:`KEY_CHARS`.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

from explorer.runtime.frameworks import display_name

if TYPE_CHECKING:
    from explorer.runtime.http.exchange import Exchange

__all__ = ["body_detail", "first_byte_difference", "first_json_difference", "json_difference"]

MAX_DEPTH = 32  # levels walked into nested JSON; deeper, the place is named by the path so far
KEY_CHARS = 24  # of one field name shown
PATH_CHARS = 60  # of the whole path shown
_BLOCK = 64 * 1024  # bytes compared at once when looking for the first that differs
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


def _step(key: str | int) -> str:
    if isinstance(key, int):
        return f"[{key}]"
    if _NAME.match(key) and len(key) <= KEY_CHARS:
        return f".{key}"
    quoted = json.dumps(key, ensure_ascii=True)
    return f"[{quoted[:KEY_CHARS]}…]" if len(quoted) > KEY_CHARS else f"[{quoted}]"


def json_difference(left: Any, right: Any) -> tuple[str, str]:
    """The path of the first place two JSON documents differ, in the left one's order, and how.

    How is ``"differs"`` when both hold the place with different values, ``"left"`` when only the left
    holds it (a key or list item the right lacks) and ``"right"`` when only the right does: a key on one
    side only is not a value that "differs".
    """
    path = "$"
    for _ in range(MAX_DEPTH):
        if isinstance(left, dict) and isinstance(right, dict):
            key = next((k for k in left if k not in right or left[k] != right[k]), None)
            if key is None:  # every key of the left matches: the right has one more
                key = next((k for k in right if k not in left), None)
            if key is None:
                return path, "differs"
            if key not in right or key not in left:
                return _cut(path + _step(key)), "left" if key in left else "right"
            path, left, right = path + _step(key), left[key], right[key]
        elif isinstance(left, list) and isinstance(right, list):
            index = next((i for i, (a, b) in enumerate(zip(left, right, strict=False)) if a != b), None)
            if index is None:  # one list is the other plus more items
                shorter = min(len(left), len(right))
                return _cut(f"{path}[{shorter}]"), "left" if len(left) > shorter else "right"
            path, left, right = path + f"[{index}]", left[index], right[index]
        else:
            return path, "differs"
        if len(path) > PATH_CHARS:
            return _cut(path), "differs"
    return path, "differs"


def _cut(path: str) -> str:
    return path[:PATH_CHARS] + "…" if len(path) > PATH_CHARS else path


def first_json_difference(left: Any, right: Any) -> str:
    """The path (``$.items[2].name``) of the first place two JSON documents differ, in the left one's order."""
    return json_difference(left, right)[0]


def first_byte_difference(left: bytes, right: bytes) -> int:
    """The offset of the first byte that differs (the shorter one's length when it is the other's start).

    Compared a block at a time (each comparison runs in C), then byte by byte inside the first block
    that differs: two bodies of 16 MiB (the transport's bound) differing in their last byte take ~70 ms here.
    """
    size = min(len(left), len(right))
    for start in range(0, size, _BLOCK):
        end = min(start + _BLOCK, size)
        if left[start:end] != right[start:end]:
            return next(i for i in range(start, end) if left[i] != right[i])
    return size


def _name(answer: Exchange) -> str:
    return display_name(answer.framework)


def body_detail(left: Exchange, right: Exchange) -> str:
    """What differs between two different bodies: ``$.name differs (26 bytes each)``, ``$.error only in
    Flask, missing in FastAPI (30 ≠ 26 bytes)``, ``differs from byte 9 (26 bytes each)``; empty for two
    non-JSON bodies of different sizes, which their sizes tell apart."""
    sizes = f"{left.size:,} bytes each" if left.size == right.size else f"{left.size:,} ≠ {right.size:,} bytes"
    if left.json is not None and right.json is not None:
        path, how = json_difference(left.json, right.json)
        holder = left if how == "left" else right
        lacking = right if how == "left" else left
        if how == "differs":
            return f"{path} differs ({sizes})"
        return f"{path} only in {_name(holder)}, missing in {_name(lacking)} ({sizes})"
    if left.size != right.size:
        return ""
    return f"differs from byte {first_byte_difference(left.body, right.body):,} ({sizes})"
