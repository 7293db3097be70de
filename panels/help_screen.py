"""The help screen (``f1``): what the screen and its focused part are for, and the keys that work there now.

After Posting's focused-widget help: the app hands over the screen's own description, the description
of the part that has the keyboard, and the keys read from the live bindings at that moment (so
remapped keys show as remapped, and a key that does nothing there is not listed).
"""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

__all__ = ["HelpScreen"]


class HelpScreen(ModalScreen[None]):
    """Shows a title, a few paragraphs and (key, description) pairs handed over by the app."""

    BINDINGS = [Binding("escape,f1,q", "dismiss(None)", "Close", id="help.close")]

    def __init__(self, title: str, paragraphs: list[str], keys: list[tuple[str, str]]) -> None:
        super().__init__()
        self.title_text = title
        self.paragraphs = paragraphs
        self.keys = keys

    def compose(self) -> ComposeResult:
        table = Table("key", "action", box=None, header_style="bold", expand=True)
        table.columns[0].no_wrap = True
        for key, description in self.keys:
            table.add_row(Text(key, style="bold cyan"), Text(description))
        with VerticalScroll(id="help"):
            yield Static(Text(self.title_text, style="bold"))
            for paragraph in self.paragraphs:
                yield Static(Text(paragraph), classes="help-paragraph")
            yield Static(Text("Keys that work here now", style="bold"))
            yield Static(table)
            yield Static(Text("Escape closes this help. Every action is also in the command palette (ctrl+p).", style="dim"))
