"""The help screen (``f1``): every key, read from the live bindings so remapped keys show correctly."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

INTRO = (
    "Pick a sample on the left and press Enter: the same request goes to a real Flask server and a real "
    "FastAPI server, and their answers appear side by side. Edit the request and press ctrl+r to send your own. "
    "Every action is also in the command palette (ctrl+p)."
)


class HelpScreen(ModalScreen[None]):
    """Lists (key, description) pairs handed over by the app."""

    BINDINGS = [Binding("escape,f1,q", "dismiss(None)", "Close", id="help.close")]

    def __init__(self, keys: list[tuple[str, str]]) -> None:
        super().__init__()
        self.keys = keys

    def compose(self) -> ComposeResult:
        table = Table("key", "action", box=None, header_style="bold")
        for key, description in self.keys:
            table.add_row(Text(key, style="bold cyan"), Text(description))
        with VerticalScroll(id="help"):
            yield Static(Text("Flask vs FastAPI Explorer", style="bold"))
            yield Static(Text(INTRO))
            yield Static(table)
            yield Static(Text("Escape closes this screen.", style="dim"))
