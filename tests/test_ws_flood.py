"""A flood of 64 KiB WebSocket messages: the screen draws each one cut, with a note, and stays quick.

Drawing every message whole (wrapped) took about 95 ms a message, and one 64 KiB message filled
the whole 500-line log by itself; the socket's own event log still keeps each message whole.
"""

from __future__ import annotations

import time
from pathlib import Path

from textual.widgets import Input, RichLog

from explorer.apps.targets import specs_from_options
from explorer.tui.app import ExplorerApp
from explorer.tui.screens.sockets import SHOWN_CHARS, SHOWN_LINES, SocketsController, shown_part
from tests.apptools import leave_the_list, servers_ready, until

APPS = Path(__file__).parent / "apps"
COUNT = 40
SIZE = 64 * 1024


async def test_a_flood_of_64_kib_messages_is_drawn_cut_and_kept_whole() -> None:
    app = ExplorerApp(specs=specs_from_options(fastapi="ws_flood_app:app", app_dir=APPS))
    async with app.run_test(size=(120, 30)) as pilot:
        await servers_ready(pilot)
        await leave_the_list(pilot)
        await pilot.press("w")
        await until(pilot, lambda: type(app.screen).__name__ == "SocketsController")
        screen = app.screen
        assert isinstance(screen, SocketsController)
        log = screen.query_one("#ws-log-fastapi", RichLog)
        path = screen.query_one("#ws-path", Input)
        path.value = f"/ws/flood?n={COUNT}"
        path.focus()
        started = time.perf_counter()
        await pilot.press("enter")
        await until(pilot, lambda: "fastapi" in screen.sockets and len(screen.sockets["fastapi"].events) > COUNT)
        await pilot.pause()
        print(f"{COUNT} messages of 64 KiB received and drawn in {time.perf_counter() - started:.2f} s")
        kept = [e.text for e in screen.sockets["fastapi"].events if e.kind == "text"]
        assert len(kept) == COUNT and all(len(text) == SIZE for text in kept)  # the event log keeps them whole
        drawn = " ".join(" ".join(line.text.split()) for line in log.lines)  # words as drawn, across the wraps
        left_out = f"… {SIZE - SHOWN_CHARS:,} more characters not shown"
        assert drawn.count(left_out) >= 20 and drawn.endswith(left_out)  # before: no note at all
        assert all(f"← message {k} of {COUNT}: x" in drawn for k in range(COUNT - 19, COUNT + 1))  # before: not one


def test_a_message_of_many_lines_is_cut_at_its_line_bound() -> None:
    assert shown_part("short") == ("short", 0)
    text = "line\n" * 100
    shown, left_out = shown_part(text)
    assert shown.count("\n") == SHOWN_LINES - 1 and left_out == len(text) - len(shown) and text.startswith(shown)
    assert shown_part("é" * 5000) == ("é" * SHOWN_CHARS, 5000 - SHOWN_CHARS)
