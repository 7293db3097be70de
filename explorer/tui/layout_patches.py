"""Patches to Textual's (8.2.8) layout, installed by :class:`explorer.tui.textual_patches.GuardedApp`.

A layout followed by a second one (:func:`one_layout_per_change`): when a layout of the screen changes a
widget's size, Textual sets the widget's ``virtual_size``, a reactive that asks for a layout of the screen
when it changes, though the layout that set it has just placed every widget with that size (nothing watches
it). So each key that resized anything (Escape between the list and the answers, as the editor folds; ``z``;
a send) laid the whole main view out twice, 6-20 ms of CPU and a frame apart. Here a layout records the sizes
it found without asking for another; a scroll bar that must appear or go still asks (``_scroll_update``), as
do the Resize handlers that change what they draw. Textual does the same for a layout after a scroll.

A new screen laid out twice before its first frame settles (:func:`first_layout_when_mounted`): Textual lays
a screen out, and draws it, the moment it first becomes active, then handles the messages its widgets posted
as they mounted (each asks for a layout and a repaint, a widget given the keyboard restyles) and lays it out
and draws it again, then repaints the whole screen (its resume asked for that too). The main screen's first
frame was drawn three times, the list in the wrong colours in the first (it had the keyboard, but not yet
its style), each time written whole to the terminal. Here a new screen's first layout waits for those
messages, as any later layout does: one layout and one full render, of the screen as it settles.
"""

from __future__ import annotations

import weakref
from typing import Any

from textual import events
from textual.geometry import Size
from textual.screen import Screen
from textual.widget import Widget

__all__ = ["first_layout_when_mounted", "one_layout_per_change"]

_textual_size_updated = Widget._size_updated


def _size_updated(widget: Widget, size: Size, virtual_size: Size, container_size: Size, layout: bool = True) -> bool:
    """Textual's, with the virtual size recorded as the layout found it (``layout=False``: no layout asked)."""
    return _textual_size_updated(widget, size, virtual_size, container_size, layout=False)


def one_layout_per_change() -> None:
    """A layout of the screen records the sizes it gives; it no longer asks for a second layout of the screen.
    And a new screen is drawn once as it first shows (:func:`first_layout_when_mounted`; installed here, after
    :func:`explorer.tui.textual_patches.resume_without_restyle`, whose resume it wraps)."""
    Widget._size_updated = _size_updated  # type: ignore[method-assign,assignment]  # Textual's method, replaced in place
    first_layout_when_mounted()


_LAYING_OUT: weakref.WeakSet[Screen[Any]] = weakref.WeakSet()  # new screens in their first resume's layout
_UNDRAWN: weakref.WeakSet[Screen[Any]] = weakref.WeakSet()  # new screens laid out but not drawn yet


def first_layout_when_mounted() -> None:
    """A new screen is drawn once its widgets have handled their first layout (their Resize) and it has been
    laid out again for what they changed, not at its first layout, then again, then whole once more (call after
    any other patch of ``Screen._on_screen_resume``: it wraps the one in place)."""
    resume, draw = Screen._on_screen_resume, Screen._compositor_refresh
    if getattr(resume, "draws_later", False):
        return

    def resume_draw_later(screen: Screen[Any], event: events.ScreenResume) -> None:
        if not screen.is_attached or screen._compositor.size:
            resume(screen, event)  # laid out before: shown again
            return
        _LAYING_OUT.add(screen)
        try:
            resume(screen, event)  # its layout, not drawn; and a repaint asked for, done once the messages its
        finally:  # widgets posted as they mounted and as that layout resized them are handled
            _LAYING_OUT.discard(screen)
        _UNDRAWN.add(screen)

    def draw_when_settled(screen: Screen[Any]) -> None:
        if screen in _LAYING_OUT:
            return
        if screen in _UNDRAWN:  # its first frame, drawn whole (nothing is yet): the repaint asked for is done
            _UNDRAWN.discard(screen)
            screen._repaint_required = False
        draw(screen)

    resume_draw_later.draws_later = True  # type: ignore[attr-defined]  # marks the wrapper: installed once
    Screen._on_screen_resume = resume_draw_later  # type: ignore[method-assign,assignment]  # Textual's handler, wrapped
    Screen._compositor_refresh = draw_when_settled  # type: ignore[method-assign,assignment]  # Textual's method, wrapped
