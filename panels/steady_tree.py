"""A Tree that keeps its lines when it is resized: Textual's own resize handler built every line again and asked for
a layout of the whole screen, a frame after the one that had drawn the tree at its new size (issue 24)."""

from __future__ import annotations

from typing import TypeVar

from textual import events
from textual.widgets import Tree

T = TypeVar("T")

__all__ = ["SteadyTree"]


class SteadyTree(Tree[T]):
    """Tree keeps each drawn line by the width it was drawn at, so the layout that resized it (a scroll bar coming
    as the docs' outline is filled, ``z``, a terminal resized) draws every line anew in its own frame. Tree's handler
    also rebuilt the lines, whose order and text do not depend on the size, and laid the screen out again: the
    same picture written a second time, ~40 ms after the first (the docs' first opening)."""

    def on_resize(self, event: events.Resize) -> None:
        event.prevent_default()  # Tree's _on_resize: the lines built again, with a layout
        self._line_cache.grow(event.size.height)
