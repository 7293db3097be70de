"""Tabbed content whose tab row and hidden panes are built once the first frame is drawn (issue 24: the first paint).

Textual's TabbedContent mounts its tab row (ten widgets) and every pane as it composes, each pane hidden but
the one on show. Here the first frame has a stand-in for the row (:class:`panels.tab_row.TabRow`, one widget
drawing the same titles and bar) and another for the switcher and the pane on show (the ``blank`` it is given,
a :class:`panels.stand_in.StandIn`); :meth:`LazyTabs.mount_hidden`, called once the first frame is drawn, puts
the real row and the switcher with every pane and its contents in their place, and a tab chosen or clicked
before then does so at once, so every tab works as Textual's own.
"""

from __future__ import annotations

from typing import Any, TypeVar

from textual import events
from textual.app import ComposeResult
from textual.widget import Widget
from textual.widgets import ContentSwitcher, TabbedContent, TabPane, Tabs
from textual.widgets._tabbed_content import ContentTab, ContentTabs
from textual.widgets._tabs import Underline

from panels.stand_in import StandIn
from panels.tab_row import TabRow

__all__ = ["LazyTabs"]

ExpectType = TypeVar("ExpectType", bound=Widget)


class LaterTabs(ContentTabs):
    """Textual's tab row, mounted after the first frame: by then the app may be closing, and a row mounted as it
    closes composes nothing (Textual mounts nothing into a widget being removed); its first tab is then not there
    to activate, which raised "No Tab with id ...", so it is not tried."""

    def _on_mount(self, event: events.Mount) -> None:
        if not self.query("#tabs-list > Tab"):
            event.prevent_default()  # Tabs' own handler would activate a tab that is not there

    def _highlight_active(self, animate: bool = True) -> None:
        """Textual's, except while the row is hidden behind the stand-in: its tabs have no place yet, and the bar
        it placed from them (nothing marked) could land after the one the swap placed."""
        if self.display:
            super()._highlight_active(animate)


