"""The app as a new user meets it: keys and focus, what each panel claims, and every size from 80x24 up.

Each test drives the real app against real servers with Pilot, and checks what the user would see
or what a key would do: a file written, a server restarted, a screen opened, a region on screen.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual import events
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, RichLog, Select, Static, TabbedContent, TextArea

from explorer.content.catalog import by_id
from explorer.runtime.http.request import RequestSpec
from explorer.runtime.servers.specs import ServerState
from explorer.tui.app import ExplorerApp
from explorer.tui.screens.help import HelpScreen
from explorer.tui.screens.parity import ParityScreen
from explorer.tui.screens.table import TableScreen
from panels.editor import RequestEditor
from panels.response import ResponsePanel
from panels.samples import SampleBrowser
from tests.apptools import (
    back_to_the_answers,
    catalog_sample,
    leave_the_list,
    screen_text,
    send_and_wait,
    servers_ready,
    until,
)
from tests.conftest import LiveServers
from tests.shared import shared_session
from tests.test_app import plain, restart_after_a_crash
from tests.test_narrow import shown


def in_answers(app: ExplorerApp) -> bool:
    focused = app.focused
    return focused is not None and any(isinstance(node, ResponsePanel) for node in focused.ancestors_with_self)


async def test_typing_on_the_catalog_filters_and_escape_hands_the_keys_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, live: LiveServers
) -> None:
    monkeypatch.chdir(tmp_path)
    app = ExplorerApp(session=shared_session(live))
    async with app.run_test(size=(120, 30)) as pilot:
        await servers_ready(pilot)
        pids = [s.status.pid for s in app.session.supervisor]
        tree, box = app.query_one("#sample-tree"), app.query_one("#sample-filter", Input)
        assert app.focused is tree
        assert "t" not in app.screen.active_bindings  # the footer offers no letter that would not work
        await pilot.press(*"extract")  # once: export, restart, table, parity
        await until(pilot, lambda: box.value == "extract" and app.screen is app.screen_stack[0] and app.view == "both")
        assert list(tmp_path.iterdir()) == [] and [s.status.pid for s in app.session.supervisor] == pids
        assert all(s.status.state is ServerState.READY for s in app.session.supervisor)  # no restart was asked for
        await pilot.press("backspace")
        await until(pilot, lambda: box.value == "extrac")
        await pilot.press("escape", *"abc")  # Escape clears the filter; the list keeps the keyboard
        # the preview says ...
        await until(pilot, lambda: "A word where a number belongs" in plain(app.query_one("#sample-claim", Static)))
        await send_and_wait(pilot, "enter")
        assert app.sample is not None and app.sample.id == "item-abc"  # ... what Enter sends
        assert in_answers(app) and "t" in app.screen.active_bindings  # Enter handed the keyboard to the answers
        await pilot.press("escape")
        await until(pilot, lambda: box.value == "abc" and app.focused is tree)  # back on the list, its filter kept
        await pilot.press("escape")
        await until(pilot, lambda: box.value == "" and app.focused is tree)
        await pilot.press("escape")
        await until(pilot, lambda: in_answers(app) and "t" in app.screen.active_bindings)
        await pilot.press("slash")
        await until(pilot, lambda: app.focused is box)
        await pilot.press("escape")
        await until(pilot, lambda: app.focused is tree)

        path = app.query_one("#path", Input)
        path.focus()
        await pilot.press("end", "t")
        await until(pilot, lambda: path.value.endswith("t") and app.screen is app.screen_stack[0])
        await pilot.press("backspace", "escape")
        await until(pilot, lambda: in_answers(app))
        await pilot.press("t")  # after Escape the next letter is a command again
        await until(pilot, lambda: isinstance(app.screen, TableScreen))
        await pilot.press("escape")

        body = app.query_one("#body-editor", TextArea)
        body.focus()
        await until(
            pilot, lambda: app.screen.active_bindings["escape"].binding.description == "Leave body (Tab indents)"
        )
        await pilot.press("tab")
        await until(pilot, lambda: app.focused is body and body.text == "    ")
        await pilot.press("escape")
        await until(pilot, lambda: in_answers(app))


async def test_each_answer_names_its_send_and_old_answers_never_pass_for_new(monkeypatch: pytest.MonkeyPatch) -> None:
    """One app with servers of its own at 160x48: each answer's send, then (after its restart) the body's find, copy
    and wrap, the Log tab, pasted URLs and the demos' parity file (an app start with both servers saved); last, a
    crash of Flask and its restart (tests/test_app.py's, whose app runs on shared servers)."""
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "BROWSER"):
        monkeypatch.delenv(name, raising=False)
    app = ExplorerApp(initial=RequestSpec("GET", "/items/1"))
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        await servers_ready(pilot)
        flask, fastapi = app.query_one("#panel-flask", ResponsePanel), app.query_one("#panel-fastapi", ResponsePanel)
        await send_and_wait(pilot)
        assert "#1 GET /items/1" in str(flask.border_title) and "#1 GET /items/1" in str(fastapi.border_title)

        sample = by_id("io-async-flask")  # Flask only: the FastAPI panel must not keep its answer to #1
        assert sample is not None and sample.frameworks == ("flask",)
        app.query_one(SampleBrowser).select(sample.id)
        tree = app.query_one("#sample-tree")
        tree.focus()  # ctrl+r on the list moved the keyboard to the answers
        await until(pilot, lambda: app.focused is tree)
        await send_and_wait(pilot, "enter")
        assert fastapi.answer.exchange is None
        assert "nothing was sent here" in plain(app.query_one("#why-fastapi", Static))
        assert (
            "—" in plain(app.query_one("#chip-fastapi", Static))
            and app.query_one("#bodyview-fastapi #body-text", TextArea).text == ""
        )
        assert "Only Flask was sent" in plain(app.query_one("#claim", Static))

        app.query_one("#path", Input).value = "/items/abc"
        await pilot.press("f", "f")  # Enter left the keyboard in the answers: FastAPI only
        await send_and_wait(pilot)
        only_fastapi = plain(app.query_one("#claim", Static))
        assert "Only FastAPI was sent" in only_fastapi  # no comparison with Flask's older answer

        await pilot.press("f")  # both again: Flask's answer is from send #2, and says so
        await until(pilot, lambda: flask.has_class("-earlier") and "an earlier send" in str(flask.border_title))
        assert not fastapi.has_class("-earlier")

        await pilot.press("o")  # no browser here: said, with the URL to open by hand
        await until(pilot, lambda: any("No web browser found" in str(n.message) for n in app._notifications))

        app.query_one("#path", Input).value = "/io?ms=1500"
        await pilot.press("ctrl+r")
        await until(
            pilot, lambda: flask.answer.exchange is None or "Sending" in plain(app.query_one("#why-flask", Static))
        )
        await pilot.press("f5")  # a restart asked for while the request is in flight
        await until(
            pilot,
            lambda: app.last.get("flask") is not None and app.last["flask"].spec.path == "/io?ms=1500",
            timeout=20,
        )
        error = app.last["flask"].error or ""
        assert "crashed" not in error and "a restart was asked for" in error
        claim = plain(app.query_one("#claim", Static))
        assert "Not compared" in claim and "No difference" not in claim
        assert not any("crashed" in str(n.message) for n in app._notifications)
        await servers_ready(pilot)
        await _body_find_copy_wrap_the_log_tab_pasted_urls_and_the_demos_parity_file(app, pilot)
        await back_to_the_answers(pilot)
        await restart_after_a_crash(app, pilot)


