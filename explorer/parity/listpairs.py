"""Pairing the items of two lists for a JSON comparison: by a key the user names, or by alignment.

A pure part of :mod:`explorer.parity.jsondiff`: the caller counts the work against its budget.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

__all__ = ["key_index", "lcs", "same_text"]


_ENCODER = json.JSONEncoder(ensure_ascii=False, check_circular=False, separators=(",", ":"))


def same_text(a: Any, b: Any) -> bool:
    """Whether two items are written as the same JSON text: then they are equal under the rules (the
    converse does not hold: ``3`` and ``3.0``, keys in another order, ignored keys)."""
    if a is b:
        return True
    try:
        return bool(_ENCODER.encode(a) == _ENCODER.encode(b))
    except (ValueError, TypeError, RecursionError):
        return False


def key_index(
    items: list[Any], key: str, leaf_key: Callable[[Any], tuple[Any, ...]]
) -> dict[tuple[Any, ...], int] | None:
    """Each item's value at ``key`` (as a leaf key: ``3`` and ``3.0`` are one) to its index, or None
    unless every item is an object with a unique scalar there."""
    index: dict[tuple[Any, ...], int] = {}
    for i, item in enumerate(items):
        if not isinstance(item, dict) or key not in item or isinstance(item[key], (dict, list)):
            return None
        value = leaf_key(item[key])
        if value in index:
            return None
        index[value] = i
    return index


def lcs(a: Sequence[int], b: Sequence[int]) -> list[tuple[int, int]]:
    """Index pairs of a longest common subsequence of ``a`` and ``b`` (quadratic: the caller bounds it)."""
    rows = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(len(a) - 1, -1, -1):
        row, below = rows[i], rows[i + 1]
        item = a[i]
        for j in range(len(b) - 1, -1, -1):
            row[j] = below[j + 1] + 1 if item == b[j] else max(below[j], row[j + 1])
    pairs = []
    i = j = 0
    while i < len(a) and j < len(b):
        if a[i] == b[j]:
            pairs.append((i, j))
            i, j = i + 1, j + 1
        elif rows[i + 1][j] >= rows[i][j + 1]:
            i += 1
        else:
            j += 1
    return pairs
