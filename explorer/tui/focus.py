"""Keeps the main view's keyboard somewhere Escape works, whatever hides the part that had it.

Textual drops the focus to nothing when the focused widget is hidden: a tab switched away (``2``
after Escape put the keyboard in the Body tab), an answer moved behind the other (``a``), a panel
restored from zoom. With nothing focused only the app's own keys work: Escape is bound nowhere,
the footer loses it, and the next letters typed act as commands. Every part of the main view that
can hold the keyboard has an Escape of its own (the list, the editor's fields, the answers); this
module makes sure the keyboard always lands in one of them, and zooms the part that has it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from panels.editor import RequestEditor
from panels.response import ResponsePanel
from panels.samples import SampleBrowser

if TYPE_CHECKING:
    from textual.app import App
    from textual.screen import Screen
    from textual.widget import Widget

    from explorer.tui.workbench import Workbench

__all__ = ["above_the_answers", "keep_focus", "zoom"]


def keep_focus(app: App[int], screen: Screen[object], workbench: Workbench) -> None:
    """Whenever ``screen`` loses its focus to nothing, give the keyboard back to the part it was in."""

    def lost(old: Widget | None, new: Widget | None) -> None:
        if new is None and old is not None and not app._exit:
            screen.call_after_refresh(_regain, app, screen, workbench, old)

    app.watch(screen, "focused", lost, init=False)


def _regain(app: App[int], screen: Screen[object], workbench: Workbench, old: Widget) -> None:
    """The answer in front if the keyboard was in an answer (or one is zoomed), else the list, else the answers."""
    if screen.focused is not None or not screen.is_attached:
        return
    zoomed = screen.maximized
    if zoomed is not None and not isinstance(zoomed, ResponsePanel):
        target = next((w for w in zoomed.query("*") if w.focusable), None)
        if target is not None:
            target.focus()
            return
    in_answers = any(isinstance(node, ResponsePanel) for node in old.ancestors_with_self)
    listing = screen.query("#samples Tree")
    if not in_answers and zoomed is None and listing and listing.first().focusable:
        listing.first().focus()
        return
    workbench.focus_answers()


def above_the_answers(screen: Screen[object], editor: RequestEditor) -> None:
    """Escape in an answer: the keyboard goes to the list, or to the path field when the list is hidden (ctrl+h),
    which is built at once if the first frame's stand-in still draws the editor."""
    if screen.query_one("#samples").display:
        screen.set_focus(screen.query_one("#samples Tree"))
    else:
        editor.focus_path()


def zoom(app: App[int], workbench: Workbench) -> None:
    """Maximise the focused panel (or the answer in front), or restore it."""
    screen = app.screen
    if screen.maximized is not None:
        screen.minimize()
        app.refresh_bindings()
        return
    from panels.routes import RouteBrowser  # the user's apps' list: not imported before the demos' first frame

    zoomable = (ResponsePanel, RequestEditor, SampleBrowser, RouteBrowser)
    focused = app.focused
    target = next((n for n in focused.ancestors_with_self if isinstance(n, zoomable)), None) if focused else None
    if target is None:
        target = workbench.front_panel()
        target.focus_content()
    screen.maximize(target, container=False)
    app.refresh_bindings()