async def test_80x24_gives_the_answer_eight_lines_and_header_names_stay_whole_and_one_answer_at_a_time(
    live: LiveServers,
) -> None:
    """The editor folds to its first lines while the keyboard is elsewhere; a header name is never cut. Then, in
    the same app (the request and the size of a new one again, the keyboard on the list, Flask's answer in front,
    nothing zoomed), one answer at a time at 80x24, and every part fits (below)."""
    app = ExplorerApp(session=shared_session(live), initial=RequestSpec("GET", "/items/abc"))
    async with app.run_test(size=(80, 24)) as pilot:
        await servers_ready(pilot)
        await send_and_wait(pilot)
        await leave_the_list(pilot)
        await pilot.press("a", "3")  # FastAPI's answer, its Validation tab
        await until(
            pilot, lambda: app.query_one("#panel-fastapi TabbedContent", TabbedContent).active == "validation-fastapi"
        )
        assert app.query_one("#panel-fastapi TabPane#validation-fastapi").region.height >= 8
        assert "path.item_id" in screen_text(app) and "int_parsing" in screen_text(app)  # the row, above the fold
        app.query_one("#path").focus()
        await until(
            pilot, lambda: app.query_one("#request-parts").region.height == 3
        )  # the keyboard in the editor: it unfolds

        app.query_one(RequestEditor).load(catalog_sample("cors-preflight-put").request)
        await send_and_wait(pilot)
        names = ("access-control-allow-origin", "access-control-allow-methods")
        await pilot.press("escape", "a", "2", "z")  # Flask's answer (flask-cors allows PUT), its Headers tab, zoomed
        await until(pilot, lambda: app.query_one("#panel-flask").display)
        await until(pilot, lambda: names[0] in screen_text(app))
        await pilot.press("end")
        await until(pilot, lambda: names[1] in screen_text(app))
        await pilot.press("escape")
        await pilot.resize_terminal(160, 48)  # two answers side by side, each about 48 columns wide
        table = app.query_one("#headertable-flask", Static)
        await until(pilot, lambda: 40 <= table.content_region.width <= 60)
        lines = shown(table.content, table.content_region.width).splitlines()
        assert all(any(f"{line} ".startswith(f"←  {name} ") for line in lines) for name in names), lines  # whole
        if app.screen.maximized is not None:
            app.screen.minimize()
        await pilot.resize_terminal(80, 24)
        app.query_one(RequestEditor).load(RequestSpec("GET", "/items/abc"))
        app.workbench.focus_answers()
        await pilot.press("1")  # both answers on their Body tab, as in a new app
        tabs = [app.query_one(f"#tabs-{fw}", TabbedContent) for fw in ("flask", "fastapi")]
        await until(pilot, lambda: [t.active for t in tabs] == ["body-flask", "body-fastapi"])
        tree = app.query_one("#sample-tree")
        tree.focus()
        await until(
            pilot,
            lambda: app.focused is tree and app.screen.maximized is None and app.screen.outer_size == (80, 24),
        )
        await _one_answer_at_a_time_and_every_part_fits(app, pilot)


