"""The keys a JSON comparison leaves out: bare names at any depth, and dotted paths from the root.

The paths are a tree walked alongside the document (:class:`IgnoredKeys`), so deciding a key costs a
set lookup whatever the number of patterns. Used by :mod:`explorer.parity.jsondiff`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

__all__ = ["NOWHERE", "IgnoredKeys", "State"]


class _Node:
    """A place in the tree of dotted paths: the next parts by name, the ``*`` one, and whether a path ends here."""

    __slots__ = ("children", "end", "star")

    def __init__(self) -> None:
        self.children: dict[str, _Node] = {}
        self.star: _Node | None = None
        self.end = False


class State:
    """Where one path of the document stands in the tree: every node it matches (several, through ``*``).

    Equal sets of nodes share one state, and each state remembers where a key leads, so a document
    with the same shape over and over (a list of objects) costs one lookup per key.
    """

    __slots__ = ("ends", "nodes", "star_ends", "steps")

    def __init__(self, nodes: tuple[_Node, ...]) -> None:
        self.nodes = nodes
        self.ends = frozenset(name for node in nodes for name, child in node.children.items() if child.end)
        self.star_ends = any(node.star is not None and node.star.end for node in nodes)
        self.steps: dict[str, State] = {}


NOWHERE = State(())  # off every dotted path: nothing below is dropped except bare names
_MAX_STEPS = 10_000  # steps remembered per state (list indexes are keys too)


class IgnoredKeys:
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
        self._states: dict[tuple[int, ...], State] = {}
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
        self.root = self._state((root,)) if patterns else NOWHERE

    def drops(self, key: Any, state: State) -> bool:
        """Whether ``key`` of an object whose own path stands at ``state`` is ignored."""
        if key in self.names:
            return True
        return state is not NOWHERE and (state.star_ends or str(key) in state.ends)

    def step(self, state: State, key: Any) -> State:
        """Where the path of the child ``key`` (a key or an index) stands."""
        if state is NOWHERE:
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
        following = self._state(tuple(found)) if found else NOWHERE
        if len(state.steps) < _MAX_STEPS:
            state.steps[part] = following
        return following

    def _state(self, nodes: tuple[_Node, ...]) -> State:
        ids = tuple(sorted({id(node) for node in nodes}))
        state = self._states.get(ids)
        if state is None:
            self.tick(len(nodes) + sum(len(node.children) for node in nodes))  # what the new state's ``ends`` costs
            state = self._states[ids] = State(tuple({id(node): node for node in nodes}.values()))
        return state
