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
- Lists of one length compare index by index. Lists of different lengths are aligned first, so
  one inserted item is reported once ("added"), not as a change of every later item: items are
  paired by a key the caller names (``match_lists_by``: each item an object with a unique scalar
  value there), else by the longest common subsequence of their structural ids (after the common
  head and tail are set aside; past :data:`MAX_ALIGN` cells the middle is paired by position).
  Between two aligned items the rest are paired in order; extra items are "removed" or "added".
  With a key, lists of one length are paired by it too. Under ``ignore_order``
  each value gets an exact structural id (hash-consing: equal ids if and only if equal values
  under the rules above, no hash collisions), the multisets are matched in linear time, and the
  items left over are paired in order and compared in turn.
- ``loose`` paths (a value each app makes up, captured for later requests: a token) are compared
  by presence and type only: a changed value there, or anything changed below it, is not a change.
- Every value looked at counts against :data:`MAX_VISITS`; past it the comparison stops with
  :class:`DiffIncomplete`, which callers must report as an error, never as a match.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from explorer.parity.ignoredkeys import IgnoredKeys, State
from explorer.parity.listpairs import key_index, lcs, same_text
from explorer.runtime.errors import ExplorerError
from explorer.runtime.userdata.bounded import format_path

__all__ = ["MAX_CHANGES", "MAX_VISITS", "Change", "DiffIncomplete", "JsonDiff", "diff_json", "format_path"]

MAX_CHANGES = 50  # changes kept (listed) per comparison; the rest are only counted
MAX_VISITS = 10_000_000  # values looked at in one comparison, both sides together (a few seconds here)
_ID_COST = 2  # a structural id (ignore_order) costs about twice a plain comparison
MAX_ALIGN = 250_000  # cells of one list alignment (longest common subsequence); past it, pairs by position

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


_Child = tuple[Any, Any, _Path, State]  # (key or index, value, path, state)