class LazyTabs(TabbedContent):
    """A TabbedContent that composes two stand-ins, for its row and its panes; :meth:`mount_hidden` does the rest."""

    _hidden: tuple[TabPane, ...] = ()  # the panes, not mounted yet
    _row: ContentTabs | None = None  # Textual's tab row, composed but not mounted while the stand-in shows
    _stand_in: TabRow | None = None
    _leaving: TabRow | None = None  # the stand-in, drawn until the real row (mounted hidden) can take its place

    def __init__(self, *, blank: StandIn, **kwargs: Any) -> None:
        """``blank``: what the first frame draws in the panes' place (the pane on show, as it is then)."""
        super().__init__(**kwargs)
        self._blank = blank

    def compose(self) -> ComposeResult:
        panes = [pane for pane in self._tab_content if isinstance(pane, TabPane) and pane.id]
        self._initial = self._initial or (panes[0].id if panes else "") or ""  # on show from the start
        ids = [pane.id or "" for pane in panes]
        tabs = [ContentTab(pane._title, pane.id or "", disabled=pane.disabled) for pane in panes]
        self._row = LaterTabs(*tabs, active=self._initial or None, tabbed_content=self)
        self._stand_in = TabRow(
            [tab.label_text for tab in tabs], ids.index(self._initial) if self._initial in ids else 0
        )
        yield self._stand_in
        self._hidden = tuple(panes)
        yield self._blank

    def get_child_by_type(self, expect_type: type[ExpectType]) -> ExpectType:
        """TabbedContent finds its row by its exact type, ContentTabs: the row here is a :class:`LaterTabs`."""
        return super().get_child_by_type(LaterTabs if expect_type is ContentTabs else expect_type)  # type: ignore[return-value]  # a ContentTabs

    def on_mount(self) -> None:
        self.set_reactive(LazyTabs.active, self._initial)  # what the row would set as it mounts, without its work

    def mount_hidden(self, at_once: bool = False) -> None:
        """Put the real tab row in and the switcher with every pane and its contents in the stand-ins' place (once);
        each is in the DOM when this returns, the panes shown with the next frame or, ``at_once``, this one."""
        self._show_row()
        hidden, self._hidden = self._hidden, ()
        shown = self.active or self._initial
        switcher = ContentSwitcher(initial=shown or None)  # a tab chosen before now is the one it shows
        if hidden and self._blank.replace_by([switcher], at_once):
            for pane in hidden:
                pane.display = pane.id == shown  # as the switcher sets them as it mounts
            switcher.mount_all(hidden)
            for pane in hidden:  # each pane's contents mounted now, not when the pane composes: found at once
                contents, pane._pending_children = pane._pending_children, []
                pane.mount_all(contents)
        elif at_once:
            self._blank.swap()

    def _show_row(self) -> None:
        """Textual's tab row in the stand-in's place, the tab on show active as it mounts. The row is mounted
        hidden and shown in the frame that removes the stand-in, its bar placed from the stand-in's: removed at
        once, the stand-in left a blank row for a frame (the row's tabs not mounted yet), then a bar with no part
        marked (its underline placed a frame after the row was laid out)."""
        stand_in, row = self._stand_in, self._row
        if stand_in is None or row is None:
            return
        self._stand_in, self._leaving = None, stand_in
        row._first_active = ContentTab.add_prefix(self.active) if self.active else None
        row.display = False
        self.mount(row, before=stand_in)
        self.call_after_refresh(self._swap_rows)

    def _swap_rows(self) -> None:
        """The real row shown and the stand-in gone in one frame, once the row's tabs are in."""
        stand_in, row = self._leaving, self._row
        if stand_in is None or row is None:
            return
        if not row.is_mounted or not row.query(Underline):
            self.call_after_refresh(self._swap_rows)
            return
        self._leaving = None
        start, end = stand_in._spans()[stand_in.active]
        underline = row.query_one(Underline)
        underline.highlight_start, underline.highlight_end = start + 1, end - 1  # the title's columns, as Tabs sets
        with self.app.batch_update():  # both in one layout: a removal alone drew a frame before that layout
            row.display = True
            stand_in.display = False
        self.call_after_refresh(stand_in.remove)

    def _row_ready(self) -> bool:
        return self._stand_in is None and self._row is not None and self._row.is_mounted

    def _mount_for(self, pane_id: str) -> None:
        """Mount the hidden panes if ``pane_id`` is one of them: about to be shown."""
        if any(pane.id == pane_id for pane in self._hidden):
            self.mount_hidden(at_once=True)

    def _on_tab_row_clicked(self, event: TabRow.Clicked) -> None:
        """A title clicked before the real row is in: that tab shown, the keyboard on the row (as a Tab click)."""
        event.stop()
        row = self._row
        if row is None:
            return
        self.mount_hidden(at_once=True)
        self.active = ContentTab.sans_prefix(row._tabs[event.index].id or "")
        self.call_after_refresh(row.focus)

    def _on_tabs_tab_activated(self, event: Tabs.TabActivated) -> None:
        self._mount_for(ContentTab.sans_prefix(event.tab.id or ""))  # then TabbedContent's own handler shows it

    def _watch_active(self, active: str) -> None:
        self._mount_for(active)
        leaving, row = self._leaving, self._row
        if leaving is not None and row is not None:  # still drawn: its bar under the tab now on show
            ids = [ContentTab.sans_prefix(tab.id or "") for tab in row._tabs]
            leaving.active = ids.index(active) if active in ids else leaving.active
            leaving.refresh()
        if self._row_ready():
            super()._watch_active(active)
            return
        # The real row is not in or not mounted yet: it starts on this tab, which then tells the panel it shows.
        self.mount_hidden(at_once=True)
        if self._row is not None:
            self._row._first_active = ContentTab.add_prefix(active) if active else None
        self.get_child_by_type(ContentSwitcher).current = active
