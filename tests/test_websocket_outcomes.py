"""The WebSockets screen says each side's outcome as soon as it has it, and opens a side whose server gets ready.

One app run on the demo servers, driven by keys: with FastAPI's server hung (stopped with SIGSTOP), Flask's
socket shows open while FastAPI's still says "opening" (both waited for FastAPI's handshake time-out before);
then ``w`` pressed while both servers restart opens each socket once its server is ready (it said
"not opened: ... is starting" for good before, until the screen was left and ``w`` pressed again).
"""

from __future__ import annotations

import os
import signal

from textual.widgets import Static

from explorer.runtime.servers.specs import ServerState
from explorer.tui.app import ExplorerApp
from tests.apptools import leave_the_list, servers_ready, until
from tests.test_app import plain

FWS = ("flask", "fastapi")


async def test_each_side_shows_its_own_outcome_and_a_server_getting_ready_gets_its_socket() -> None:
    from explorer.tui.screens.sockets import SocketsController

    app = ExplorerApp()
    async with app.run_test(size=(120, 30)) as pilot:
        await servers_ready(pilot)
        await leave_the_list(pilot)
        pid = app.session.server("fastapi").status.pid
        assert pid
        os.kill(pid, signal.SIGSTOP)  # its socket still accepts (the kernel's backlog), it never answers
        try:
            await pilot.press("w")
            await until(pilot, lambda: isinstance(app.screen, SocketsController))
            screen = app.screen
            assert isinstance(screen, SocketsController)
            states = {fw: screen.query_one(f"#ws-state-{fw}", Static) for fw in FWS}
            # Flask's handshake takes milliseconds: its side is open long before FastAPI's handshake times out
            await until(
                pilot, lambda: plain(states["flask"]).startswith("open:"), timeout=2, why=lambda: plain(states["flask"])
            )
            assert plain(states["fastapi"]).startswith("opening /ws/echo")
            assert "fastapi" not in screen.sockets
        finally:
            os.kill(pid, signal.SIGCONT)
        await until(pilot, lambda: plain(states["fastapi"]).startswith("open:"))  # its handshake answered at last

        await pilot.press("escape")  # the sockets closed, back on the main view
        await until(pilot, lambda: app.screen is app.screen_stack[0])
        await pilot.press("f5")  # both servers restart; the WebSockets screen opened while they start
        await until(pilot, lambda: any(s.status.state is not ServerState.READY for s in app.session.supervisor))
        await pilot.press("w")
        await until(pilot, lambda: app.screen is screen)
        said = {fw: plain(states[fw]) for fw in FWS}
        assert any(
            text.startswith("not opened: ") and "starting (opened once it is ready)" in text for text in said.values()
        ), said
        await until(pilot, lambda: all(plain(states[fw]).startswith("open:") for fw in FWS), why=lambda: said)
        assert set(screen.sockets) == set(FWS)
        await pilot.press("escape")