class _Walk:
    """One comparison: the work budget, the changes kept, the structural ids under ``ignore_order``."""

    def __init__(
        self,
        ignore_keys: Iterable[str | tuple[Any, ...]],
        ignore_order: bool,
        limit: int,
        budget: int,
        match_lists_by: Iterable[str] = (),
        loose: Iterable[Sequence[Any]] = (),
    ) -> None:
        self.ignore_order = ignore_order
        self.match_by = tuple(match_lists_by)
        self.loose = {tuple(str(p) for p in parts) for parts in loose}
        self.limit = limit
        self.budget = budget
        self.visits = 0
        self.changes: list[Change] = []
        self.total = 0
        self._ids: dict[int, int] = {}  # id(python object) -> structural id; a parsed value has one path
        self._interned: dict[tuple[Any, ...], int] = {}
        self.ignore = IgnoredKeys(ignore_keys, self._tick)

    def _tick(self, count: int = 1) -> None:
        self.visits += count
        if self.visits > self.budget:
            raise DiffIncomplete(f"too large to compare: more than {self.budget:,} values")

    def _record(self, path: _Path, kind: str, left: Any, right: Any) -> None:
        parts = _parts(path) if self.loose or len(self.changes) < self.limit else []
        if self.loose and self._loosened(parts, kind):
            return
        self.total += 1
        if len(self.changes) < self.limit:
            self.changes.append(Change(format_path(parts), kind, left, right, tuple(parts)))

    def _loosened(self, parts: list[Any], kind: str) -> bool:
        """Whether a change at ``parts`` is only a value an app made up: at a loose path (not its
        presence, not its type) or anywhere below one."""
        key = tuple(str(p) for p in parts)
        self._tick(len(key) + 1)
        for end in range(len(key) + 1):
            if key[:end] in self.loose:
                return end < len(key) or kind == "changed"
        return False

    def run(self, left: Any, right: Any) -> None:
        # Tasks: ("cmp", a, b, path, state) compares; ("rec", kind, a, b, path) records a change.
        # ``state`` is where the path stands among the ignored dotted paths (:class:`~explorer.parity.ignoredkeys.IgnoredKeys`).
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

    def _object_tasks(self, a: dict[Any, Any], b: dict[Any, Any], path: _Path, state: State) -> list[tuple[Any, ...]]:
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

    def _list_tasks(self, a: list[Any], b: list[Any], path: _Path, state: State) -> list[tuple[Any, ...]]:
        self._tick(len(a) + len(b))
        pairs = self._keyed(a, b) if self.match_by else None
        if pairs is None and len(a) != len(b):
            pairs = self._aligned(a, b, path, state)
        step = self.ignore.step
        if pairs is None:  # by position
            common = min(len(a), len(b))
            tasks: list[tuple[Any, ...]] = [("cmp", a[i], b[i], (path, i), step(state, i)) for i in range(common)]
            tasks += [("rec", "removed", a[i], None, (path, i)) for i in range(common, len(a))]
            tasks += [("rec", "added", None, b[i], (path, i)) for i in range(common, len(b))]
            return tasks
        tasks = []
        paired_a = {i for i, _, _ in pairs}
        paired_b = {j for _, j, _ in pairs}
        done = done_b = 0  # items already in the tasks, so removed and added ones come in document order
        for i, j, differ in pairs:
            tasks += [("rec", "removed", a[k], None, (path, k)) for k in range(done, i) if k not in paired_a]
            tasks += [("rec", "added", None, b[k], (path, k)) for k in range(done_b, j) if k not in paired_b]
            done, done_b = max(done, i + 1), max(done_b, j + 1)
            if differ:
                tasks.append(("cmp", a[i], b[j], (path, i), step(state, i)))
        tasks += [("rec", "removed", a[k], None, (path, k)) for k in range(done, len(a)) if k not in paired_a]
        tasks += [("rec", "added", None, b[k], (path, k)) for k in range(done_b, len(b)) if k not in paired_b]
        return tasks

    def _keyed(self, a: list[Any], b: list[Any]) -> list[tuple[int, int, bool]] | None:
        """Pairs of indexes by the first ``match_lists_by`` key every item of both lists has (an object
        with a unique scalar there), in the order of ``a``; None when no key fits."""
        for key in self.match_by:
            found = [key_index(items, key, _leaf_key) for items in (a, b)]
            self._tick(len(a) + len(b))
            left, right = found
            if left is not None and right is not None:
                return [(i, right[value], True) for value, i in left.items() if value in right]
        return None

    def _aligned(self, a: list[Any], b: list[Any], path: _Path, state: State) -> list[tuple[int, int, bool]]:
        """Pairs of indexes, and whether they still need comparing: equal items aligned (a longest
        common subsequence of structural ids: no comparing), and in each gap between two of them the
        rest paired in order. The caller reports the items in no pair."""
        # The common head and tail first, by the items' JSON text (C speed; the same text is the same
        # value under the rules, a different text may still be: those items are compared in turn).
        head = 0
        while head < min(len(a), len(b)) and same_text(a[head], b[head]):
            head += 1
        tail = 0
        while tail < min(len(a), len(b)) - head and same_text(a[-1 - tail], b[-1 - tail]):
            tail += 1
        self._tick(2 * (head + tail + 1))
        cells = (len(a) - head - tail) * (len(b) - head - tail)
        matches: list[tuple[int, int]] = []
        if cells <= MAX_ALIGN:  # the middle, by structural ids (equal under the rules: ignored keys, 3 and 3.0)
            step = self.ignore.step
            ids_a = [self._id(a[i], (path, i), step(state, i)) for i in range(head, len(a) - tail)]
            ids_b = [self._id(b[j], (path, j), step(state, j)) for j in range(head, len(b) - tail)]
            self._tick(cells)
            matches = lcs(ids_a, ids_b)
        anchors = [(i + head, j + head) for i, j in matches]
        anchors = (
            [(i, i) for i in range(head)] + anchors + [(len(a) - tail + k, len(b) - tail + k) for k in range(tail)]
        )
        pairs: list[tuple[int, int, bool]] = []
        last_i = last_j = -1
        for i, j in [*anchors, (len(a), len(b))]:
            gap = min(i - last_i - 1, j - last_j - 1)
            pairs += [(last_i + 1 + k, last_j + 1 + k, True) for k in range(gap)]
            if i < len(a):
                pairs.append((i, j, False))
            last_i, last_j = i, j
        return pairs

    def _unordered_tasks(self, a: list[Any], b: list[Any], path: _Path, state: State) -> list[tuple[Any, ...]]:
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

    def _id(self, value: Any, path: _Path, state: State) -> int:
        """The structural id of ``value``: equal ids exactly when the values are equal under the rules."""
        if not isinstance(value, (dict, list)):
            self._tick(_ID_COST)
            return self._intern(_leaf_key(value))
        known = self._ids.get(id(value))
        if known is not None:
            return known
        # Post-order without recursion: a container gets its id once all its children have theirs.
        stack: list[tuple[Any, _Path, State, list[_Child] | None]] = [(value, path, state, None)]
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
                items = (i for _, i in ids)  # a multiset under ignore_order, else a sequence
                key = ("array", tuple(sorted(items)) if self.ignore_order else tuple(items))
            self._ids[id(node)] = self._intern(key)
        return self._ids[id(value)]

    def _children(self, node: Any, where: _Path, state: State) -> list[_Child]:
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
    match_lists_by: Iterable[str] = (),
    loose: Iterable[Sequence[Any]] = (),
) -> JsonDiff:
    """Every difference between two parsed JSON documents: the first ``limit`` in document order, and the count.

    An ignored key is a name, a dotted path, or a tuple of keys and indexes: that exact path (a
    key's own, since only keys are dropped). Raises :class:`DiffIncomplete` when the comparison
    would look at more than ``budget`` values. ``match_lists_by`` names keys that pair list items;
    ``loose`` paths (tuples of keys and indexes) are compared by presence and type only.
    """
    walk = _Walk(ignore_keys, ignore_order, limit, budget, match_lists_by, loose)
    walk.run(left, right)
    return JsonDiff(tuple(walk.changes), walk.total)
