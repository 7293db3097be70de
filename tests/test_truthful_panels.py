"""What the answer panels, the stream view and the WebSocket logs show is the truth, at 80x24 too.

Each test is one app run on the demo servers, driven by keys: a WebSocket log wraps every character
of a long message at the side's width and holds only its own connection's events; a panel waiting
for a new send never shows an earlier send's figures; an earlier answer carries no difference marks.
"""

from __future__ import annotations

from textual.widgets import Input, RichLog, Static

from explorer.tui.app import ExplorerApp
from tests.apptools import servers_ready, until
from tests.test_app import plain

SMALL = (80, 24)
LONG = "".join(chr(ord("a") + i % 26) for i in range(300)) + " end-of-message"


async def test_websocket_logs_wrap_whole_messages_and_keep_to_one_connection() -> None:
    from explorer.tui.screens.sockets import SocketsController

    app = ExplorerApp()
    async with app.run_test(size=SMALL) as pilot:
        await servers_ready(pilot)
        await pilot.press("escape", "w")
        screen = app.screen
        assert isinstance(screen, SocketsController)
        await until(pilot, lambda: len(screen.sockets) == 2)
        logs = {fw: screen.query_one(f"#ws-log-{fw}", RichLog) for fw in ("flask", "fastapi")}
        screen.query_one("#ws-text", Input).value = LONG
        await pilot.press("enter")
        await until(pilot, lambda: all("end-of-message" in "".join(s.text for s in log.lines) for log in logs.values()))
        for log in logs.values():
            width = log.scrollable_content_region.width
            assert 20 <= width < 78 and all(line.cell_length <= width for line in log.lines)  # wrapped, never cropped
            seen = "".join(line.text.strip() for line in log.lines)
            assert seen.count(LONG) == 2  # sent and echoed, every character readable
        old = list(screen.sockets.values())
        await pilot.press("shift+tab", "enter")  # Enter in the path line: reopen both sockets
        await until(pilot, lambda: len(screen.sockets) == 2 and all(c.closed for c in old))
        await pilot.pause()
        for log in logs.values():  # the new log starts with its own connection: the old socket's close is not in it
            text = "\n".join(line.text for line in log.lines)
            assert "closed by the explorer" not in text and "connected to" in text
        screen.query_one("#ws-path", Input).value = "/nowhere"
        await pilot.press("enter")
        state = screen.query_one("#ws-state-flask", Static)
        await until(pilot, lambda: "HTTP 404" in plain(state))
        await pilot.pause()
        assert plain(state).rstrip().endswith("try again.")  # the refusal read whole, and drawn whole
        assert state.region.height >= 3 and state.region.height == state.virtual_size.height
        assert all("closed by the explorer" not in line.text for log in logs.values() for line in log.lines)
