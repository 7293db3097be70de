"""The Body tab: pretty JSON, highlighted HTML, or the raw text exactly as received."""

from __future__ import annotations

import json

from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.reactive import reactive
from textual.widgets import Static

if TYPE_CHECKING:
    from rich.syntax import Syntax

    from explorer.runtime.client import Exchange

PRETTY_LIMIT = 1024 * 1024  # bodies above this are shown raw only
HIGHLIGHT_LIMIT = 200 * 1024  # syntax colouring above this costs more than it helps
RAW_LIMIT = 4 * 1024 * 1024  # the raw view shows this much of a body, with a note


class BodyView(VerticalScroll):
    """Shows one exchange's body; ``raw`` switches between pretty and exact text."""

    DEFAULT_CSS = """
    BodyView { height: 1fr; }
    BodyView > .note { color: $text-warning; }
    """

    raw: reactive[bool] = reactive(False)

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._exchange: Exchange | None = None

    def compose(self) -> ComposeResult:
        yield Static("", classes="note", id="body-note")
        yield Static("", id="body-content")

    def show(self, exchange: Exchange | None) -> None:
        self._exchange = exchange
        self._redraw()

    def show_arriving(self, text: Text) -> None:
        """Parts of a body still arriving (``panels.arriving``); :meth:`show` replaces them with the answer."""
        self.query_one("#body-note", Static).update("")
        self.query_one("#body-content", Static).update(text)

    def watch_raw(self) -> None:
        self._redraw()

    def _redraw(self) -> None:
        if not self.is_mounted:
            return
        note, content = self.query_one("#body-note", Static), self.query_one("#body-content", Static)
        exchange = self._exchange
        if exchange is None or exchange.status is None:
            note.update("")
            content.update(Text((exchange.error or "") if exchange else "No response yet.", style="italic"))
            return
        notes = []
        if exchange.truncated:
            notes.append(f"Body cut at {len(exchange.body):,} bytes.")
        if not exchange.body:
            notes.append("Empty body." if exchange.spec.method != "HEAD" else "Empty body: HEAD answers carry headers only.")
        renderable, extra = self._pretty(exchange) if not self.raw else (None, "")
        if renderable is None:
            text = exchange.text
            if len(text) > RAW_LIMIT:
                notes.append(f"Showing the first {RAW_LIMIT // 1024 // 1024} MiB of the raw body.")
                text = text[:RAW_LIMIT]
            renderable = Text(text)
        if extra:
            notes.append(extra)
        note.update(Text(" ".join(notes)))
        content.update(renderable)

    def _pretty(self, exchange: Exchange) -> tuple[Syntax | Text | None, str]:
        from explorer.content.stream import is_streamed, timeline

        if is_streamed(exchange):
            note = (f"Arrived in {len(exchange.chunks) + exchange.chunks_not_kept:,} parts, each at its time after the "
                    "request started (b: the raw body).")  # fmt: skip
            return Text("\n".join(timeline(exchange))), note
        if exchange.size > PRETTY_LIMIT:
            return None, f"Over {PRETTY_LIMIT // 1024 // 1024} MiB: shown raw (pretty view skipped)."
        if exchange.json is not None:
            text = json.dumps(exchange.json, indent=2, ensure_ascii=False)
            lexer = "json"
        elif exchange.is_html:
            text, lexer = exchange.text, "html"
        else:
            return None, ""
        if len(text) > HIGHLIGHT_LIMIT:
            return Text(text), ""
        from rich.syntax import Syntax

        return Syntax(text, lexer, theme="ansi_dark", word_wrap=True, background_color="default"), ""
