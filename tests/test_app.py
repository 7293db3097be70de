"""The app driven by Pilot against the real servers: send, toggle, screens, restart, quit."""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path
from typing import TYPE_CHECKING

import psutil
import pytest
from rich.console import Console
from textual.content import Content
from textual.pilot import Pilot
from textual.widgets import Input, RichLog, Static, Switch, TextArea

from explorer.apps.targets import specs_from_options
from explorer.content.catalog import by_id
from explorer.reports.session import session_report
from explorer.runtime.errors import ExplorerError
from explorer.runtime.http.request import RequestSpec
from explorer.runtime.servers.specs import ServerState
from explorer.tui.app import ExplorerApp
from explorer.tui.keys import load_keymap
from explorer.tui.screens.docs import DocsScreen
from explorer.tui.screens.guide import GuideScreen
from explorer.tui.screens.help import HelpScreen
from explorer.tui.screens.table import TableScreen
from panels.body_view import BodyView
from panels.editor import RequestEditor
from panels.fitted import FittedText
from panels.samples import SampleBrowser
from tests.apptools import (
    catalog_sample,
    leave_the_list,
    send_and_wait,
    servers_ready,
    until,
    without_servers,
)
from tests.conftest import LiveServers, family, wait_gone
from tests.shared import shared_session

if TYPE_CHECKING:
    from explorer.tui.screens.lab import LabScreen

SIZE = (160, 48)


def plain(widget: Static) -> str:
    """What a Static shows, as plain text."""
    console = Console(width=200, color_system=None, record=True)
    console.print(widget.content)
    return console.export_text()


async def test_markup_shown_literally_bad_input_reported_and_malformed_json_sent_then_the_screens(
    live: LiveServers,
) -> None:
    """One app run, on the worker's shared servers: markup in a body and in the title is shown as typed; a bad header
    is refused with the editor kept as it was; a sample with malformed JSON is sent with a note. Then, from the list,
    the screens (below). Then notifications show markup literally and ctrl+r sends while typing in the body; last, a
    sample sent by Enter and the view cycled (below). Flask's restart after a crash needs servers of the app's own:
    :func:`restart_after_a_crash`, run by tests/test_tui.py's run with a restart."""
    app = ExplorerApp(session=shared_session(live), initial=RequestSpec("GET", "/items/1?q=[bold]x[/foo]"))
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await servers_ready(pilot)
        await send_and_wait(pilot)
        assert "[bold]x[/foo]" in app.query_one("#bodyview-fastapi #body-text", TextArea).text
        title = app.query_one("#panel-fastapi").border_title  # the title names the request, shown literally
        assert title is not None and "[bold]x[/foo]" in Content.from_markup(title).plain
        first = app.last
        app.query_one("#path", Input).value = "items/1"
        app.query_one("#headers-editor", TextArea).text = "Bad Header Name: 1"
        await pilot.press("ctrl+r")
        await until(pilot, lambda: "Not sent" in app.query_one("#claim", FittedText).full.plain)  # above the answers
        assert app.last is first and app.query_one("#path", Input).value == "items/1"
        assert "200 OK" in plain(app.query_one("#chip-flask", Static))
        sample = by_id("malformed")
        assert sample is not None
        app.load_sample(sample)
        await send_and_wait(pilot)
        assert "not valid JSON" in plain(app.query_one("#editor-message", Static))
        assert app.last["fastapi"].status == 422
        tree = app.query_one("#sample-tree")
        tree.focus()  # the keyboard where a new app puts it
        await until(pilot, lambda: app.focused is tree and app.screen is app.screen_stack[0])
        await _table_guide_docs_and_help_screens(app, pilot)
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is app.screen_stack[0])
        await _notifications_show_markup_literally_and_ctrl_r_sends_while_typing_in_the_body(app, pilot)
        await _sample_enter_sends_and_the_view_cycles(app, pilot)