async def _one_answer_at_a_time_and_every_part_fits(app: ExplorerApp, pilot: Pilot[int]) -> None:
    """At 80x24 one answer shows at a time (the other's status beside it), and the lab, the table and the help fit."""
    await send_and_wait(pilot)
    flask, fastapi = app.query_one("#panel-flask"), app.query_one("#panel-fastapi")
    assert flask.display and not fastapi.display
    assert "422" in plain(app.query_one("#answer-switch", Static))  # the hidden answer's status is still on screen
    body = app.query_one("#bodyview-flask #body-text", TextArea)
    assert body.region.height >= 5 and app.query_one("#path").region.width >= 16
    await leave_the_list(pilot)
    await pilot.press("a")
    await until(pilot, lambda: fastapi.display and not flask.display)
    await pilot.press("ctrl+b")  # ctrl+h too, where the terminal tells it from Backspace
    await until(pilot, lambda: not app.query_one("#samples").display and fastapi.region.width >= 70)
    await pilot.press("z")
    await until(pilot, lambda: app.screen.maximized is fastapi and fastapi.region.height >= 20)
    await pilot.press("escape")
    await until(pilot, lambda: app.screen.maximized is None)
    app.query_one("#method").focus()  # a field where z is no text: the footer offers it, and it fills the screen
    await until(pilot, lambda: any(b.binding.id == "zoom" and b.enabled for b in app.screen.active_bindings.values()))
    await pilot.press("z")
    editor = app.query_one("#editor")
    await until(pilot, lambda: app.screen.maximized is editor)
    assert (
        app.screen.maximized is editor
        and editor.region.height >= 20
        and app.query_one("#body-editor").region.height >= 15
    )
    await pilot.press("z")
    await until(pilot, lambda: app.screen.maximized is None and str(app.query_one("#method", Select).value) == "GET")
    await pilot.press("ctrl+h", "escape", "escape")  # shown again; from the method picker to the answers, then the list
    await until(pilot, lambda: app.query_one("#samples").display)

    await leave_the_list(pilot)
    await pilot.press("p")  # the lab: every control on screen
    await until(pilot, lambda: type(app.screen).__name__ == "LabController")
    screen = app.screen
    for selector in (
        "#lab-scenario",
        "#lab-flask",
        "#lab-engine",
        "#lab-levels",
        "#lab-duration",
        "#lab-warmup",
        "#lab-run",
    ):
        region = screen.query_one(selector).region
        assert region.right <= 80 and region.bottom <= 23 and region.width > 0, selector
    await pilot.press("escape")
    await pilot.press("t")  # the table: both frameworks in view
    await until(pilot, lambda: isinstance(app.screen, TableScreen))
    table = app.screen.query_one("#comparison", DataTable)
    assert sum(column.get_render_width(table) for column in table.columns.values()) <= table.region.width
    await pilot.press("escape", "f1")
    await until(pilot, lambda: isinstance(app.screen, HelpScreen) and app.screen.query_one("#help").region.right <= 80)

    await pilot.press("escape")
    await pilot.resize_terminal(120, 30)
    await until(pilot, lambda: flask.display and fastapi.display)  # side by side again
    tabs = fastapi.query_one("Tabs")
    log_tab = tabs.query_one("#--content-tab-log-fastapi")
    assert log_tab.region.right <= fastapi.region.right - 1  # the Log tab's label is whole
    assert app.query_one("#bodyview-fastapi #body-text").region.height >= 6


