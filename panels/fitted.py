"""A text box that never cuts its text silently: wrapped to its width, and when longer than its
``max-height`` the last line it has room for ends in a visible ellipsis.

A scrolling box at the bottom of a short screen shows its first lines and hides the rest behind a
scrollbar drawn in colour only, so the text seemed to end mid-sentence (at 80x24 the differences
line and the sample's claim were cut so). Here the cut is always said: `` …``.

The text is fitted as the layout measures the box (:meth:`FittedText.get_content_height`), to the width that
layout gives it. It was fitted after the layout, on the Resize that followed, and the new text asked for a
second layout of the whole screen: restoring a zoomed answer (``z``) laid the main view out twice.
"""

from __future__ import annotations

from typing import Any

from rich.containers import Lines
from rich.text import Text
from textual.app import RenderResult
from textual.geometry import Size
from textual.visual import VisualType, visualize
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
        self._fitted: dict[tuple[int, int | None], Text] = {}  # the text fitted, by width and lines of room

    @property
    def content(self) -> VisualType:
        """What it shows: the text as fitted to the box."""
        return self._shown(self.content_region.width if self.is_mounted else 0)

    @content.setter
    def content(self, content: VisualType) -> None:
        self.update(content)

    def update(self, content: VisualType = "", *, layout: bool = True) -> None:
        """Show ``content`` (a string is plain text, never markup), fitted to the box."""
        self.full = content if isinstance(content, Text) else Text(str(content))
        self._fitted.clear()
        self.refresh(layout=True)  # its height may change with its text

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        """The layout measures the box: the text fitted to ``width`` here, in the same layout, is what it draws
        at that width."""
        if width <= 0:
            return 0
        visual = visualize(self, self._shown(width), markup=False)
        return visual.get_height(self.styles, width)  # type: ignore[arg-type]  # as Textual's own get_content_height

    def render(self) -> RenderResult:
        return self._shown(self.content_region.width if self.is_mounted else 0)

    def _max_lines(self) -> int | None:
        limit = self.styles.max_height  # the box's, border and padding included: the text has what is left
        return max(1, int(limit.value) - self.gutter.height) if limit is not None and limit.is_cells else None

    def _shown(self, width: int) -> Text:
        if width <= 0:
            return self.full
        key = (width, self._max_lines())
        if key not in self._fitted:
            if len(self._fitted) > 8:  # a few widths (zoomed, restored, each size class): never a growing store
                self._fitted.clear()
            self._fitted[key] = self._fit(*key)
        return self._fitted[key]

    def _fit(self, width: int, limit: int | None) -> Text:
        lines = self.full.wrap(self.app.console, width)
        if self._whole_if_it_fits and (limit is None or len(lines) <= limit):
            return self.full
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
        return Text("\n").join(lines)