async def _notifications_show_markup_literally_and_ctrl_r_sends_while_typing_in_the_body(
    app: ExplorerApp, pilot: Pilot[int]
) -> None:
    spec = RequestSpec(
        "POST", "/items", (("Content-Type", "application/json"),), '{"name": "[/foo] [bold]", "price": 1}'
    )
    app.query_one(RequestEditor).load(spec)
    app.query_one("#sample-tree").focus()  # the keyboard where a new app puts it
    await send_and_wait(pilot)
    await leave_the_list(pilot)
    await pilot.press("y")  # the curl command, with the markup-like body, goes into a notification
    await until(pilot, lambda: any(n.title == "Copied as curl" for n in app._notifications))
    assert app.is_running and app.last["fastapi"].status == 201
    app.query_one("#headers-editor", TextArea).text = "Content-Type: application/json"
    body = app.query_one("#body-editor", TextArea)
    body.text = ""
    body.focus()
    await pilot.press(*'{"name": "pen", "price": 2}')
    await send_and_wait(pilot)
    assert app.last["fastapi"].status == 201 and app.last["flask"].status == 201


async def _table_guide_docs_and_help_screens(app: ExplorerApp, pilot: Pilot[int]) -> None:
    """One app run: the table measures, explains a row and sends it on Enter; then the guide, the docs and help."""
    await leave_the_list(pilot)
    await pilot.press("t")
    await until(pilot, lambda: isinstance(app.screen, TableScreen))
    keys = app.screen.active_bindings  # this screen's keys: none of the main view's letters
    assert "escape" in keys and "enter" in keys and not {"f", "p", "c", "r", "d"} & set(keys)
    await until(pilot, lambda: len(app.measurements.latency_ms) == 2)
    assert all(v > 0 for v in app.measurements.spawn_ms.values())
    await pilot.press("down")  # Data validation
    await until(pilot, lambda: "Shown by" in plain(app.screen.query_one("#row-explanation", Static)))
    before = app.last
    await pilot.press("enter")
    await until(pilot, lambda: app.last is not before)
    assert not isinstance(app.screen, TableScreen)
    assert app.sample is not None and app.sample.id == "item-abc"
    await pilot.press("g")  # Enter on the table sent from the answers, where the keyboard is
    await until(pilot, lambda: isinstance(app.screen, GuideScreen))
    app.screen.query_one("#q-api", Switch).value = True
    app.screen.query_one("#q-types", Switch).value = True
    await until(pilot, lambda: "Start with FastAPI" in plain(app.screen.query_one("#recommendation", Static)))
    await pilot.press("escape", "d")
    await until(pilot, lambda: isinstance(app.screen, DocsScreen))
    assert isinstance(app.screen, DocsScreen) and len(app.screen.operations) >= 8
    await pilot.press("escape", "f1")
    await until(pilot, lambda: isinstance(app.screen, HelpScreen))
    assert isinstance(app.screen, HelpScreen) and any(key == "^r" for key, _ in app.screen.keys)


async def test_keymap_remaps_a_binding(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    without_servers(monkeypatch)
    keymap_file = tmp_path / "keymap.toml"
    keymap_file.write_text('[keymap]\ncycle_view = "v"\n')
    app = ExplorerApp(keymap=load_keymap(keymap_file))
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.focused is app.query_one("#sample-tree"))  # where the app starts the keyboard
        await leave_the_list(pilot)
        await pilot.press("v")
        await until(pilot, lambda: app.view == "flask")


async def test_big_body_is_capped_for_pretty_printing() -> None:
    from textual.app import App, ComposeResult

    from explorer.runtime.http.client import Exchange

    class Host(App[None]):
        def compose(self) -> ComposeResult:
            yield BodyView(id="view")

    big = b'{"x": "' + b"a" * (2 * 1024 * 1024) + b'"}'
    exchange = Exchange(
        "fastapi", RequestSpec(), status=200, reason="OK", headers=(("content-type", "application/json"),), body=big
    )
    app = Host()
    async with app.run_test() as pilot:
        view = app.query_one(BodyView)
        view.show(exchange)
        await until(pilot, lambda: "shown raw" in plain(view.query_one("#body-note", Static)))


