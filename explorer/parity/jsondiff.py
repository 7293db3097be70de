"""A structural diff of two JSON values, complete or refused: never a silent "equal".

The rules a comparison of two HTTP APIs needs: JSON has one number type, so ``3`` and ``3.0`` are
equal (but ``true`` and ``1`` are not); keys the user names are skipped on both sides (a timestamp,
a generated id), either by name at any depth or by a dotted path from the root where ``*`` matches
any key or index; with ``ignore_order`` every list, at any depth, compares as a multiset.

Why not deepdiff, which this module used before: its ``max_diffs`` caps the comparisons it makes,
not the differences it reports, and past the cap it returns nothing, so two different answers
(30 products where only the last price differs, a flat object of 120 keys) came out equal. Without
the cap it still recurses (``RecursionError`` at 250 levels of nesting here), orders its report by
kind of change rather than by position, and pairs unmatched items under ``ignore_order`` by
distance, which grows with the square of the list. The walk below needs none of that:

- It is iterative (an explicit stack), so depth costs memory, never the Python stack.
- It walks both values in document order (Flask's key order; keys only FastAPI has come after), so
  the first changes found are the first ones in the answer. It keeps the first ``limit`` changes
  and counts every one, so a report can say "and 1,234 more".
- Lists compare index by index; extra items are each "removed" or "added". Under ``ignore_order``
  each value gets an exact structural id (hash-consing: equal ids if and only if equal values
  under the rules above, no hash collisions), the multisets are matched in linear time, and the
  items left over are paired in order and compared in turn.
- Every value looked at counts against :data:`MAX_VISITS`; past it the comparison stops with
  :class:`DiffIncomplete`, which callers must report as an error, never as a match.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from explorer.runtime.errors import ExplorerError
from explorer.runtime.userdata.bounded import format_path

__all__ = ["MAX_CHANGES", "MAX_VISITS", "Change", "DiffIncomplete", "JsonDiff", "diff_json", "format_path"]

MAX_CHANGES = 50  # changes kept (listed) per comparison; the rest are only counted
MAX_VISITS = 10_000_000  # values looked at in one comparison, both sides together (a few seconds here)
_ID_COST = 2  # a structural id (ignore_order) costs about twice a plain comparison

# A path is a chain of (parent, part) pairs, so a child's path costs one tuple, not a copy.
_Path = tuple[Any, Any] | None


class DiffIncomplete(ExplorerError):
    """The comparison stopped before the end; the message says why. Never read this as "equal"."""


@dataclass(frozen=True)
class Change:
    """One difference: ``kind`` is changed, type, removed (only on the left) or added (only on the right)."""

    path: str  # "" for the whole value, else e.g. "items[0].name"
    kind: str
    left: Any = None
    right: Any = None
    parts: tuple[Any, ...] = field(default=(), compare=False)  # the path as keys and indexes

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "kind": self.kind, "left": self.left, "right": self.right}


@dataclass(frozen=True)
class JsonDiff:
    """The first changes in document order and the count of all of them."""

    changes: tuple[Change, ...] = ()
    total: int = 0

    @property
    def equal(self) -> bool:
        return self.total == 0

    @property
    def more(self) -> int:
        """Changes found but not listed."""
        return self.total - len(self.changes)


def _parts(path: _Path) -> list[Any]:
    parts: list[Any] = []
    while path is not None:
        path, part = path
        parts.append(part)
    parts.reverse()
    return parts


def _kind(value: Any) -> str:
    """The JSON type of a parsed value (bool before number: Python says ``True == 1``)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "array"
    return type(value).__name__


def _same_leaf(a: Any, b: Any) -> bool:
    kind = _kind(a)
    if kind != _kind(b):
        return False
    if kind == "number" and isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True  # the same token on both sides
    return bool(a == b)


class _Node:
    """A place in the tree of dotted paths: the next parts by name, the ``*`` one, and whether a path ends here."""

    __slots__ = ("children", "end", "star")

    def __init__(self) -> None:
        self.children: dict[str, _Node] = {}
        self.star: _Node | None = None
        self.end = False


class _State:
    """Where one path of the document stands in the tree: every node it matches (several, through ``*``).

    Equal sets of nodes share one state, and each state remembers where a key leads, so a document
    with the same shape over and over (a list of objects) costs one lookup per key.
    """

    __slots__ = ("ends", "nodes", "star_ends", "steps")

    def __init__(self, nodes: tuple[_Node, ...]) -> None:
        self.nodes = nodes
        self.ends = frozenset(name for node in nodes for name, child in node.children.items() if child.end)
        self.star_ends = any(node.star is not None and node.star.end for node in nodes)
        self.steps: dict[str, _State] = {}


_NOWHERE = _State(())  # off every dotted path: nothing below is dropped except bare names
_MAX_STEPS = 10_000  # steps remembered per state (list indexes are keys too)


