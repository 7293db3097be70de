"""One light widget in the first frame where several real ones will be (issue 24: the first paint).

Each widget Textual mounts is styled, laid out and drawn on its own, and a few of them cost more than the
picture they draw in the first frame is worth: an answer's status chip, times and reason are five widgets
drawing three lines that say nothing yet. A :class:`StandIn` draws those lines itself, cell for cell as the
real widgets would, and :meth:`StandIn.replace_by` puts the real widgets in its place once that frame is
drawn, or at once when something needs them (an answer to draw, a key): they are mounted hidden, so they are
in the DOM at once and can be queried and filled, and shown in the same layout that hides the stand-in, so no
frame between the two differs (:mod:`panels.lazy_tabs` does the same for the tab row, whose bar it places).
"""

from __future__ import annotations

from collections.abc import Sequence

from textual.widget import Widget

__all__ = ["StandIn"]


class StandIn(Widget):
    """Draws what the widgets it stands for draw until :meth:`replace_by` swaps them in; then it is removed."""

    _replaced = False
    _waiting: Sequence[Widget] = ()  # the real widgets, mounted hidden until :meth:`swap`

    @property
    def replaced(self) -> bool:
        """The real widgets are mounted (shown, or with the next frame): the stand-in is on its way out."""
        return self._replaced

    def replace_by(self, widgets: Sequence[Widget], at_once: bool = False) -> bool:
        """Mount ``widgets`` hidden just before this stand-in and show them in the frame that hides it (once):
        the next frame, or this one when ``at_once`` (the keyboard is about to go to one of them).

        False when they cannot be mounted: the stand-in is gone or going (the app is closing)."""
        parent = self.parent
        if self._replaced or not isinstance(parent, Widget) or not self.is_attached:
            return False
        self._replaced = True
        for widget in widgets:
            widget.styles.display = "none"  # inline, over the stylesheet: cleared at the swap
        parent.mount_all(widgets, before=self)
        self._waiting = widgets
        if at_once:
            self.swap()
        else:
            self.call_after_refresh(self._swap_when_mounted)
        return all(widget.is_attached for widget in widgets)

    def _swap_when_mounted(self) -> None:
        """The swap, once every real widget and every widget mounted inside them is mounted: one still mounting
        draws nothing yet (an empty TextArea left the body's background out for a frame)."""
        if any(not node.is_mounted for widget in self._waiting for node in (widget, *widget.walk_children(Widget))):
            self.call_after_refresh(self._swap_when_mounted)
            return
        self.swap()

    def swap(self) -> None:
        """Show the real widgets and hide the stand-in, in one layout (removed alone, the stand-in would leave its
        place empty for a frame); nothing if they are shown already."""
        widgets, self._waiting = self._waiting, ()
        if not widgets:
            return
        with self.app.batch_update():
            for widget in widgets:
                widget.styles.clear_rule("display")  # as the stylesheet says again
            self.display = False
        self.call_after_refresh(self.remove)
