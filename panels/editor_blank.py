"""The request editor in the first frame: one stand-in for its fourteen widgets (issue 24: the first paint).

The editor's real widgets (the method picker, the path and burst fields, the Send button, the headers and body
editors, each TextArea with its eight styled parts, and the modules TextArea loads: ~7 % of the instructions run
to the first frame) draw, before anything is typed, a request line and two empty bordered boxes with a
placeholder. :class:`EditorBlank` draws those: :class:`LineBlank` the request line from the rules of Textual's
Select, Input, Label and Button (and ``app.tcss``), :class:`AreaBlank` each box with TextArea's own rules, so
Textual draws its border, title and padding as it does for the TextArea. :class:`panels.editor.RequestEditor`
swaps the real widgets in (:class:`panels.stand_in.StandIn`) just after the first frame, or at once when the
keyboard or the mouse goes there.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Protocol

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.geometry import Offset
from textual.message import Message
from textual.strip import Strip
from textual.widget import Widget

from panels.stand_in import StandIn

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = ["METHOD_WIDTH", "AreaBlank", "EditorBlank", "LineBlank", "Shown"]

METHOD_WIDTH = 11  # app.tcss: #method
LABEL_WIDTH, BURST_WIDTH, SEND_MARGIN, SEND_MIN = 3, 5, 1, 9  # app.tcss: #burst-label, #burst (its right margin), #send


class Shown(Protocol):
    """What the editor holds, as the stand-in draws it."""

    method: str
    path: str
    burst: str
    send_label: str


class LineBlank(Widget):
    """The request line: the method picker (Select, compact), the path, ``×``, the burst size and the Send button."""

    # Each part's own rules: Textual's SelectCurrent (its label and arrow), Input, Label and SendButton, and app.tcss
    DEFAULT_CSS = """
    LineBlank { height: 1; }
    LineBlank > .line-blank--select { color: $foreground; background: $surface; }
    LineBlank > .line-blank--arrow { color: $foreground 50%; background: $surface; }
    LineBlank > .line-blank--field { color: $foreground; background: $boost; }
    LineBlank > .line-blank--label { color: $foreground; }
    LineBlank > .line-blank--send { text-style: bold; color: $button-color-foreground; background: $primary; }
    """
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "line-blank--select",
        "line-blank--arrow",
        "line-blank--field",
        "line-blank--label",
        "line-blank--send",
    }

    def __init__(self, shown: Shown) -> None:
        super().__init__(classes="line")
        self.shown = shown

    def path_width(self) -> int:
        """The path field's width: what the other parts leave of the line (``width: 1fr``)."""
        return self.size.width - METHOD_WIDTH - LABEL_WIDTH - BURST_WIDTH - SEND_MARGIN - self._send_width()

    def _send_width(self) -> int:
        return max(SEND_MIN, len(self.shown.send_label) + 2)  # line-pad 1 each side

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        if y or width <= 0:
            return Strip.blank(width)
        shown = self.shown
        style = self.get_component_rich_style
        select, arrow, field = style("line-blank--select"), style("line-blank--arrow"), style("line-blank--field")
        label, send = style("line-blank--label"), style("line-blank--send")
        base = Style(bgcolor=self.background_colors[1].rich_color)
        path = max(0, self.path_width())
        segments = [
            *_text(shown.method, METHOD_WIDTH - 3, select),  # the label: the width less the arrow and right pad
            Segment(" ", Style(bgcolor=select.bgcolor)),
            Segment("▼", arrow),
            Segment(" ", Style(bgcolor=select.bgcolor)),
            Segment(shown.path.ljust(path)[:path], field),
            Segment(" ", label + Style(reverse=False)),  # as Textual's centring pads a Label
            Segment("×", label),
            Segment(" ", label + Style(reverse=False)),
            Segment(shown.burst.ljust(BURST_WIDTH)[:BURST_WIDTH], field),
            Segment(" " * SEND_MARGIN, base),
            Segment(shown.send_label.center(self._send_width()), send),
        ]
        return Strip(segments).crop_extend(0, width, base)


def _text(text: str, width: int, style: Style) -> Iterable[Segment]:
    """``text`` in ``style``, then blank cells in its background to ``width``, as Textual draws a Static."""
    yield Segment(text[:width], style)
    if width > len(text):
        yield Segment(" " * (width - len(text)), Style(bgcolor=style.bgcolor))


class AreaBlank(Widget):
    """An empty TextArea without the keyboard: its border with the title, and its placeholder on the first row."""

    # TextArea's own rules (textual/widgets/_text_area.py) for what its empty text draws; app.tcss sizes it
    DEFAULT_CSS = """
    AreaBlank {
        width: 1fr; height: 1fr; border: tall $border-blurred; padding: 0 1;
        color: $foreground; background: $surface;
    }
    AreaBlank > .area-blank--placeholder { color: $text 40%; }
    """
    COMPONENT_CLASSES: ClassVar[set[str]] = {"area-blank--placeholder"}

    def __init__(self, title: str, placeholder: str, part: str) -> None:
        super().__init__(classes=part)
        self.part = part  # the id of the real widget it stands for
        self.border_title = title
        self.placeholder = placeholder

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        text = self.rich_style
        if y:
            return Strip.blank(width, Style(color=text.color, bgcolor=text.bgcolor))
        placeholder = self.get_component_rich_style("area-blank--placeholder")
        return Strip(_text(self.placeholder, width, placeholder)).crop_extend(0, width, Style(bgcolor=text.bgcolor))


class EditorBlank(StandIn):
    """The editor's request line and its headers and body boxes, empty, without the keyboard.

    It takes the keyboard (Tab reaches it) only to hand it on: :class:`panels.editor.RequestEditor` swaps the real
    widgets in as the focus lands here, and a click here (:class:`Clicked`) puts it in the real widget clicked."""

    DEFAULT_CSS = "EditorBlank { height: auto; }"
    can_focus = True

    class Clicked(Message):
        """A click landed on the stand-in: ``part`` is the id of the real widget drawn where it landed."""

        def __init__(self, part: str) -> None:
            super().__init__()
            self.part = part

    def __init__(self, shown: Shown) -> None:
        super().__init__()
        self.shown = shown

    def compose(self) -> ComposeResult:
        yield LineBlank(self.shown)
        with Horizontal(classes="parts"):
            yield AreaBlank("Headers (Name: value)", "Header: value", "headers-editor")
            yield AreaBlank("Body", "Body (JSON)", "body-editor")

    def part_at(self, offset: Offset) -> str | None:
        """The id of the real widget drawn at ``offset`` (on the screen), or None (a gap, the ``×``)."""
        line = self.query_one(LineBlank)
        if line.region.contains_point(offset):
            x, path_end = offset.x - line.region.x, METHOD_WIDTH + line.path_width()
            burst = path_end + LABEL_WIDTH
            ends = ((METHOD_WIDTH, "method"), (path_end, "path"), (burst, None), (burst + BURST_WIDTH, "burst"))
            return next(
                (part for end, part in ends if x < end), None if x < burst + BURST_WIDTH + SEND_MARGIN else "send"
            )
        return next((area.part for area in self.query(AreaBlank) if area.region.contains_point(offset)), None)

    def on_mouse_down(self, event: events.MouseDown) -> None:
        """The click took the keyboard here (the editor then put it in the first real widget): the widget clicked
        gets it, as it would have."""
        part = self.part_at(event.screen_offset)
        if part is not None:
            self.post_message(self.Clicked(part))

    def update_line(self) -> None:
        """Draw the request line again: the editor's method, path, burst or Send key changed."""
        self.query_one(LineBlank).refresh()
