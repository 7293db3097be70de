"""The app run on servers already running (``tests/shared.py``): it answers from them and leaves them running.

The app tests of a worker share the ``live`` fixture's demo pair through this; what it must hold for them to be
worth anything: the app's answers come from those very processes, its quit stops none of them, nothing of one
test's app (its log subscription) stays on them, and a restart is refused rather than pretended.
"""

from __future__ import annotations

from explorer.runtime.http.request import RequestSpec
from explorer.runtime.servers.specs import ServerState
from explorer.tui.app import ExplorerApp
from tests.apptools import send_and_wait, servers_ready, until
from tests.conftest import LiveServers, alive
from tests.shared import shared_session


async def test_an_app_on_shared_servers_answers_from_them_and_leaves_them_running(live: LiveServers) -> None:
    owners = {server.framework: server for server in live.session.supervisor}
    before = {fw: server.status.pid for fw, server in owners.items()}
    listening = {fw: len(server.log._listeners) for fw, server in owners.items()}
    app = ExplorerApp(session=shared_session(live), initial=RequestSpec("GET", "/items/1"))
    async with app.run_test(size=(120, 30)) as pilot:
        await servers_ready(pilot)
        assert {s.framework: s.status.pid for s in app.session.supervisor} == before  # the same processes
        assert all(s.status.port == owners[s.framework].status.port for s in app.session.supervisor)
        assert app.session.server("flask").log.lines()[0].startswith("[explorer] starting ")  # its start, shown
        await send_and_wait(pilot)
        assert {fw: exchange.status for fw, exchange in app.last.items()} == {"flask": 200, "fastapi": 200}
        # the request's line in the server's own log reaches the app's copy, through the app's loop
        await until(pilot, lambda: any("/items/1" in line for line in app.session.server("flask").log.lines()))
        app.action_restart()  # a shared server does not restart: the worker fails, and says so
        await until(pilot, lambda: any("cannot restart" in str(n.message) for n in app._notifications))
    assert [s.status.state for s in app.session.supervisor] == [ServerState.STOPPED] * 2
    assert set(pids := live.pids()) == set(before.values()) and alive(pids) == pids  # its exit stopped neither
    assert all(owner.status.state is ServerState.READY for owner in owners.values())
    assert {fw: len(server.log._listeners) for fw, server in owners.items()} == listening  # its forwarding went too
    assert {fw: e.status for fw, e in live.send(RequestSpec("GET", "/items/1")).items()} == {
        "flask": 200,
        "fastapi": 200,
    }
