"""A server's log that wraps at the width it is shown at, not the width it had when a line arrived.

Textual's RichLog draws a line once, when it is written: a line written while its panel was hidden
wrapped at the log's minimum width (20 columns), and one written while the panel was zoomed stayed
wider than the panel afterwards, cut at its edge without an ellipsis. This log keeps each line's text
(as many as it shows) and draws them all again whenever its width changes or it is shown again.
"""

from __future__ import annotations

from collections import deque
from typing import Any

from rich.text import Text
from textual.events import Resize
from textual.widgets import RichLog

__all__ = ["LogView"]


class LogView(RichLog):
    """A RichLog fed with :meth:`add`, whose lines are drawn at the width it has now."""

    def __init__(self, *, keep: int, **kwargs: Any) -> None:
        super().__init__(max_lines=keep, **kwargs)
        self._texts: deque[Text] = deque(maxlen=keep)  # what is shown, as text, to draw again at another width
        self._drawn_at = 0  # the width the lines shown were drawn at
        self._behind = False  # lines added while hidden (no width) wait to be drawn

    def add(self, text: Text) -> None:
        """Keep ``text`` and draw it now, at the width shown; while hidden it waits until the log is shown."""
        self._texts.append(text)
        width = self.scrollable_content_region.width
        if self._size_known and width and width == self._drawn_at and not self._behind:
            self.write(text)
        elif not self._behind:
            self._behind = True
            self.call_after_refresh(self.redraw)

    def clear(self) -> LogView:
        """Forget every line, drawn and kept."""
        self._texts.clear()
        super().clear()
        return self

    def on_resize(self, event: Resize) -> None:
        """Draw again at the new width: now, in the resize's own frame, once the base class knows the size (its
        first size it takes note of after this handler); after the refresh, lines cut at the edge were drawn first."""
        if self._size_known:
            self.redraw()
        else:
            self.call_after_refresh(self.redraw)

    def redraw(self) -> None:
        """Draw every kept line at the width shown now; nothing while the log is hidden."""
        width = self.scrollable_content_region.width
        if not self._size_known or not width or (width == self._drawn_at and not self._behind):
            return
        self._drawn_at, self._behind = width, False
        super().clear()
        for text in self._texts:
            self.write(text)
