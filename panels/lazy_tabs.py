"""Tabbed content whose hidden panes are mounted on demand (issue 24: the first paint).

Textual's TabbedContent mounts every pane as it composes, each hidden but the one on show. Here the tab
row is composed whole (every tab's title shows in the first frame) and the switcher holds only the pane on
show; the others are mounted by :meth:`LazyTabs.mount_hidden`, called once the first frame is drawn, or at
once by a tab chosen before that (a click or a key), so every tab works as Textual's own.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import ContentSwitcher, TabbedContent, TabPane, Tabs
from textual.widgets._tabbed_content import ContentTab

__all__ = ["LazyTabs"]


class LazyTabs(TabbedContent):
    """A TabbedContent that composes its first pane only; :meth:`mount_hidden` mounts the others."""

    _hidden: tuple[TabPane, ...] = ()  # the panes composed but not mounted yet

    def compose(self) -> ComposeResult:
        shown: str | None = None
        hidden: list[TabPane] = []
        for widget in super().compose():
            if isinstance(widget, TabPane):
                shown = shown or self._initial or widget.id
                if widget.id != shown:
                    widget.display = False  # as the switcher would set it: hidden until chosen
                    hidden.append(widget)
                    continue
            yield widget
        self._hidden = tuple(hidden)

    def mount_hidden(self) -> None:
        """Mount the panes not composed (once); each is in the DOM when this returns, to be filled or shown."""
        hidden, self._hidden = self._hidden, ()
        if hidden:
            self.get_child_by_type(ContentSwitcher).mount_all(hidden)

    def _mount_for(self, pane_id: str) -> None:
        """Mount the hidden panes if ``pane_id`` is one of them: about to be shown."""
        if any(pane.id == pane_id for pane in self._hidden):
            self.mount_hidden()

    def _on_tabs_tab_activated(self, event: Tabs.TabActivated) -> None:
        self._mount_for(ContentTab.sans_prefix(event.tab.id or ""))  # then TabbedContent's own handler shows it

    def _watch_active(self, active: str) -> None:
        self._mount_for(active)
        super()._watch_active(active)
