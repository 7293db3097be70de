"""The Mirror screen (``m``) in the app: a mirror in front of the demo pair, real requests through it, the
counts per route drawn live, the latest differing pair one cursor move away, the progress tab, and the
mirror stopped with the app."""

from __future__ import annotations

import socket

import httpx
from rich.text import Text
from textual.widgets import DataTable, Static, TabbedContent

from explorer.tui.app import ExplorerApp
from explorer.tui.screens.mirror import MirrorController
from tests.apptools import leave_the_list, servers_ready, until
from tests.test_app import plain


def _cells(table: DataTable, row: int) -> list[str]:
    return [cell.plain if isinstance(cell, Text) else str(cell) for cell in table.get_row_at(row)]


async def test_the_mirror_screen_counts_real_traffic_follows_restarts_and_stops_with_the_app() -> None:
    """One app run (the demo pair started once): real traffic counted, the mirror stopped and started again with a
    second Flask for noise; then f5 restarts both apps and, with their old ports taken meanwhile, they come back on
    new ones. The mirror goes on listening where it was, now forwarding to the new Flask and shadowing to the new
    FastAPI (and restarting its second Flask), its counts kept, and the screen says so. Then ctrl+g moves Flask alone
    to gunicorn on the port it had: the mirror follows the new process, FastAPI's client untouched. Last, the mirror
    stops with the app."""
    app = ExplorerApp(mask=True)
    blockers: list[socket.socket] = []
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await servers_ready(pilot)
            await leave_the_list(pilot)
            await pilot.press("m")
            await until(pilot, lambda: isinstance(app.screen, MirrorController))
            screen = app.screen
            assert isinstance(screen, MirrorController)
            await pilot.press("s")
            await until(pilot, lambda: screen.mirror is not None, timeout=30)
            mirror = screen.mirror
            assert mirror is not None
            state = plain(screen.query_one("#mirror-state", Static))
            assert "Mirror listening on http://#.#.#.#:# (noise off)" in state  # masked: no port in the picture
            async with httpx.AsyncClient(base_url=mirror.url, timeout=10) as client:
                flask = app.session.server("flask").status.base_url or ""
                async with httpx.AsyncClient(base_url=flask) as direct_client:  # closed: its socket left to the
                    direct = (await direct_client.get("/items/abc")).content  # collector failed a later test
                for path in ("/nowhere/at/all", "/items/1", "/items/1"):
                    await client.get(path)
                answered = await client.get("/items/abc")  # no Flask route (an int converter): Flask 404, FastAPI 422
                assert answered.content == direct  # Flask's answer, unchanged
            table = screen.query_one("#mirror-table", DataTable)
            expected = {  # each request counted, then (later, under load) its two answers compared
                #                         req  match decl noise differ drop
                "GET /items/{item_id}": ["2", "2", "0", "0", "0", "0"],
                "GET (no route)": ["2", "0", "0", "0", "2", "0"],
            }

            def rows() -> dict[str, list[str]]:
                return {_cells(table, r)[0]: _cells(table, r)[1:] for r in range(table.row_count)}

            await until(pilot, lambda: rows() == expected, why=rows)
            table.move_cursor(row=list(rows()).index("GET (no route)"))
            await pilot.pause()
            detail = plain(screen.query_one("#mirror-detail", Static))
            assert "latest difference: GET /items/abc  Flask 404, FastAPI 422" in detail and "• status" in detail
            screen.query_one("#mirror-tabs", TabbedContent).active = "mirror-progress"
            await until(pilot, lambda: "routes ported" in plain(screen.query_one("#progress-summary", Static)))
            progress = screen.query_one("#progress-table", DataTable)
            results = {_cells(progress, r)[1]: _cells(progress, r)[5] for r in range(progress.row_count)}
            assert results["/items/<int:item_id>"] == "match" and results["/items"] == "untested", results
            await pilot.press("s")  # stopped; its last counts stay
            await until(pilot, lambda: screen.mirror is None)
            assert not mirror._thread.is_alive() and table.row_count == 2
            await pilot.press("n", "s")  # again, with a second Flask for noise
            await until(pilot, lambda: screen.mirror is not None, timeout=30)
            mirror = screen.mirror
            assert mirror is not None and mirror._second is not None and mirror.mirror is not None
            assert mirror.mirror.second is not None and "(noise on)" in plain(screen.query_one("#mirror-state", Static))
            assert rows() == {}  # a table of its own (before: the stopped mirror's rows stayed, with their counts)
            assert plain(screen.query_one("#mirror-detail", Static)).strip() == ""
            async with httpx.AsyncClient(base_url=mirror.url, timeout=10) as client:
                assert (await client.get("/items/1")).status_code == 200
            #                                                         req  match decl noise differ drop
            await until(pilot, lambda: rows() == {"GET /items/{item_id}": ["1", "1", "0", "0", "0", "0"]}, why=rows)
            await pilot.press("escape")  # the mirror goes on while the user is on the main view
            await until(pilot, lambda: app.screen is app.screen_stack[0])
            assert screen.mirror is mirror and mirror._thread.is_alive()
            # f5 with the old ports taken: the mirror follows both servers to their new addresses
            second_pid = mirror._second.server("flask").status.pid
            servers = [app.session.server(fw) for fw in ("flask", "fastapi")]
            old = {s.framework: s.status.port for s in servers}
            for server in servers:  # stopped, their ports taken, so that f5 starts them on other ones
                await server.stop()
                blocker = socket.socket()
                blockers.append(blocker)  # closed at the end even if its bind fails
                blocker.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                blocker.bind(("127.0.0.1", old[server.framework] or 0))
                blocker.listen()
            await pilot.press("f5")  # f5 is the main view's; the mirror goes on behind it
            await until(pilot, lambda: all(s.status.port != old[s.framework] for s in servers), timeout=30)
            await servers_ready(pilot)
            await until(pilot, lambda: mirror.flask_url == app.session.server("flask").status.base_url, timeout=30)
            flask = app.session.server("flask").status.base_url or ""
            async with httpx.AsyncClient(base_url=mirror.url, timeout=10) as client:
                answered = await client.get("/items/1")
            async with httpx.AsyncClient(base_url=flask, timeout=10) as flask_client:
                assert answered.status_code == 200 and answered.content == (await flask_client.get("/items/1")).content
            await pilot.press("m")
            state = plain(screen.query_one("#mirror-state", Static))
            assert "Flask and FastAPI restarted: the mirror now forwards to them, its counts kept." in state, state
            assert screen.mirror is mirror and "listening on http://#.#.#.#:#" in state  # where it was
            await until(pilot, lambda: rows()["GET /items/{item_id}"][0] == "2", why=rows)  # no other route appears
            #                                       req  match decl noise differ drop
            assert rows()["GET /items/{item_id}"] == ["2", "2", "0", "0", "0", "0"]  # the new FastAPI's too
            assert set(rows()) <= set(expected), rows()
            assert mirror._second.server("flask").status.pid not in (None, second_pid)  # the noise Flask restarted
            # ctrl+g: Flask alone moves to gunicorn, on the port it had; the mirror follows the new process
            assert mirror.mirror is not None
            upstream, fastapi, flask_pid = mirror.mirror.flask, mirror.mirror.fastapi, servers[0].status.pid
            await pilot.press("escape", "ctrl+g")
            await until(pilot, lambda: servers[0].status.pid != flask_pid, timeout=30)
            await servers_ready(pilot)
            await until(pilot, lambda: mirror.mirror is not None and mirror.mirror.flask is not upstream, timeout=30)
            assert mirror.mirror.fastapi is fastapi and mirror._second.server("flask").spec.kind == "gunicorn"
            async with httpx.AsyncClient(base_url=mirror.url, timeout=10) as client:
                assert (await client.get("/items/1")).status_code == 200
            await pilot.press("m")
            assert "Flask restarted: the mirror now forwards to it, its counts kept." in plain(
                screen.query_one("#mirror-state", Static)
            )
            # the third request counted, then (later, under load) its answers compared: both, as they arrive
            await until(pilot, lambda: rows()["GET /items/{item_id}"][:2] == ["3", "3"], why=rows)
            port = int(mirror.url.rsplit(":", 1)[1])
            second = mirror._second.server("flask")
        assert not mirror._thread.is_alive() and second.status.state.value == "stopped"  # stopped with the app
        with socket.socket() as probe:
            assert probe.connect_ex(("127.0.0.1", port)) != 0  # nothing listens there any more
    finally:
        for blocker in blockers:
            blocker.close()