# The shop's two apps (their routes, a send from them, the parity screen on its file, the keys of that mode): checked
# in tests/test_snapshots.py's run of the same pair, the pictures taken on the way.


async def test_user_app_that_fails_to_import_is_reported_not_hung() -> None:
    apps = Path(__file__).resolve().parent / "apps"
    specs = specs_from_options(flask="broken_app:app", fastapi="shop_fastapi:app", app_dir=apps)
    app = ExplorerApp(specs=specs)
    async with app.run_test(size=SIZE) as pilot:
        flask = app.session.server("flask")
        await until(pilot, lambda: flask.status.state is ServerState.CRASHED)
        await leave_the_list(pilot)
        await pilot.press("5")
        await until(
            pilot,
            lambda: (
                "broken on purpose" in "".join(str(line) for line in app.query_one("#logview-flask", RichLog).lines)
            ),
        )
        assert "crashed" in plain(app.query_one("#strip", Static))


async def test_switch_to_gunicorn_then_export_writes_the_session(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One app run: /items/abc end to end (Flask's 404 against FastAPI's 422, each explained), then ctrl+g puts Flask
    on gunicorn (the strip, the title and the next answer say so; the dev server's answer stands dimmed as an earlier
    one until then, FastAPI's not), the export keeps each request with the server that answered it, and ctrl+q ends
    every server process."""
    import json

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("EXPLORER_EXPORT_DIR", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    folder = tmp_path / "data" / "flask-fastapi-explorer" / "exports"  # never the current folder (a clone's repository)
    app = ExplorerApp(initial=RequestSpec("GET", "/items/abc"))
    async with app.run_test(size=SIZE) as pilot:
        await servers_ready(pilot)
        await send_and_wait(pilot)
        assert app.last["flask"].status == 404 and app.last["fastapi"].status == 422
        assert "path.item_id" in plain(app.query_one("#validtable-fastapi", Static))
        assert "404 NOT FOUND" in plain(app.query_one("#chip-flask", Static))
        assert "No route" in plain(app.query_one("#codenote-flask", Static))
        assert "get_item" in plain(app.query_one("#codenote-fastapi", Static))
        assert "status: 404 ≠ 422" in plain(app.query_one("#claim", Static))
        flask = app.session.server("flask")
        await pilot.press("escape", "ctrl+g")  # Flask to gunicorn: the first answer still came from the dev server
        await until(
            pilot, lambda: flask.spec.kind == "gunicorn" and flask.status.state is ServerState.READY, timeout=30
        )
        assert "(gunicorn)" in plain(app.query_one("#strip", Static))
        panel_flask, panel_fastapi = app.query_one("#panel-flask"), app.query_one("#panel-fastapi")
        assert "gunicorn gthread" in (panel_flask.border_subtitle or "")
        # Before: the dev server's answer stood undimmed under the gunicorn label
        assert panel_flask.has_class("-earlier") and "an earlier send" in str(panel_flask.border_title)
        assert not panel_fastapi.has_class("-earlier")  # its server still runs
        app.session.jars["flask"].update(["sid=s3cr3t; Path=/"], "/")  # the jar adds it; the editor never shows it
        await send_and_wait(pilot)
        assert not panel_flask.has_class("-earlier") and "earlier" not in str(panel_flask.border_title)
        assert "gunicorn" in (app.last["flask"].header("server") or "")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: len(list(folder.glob("explorer-session-*.json"))) == 1)
        said = [str(n.message) for n in app._notifications if n.title == "Session exported"]
        assert said and str(next(folder.glob("explorer-session-*.md"))) in said[0], said
        pids = [pid for s in app.session.supervisor for pid in family(s.status.pid or 0)]  # gunicorn's workers too
        await pilot.press("ctrl+q")
    assert len(pids) > 2 and wait_gone(pids, timeout=5) == []
    assert not list(tmp_path.glob("explorer-session-*"))
    document = json.loads(next(folder.glob("explorer-session-*.json")).read_text())
    assert document["report_kind"] == "session"
    assert document["data"]["servers"]["fastapi"]["versions"]["FastAPI"]
    first, second = document["data"]["requests"]
    assert first["servers"]["flask"]["server"] == "werkzeug" and second["servers"]["flask"]["server"] == "gunicorn"
    assert first["servers"]["flask"]["pid"] != second["servers"]["flask"]["pid"]
    assert first["servers"]["fastapi"]["versions"]["Pydantic"]
    assert ["cookie", "sid=s3cr3t"] in second["exchanges"]["flask"]["sent"]["headers"]  # as sent, not as typed
    assert "-H 'cookie: sid=s3cr3t'" in second["curl"]["flask"] and "cookie" not in second["curl"]["fastapi"]
    medians = {(m["framework"], m["server"]): m for m in document["data"]["medians"]}
    assert set(medians) == {
        ("flask", first["servers"]["flask"]["label"]),
        ("flask", second["servers"]["flask"]["label"]),
        ("fastapi", "uvicorn, 1 process, access log off"),
    }
    assert medians[("fastapi", "uvicorn, 1 process, access log off")]["requests"] == 2
    markdown = next(folder.glob("explorer-session-*.md")).read_text()
    assert "GET /items/abc" in markdown and "422" in markdown and "curl" in markdown
    assert "**fastapi versions**: FastAPI " in markdown and "Installed versions" in markdown
    assert "flask answered on Werkzeug dev server (threaded), pid " in markdown
    assert "flask answered on gunicorn gthread" in markdown and "Median time of this session's requests" in markdown
    assert "Request headers as sent:" in markdown and "cookie: sid=s3cr3t\n```" in markdown


async def open_lab(
    pilot: Pilot, levels: str, duration: str = "0.1", warmup: str = "0.05", repeat: str = "1"
) -> LabScreen:
    """Press p and fill in the plan (one run a level: the lab's 3 repeats are for verdicts); returns the lab screen."""
    from explorer.tui.screens.lab import LabScreen

    await leave_the_list(pilot)
    await pilot.press("p")  # in the answers p is a command (on the list, a letter to filter)
    await until(pilot, lambda: isinstance(pilot.app.screen, LabScreen))  # the screen is pushed on a later tick
    lab = pilot.app.screen
    assert isinstance(lab, LabScreen)
    for field, value in (("levels", levels), ("duration", duration), ("warmup", warmup), ("repeat", repeat)):
        lab.query_one(f"#lab-{field}", Input).value = value
    return lab


async def test_lab_refuses_bad_levels_then_runs_stops_and_keeps_answering_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    from explorer.tui.screens.lab import LabScreen

    without_servers(monkeypatch)  # the lab starts servers of its own
    app = ExplorerApp()
    async with app.run_test(size=SIZE) as pilot:
        lab = await open_lab(pilot, "1,ten")
        await pilot.press("ctrl+r")
        await until(
            pilot,
            lambda: "Not run: concurrency levels must be whole numbers" in plain(lab.query_one("#lab-verdict", Static)),
        )
        lab.query_one("#lab-levels", Input).value = "1,4"
        await pilot.press("ctrl+r")
        await pilot.press("escape")  # keys answer while the lab runs
        await until(pilot, lambda: not isinstance(app.screen, LabScreen))
        await pilot.press("p")
        await until(pilot, lambda: len(lab.results) == 4, timeout=30)
        await until(pilot, lambda: "Flask" in plain(lab.query_one("#lab-verdict", Static)))
        assert all(r.load.error_count == 0 and r.rps > 0 for r in lab.results)
        assert len(app.history.lab) == 1
        lab.query_one("#lab-duration", Input).value = "30"
        await pilot.press("ctrl+r")
        await until(
            pilot,
            lambda: any(
                ("explorer.bench.loadprocess" in " ".join(p.cmdline()))
                for p in psutil.Process().children(recursive=True)
            ),
            timeout=15,
        )
        lab.query_one("#lab-levels", Input).focus()  # a field has focus: ctrl+x must still stop, and show as Stop
        await until(pilot, lambda: app.screen.active_bindings["ctrl+x"].binding.description == "Stop")
        await pilot.press("ctrl+x")
        await until(pilot, lambda: "Stopped" in plain(lab.query_one("#lab-verdict", Static)), timeout=15)
        assert [
            p for p in psutil.Process().children(recursive=True) if "bench.loadprocess" in " ".join(p.cmdline())
        ] == []
        assert [run["state"] for run in app.history.lab] == ["complete", "stopped"]  # the stopped run is kept
    markdown = session_report(app.history.document({}, {})).to_markdown()
    first, second = markdown.split("### Lab 1: ")[1].split("### Lab 2: ")
    rows = [line for line in first.splitlines() if line.startswith("| ") and "| c=" in line]
    assert len(rows) == 4 and "| route | server: handler | level | errors | req/s |" in first  # each result's figures
    assert "(stopped: partial)" in second.splitlines()[0] and "result(s) finished" in second


async def test_headers_tab_is_bounded_and_notes_are_shown() -> None:
    """The Headers tab draws at most HEADER_ROWS per side with a count; a note on extra bytes is shown."""
    from panels.header_table import HEADER_ROWS

    apps = Path(__file__).resolve().parent / "apps"
    app = ExplorerApp(
        specs=specs_from_options(flask="hostile_app:app", app_dir=apps), initial=RequestSpec("GET", "/headers?n=90")
    )
    async with app.run_test(size=SIZE) as pilot:
        await servers_ready(pilot)
        await send_and_wait(pilot)
        assert len(app.last["flask"].headers) > HEADER_ROWS
        shown = plain(app.query_one("#headertable-flask", Static))
        assert "x-header-0" in shown.lower() and f"x-header-{HEADER_ROWS + 5}" not in shown.lower()
        assert f"{len(app.last['flask'].headers) - HEADER_ROWS} more headers" in shown
        app.query_one("#path", Input).value = "/headers?n=200"
        await send_and_wait(pilot)
        assert "headers too large: more than 100 headers" in plain(app.query_one("#why-flask", Static))
        app.query_one("#path", Input).value = "/twice"
        await send_and_wait(pilot)
        assert "200 OK" in plain(app.query_one("#chip-flask", Static))
        assert "Note: the server sent more bytes after the answer ended" in plain(app.query_one("#why-flask", Static))


async def test_headers_tab_draws_100_000_headers_quickly() -> None:
    """Whatever an exchange holds (the transport refuses over 100), the tab draws a bounded table."""
    from textual.app import App, ComposeResult

    from explorer.apps.answer import Answer
    from explorer.runtime.http.client import Exchange, SentRequest
    from explorer.runtime.servers.logbuffer import LogBuffer
    from panels.header_table import HEADER_ROWS
    from panels.response import ResponsePanel

    class Host(App[None]):
        def compose(self) -> ComposeResult:
            yield ResponsePanel("flask", LogBuffer())

    many = tuple((f"X-H{i}", "v" * 20) for i in range(100_000))
    sent = SentRequest("GET", "http://127.0.0.1:1/", many[:200], b"")
    exchange = Exchange("flask", RequestSpec(), request=sent, status=200, reason="OK", headers=many)
    app = Host()
    async with app.run_test(size=SIZE) as pilot:
        app.query_one(ResponsePanel).answer = Answer(exchange=exchange)
        app.query_one(ResponsePanel).select_tab("headers")
        await pilot.pause()  # drawing is bounded by rows, not by headers: 75 s before, under a second now
        shown = plain(app.query_one("#headertable-flask", Static))
        assert f"{100_000 - HEADER_ROWS:,} more headers" in shown and f"{200 - HEADER_ROWS} more headers" in shown
        assert shown.count("X-H") == 2 * HEADER_ROWS


async def test_header_editor_splits_only_at_newlines(monkeypatch: pytest.MonkeyPatch) -> None:
    """A pasted U+2028 or vertical tab used to make two headers of one; now the paste is refused, visibly.
    In the same app run (no servers): keys typed in the path are text, and the JSON body editor is highlighted."""
    without_servers(monkeypatch)
    from textual import events

    app = ExplorerApp()
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: bool(app.query("#headers-editor")))  # built just after the first frame
        area = app.query_one("#headers-editor", TextArea)
        editor = app.query_one(RequestEditor)
        area.focus()
        message = app.query_one("#editor-message", Static)
        for text, char in (("X-A: 1\u2028X-B: 2", "U+2028"), ("X-A: 1\x0bX-B: 2", "U+000B"), ("X-A: 1\x85", "U+0085")):
            app.post_message(events.Paste(text))  # as a terminal's paste arrives

            def refused(char: str = char) -> bool:
                return char in plain(message) and "Not inserted" in plain(message)

            await until(pilot, refused)
            assert area.text == "" and editor.read()[0].headers == ()
        app.post_message(events.Paste("X-A: 1\r\nX-B: 2"))  # Windows line ends are still line ends
        await until(pilot, lambda: editor.read()[0].headers == (("X-A", "1"), ("X-B", "2")))
        area.text = "X-A: caf\u00e9"
        try:
            editor.read()
        except ExplorerError as exc:
            assert "non-ASCII character U+00E9" in str(exc)
        else:
            raise AssertionError("a non-ASCII header value was accepted")
        # Keys typed in the editor are text, not commands
        app.query_one("#path", Input).focus()
        await pilot.press("end", "f", "t")
        await until(pilot, lambda: app.query_one("#path", Input).value.endswith("ft"))  # both keys were handled
        assert app.view == "both" and not isinstance(app.screen, TableScreen)
        # The JSON editor is highlighted: tree-sitter 0.26 crashed Textual's highlighting; the real editor, JSON in it
        app.load_sample(catalog_sample("create"))
        await pilot.pause()
        body = app.query_one("#body-editor", TextArea)
        assert body.language == "json" and '"price"' in body.text


async def test_parity_screen_refuses_a_bomb_and_shows_errors_and_counts(tmp_path: Path) -> None:
    from explorer.tui.screens.parity import ParityScreen
    from tests.test_datafile import BOMB

    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(BOMB)
    suite = tmp_path / "hard.json"
    suite.write_text(json.dumps([{"name": name, "path": f"/body/{name}"} for name in ("products", "many", "too-deep")]))
    apps = Path(__file__).resolve().parent / "apps"
    app = ExplorerApp(specs=specs_from_options(flask="parity_flask:app", fastapi="parity_fastapi:app", app_dir=apps))
    async with app.run_test(size=SIZE) as pilot:
        await servers_ready(pilot)
        await leave_the_list(pilot)
        await pilot.press("c")
        await until(pilot, lambda: isinstance(app.screen, ParityScreen))
        screen = app.screen
        assert isinstance(screen, ParityScreen)
        summary = screen.query_one("#parity-summary", Static)
        screen.query_one("#parity-path", Input).value = str(bomb)
        await pilot.press("enter")
        await until(pilot, lambda: "once its aliases are expanded" in plain(summary), timeout=5)
        assert any("once its aliases are expanded" in str(n.message) for n in app._notifications)
        screen.query_one("#parity-path", Input).value = str(suite)
        screen.query_one("#parity-path", Input).focus()
        await pilot.press("enter")
        await until(pilot, lambda: "requests:" in plain(summary))
        assert [r.outcome for r in screen.results] == ["differ", "differ", "error"]
        assert "1 errors" in plain(summary)
        await pilot.press("down")
        await until(pilot, lambda: "… and 4,950 more differences" in plain(screen.query_one("#parity-detail", Static)))


async def test_page_keys_right_after_opening_the_command_palette(monkeypatch: pytest.MonkeyPatch) -> None:
    """ctrl+p then PageUp/PageDown at once: Textual 8.2.8 raised KeyError: 0 before the list had a size."""
    without_servers(monkeypatch)
    import asyncio

    from textual.command import CommandList, CommandPalette

    app = ExplorerApp()

    def palette_open() -> bool:
        return CommandPalette.is_open(app)  # type: ignore[arg-type]  # App[int] is no App[object] (invariant)

    async with app.run_test(size=SIZE) as pilot:
        for action, moved in (("page_up", False), ("page_down", True)):
            app.action_command_palette()  # as the key does, but without waiting for a refresh
            commands = None
            while commands is None or commands.highlighted is None:
                await asyncio.sleep(0)  # the palette fills its list first, then lays it out
                found = app.screen.query(CommandList) if palette_open() else None
                commands = found.first() if found else None
            assert not commands.scrollable_content_region  # the moment the page key used to fail
            await app.screen.run_action(f"command_list({action!r})")  # what PageUp/PageDown are bound to

            def laid_out(commands: CommandList = commands) -> bool:
                return bool(commands.scrollable_content_region)

            await until(pilot, laid_out)
            await pilot.pause()
            assert app.is_running and palette_open()
            assert (commands.highlighted or 0) > 0 if moved else commands.highlighted == 0
            await pilot.press("escape")
            await until(pilot, lambda: not palette_open())
        await pilot.press("ctrl+q")


async def _sample_enter_sends_and_the_view_cycles(app: ExplorerApp, pilot: Pilot[int]) -> None:
    """Enter on a sample sends it, f cycles the view (a send goes to what is in view)."""
    app.query_one("#sample-tree").focus()  # the keyboard where a new app puts it
    app.query_one(SampleBrowser).select("item-negative")
    await send_and_wait(pilot, "enter")
    assert (app.last["flask"].status, app.last["fastapi"].status) == (404, 200)
    assert "-1" in app.query_one("#path", Input).value
    await pilot.press("f")  # Enter moved the keyboard from the list (where letters filter) to the answers
    await until(pilot, lambda: app.view == "flask" and not app.query_one("#panel-fastapi").display)
    await send_and_wait(pilot)
    assert list(app.last) == ["flask"]
    await pilot.press("f")
    await send_and_wait(pilot)
    assert list(app.last) == ["fastapi"]
    await pilot.press("f")
    await until(pilot, lambda: app.view == "both" and app.query_one("#panel-fastapi").display)


async def restart_after_a_crash(app: ExplorerApp, pilot: Pilot[int]) -> None:
    """Flask is killed: the strip and the next send say it crashed, and f5 starts a new Flask that answers. The app's
    own servers (one it kills and restarts), both showing: run by tests/test_tui.py's app with a restart."""
    app.query_one(RequestEditor).load(RequestSpec("GET", "/items/1"))
    flask = app.session.server("flask")
    old = flask.status.pid
    assert old
    os.kill(old, signal.SIGKILL)
    await until(pilot, lambda: flask.status.state is ServerState.CRASHED)
    assert "crashed" in plain(app.query_one("#strip", Static))
    await send_and_wait(pilot)
    assert app.last["flask"].error and "crashed" in app.last["flask"].error
    await pilot.press("f5")
    await servers_ready(pilot)
    assert flask.status.pid != old
    await send_and_wait(pilot)
    assert app.last["flask"].status == 200
