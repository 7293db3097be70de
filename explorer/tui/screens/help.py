"""The help screen (``f1``): what the screen and its focused part are for, and the keys that work there now.

After Posting's focused-widget help: the app hands over the screen's own description, the description
of the part that has the keyboard, and the keys read from the live bindings at that moment (so
remapped keys show as remapped, and a key that does nothing there is not listed). The main view's help
also lists the other screens first, each with its key, and that key opens it from the help: on the list
and in a field the letters are text, so this is the way to every screen from wherever the keyboard is.
The app keeps the last help and shows it again while what it would show is the same; the helps for other parts
of the main view are set aside and shown again there, and one is built ahead as the main view's keys change.
"""

from __future__ import annotations

from typing import NamedTuple

from rich.table import Table
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from panels.kept import left

__all__ = ["HelpScreen", "ScreenEntry"]


class ScreenEntry(NamedTuple):
    """A screen the help lists first: its key (as Textual names it, and as shown), its name, what it is, and
    the token the help closes with when that key is pressed."""

    key: str
    shown: str
    name: str
    what: str
    token: str


class HelpScreen(ModalScreen[str | None]):
    """Shows a title, a few paragraphs and (key, description) pairs handed over by the app.

    With ``screens`` it lists them first; pressing one of their keys closes the help with that screen's
    token, for the app to open it.
    """

    BINDINGS = [Binding("escape,f1,q", "dismiss(None)", "Close", id="help.close")]

    def __init__(
        self, title: str, paragraphs: list[str], keys: list[tuple[str, str]], screens: list[ScreenEntry] | None = None
    ) -> None:
        super().__init__()
        self.title_text = title
        self.paragraphs = paragraphs
        self.keys = keys
        self.screens = screens or []
        self._left = False

    @property
    def content(self) -> tuple[str, list[str], list[tuple[str, str]], list[ScreenEntry]]:
        """What it shows: the app shows this help again, rather than build one, while it would be the same."""
        return self.title_text, self.paragraphs, self.keys, self.screens

    def on_screen_resume(self) -> None:
        """Shown again (kept by the app while its content holds): at its top, as a new one opens."""
        if self._left:  # not on its first showing, nor when the palette over it closes
            self._left = False
            self.query_one("#help", VerticalScroll).scroll_home(animate=False)

    def on_screen_suspend(self) -> None:
        self._left = left(self)

    def compose(self) -> ComposeResult:
        table = Table("key", "action", box=None, header_style="bold", expand=True)
        table.columns[0].no_wrap = True
        for key, description in self.keys:
            table.add_row(Text(key, style="bold cyan"), Text(description))
        with VerticalScroll(id="help"):
            yield Static(Text(self.title_text, style="bold"))
            if self.screens:
                yield Static(Text("Screens: press a key here to open one", style="bold"))
                screens = Table(box=None, show_header=False, expand=True)
                screens.add_column(no_wrap=True)
                screens.add_column(no_wrap=True)
                screens.add_column(ratio=1)
                for entry in self.screens:
                    screens.add_row(
                        Text(entry.shown, style="bold cyan"), Text(entry.name, style="bold"), Text(entry.what)
                    )
                yield Static(screens, id="help-screens", classes="help-paragraph")
            for paragraph in self.paragraphs:
                yield Static(Text(paragraph), classes="help-paragraph")
            yield Static(Text("Keys that work here now", style="bold"))
            yield Static(table)
            yield Static(
                Text("Escape closes this help. Every action is also in the command palette (ctrl+p).", style="dim")
            )

    def on_key(self, event: events.Key) -> None:
        """A screen's key opens it: the help closes with its token."""
        for entry in self.screens:
            if event.key == entry.key:
                event.stop()
                event.prevent_default()
                self.dismiss(entry.token)
                return