async def _body_find_copy_wrap_the_log_tab_pasted_urls_and_the_demos_parity_file(
    app: ExplorerApp, pilot: Pilot
) -> None:
    """From the main view after a restart (both servers ready, both in view, the answers on their first tab):
    GET /items/abc sent, then the keyboard from the list to Flask's answer, as in a new app with that request."""
    app.query_one("#path", Input).value = "/items/abc"
    await send_and_wait(pilot)
    await back_to_the_answers(pilot)  # from the list to the answers ...
    flask = app.workbench.panel("flask")
    flask.focus_content()  # ... Flask's (its HTML 404), where Escape from a new app's list puts the keyboard
    await until(pilot, lambda: app.focused is not None and flask in app.focused.ancestors)
    area = app.query_one("#bodyview-flask #body-text", TextArea)
    await pilot.press("ctrl+f")
    await until(pilot, lambda: app.focused is app.query_one("#bodyview-flask #body-find"))
    app.query_one("#bodyview-flask #body-find", Input).value = "THE"  # the find bar has the keyboard; any case
    await pilot.press("enter")
    await until(pilot, lambda: area.selected_text == "The")
    first = area.selection
    await pilot.press("enter")
    await until(pilot, lambda: area.selected_text.lower() == "the" and area.selection != first)  # the next match
    await pilot.press("escape")
    await until(pilot, lambda: app.focused is area)
    await pilot.press("ctrl+c")
    await until(pilot, lambda: app.clipboard.lower() == "the" and app.is_running)
    assert area.soft_wrap
    await pilot.press("l")
    await until(pilot, lambda: not area.soft_wrap)
    await pilot.press("l", "5")
    log = app.query_one("#logview-flask", RichLog)
    # no sideways scrollbar to hide the newest line under
    await until(pilot, lambda: log.wrap and log.max_scroll_x == 0)
    await until(pilot, lambda: log.scroll_y == log.max_scroll_y)

    # A URL of one of our servers, and a curl command, pasted into the path
    path = app.query_one("#path", Input)
    port = app.session.server("fastapi").status.port
    path.post_message(events.Paste(f"http://127.0.0.1:{port}/items/abc"))
    await until(pilot, lambda: path.value == "/items/abc")
    # lines ended by CR, as GNOME Terminal, iTerm and tmux paste them
    curl = f"curl -X POST -H 'Content-Type: application/json' \\\r  --data-raw '{{\"name\": \"pen\"}}' http://127.0.0.1:{port}/items"
    path.post_message(events.Paste(curl))
    await until(pilot, lambda: path.value == "/items" and str(app.query_one("#method", Select).value) == "POST")
    assert '"pen"' in app.query_one("#body-editor", TextArea).text
    await send_and_wait(pilot)
    assert app.last["fastapi"].status == 422  # price is missing: the pasted request was sent
    path.value = "http://example.com/items/1"  # typed, then sent: refused, nothing sent
    before = app.last
    await pilot.press("ctrl+r")
    await until(
        pilot,
        lambda: (
            app.last is before
            and "example.com is not one of the explorer's servers" in plain(app.query_one("#editor-message", Static))
        ),
    )

    app.workbench.focus_answers()
    await pilot.press("c")  # with the demos, the Parity screen has their requests file ready
    await until(pilot, lambda: isinstance(app.screen, ParityScreen))
    screen = app.screen
    assert isinstance(screen, ParityScreen) and screen.query_one("#parity-path", Input).value.endswith("parity.yaml")
    await pilot.press("ctrl+r")  # from the path field, as Enter (which tests/test_app.py presses)
    await until(pilot, lambda: "requests:" in plain(screen.query_one("#parity-summary", Static)))
    assert len(screen.results) == 12 and sum(r.outcome == "differ" for r in screen.results) >= 6
    await pilot.press("f1")
    await until(pilot, lambda: isinstance(app.screen, HelpScreen) and app.screen.title_text == "Help: Parity check")
