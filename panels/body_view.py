"""The Body tab: pretty JSON or the text exactly as received, in a read-only editor with a find bar.

The body sits in a read-only TextArea, so it can be read the way a text is read: the cursor and
shift+arrows (or the mouse) select, ctrl+c copies the selection, ``w`` wraps long lines or not,
and ctrl+f opens a find bar whose Enter jumps to the next match and selects it.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, ClassVar

from rich.style import Style
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.reactive import reactive
from textual.strip import Strip
from textual.widgets import Input, Static

from explorer.runtime.userdata.bounded import printable
from panels.fields import Field, Left
from panels.stand_in import StandIn

if TYPE_CHECKING:
    from textual.widgets import TextArea

    from explorer.runtime.http.client import Exchange

__all__ = ["HIGHLIGHT_LIMIT", "LINE_LIMIT", "PRETTY_LIMIT", "RAW_LIMIT", "BodyView", "display_lines", "find_next"]

PRETTY_LIMIT = 1024 * 1024  # bodies above this are shown raw only
HIGHLIGHT_LIMIT = 200 * 1024  # syntax colouring above this costs more than it helps
RAW_LIMIT = 4 * 1024 * 1024  # the raw view shows this much of a body, with a note
WRAP_LIMIT = 512 * 1024  # wrapping a longer text is re-measured on every resize: it starts unwrapped (w wraps)
LINE_LIMIT = 1000  # characters of one displayed line: the editor redraws a whole line for every row it shows


def display_lines(text: str) -> tuple[str, int]:
    """``text`` with every line over LINE_LIMIT characters shown in pieces, and how many lines were broken.

    A minified JSON answer or a long HTML line is one line of megabytes; a text editor draws such a
    line whole for each row on screen, which took most of a second per key for a 4 MiB line here.
    """
    if len(text) <= LINE_LIMIT or all(len(line) <= LINE_LIMIT for line in text.split("\n")):
        return text, 0
    broken = 0
    pieces: list[str] = []
    for line in text.split("\n"):
        if len(line) > LINE_LIMIT:
            broken += 1
            pieces.extend(line[i : i + LINE_LIMIT] for i in range(0, len(line), LINE_LIMIT))
        else:
            pieces.append(line)
    return "\n".join(pieces), broken


def find_next(text: str, needle: str, start: int) -> int | None:
    """Index of the next case-insensitive match of ``needle`` at or after ``start``, wrapping round once."""
    if not needle:
        return None
    haystack, wanted = text.casefold(), needle.casefold()
    if len(haystack) != len(text):  # casefold changed lengths (ß -> ss): indices would drift, so match exactly
        haystack, wanted = text, needle
    found = haystack.find(wanted, start)
    if found < 0:
        found = haystack.find(wanted, 0)
    return None if found < 0 else found


class BodyBlank(StandIn):
    """What the Body tab shows before the first answer, for the first frame (in the place of the tabs' switcher, its
    pane and the BodyView, :mod:`panels.lazy_tabs`): the empty note line, then the empty read-only TextArea (its
    cursor line on the first row, lighter), drawn from TextArea's rules."""

    # TextArea's own rules (textual/widgets/_text_area.py) for what its empty text draws
    DEFAULT_CSS = """
    BodyBlank { height: 1fr; }
    BodyBlank > .body-blank--text { color: $foreground; background: $surface; }
    BodyBlank > .body-blank--cursor-line { background: $boost; }
    """
    COMPONENT_CLASSES: ClassVar[set[str]] = {"body-blank--text", "body-blank--cursor-line"}

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        if y == 0:
            return Strip.blank(width, Style(bgcolor=self.rich_style.bgcolor))  # the note line: the panel's background
        text = self.get_component_styles("body-blank--text")
        background = text.background
        if y == 1:
            background += self.get_component_styles("body-blank--cursor-line").background
        style = Style(color=text.color.rich_color, bgcolor=background.rich_color)
        return Strip.blank(width, style)


