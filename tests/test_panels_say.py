"""What the answer panels say matches what happened: who answered, which side holds a key, which send is shown."""

from __future__ import annotations

from functools import partial

import pytest
from rich.console import Console
from textual.pilot import Pilot
from textual.widgets import Static, TabbedContent

from explorer.parity.glance import differences
from explorer.runtime.http.exchange import Exchange, RequestSpec
from explorer.tui.app import ExplorerApp
from panels.editor import RequestEditor
from panels.samples import SampleBrowser
from tests.apptools import (
    catalog_sample,
    leave_the_list,
    screen_text,
    send_and_wait,
    servers_ready,
    until,
    without_servers,
)
from tests.conftest import LiveServers
from tests.shared import shared_session


def plain(widget: Static) -> str:
    console = Console(width=400, color_system=None, record=True)
    console.print(widget.content)
    return " ".join(console.export_text().split())


def _answer(framework: str, body: bytes) -> Exchange:
    headers = (("content-type", "application/json"),)
    return Exchange(framework, RequestSpec("GET", "/x"), status=401, reason="UNAUTHORIZED", headers=headers, body=body)


def test_a_key_on_one_side_only_is_named_by_the_side_that_has_it() -> None:
    """Before, ``$.error differs (30 ≠ 26 bytes)`` when FastAPI's body had no ``error`` key at all."""
    flask, fastapi = _answer("flask", b'{"error": "Invalid token"}'), _answer("fastapi", b'{"detail":"Invalid token"}')
    assert differences(flask, fastapi)[-1].shown() == "body: $.error only in Flask, missing in FastAPI (26 bytes each)"
    more = _answer("flask", b'{"a": [1]}'), _answer("fastapi", b'{"a": [1, 2]}')
    assert differences(*more)[-1].shown() == "body: $.a[1] only in FastAPI, missing in Flask (10 ≠ 13 bytes)"
    extra = _answer("flask", b'{"a": 1}'), _answer("fastapi", b'{"a": 1, "b": 2}')
    assert differences(*extra)[-1].shown() == "body: $.b only in FastAPI, missing in Flask (8 ≠ 16 bytes)"


async def test_the_log_wraps_at_the_width_it_is_shown_at_and_no_text_is_cut_then_a_preflight_names_who_answered(
    live: LiveServers,
) -> None:
    """One app run at 80x24, on the worker's shared servers (the log's lines are theirs, as they print them). Lines that arrived while the panel was hidden wrapped at 20 columns, and stayed so when zoomed;
    lines drawn while zoomed were cut at the panel's edge, without an ellipsis, once restored. Then at 200x50, from
    the list with the CORS preflight in the editor, as a new app with it would start: who answered it (below)."""
    from textual.widgets import Input, RichLog

    app = ExplorerApp(session=shared_session(live), initial=catalog_sample("error-crash").request)
    async with app.run_test(size=(80, 24)) as pilot:
        await servers_ready(pilot)
        await send_and_wait(pilot)
        fastapi_log = app.session.server("fastapi").log
        await until(pilot, lambda: any("Traceback" in line for line in fastapi_log.lines()))
        await leave_the_list(pilot)
        await pilot.press("a", "5")
        log = app.query_one("#logview-fastapi", RichLog)
        tabs = app.query_one("#tabs-fastapi", TabbedContent)
        await until(pilot, lambda: tabs.active == "log-fastapi" and log.scrollable_content_region.width > 0)
        widths = []

        def drawn_at(width: int) -> bool:
            texts = [strip.text.rstrip() for strip in log.lines]
            return any("Traceback" in t for t in texts) and max(len(t) for t in texts) == width

        for keys in ((), ("z",), ("z",)):  # shown, zoomed, restored
            previous = log.scrollable_content_region.width
            await pilot.press(*keys)
            if keys:  # zoomed, then restored: wait for the log's new width
                await until(pilot, partial(lambda before: log.scrollable_content_region.width != before, previous))
            width = log.scrollable_content_region.width
            widths.append(width)
            await until(pilot, partial(drawn_at, width), timeout=5)
            assert log.max_scroll_x == 0  # nothing wider than the panel, so nothing cut at its edge
        assert widths[0] == widths[2] > 40 and widths[1] > widths[0]
        # No text is cut without an ellipsis: at 80x24 the reason for a 500, the answer switch with an earlier
        # send, the sample preview and the find and path placeholders were cut mid-word, with nothing to say more
        app.query_one(SampleBrowser).select("cors-preflight-put")
        # a long claim under the list
        await pilot.pause()
        await pilot.press("escape", "escape")
        await pilot.pause()
        boxes = [app.query_one(b, Static) for b in ("#why-flask", "#why-fastapi", "#sample-claim", "#answer-switch")]
        shown = [b for b in boxes if b.content_region.width > 0 and b.content_region.height > 0]
        assert len(shown) == 3  # one answer's reason (the other is behind it), the preview and the switch line
        assert [m for m in map(_fits_or_says_so, shown) if m] == []
        front = [b.content_region.width > 0 for b in boxes[:2]]
        app.workbench.focus_answers()  # where a is a command: on the list it is typed into the filter
        await until(
            pilot,
            lambda: (
                app.focused is not None and any(n.has_class("response-panel") for n in app.focused.ancestors_with_self)
            ),
        )
        await pilot.press("a")  # the other answer to the front
        await until(pilot, lambda: [b.content_region.width > 0 for b in boxes[:2]] == [not f for f in front])
        assert [m for m in map(_fits_or_says_so, [b for b in boxes[:2] if b.content_region.width > 0]) if m] == []
        path = app.query_one("#path", Input)
        assert len(path.placeholder) <= path.content_region.width
        await pilot.press("ctrl+f")  # the find bar of the answer in front
        find = app.query_one(f"#bodyview-{app.workbench.front} #body-find", Input)
        await until(pilot, lambda: app.focused is find and find.content_region.width > 0)
        assert find.display and len(find.placeholder) <= find.content_region.width
        if app.screen.maximized is not None:
            app.screen.minimize()
        await pilot.resize_terminal(200, 50)
        app.query_one(RequestEditor).load(catalog_sample("cors-preflight-put").request)
        tree = app.query_one("#sample-tree")
        tree.focus()
        await until(
            pilot,
            lambda: app.focused is tree and app.screen.maximized is None and app.screen.outer_size == (200, 50),
        )
        await _a_preflight_names_who_answered(app, pilot)


