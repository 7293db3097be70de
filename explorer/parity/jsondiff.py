"""A structural diff of two JSON values, as a list of changes a person can read one per line.

Built on deepdiff, with the two adjustments a comparison of two HTTP APIs needs: JSON has one number
type, so ``3`` and ``3.0`` are equal (but ``true`` and ``1`` are not); and keys the user names are
removed from both sides before comparing (a timestamp, a generated id), either by name at any depth
or by a dotted path from the root where ``*`` matches any key or index.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from deepdiff import DeepDiff

__all__ = ["Change", "diff_json", "format_path", "normalise_numbers", "without_keys"]

MAX_CHANGES = 50
_PLAIN_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")
_KINDS = {
    "values_changed": "changed",
    "type_changes": "type",
    "dictionary_item_removed": "removed",
    "iterable_item_removed": "removed",
    "dictionary_item_added": "added",
    "iterable_item_added": "added",
}


@dataclass(frozen=True)
class Change:
    """One difference: ``kind`` is changed, type, removed (only on the left) or added (only on the right)."""

    path: str  # "" for the whole value, else e.g. "items[0].name"
    kind: str
    left: Any = None
    right: Any = None

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "kind": self.kind, "left": self.left, "right": self.right}


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


def normalise_numbers(value: Any) -> Any:
    """Integral floats become ints, recursively, so 3.0 == 3; booleans are left alone."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: normalise_numbers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [normalise_numbers(v) for v in value]
    return value


def without_keys(value: Any, ignore: Iterable[str]) -> Any:
    """``value`` without the ignored keys: a bare name anywhere, a dotted path (``*`` wildcard) from the root."""
    names = {key for key in ignore if "." not in key}
    paths = [key.split(".") for key in ignore if "." in key]
    return _strip(value, names, paths, [])


def _strip(value: Any, names: set[str], paths: list[list[str]], here: list[str]) -> Any:
    if isinstance(value, dict):
        kept = {}
        for key, item in value.items():
            where = [*here, str(key)]
            if key in names or any(_path_matches(p, where) for p in paths):
                continue
            kept[key] = _strip(item, names, paths, where)
        return kept
    if isinstance(value, list):
        return [_strip(item, names, paths, [*here, str(i)]) for i, item in enumerate(value)]
    return value


def _path_matches(pattern: list[str], where: list[str]) -> bool:
    return len(pattern) == len(where) and all(p in ("*", w) for p, w in zip(pattern, where, strict=True))


def _same_number(left: Any, right: Any) -> bool:
    numbers = (int, float)
    return (
        isinstance(left, numbers)
        and isinstance(right, numbers)
        and not isinstance(left, bool)
        and not isinstance(right, bool)
    )


def diff_json(left: Any, right: Any, ignore_keys: Iterable[str] = (), ignore_order: bool = False) -> list[Change]:
    """Every difference between two parsed JSON documents, at most :data:`MAX_CHANGES`, in document order."""
    ignore = tuple(ignore_keys)
    a = normalise_numbers(without_keys(left, ignore))
    b = normalise_numbers(without_keys(right, ignore))
    if a == b and _same_types(a, b):
        return []
    tree = DeepDiff(a, b, ignore_order=ignore_order, view="tree", max_diffs=MAX_CHANGES * 4)
    changes: list[Change] = []
    for report_type, items in tree.items():
        kind = _KINDS.get(report_type)
        if kind is None:
            continue
        for item in items:
            l_value = None if kind == "added" else item.t1
            r_value = None if kind == "removed" else item.t2
            if kind == "type" and _same_number(l_value, r_value):
                kind_here = "changed"
            else:
                kind_here = kind
            changes.append(Change(format_path(item.path(output_format="list")), kind_here, l_value, r_value))
    changes.sort(key=lambda c: c.path)
    return changes[:MAX_CHANGES]


def _same_types(a: Any, b: Any) -> bool:
    """Python says ``True == 1``; JSON does not. Walk both and require the same JSON types."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same_types(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same_types(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) or _same_number(a, b)
