"""The WebSockets screen says each side's outcome as soon as it has it, and opens a side whose server gets ready.

One app run on the demo servers, driven by keys: with FastAPI's server hung (stopped with SIGSTOP), Flask's
socket shows open while FastAPI's still says "opening" (both waited for FastAPI's handshake time-out before);
then ``w`` pressed while both servers restart opens each socket once its server is ready (it said
"not opened: ... is starting" for good before, until the screen was left and ``w`` pressed again); then
a resize draws each log again at its new width (lines written wider were cut at the edge).
"""

from __future__ import annotations

import asyncio
import os
import signal

import pytest
from textual.widgets import RichLog, Static

from explorer.runtime.servers.specs import ServerState
from explorer.tui.app import ExplorerApp
from tests.apptools import leave_the_list, servers_ready, until
from tests.test_app import plain

FWS = ("flask", "fastapi")


async def test_each_side_shows_its_own_outcome_a_server_getting_ready_gets_its_socket_and_logs_rewrap(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from explorer.runtime.servers import kept
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
        # both servers restart, and the WebSockets screen is opened while they start: each new server is held just
        # after its spawn (the supervisor's test point) until the screen has said so, however fast the restart
        spawned = asyncio.Event()

        async def held(name: str) -> None:
            if name == "started":
                await spawned.wait()

        monkeypatch.setattr(kept, "pause_point", held)
        await pilot.press("f5")
        await until(pilot, lambda: all(s.status.state is ServerState.STARTING for s in app.session.supervisor))
        await pilot.press("w")
        await until(pilot, lambda: app.screen is screen)
        await until(
            pilot,
            lambda: all(
                plain(states[fw]).strip() == f"not opened: the {fw} server is starting (opened once it is ready)"
                for fw in FWS
            ),
            why=lambda: {fw: plain(states[fw]) for fw in FWS},
        )
        said = {fw: plain(states[fw]) for fw in FWS}
        spawned.set()
        await until(  # a restart (stop, then start) under a full suite's load can take most of 15 s
            pilot,
            lambda: all(plain(states[fw]).startswith("open:") for fw in FWS),
            timeout=45,
            why=lambda: (said, {fw: plain(states[fw]) for fw in FWS}, [s.status.state for s in app.session.supervisor]),
        )
        assert set(screen.sockets) == set(FWS)

        # A shrink from 120x30 to 80x24 cut "● connected to ws://127.0" (the port lost), and a widening kept the lines
        # wrapped at 80: each log draws its lines again at its new width, every character readable
        logs = [screen.query_one(f"#ws-log-{fw}", RichLog) for fw in FWS]
        port = {fw: app.session.server(fw).status.port for fw in FWS}

        def seen(log: RichLog) -> str:
            return "".join(line.text.rstrip() for line in log.lines)

        def drawn_at_its_width(fw: str, log: RichLog) -> bool:
            width = log.scrollable_content_region.width
            widths = [line.cell_length for line in log.lines]
            return (
                bool(widths)
                and max(widths) <= width  # none cut at the edge
                and max(widths) > width - 12  # nor wrapped narrower than the log
                and f"connectedtows://127.0.0.1:{port[fw]}/ws/echo" in "".join(seen(log).split())  # all readable
            )

        await until(pilot, lambda: all("hello" in seen(log) for log in logs))
        for size in ((80, 24), (120, 30)):
            await pilot.resize_terminal(*size)
            await until(
                pilot,
                lambda: all(drawn_at_its_width(fw, log) for fw, log in zip(FWS, logs, strict=True)),
                timeout=3,
                why=lambda: [(log.scrollable_content_region.width, [ln.text for ln in log.lines]) for log in logs],
            )
        await pilot.press("escape")