class _Ignore:
    """The ignored keys: bare names anywhere, dotted paths (``*`` for any part) from the root.

    The paths are a tree walked alongside the document, so deciding a key costs a set lookup
    whatever the number of patterns (20,000 of them took 760 s on one answer when each key was
    tried against each pattern). Finding where a new key leads costs one step per node the parent
    matches; that work counts against the comparison's budget through ``tick``.
    """

    def __init__(self, keys: Iterable[str | tuple[Any, ...]], tick: Callable[[int], None] = lambda _n: None) -> None:
        keys = tuple(keys)
        self.names = {key for key in keys if isinstance(key, str) and "." not in key}
        patterns = [tuple(key.split(".")) for key in keys if isinstance(key, str) and "." in key]
        patterns += [tuple(str(p) for p in key) for key in keys if isinstance(key, tuple)]  # exact paths
        self.tick = tick
        self._states: dict[tuple[int, ...], _State] = {}
        root = _Node()
        for pattern in patterns:
            node = root
            for part in pattern:
                if part == "*":
                    node.star = node.star or _Node()
                    node = node.star
                else:
                    node = node.children.setdefault(part, _Node())
            node.end = True
        self.root = self._state((root,)) if patterns else _NOWHERE

    def drops(self, key: Any, state: _State) -> bool:
        """Whether ``key`` of an object whose own path stands at ``state`` is ignored."""
        if key in self.names:
            return True
        return state is not _NOWHERE and (state.star_ends or str(key) in state.ends)

    def step(self, state: _State, key: Any) -> _State:
        """Where the path of the child ``key`` (a key or an index) stands."""
        if state is _NOWHERE:
            return state
        part = str(key)
        known = state.steps.get(part)
        if known is not None:
            return known
        self.tick(len(state.nodes))
        found: list[_Node] = []
        for node in state.nodes:
            child = node.children.get(part)
            if child is not None:
                found.append(child)
            if node.star is not None:
                found.append(node.star)
        following = self._state(tuple(found)) if found else _NOWHERE
        if len(state.steps) < _MAX_STEPS:
            state.steps[part] = following
        return following

    def _state(self, nodes: tuple[_Node, ...]) -> _State:
        ids = tuple(sorted({id(node) for node in nodes}))
        state = self._states.get(ids)
        if state is None:
            self.tick(len(nodes) + sum(len(node.children) for node in nodes))  # what the new state's ``ends`` costs
            state = self._states[ids] = _State(tuple({id(node): node for node in nodes}.values()))
        return state


_Child = tuple[Any, Any, _Path, _State]  # (key or index, value, path, state)


