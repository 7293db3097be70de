"""A tab row drawn by one widget: what Textual's Tabs draws, for the first frame (issue 24: the first paint).

Textual's Tabs is ten widgets (three containers, a widget per tab and the underline), each mounted and
styled on its own: both answers' rows were about a tenth of the instructions the app runs to its first
frame. :class:`TabRow` draws the same two lines (the titles, the one on show brighter, and the bar under
it) from the same colours, and :class:`panels.lazy_tabs.LazyTabs` puts the real row in its place once that
frame is drawn, or at once when a tab is chosen or clicked before then.
"""

from __future__ import annotations

from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.message import Message
from textual.renderables.bar import Bar
from textual.strip import Strip
from textual.widget import Widget

__all__ = ["TabRow"]


class TabRow(Widget):
    """Titles in a row and the bar under the one on show, styled as Textual's Tab and Underline are."""

    # The rules of Textual's Tab and Underline (textual/widgets/_tabs.py), on this widget's parts.
    DEFAULT_CSS = """
    TabRow {
        width: 100%;
        height: 2;
        & > .tab-row--tab { color: $foreground 50%; }
        & > .tab-row--active { color: $foreground; }
        & > .underline--bar { color: $block-cursor-background; background: $foreground 10%; }
        &:ansi {
            & > .tab-row--tab { text-style: dim; }
            & > .tab-row--active { text-style: not dim bold; }
            & > .underline--bar { color: $block-cursor-background; background: $border-blurred; }
        }
    }
    """
    COMPONENT_CLASSES: ClassVar[set[str]] = {"tab-row--tab", "tab-row--active", "underline--bar"}

    class Clicked(Message):
        """A title was clicked: the row is to be the real one, that tab shown."""

        def __init__(self, index: int) -> None:
            self.index = index
            super().__init__()

    def __init__(self, titles: list[str], active: int = 0) -> None:
        super().__init__()
        self.titles = titles
        self.active = active

    def _spans(self) -> list[tuple[int, int]]:
        """Each title's columns, padding included (one cell each side, as a Tab has)."""
        spans, x = [], 0
        for title in self.titles:
            width = Text(title).cell_len + 2
            spans.append((x, x + width))
            x += width
        return spans

    def render_line(self, y: int) -> Strip:
        """The titles (y 0) or the bar (y 1) as Textual's widgets draw them: padding and the rest of the row
        in the background alone, each title in its tab's colours, the bar's parts in the bar's."""
        width = self.size.width
        background = Style(bgcolor=self.rich_style.bgcolor)
        start, end = self._spans()[self.active]
        if y == 0:
            segments: list[Segment] = []
            for index, title in enumerate(self.titles):
                style = "tab-row--active" if index == self.active else "tab-row--tab"
                segments += [Segment(" ", background), Segment(title, self.get_component_rich_style(style))]
                segments.append(Segment(" ", background))
            return Strip(segments).crop_extend(0, width, background)
        bar = self.get_component_rich_style("underline--bar")
        drawn = Bar((start + 1, end - 1), Style.from_color(bar.color), Style.from_color(bar.bgcolor), width=width)
        console = self.app.console
        return Strip(Segment.apply_style(console.render(drawn, console.options.update_width(width)), background))

    def on_click(self, event: events.Click) -> None:
        if event.y == 0:
            for index, (start, end) in enumerate(self._spans()):
                if start <= event.x < end:
                    self.post_message(self.Clicked(index))
