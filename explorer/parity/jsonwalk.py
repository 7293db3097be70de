"""The walks over a JSON document: a copy with every scalar mapped (placeholders, secrets, a shadow's
tokens), and its scalar leaves with their paths (the ids and tokens an answer gave).

Iterative, so a document of any depth (an app's answer) is fine; containers are rebuilt in their
order, dict keys as they are.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["leaves", "map_json"]


def map_json(
    value: Any,
    leaf: Callable[[Any], Any],
    sequences: tuple[type, ...] = (list,),
    child: Callable[[Any, Any], Any] | None = None,
) -> Any:
    """``value`` copied with ``leaf`` applied to every scalar.

    ``sequences`` are the types copied as lists (a document built in Python may hold tuples);
    ``child(key, item)``, when given, replaces each dict item before it is walked.
    """
    if not isinstance(value, (dict, *sequences)):
        return leaf(value)
    root: list[Any] = [None]
    stack: list[tuple[Any, Any, Any]] = [(value, root, 0)]
    while stack:
        node, parent, key = stack.pop()
        if isinstance(node, dict):
            copy: Any = dict.fromkeys(node)  # keys in their order; values filled as they come off the stack
            parent[key] = copy
            if child is None:
                stack.extend((item, copy, k) for k, item in node.items())
            else:
                stack.extend((child(k, item), copy, k) for k, item in node.items())
        elif isinstance(node, sequences):
            items: Any = node  # a list, or another of ``sequences``
            copy = [None] * len(items)
            parent[key] = copy
            stack.extend((item, copy, i) for i, item in enumerate(items))
        else:
            parent[key] = leaf(node)
    return root[0]


def leaves(value: Any, limit: int = 2000, depth: int = 6, items: int = 100) -> list[tuple[tuple[Any, ...], Any]]:
    """The scalar leaves of a JSON value with their paths (keys and list indexes): at most ``limit`` of
    them, ``depth`` levels deep and the first ``items`` of each list, so an answer of any size is cheap."""
    found: list[tuple[tuple[Any, ...], Any]] = []
    stack: list[tuple[tuple[Any, ...], Any]] = [((), value)]
    while stack and len(found) < limit:
        parts, node = stack.pop()
        if isinstance(node, dict) and len(parts) < depth:
            stack.extend(((*parts, k), v) for k, v in node.items())
        elif isinstance(node, list) and len(parts) < depth:
            stack.extend(((*parts, i), v) for i, v in enumerate(node[:items]))
        elif not isinstance(node, (dict, list)):
            found.append((parts, node))
    return found
