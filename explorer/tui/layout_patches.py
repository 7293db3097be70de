"""Patches to Textual's (8.2.8) layout, installed by :class:`explorer.tui.textual_patches.GuardedApp`.

A layout followed by a second one (:func:`one_layout_per_change`): when a layout of the screen changes a
widget's size, Textual sets the widget's ``virtual_size``, a reactive that asks for a layout of the screen
when it changes, though the layout that set it has just placed every widget with that size (nothing watches
it). So each key that resized anything (Escape between the list and the answers, as the editor folds; ``z``;
a send) laid the whole main view out twice, 6-20 ms of CPU and a frame apart. Here a layout records the sizes
it found without asking for another; a scroll bar that must appear or go still asks (``_scroll_update``), as
do the Resize handlers that change what they draw. Textual does the same for a layout after a scroll.
"""

from __future__ import annotations

from textual.geometry import Size
from textual.widget import Widget

__all__ = ["one_layout_per_change"]

_textual_size_updated = Widget._size_updated


def _size_updated(widget: Widget, size: Size, virtual_size: Size, container_size: Size, layout: bool = True) -> bool:
    """Textual's, with the virtual size recorded as the layout found it (``layout=False``: no layout asked)."""
    return _textual_size_updated(widget, size, virtual_size, container_size, layout=False)


def one_layout_per_change() -> None:
    """A layout of the screen records the sizes it gives; it no longer asks for a second layout of the screen."""
    Widget._size_updated = _size_updated  # type: ignore[method-assign,assignment]  # Textual's method, replaced in place