async def _a_preflight_names_who_answered(app: ExplorerApp, pilot: Pilot[int]) -> None:
    """Who answered a CORS preflight, said alike by the reason and the Code tab.

    Before: Flask's reason said "the handler ran" while its Code tab said Flask answers OPTIONS itself;
    FastAPI's Code tab said no handler accepts OPTIONS though CORSMiddleware had answered. (The switch to gunicorn
    that dims the dev server's answer: tests/test_app.py's run with a switch, on servers of its own.)
    """
    await send_and_wait(pilot)
    assert (app.last["flask"].status, app.last["fastapi"].status) == (200, 400)
    flask_why, fastapi_why = (
        plain(app.query_one("#why-flask", Static)),
        plain(app.query_one("#why-fastapi", Static)),
    )
    assert "Flask answered OPTIONS by itself" in flask_why and "the view did not run" in flask_why
    assert "handler ran" not in flask_why.replace("no handler ran", "")
    assert fastapi_why.startswith("Starlette's CORSMiddleware answered this preflight itself")
    assert "Disallowed CORS method" in fastapi_why and "no handler ran" in fastapi_why
    for fw in ("flask", "fastapi"):
        assert plain(app.query_one(f"#why-{fw}", Static)) in plain(app.query_one(f"#codenote-{fw}", Static))
        assert "no handler accepts" not in plain(app.query_one(f"#codenote-{fw}", Static))


def _fits_or_says_so(widget: Static) -> str:
    """What the widget shows when it all fits its box, or ends in an ellipsis; else the failure, named."""
    from rich.text import Text

    shown = widget.content if isinstance(widget.content, Text) else Text(str(widget.content))
    lines = shown.wrap(widget.app.console, widget.content_region.width)
    if len(lines) <= widget.content_region.height or lines[widget.content_region.height - 1].plain.rstrip().endswith(
        "…"
    ):
        return ""
    return f"#{widget.id} cut after {widget.content_region.height} line(s): {shown.plain!r}"


async def test_every_aspect_the_comparison_finds_is_marked_on_the_chip() -> None:
    """The chip's ``≠`` marks read the aspects of :func:`differences`: a renamed aspect would drop its mark."""
    from textual.app import App, ComposeResult

    from explorer.apps.answer import Answer
    from explorer.runtime.servers.logbuffer import LogBuffer
    from panels.response import ResponsePanel

    class Host(App[None]):
        def compose(self) -> ComposeResult:
            yield ResponsePanel("flask", LogBuffer())

    html, json = (("content-type", "text/html"),), (("content-type", "application/json"),)
    flask = Exchange("flask", RequestSpec(), status=200, reason="OK", headers=html, body=b"<p>")
    fastapi = Exchange("fastapi", RequestSpec(), status=201, reason="Created", headers=json, body=b"{}")
    found = differences(flask, fastapi)
    assert [d.aspect for d in found] == ["status", "content-type", "body"]
    app = Host()
    async with app.run_test(size=(120, 30)) as pilot:
        app.query_one(ResponsePanel).answer = Answer(exchange=flask, differs=frozenset(d.aspect for d in found))
        await until(pilot, lambda: "200 OK ≠" in plain(app.query_one("#chip-flask", Static)))
        assert plain(app.query_one("#meta-flask", Static)) == "text/html ≠ · 3 bytes ≠"


@pytest.mark.serverless
async def test_a_request_that_cannot_be_sent_says_so_on_the_line_above_the_answers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """At 80x24, ctrl+r with a header name that cannot be sent: "Not sent: …" is said on the line above the answers,
    where a send's outcome (its comparison) is said, not in a line under the editor above that one; the editor and
    the answers are left as they were."""
    from textual.widgets import TextArea

    without_servers(monkeypatch)
    app = ExplorerApp(mask=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await leave_the_list(pilot)
        app.query_one("#headers-editor", TextArea).text = "Bad Header Name: 1"
        await pilot.press("ctrl+r")
        claim = app.query_one("#claim", Static)
        await until(pilot, lambda: "Not sent" in screen_text(app), why=lambda: screen_text(app))
        assert plain(claim).startswith("Not sent: ") and "Bad Header Name" in plain(claim)
        message = app.query_one("#editor-message", Static)
        assert not message.display  # said once, in one place
        rows = [i for i, line in enumerate(screen_text(app).splitlines()) if "Not sent" in line]
        assert rows and rows[0] == claim.region.y  # its first line, shown
        assert app.query_one("#headers-editor", TextArea).text == "Bad Header Name: 1"
        assert app.last == {}  # nothing was sent
        assert all("Sending" not in plain(app.query_one(f"#chip-{fw}", Static)) for fw in ("flask", "fastapi"))
