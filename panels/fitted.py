"""A text box that never cuts its text silently: wrapped to its width, and when longer than its
``max-height`` the last line it has room for ends in a visible ellipsis.

A scrolling box at the bottom of a short screen shows its first lines and hides the rest behind a
scrollbar drawn in colour only, so the text seemed to end mid-sentence (at 80x24 the differences
line and the sample's claim were cut so). Here the cut is always said: `` …``.
"""

from __future__ import annotations

from typing import Any

from rich.containers import Lines
from rich.text import Text
from textual.visual import VisualType
from textual.widgets import Static

__all__ = ["ELLIPSIS", "FittedText"]

ELLIPSIS = " …"


class FittedText(Static):
    """Static text fitted to the box: every line wrapped at a word, the last one shown ending in `` …`` when cut."""

    def __init__(self, content: str | Text = "", *, whole_if_it_fits: bool = False, **kwargs: Any) -> None:
        """``whole_if_it_fits``: a text with room enough is drawn as given, by the Static (as it was before
        being fitted), not as the lines wrapped here (which drop the spaces at their ends)."""
        super().__init__("", markup=False, **kwargs)
        self.full = Text(content) if isinstance(content, str) else content
        self._whole_if_it_fits = whole_if_it_fits

    def update(self, content: VisualType = "", *, layout: bool = True) -> None:
        """Show ``content`` (a string is plain text, never markup), fitted to the box."""
        self.full = content if isinstance(content, Text) else Text(str(content))
        self._fit()

    def on_resize(self) -> None:
        self._fit()

    def _max_lines(self) -> int | None:
        limit = self.styles.max_height  # the box's, border and padding included: the text has what is left
        return max(1, int(limit.value) - self.gutter.height) if limit is not None and limit.is_cells else None

    def _fit(self) -> None:
        width, limit = self.content_region.width, self._max_lines()
        if width <= 0 or not self.is_mounted:
            super().update(self.full)
            return
        lines = self.full.wrap(self.app.console, width)
        if self._whole_if_it_fits and (limit is None or len(lines) <= limit):
            super().update(self.full)
            return
        if limit is not None and len(lines) > limit:
            last = lines[limit - 1].copy()
            last.rstrip()
            if last.cell_len + len(ELLIPSIS) > width:
                room = width - len(ELLIPSIS)
                space = last.plain.rfind(" ", 0, room + 1)
                last = last[: space if space > room // 2 else room]
                last.rstrip()
            last.append(ELLIPSIS, style="bold")
            lines = Lines([*lines[: limit - 1], last])
        super().update(Text("\n").join(lines))