class _Walk:
    """One comparison: the work budget, the changes kept, the structural ids under ``ignore_order``."""

    def __init__(
        self, ignore_keys: Iterable[str | tuple[Any, ...]], ignore_order: bool, limit: int, budget: int
    ) -> None:
        self.ignore_order = ignore_order
        self.limit = limit
        self.budget = budget
        self.visits = 0
        self.changes: list[Change] = []
        self.total = 0
        self._ids: dict[int, int] = {}  # id(python object) -> structural id; a parsed value has one path
        self._interned: dict[tuple[Any, ...], int] = {}
        self.ignore = _Ignore(ignore_keys, self._tick)

    def _tick(self, count: int = 1) -> None:
        self.visits += count
        if self.visits > self.budget:
            raise DiffIncomplete(f"too large to compare: more than {self.budget:,} values")

    def _record(self, path: _Path, kind: str, left: Any, right: Any) -> None:
        self.total += 1
        if len(self.changes) < self.limit:
            parts = _parts(path)
            self.changes.append(Change(format_path(parts), kind, left, right, tuple(parts)))

    def run(self, left: Any, right: Any) -> None:
        # Tasks: ("cmp", a, b, path, state) compares; ("rec", kind, a, b, path) records a change.
        # ``state`` is where the path stands among the ignored dotted paths (:class:`_Ignore`).
        # Children are pushed in reverse, so they come off the stack in document order.
        stack: list[tuple[Any, ...]] = [("cmp", left, right, None, self.ignore.root)]
        while stack:
            task = stack.pop()
            if task[0] == "rec":
                self._record(task[4], task[1], task[2], task[3])
                continue
            _, a, b, path, state = task
            self._tick()
            if isinstance(a, dict) and isinstance(b, dict):
                stack.extend(reversed(self._object_tasks(a, b, path, state)))
            elif isinstance(a, list) and isinstance(b, list):
                by = self._unordered_tasks if self.ignore_order else self._list_tasks
                tasks = by(a, b, path, state)
                stack.extend(reversed(tasks))
            elif not _same_leaf(a, b):
                kind = "changed" if _kind(a) == _kind(b) else "type"
                self._record(path, kind, a, b)

    def _object_tasks(self, a: dict[Any, Any], b: dict[Any, Any], path: _Path, state: _State) -> list[tuple[Any, ...]]:
        self._tick(len(a) + len(b))
        ignore = self.ignore
        tasks: list[tuple[Any, ...]] = []
        for key, value in a.items():
            if ignore.drops(key, state):
                continue
            if key in b:
                tasks.append(("cmp", value, b[key], (path, key), ignore.step(state, key)))
            else:
                tasks.append(("rec", "removed", value, None, (path, key)))
        for key, value in b.items():
            if key not in a and not ignore.drops(key, state):
                tasks.append(("rec", "added", None, value, (path, key)))
        return tasks

    def _list_tasks(self, a: list[Any], b: list[Any], path: _Path, state: _State) -> list[tuple[Any, ...]]:
        self._tick(len(a) + len(b))
        common = min(len(a), len(b))
        step = self.ignore.step
        tasks: list[tuple[Any, ...]] = [("cmp", a[i], b[i], (path, i), step(state, i)) for i in range(common)]
        tasks += [("rec", "removed", a[i], None, (path, i)) for i in range(common, len(a))]
        tasks += [("rec", "added", None, b[i], (path, i)) for i in range(common, len(b))]
        return tasks

    def _unordered_tasks(self, a: list[Any], b: list[Any], path: _Path, state: _State) -> list[tuple[Any, ...]]:
        """Match equal items as multisets; pair the rest in order and compare them, report any extra."""
        step = self.ignore.step
        ids_a = [self._id(item, (path, i), step(state, i)) for i, item in enumerate(a)]
        ids_b = [self._id(item, (path, i), step(state, i)) for i, item in enumerate(b)]
        left_only = _unmatched(ids_a, Counter(ids_b))
        right_only = _unmatched(ids_b, Counter(ids_a))
        pairs = min(len(left_only), len(right_only))
        tasks: list[tuple[Any, ...]] = [
            ("cmp", a[i], b[j], (path, i), step(state, i))
            for i, j in zip(left_only[:pairs], right_only[:pairs], strict=True)
        ]
        tasks += [("rec", "removed", a[i], None, (path, i)) for i in left_only[pairs:]]
        tasks += [("rec", "added", None, b[j], (path, j)) for j in right_only[pairs:]]
        return tasks

    def _id(self, value: Any, path: _Path, state: _State) -> int:
        """The structural id of ``value``: equal ids exactly when the values are equal under the rules."""
        if not isinstance(value, (dict, list)):
            self._tick(_ID_COST)
            return self._intern(_leaf_key(value))
        known = self._ids.get(id(value))
        if known is not None:
            return known
        # Post-order without recursion: a container gets its id once all its children have theirs.
        stack: list[tuple[Any, _Path, _State, list[_Child] | None]] = [(value, path, state, None)]
        while stack:
            node, where, at, children = stack.pop()
            if children is None:
                if id(node) in self._ids:
                    continue
                self._tick(_ID_COST)
                children = self._children(node, where, at)
                stack.append((node, where, at, children))
                stack.extend(
                    (child, child_path, child_state, None)
                    for _, child, child_path, child_state in children
                    if isinstance(child, (dict, list)) and id(child) not in self._ids
                )
                continue
            ids = [(name, self._child_id(child)) for name, child, _, _ in children]
            if isinstance(node, dict):
                key: tuple[Any, ...] = ("object", tuple(sorted(ids, key=lambda pair: pair[0])))
            else:
                key = ("array", tuple(sorted(i for _, i in ids)))
            self._ids[id(node)] = self._intern(key)
        return self._ids[id(value)]

    def _children(self, node: Any, where: _Path, state: _State) -> list[_Child]:
        ignore = self.ignore
        if isinstance(node, dict):
            return [(k, v, (where, k), ignore.step(state, k)) for k, v in node.items() if not ignore.drops(k, state)]
        return [(i, v, (where, i), ignore.step(state, i)) for i, v in enumerate(node)]

    def _child_id(self, child: Any) -> int:
        if isinstance(child, (dict, list)):
            return self._ids[id(child)]
        self._tick(_ID_COST)
        return self._intern(_leaf_key(child))

    def _intern(self, key: tuple[Any, ...]) -> int:
        return self._interned.setdefault(key, len(self._interned))


def _leaf_key(value: Any) -> tuple[Any, ...]:
    kind = _kind(value)
    if kind == "number":
        if isinstance(value, float):
            if math.isnan(value):
                return ("nan",)
            if value.is_integer():
                return ("number", int(value))
        return ("number", value)
    if kind in ("null", "boolean", "string"):
        return (kind, value)
    return ("other", kind, repr(value))


def _unmatched(ids: Sequence[int], other: Counter[int]) -> list[int]:
    """Indexes of the items of ``ids`` left once each is matched against one equal item of ``other``."""
    left = []
    for index, item in enumerate(ids):
        if other[item] > 0:
            other[item] -= 1
        else:
            left.append(index)
    return left


def diff_json(
    left: Any,
    right: Any,
    ignore_keys: Iterable[str | tuple[Any, ...]] = (),
    ignore_order: bool = False,
    limit: int = MAX_CHANGES,
    budget: int = MAX_VISITS,
) -> JsonDiff:
    """Every difference between two parsed JSON documents: the first ``limit`` in document order, and the count.

    An ignored key is a name, a dotted path, or a tuple of keys and indexes: that exact path (a
    key's own, since only keys are dropped). Raises :class:`DiffIncomplete` when the comparison
    would look at more than ``budget`` values.
    """
    walk = _Walk(ignore_keys, ignore_order, limit, budget)
    walk.run(left, right)
    return JsonDiff(tuple(walk.changes), walk.total)
