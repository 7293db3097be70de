"""The response panel draws one :class:`Answer`: each new value shows whole, and a change of standing redraws
only what it changes (the title, the dimming, the ``≠`` marks), never the body the user is reading."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from textual.app import App, ComposeResult
from textual.widgets import Static, TextArea

from explorer.apps.answer import Answer
from explorer.apps.source import HandlerLookup
from explorer.runtime.http.cookies import Cookie
from explorer.runtime.http.exchange import Exchange, SentRequest
from explorer.runtime.http.request import RequestSpec
from explorer.runtime.servers.logbuffer import LogBuffer
from explorer.runtime.servers.specs import ServerState, ServerStatus
from panels.response import ResponsePanel
from tests.test_app import plain

pytestmark = pytest.mark.serverless  # a panel in a host app: no server

JSON = (("content-type", "application/json"),)
BODY = b'{\n  "a": 1,\n  "b": 2\n}'


class Host(App[None]):
    def compose(self) -> ComposeResult:
        yield ResponsePanel("flask", LogBuffer())


def _exchange(jar: tuple[Cookie, ...] | None = None) -> Exchange:
    spec = RequestSpec("GET", "/items/1")
    sent = SentRequest("GET", "http://127.0.0.1:1/items/1", (("Host", "127.0.0.1:1"),), b"")
    return Exchange("flask", spec, sent, 200, "OK", "HTTP/1.1", JSON, BODY, cookie_jar=jar)


def _shown(app: Host, part: str) -> str:
    return plain(app.query_one(f"#{part}-flask", Static))


async def test_an_answer_marked_earlier_keeps_its_body_and_drops_its_marks() -> None:
    app = Host()
    async with app.run_test(size=(100, 30)) as pilot:
        panel = app.query_one(ResponsePanel)
        panel.answer = Answer(1, 1, "GET /items/1", _exchange(), differs=frozenset({"status", "body"}))
        await pilot.pause()
        assert "200 OK ≠" in _shown(app, "chip") and "bytes ≠" in _shown(app, "meta")
        assert str(panel.border_title) == "Flask · #1 GET /items/1" and not panel.has_class("-earlier")
        body = app.query_one("#bodyview-flask #body-text", TextArea)
        body.move_cursor((2, 3))  # where the user is reading
        panel.answer = replace(panel.answer, latest=2)  # a later send went to the other server only
        await pilot.pause()
        assert str(panel.border_title) == "Flask · #1 GET /items/1 · an earlier send" and panel.has_class("-earlier")
        assert "≠" not in _shown(app, "chip") + _shown(app, "meta")
        assert body.cursor_location == (2, 3)  # the body was not drawn again


async def test_an_answer_from_a_process_no_longer_serving_says_so() -> None:
    app = Host()
    async with app.run_test(size=(100, 30)) as pilot:
        panel = app.query_one(ResponsePanel)
        panel.server = (ServerStatus("flask", ServerState.READY, port=1, pid=10), "gunicorn")
        panel.answer = Answer(1, 1, "GET /items/1", _exchange(), pid=10)
        await pilot.pause()
        assert not panel.server_gone and "ready on port 1 · gunicorn" in str(panel.border_subtitle)
        panel.server = (ServerStatus("flask", ServerState.READY, port=2, pid=11), "gunicorn")
        await pilot.pause()
        assert panel.server_gone and panel.has_class("-earlier")
        assert str(panel.border_title).endswith("· an earlier send, from a server since stopped")


async def test_a_request_on_its_way_leaves_no_trace_of_the_answer_before() -> None:
    app = Host()
    lookup = HandlerLookup(None, "No route matches GET /items/1.", Path("app.py"), ran=False)
    async with app.run_test(size=(100, 30)) as pilot:
        panel = app.query_one(ResponsePanel)
        panel.answer = Answer(1, 1, "GET /items/1", _exchange((Cookie("sid", "x"),)), code=lookup)
        await pilot.pause()
        assert "sid" in _shown(app, "headertable") and "No route matches" in _shown(app, "codenote")
        panel.answer = Answer.pending(2, "GET /items/2 ×3")
        await pilot.pause()
        assert _shown(app, "chip").strip() == "…" and _shown(app, "why").strip() == "Sending GET /items/2 ×3…"
        for part in ("meta", "timings", "headertable", "validtable", "reason", "codenote", "code-view"):
            assert _shown(app, part).strip() == "", part
        assert app.query_one("#bodyview-flask #body-text", TextArea).text == ""
        assert str(panel.border_title) == "Flask · #2 GET /items/2 ×3"


async def test_a_cleared_jar_is_shown_without_rewriting_the_answer() -> None:
    """``k`` shows the jar as it is now on the answer on screen; the exchange keeps the jar it came with."""
    app = Host()
    exchange = _exchange((Cookie("sid", "x"),))
    async with app.run_test(size=(100, 30)) as pilot:
        panel = app.query_one(ResponsePanel)
        panel.answer = Answer(1, 1, "GET /items/1", exchange)
        await pilot.pause()
        assert "1 cookie: sent back" in _shown(app, "headertable")
        panel.answer = replace(panel.answer, jar=())
        await pilot.pause()
        assert "empty: cookies this server sets are kept here" in _shown(app, "headertable")
        assert exchange.cookie_jar == (Cookie("sid", "x"),)  # what the server's jar held after this answer


@pytest.mark.parametrize("early", [True, False], ids=["before-the-hidden-tabs-are-filled", "after"])
async def test_a_log_line_that_arrives_as_the_app_closes_raises_nothing(early: bool) -> None:
    """The server printed while the app was closing: the flush found its tabs (or the log in them) gone or going
    and raised (MountError from a quit in the first instants, when the hidden tabs were not filled yet)."""
    log = LogBuffer()

    class Closing(App[None]):
        def compose(self) -> ComposeResult:
            yield ResponsePanel("flask", log)

        def on_mount(self) -> None:
            if early:  # before the panel's first flush, which fills the hidden tabs just after the first frame
                self.query_one("TabbedContent").remove()

    app = Closing()
    async with app.run_test() as pilot:
        if not early:
            await pilot.pause()
            await app.query_one("TabbedContent").remove()  # the tabs go first when the app closes
        log.write("a line printed as the app closes")
        await pilot.pause(0.3)  # the panel draws new lines 0.1 s after they arrive


async def test_the_reason_is_said_once_and_the_validation_tab_says_what_it_holds() -> None:
    """The "why" sentence was drawn under the status line and again in the Validation tab: at 80x24 three of the
    answer's rows. It stays under the status line (seen on every tab); the tab keeps its own content."""
    spec = RequestSpec("GET", "/items/abc")
    sent = SentRequest("GET", "http://127.0.0.1:1/items/abc", (("Host", "127.0.0.1:1"),), b"")
    not_found = Exchange("flask", spec, sent, 404, "NOT FOUND", "HTTP/1.1", (("content-type", "text/html"),), b"x")
    app = Host()
    async with app.run_test(size=(80, 24)) as pilot:
        panel = app.query_one(ResponsePanel)
        panel.answer = Answer(1, 1, "GET /items/abc", not_found)
        panel.select_tab("validation")
        await pilot.pause()
        said = " ".join(_shown(app, "why").split())
        assert said.startswith("The Flask app wrote this 404 itself")
        tab = " ".join(_shown(app, "reason").split())
        assert tab == "No validation errors in this answer.", tab
        assert app.query_one("#reason-flask").region.height == 1
