"""PyYAML's composer, made iterative and bounded: the YAML half of guards 4 and 5 of the file loader.

PyYAML composes a document recursively, so 100,000 nested ``[`` end in ``RecursionError`` deep in
its stack, and it copies a node for every merge key (``<<``), which is how "billion laughs" files
explode. :class:`BoundedComposer` builds nodes from the parser's events with an explicit stack,
refuses past ``max_depth`` levels or ``max_values`` nodes, keeps an alias as a shared reference
to its anchor's node (never a copy), and refuses merge keys and an alias inside the value it names.
:mod:`explorer.runtime.userdata.datafile` sets the bounds and turns a refusal into its one-line error.
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.composer import ComposerError
from yaml.events import (
    AliasEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

__all__ = ["BoundedComposer", "BoundedLoader", "ComposeRefused"]

_MERGE_TAG = "tag:yaml.org,2002:merge"


class ComposeRefused(Exception):
    """A bound passed while composing YAML; carries the place in the file."""

    def __init__(self, reason: str, mark: Any) -> None:
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark is not None else ""
        super().__init__(reason + where)


class BoundedComposer:
    """An iterative composer with a depth bound, mixed into PyYAML's safe loader (before it)."""

    max_depth: int  # both set for each load from the file's limits (explorer.runtime.userdata.datafile)
    max_values: int
    get_event: Any
    check_event: Any
    resolve: Any

    def get_single_node(self) -> Node | None:
        self.get_event()  # stream start
        document = None
        if not self.check_event(StreamEndEvent):
            document = self._compose_document()
        if not self.check_event(StreamEndEvent):
            event = self.get_event()
            raise ComposerError(
                "expected a single document in the stream", None, "but found another document", event.start_mark
            )
        self.get_event()
        return document

    def _compose_document(self) -> Node:
        """One document as nodes, built from events with an explicit stack instead of recursion."""
        self.get_event()  # document start
        anchors: dict[str, Node] = {}
        stack: list[Node] = []
        open_ids: set[int] = set()
        keys: list[Node | None] = []  # per open mapping: the key waiting for its value
        count = 0
        while True:
            event = self.get_event()
            if isinstance(event, (SequenceEndEvent, MappingEndEvent)):
                node = stack.pop()
                keys.pop()
                open_ids.discard(id(node))
                node.end_mark = event.end_mark
                if not stack:
                    break
                continue
            count += 1
            if count > self.max_values:
                raise ComposeRefused(f"holds more than {self.max_values:,} values and keys", event.start_mark)
            node = self._node(event, anchors, open_ids)
            if stack:
                self._attach(stack[-1], keys, node, event)
            if isinstance(event, (SequenceStartEvent, MappingStartEvent)):
                if len(stack) >= self.max_depth:
                    raise ComposeRefused(f"nested deeper than {self.max_depth} levels", event.start_mark)
                stack.append(node)
                keys.append(None)
                open_ids.add(id(node))
            elif not stack:
                break
        self.get_event()  # document end
        return node

    def _node(self, event: Any, anchors: dict[str, Node], open_ids: set[int]) -> Node:
        # Taken before the isinstance checks: types-PyYAML types an event's marks wider than a node's
        start, end = event.start_mark, event.end_mark
        if isinstance(event, AliasEvent):
            if event.anchor not in anchors:
                raise ComposerError(None, None, f"found undefined alias {event.anchor!r}", start)
            node = anchors[event.anchor]
            if id(node) in open_ids:
                raise ComposeRefused(f"the alias *{event.anchor} refers to a value that contains it", start)
            return node
        if isinstance(event, ScalarEvent):
            tag = event.tag if event.tag not in (None, "!") else self.resolve(ScalarNode, event.value, event.implicit)
            node = ScalarNode(tag, event.value, start, end, style=event.style)
        elif isinstance(event, (SequenceStartEvent, MappingStartEvent)):
            kind = SequenceNode if isinstance(event, SequenceStartEvent) else MappingNode
            tag = event.tag if event.tag not in (None, "!") else self.resolve(kind, None, event.implicit)
            node = kind(tag, [], start, None, flow_style=event.flow_style)
        else:
            raise ComposerError(None, None, f"unexpected {type(event).__name__}", start)
        if event.anchor is not None:
            if event.anchor in anchors:
                raise ComposerError(None, None, f"found duplicate anchor {event.anchor!r}", event.start_mark)
            anchors[event.anchor] = node
        return node

    @staticmethod
    def _attach(parent: Node, keys: list[Node | None], node: Node, event: Any) -> None:
        if isinstance(parent, SequenceNode):
            parent.value.append(node)
            return
        key = keys[-1]
        if key is None:
            if node.tag == _MERGE_TAG:
                raise ComposeRefused("merge keys (<<) are not supported; repeat the keys instead", event.start_mark)
            keys[-1] = node
        else:
            parent.value.append((key, node))
            keys[-1] = None


_Base: type = yaml.CSafeLoader if getattr(yaml, "__with_libyaml__", False) else yaml.SafeLoader


class BoundedLoader(BoundedComposer, _Base):
    """PyYAML's safe loader (libyaml's parser when present) with the bounded composer."""
