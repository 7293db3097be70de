"""The main view's footer at 80 columns: the keys that matter after a send, each shown whole.

The stock footer lays every key out in binding order and cuts the row where the terminal ends; at 80 columns
that left ``g Whi▏`` and hid zoom, the other answer and quitting. A newcomer reads the footer, so at 80
columns it must hold the keys of the part with the keyboard and the main ones, never half of one.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Footer
from textual.widgets._footer import FooterKey  # Footer's own key widget, not re-exported

from explorer.tui.app import ExplorerApp
from panels.footer import FittedFooter
from tests.apptools import screen_text, send_and_wait, servers_ready, until
from tests.conftest import LiveServers
from tests.shared import shared_session

# The keys that matter once an answer is in, as the footer writes them (f1 names every screen).
AFTER_A_SEND = ("esc Back to list", "^r Send", "a Other answer", "z Zoom", "f1 Help", "^q Quit")


def footer_line(app: ExplorerApp) -> str:
    return screen_text(app).splitlines()[-1]


async def test_the_footer_at_80_columns_shows_the_keys_that_matter_whole_and_relabels_them_in_place(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, live: LiveServers
) -> None:
    """One app run: the keys after a send, then the same keys relabelled as the keyboard moves (below)."""
    monkeypatch.chdir(tmp_path)
    app = ExplorerApp(session=shared_session(live), mask=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await servers_ready(pilot)
        await send_and_wait(pilot, "enter")
        line = footer_line(app)
        missing = [key for key in AFTER_A_SEND if key not in line]
        assert not missing, f"the footer {line!r} lacks {missing}"
        keys = line.split("▏")[0]  # left of the palette's key
        entries = [
            (app.get_key_display(b.binding), b.binding.description)
            for b in app.screen.active_bindings.values()
            if b.binding.show and b.binding.description
        ]
        cut = [f"{key} {what}" for key, what in entries if f"{key} {what[:2]}" in keys and f"{key} {what}" not in keys]
        assert not cut, f"the footer {line!r} cuts {cut}"
        await pilot.press("escape")  # the list has the keyboard: its keys and the main ones, whole again
        await pilot.pause()
        line = footer_line(app)
        assert all(key in line for key in ("^r Send", "f1 Help", "^q Quit")), line
        await pilot.resize_terminal(160, 24)  # room for every key: Textual's own footer, in binding order
        await pilot.pause()
        assert " esc Leave list  ^q Quit  ^r Send  f1 Help" in footer_line(app)
        await pilot.resize_terminal(80, 24)  # short again: the keys are chosen again for the new width
        await pilot.pause()
        assert footer_line(app).startswith("esc Leave list ^r Send f1 Help ^q Quit"), footer_line(app)
        app.query_one("#sample-tree").focus()  # the list has the keyboard, as in a new app
        await until(pilot, lambda: app.focused is app.query_one("#sample-tree"))
        await _relabelled_in_place(app, pilot)


async def _relabelled_in_place(app: ExplorerApp, pilot: Pilot[int]) -> None:
    """Escape between the list and the answers recomposed the footer (its keys removed and mounted anew, two
    layouts of the whole screen: ~50 ms of the key); as many keys styled alike take their new words in place,
    and the row reads as a footer composed for them does."""
    footer = app.screen.query_one(FittedFooter)
    await until(pilot, lambda: bool(footer.children))
    for _ in range(3):  # to the answers, to the list, to the answers
        keys = list(footer.children)
        line = footer_line(app)
        await pilot.press("escape")
        await pilot.pause()
        await pilot.pause()
        assert footer_line(app) != line  # the part with the keyboard changed, and its keys
        assert list(footer.children) == keys  # the same widgets, relabelled
        relabelled = footer_line(app)
        with footer._context():  # its keys bind to it, the active message pump, as when Textual calls it
            await Footer.recompose(footer)  # as Textual composes it
        await pilot.pause()
        assert footer_line(app) == relabelled
    # zoom and restore: fewer keys, then more (the help leaves the main view's footer as it was: test_key_layouts)
    for key in ("z", "z"):
        keys = list(footer.children)
        drawn = _keys(footer)
        await pilot.press(key)
        await pilot.pause()
        await pilot.pause()
        assert _keys(footer) != drawn
        kept = min(len(keys), len(footer.children)) - 1  # the palette's key is the last of each
        assert list(footer.children)[:kept] == keys[:kept] and footer.children[-1] is keys[-1]
        shown, line = _keys(footer), screen_text(app)
        with footer._context():
            await Footer.recompose(footer)
        await pilot.pause()
        assert (_keys(footer), screen_text(app)) == (shown, line)


def _keys(footer: FittedFooter) -> list[tuple[str, str, str, bool, frozenset[str]]]:
    """What each key of ``footer`` draws and does, and its classes (what styles it); a key a shorter row hid
    (kept for a longer one) draws nothing."""
    return [
        (key.key_display, key.description, key.action, key._disabled, frozenset(key.classes))
        for key in footer.query(FooterKey)
        if key.display
    ]