class BodyView(Vertical):
    """Shows one exchange's body; ``raw`` switches between pretty and exact text, ``wrap`` between wrapped and not."""

    DEFAULT_CSS = """
    BodyView { height: 1fr; }
    BodyView > .note { color: $text-warning; height: auto; }
    BodyView > BodyText, BodyView > BodyText:focus { height: 1fr; border: none; padding: 0; }
    BodyView > #body-find { display: none; }
    BodyView.-finding > #body-find { display: block; }
    """
    raw: reactive[bool] = reactive(False)
    wrap: reactive[bool] = reactive(True)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._exchange: Exchange | None = None
        self._built = False  # build() has mounted the note line and the text
        self._notes = Text()  # what the note line says about the body shown; a find's "Not found" is shown over it

    def _show_notes(self) -> None:
        self.build()
        note = self.query_one("#body-note", Static)
        note.update(self._notes)
        note.display = bool(self._notes)

    def compose(self) -> ComposeResult:
        return iter(())  # build() mounts the note line and the text: the first frame draws a BodyBlank instead

    def build(self) -> None:
        """The note line and the body's text (once), each in the DOM when this returns (mounted, not composed)."""
        if self._built or not self.is_attached:
            return
        from panels.text_areas import BodyText  # TextArea's modules: after the first frame

        self._built = True
        area = BodyText("", read_only=True, soft_wrap=self.wrap, show_line_numbers=False, id="body-text")
        self.mount_all([Static("", classes="note", id="body-note"), area], before=0 if self.children else None)
        if self._exchange is not None:
            self._redraw()
        # the find bar (#body-find) is mounted by its first open_find: the first frame does not show it

    @property
    def text_area(self) -> TextArea:
        from textual.widgets import TextArea  # loaded with the body's text (build)

        self.build()
        return self.query_one("#body-text", TextArea)

    def show(self, exchange: Exchange | None) -> None:
        self._exchange = exchange
        self.build()
        self._redraw()

    def show_arriving(self, text: Text) -> None:
        """Parts of a body still arriving (``panels.arriving``); :meth:`show` replaces them with the answer."""
        self._notes = Text()
        self._show_notes()
        self._load(display_lines(text.plain)[0], None)
        self.text_area.scroll_end(animate=False)

    def watch_raw(self) -> None:
        self._redraw()

    def watch_wrap(self, wrap: bool) -> None:
        if self.query_children("#body-text"):
            self.text_area.soft_wrap = wrap and len(self.text_area.text) <= WRAP_LIMIT

    def _redraw(self) -> None:
        if not self.query_children("#body-text") or (self._exchange is None and not self.is_mounted):
            return  # not built yet (build() draws what show() was handed), or nothing to draw before it mounts
        area = self.text_area
        exchange = self._exchange
        if exchange is None or exchange.status is None:
            self._notes = Text(printable(exchange.error or "") if exchange else "No response yet.", style="italic")
            self._show_notes()
            self._load("", None)
            return
        notes = []
        if exchange.truncated:
            notes.append(f"Body cut at {len(exchange.body):,} bytes.")
        if not exchange.body:
            notes.append(
                "Empty body." if exchange.spec.method != "HEAD" else "Empty body: HEAD answers carry headers only."
            )
        text, language, extra = self._pretty(exchange) if not self.raw else (None, None, "")
        if text is None:
            text = exchange.text
            if len(text) > RAW_LIMIT:
                notes.append(f"Showing the first {RAW_LIMIT // 1024 // 1024} MiB of the raw body.")
                text = text[:RAW_LIMIT]
        text, broken = display_lines(printable(text, keep="\n\t"))  # no escape sequence reaches the terminal
        if broken:
            notes.append(
                f"{broken:,} line(s) over {LINE_LIMIT:,} characters are shown in pieces (a copy has line breaks "
                "between them)."
            )
        if len(text) > WRAP_LIMIT and self.wrap:
            notes.append("Long body: shown unwrapped (w wraps it).")
        if extra:
            notes.append(extra)
        self._notes = Text(" ".join(notes))
        self._show_notes()
        self._load(text, language)
        area.soft_wrap = self.wrap and len(text) <= WRAP_LIMIT

    def _load(self, text: str, language: str | None) -> None:
        from textual.widgets.text_area import LanguageDoesNotExist

        area = self.text_area
        area.language = None  # highlighting the new text in the old language would be wasted work
        area.load_text(text)
        if language is not None:
            try:
                area.language = language
            except LanguageDoesNotExist:  # the grammar is not installed: the text stays plain
                area.language = None

    def _pretty(self, exchange: Exchange) -> tuple[str | None, str | None, str]:
        from explorer.content.stream import is_streamed, timeline

        if is_streamed(exchange):
            note = (
                f"Arrived in {len(exchange.chunks) + exchange.chunks_not_kept:,} parts, each at its time after the "
                "request started (b: the raw body)."
            )
            return "\n".join(timeline(exchange)), None, note
        if exchange.size > PRETTY_LIMIT:
            return None, None, f"Over {PRETTY_LIMIT // 1024 // 1024} MiB: shown raw (pretty view skipped)."
        if exchange.json is not None:
            text = json.dumps(exchange.json, indent=2, ensure_ascii=False)
            return text, "json" if len(text) <= HIGHLIGHT_LIMIT else None, ""
        if exchange.is_html:
            return exchange.text, "html" if len(exchange.text) <= HIGHLIGHT_LIMIT else None, ""
        return None, None, ""

    # ------------------------------------------------------------------ find
    def open_find(self) -> None:
        """Show the find bar and put the keyboard in it."""
        self.add_class("-finding")
        found = self.query("#body-find")
        field = (
            found.first(Field)
            if found
            else Field(placeholder="Find: Enter next, Esc closes", id="body-find", compact=True)
        )
        if not found:
            self.mount(field)
        field.focus()

    @on(Input.Submitted, "#body-find")
    def _find(self, event: Input.Submitted) -> None:
        from textual.document._document import Document
        from textual.widgets.text_area import Selection

        event.stop()
        area = self.text_area
        document = area.document
        assert isinstance(document, Document)  # the TextArea's document (wrapped for display, not here)
        start = document.get_index_from_location(area.selection.end)
        found = find_next(area.text, event.value, start)
        box = self.query_one("#body-find", Field)
        if found is None:
            box.border_title = None
            self.query_one("#body-note", Static).update(Text(f"Not found: {event.value!r}", style="italic"))
            self.query_one("#body-note", Static).display = True
            return
        self._show_notes()  # a "Not found" of an earlier search goes
        begin = document.get_location_from_index(found)
        end = document.get_location_from_index(found + len(event.value))
        area.selection = Selection(begin, end)
        area.scroll_cursor_visible(center=True)

    @on(Input.Changed, "#body-find")
    def _find_changed(self, event: Input.Changed) -> None:
        """A "Not found" answers the text searched for: once that text changes it no longer applies."""
        event.stop()
        self._show_notes()

    @on(Left, "#body-find")
    def _close_find(self, event: Left) -> None:
        event.stop()
        self.remove_class("-finding")
        self._show_notes()
        self.text_area.focus()
