"""The app's client features driven by keys: forms and files in the editor, the cookie jars."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input, Select, Static, TextArea

from explorer.apps.targets import specs_from_options
from explorer.runtime.http.forms import FilePart
from explorer.runtime.http.request import RequestSpec
from explorer.tui.app import ExplorerApp
from panels.editor import RequestEditor
from panels.fitted import FittedText
from panels.samples import SampleBrowser
from tests.apptools import leave_the_list, send_and_wait, servers_ready, until
from tests.conftest import LiveServers
from tests.shared import shared_session
from tests.test_app import plain

SIZE = (160, 48)
APPS = Path(__file__).resolve().parent / "apps"


async def test_the_editor_sends_form_fields_and_files(tmp_path: Path) -> None:
    upload = tmp_path / "notes.txt"
    upload.write_bytes(b"typed by hand")
    sample = RequestSpec("POST", "/echo", form=(("name", "pen"),), files=(FilePart("doc", "sample.bin", b"\x00\x01"),))
    app = ExplorerApp(specs=specs_from_options(flask="echo_app:app", app_dir=APPS), initial=sample)
    async with app.run_test(size=SIZE) as pilot:
        await servers_ready(pilot)
        headers = app.query_one("#headers-editor", TextArea)
        body = app.query_one("#body-editor", TextArea)
        assert headers.text == "Content-Type: multipart/form-data"
        assert body.text == "name=pen\ndoc=@sample.bin"
        assert app.query_one(RequestEditor).read()[0] == sample  # what was loaded reads back unchanged
        await send_and_wait(pilot)
        echoed = app.last["flask"].json
        assert echoed["content_type"] == "multipart/form-data" and echoed["form"] == {"name": ["pen"]}
        assert [(f["filename"], f["content_type"]) for f in echoed["files"]] == [
            ("sample.bin", "application/octet-stream")
        ]
        body.text = f"name=cup & saucer\nextra=1\ndoc=@{upload}"
        await send_and_wait(pilot)
        echoed = app.last["flask"].json
        assert echoed["form"] == {"name": ["cup & saucer"], "extra": ["1"]}
        assert [(f["filename"], f["content_type"]) for f in echoed["files"]] == [("notes.txt", "text/plain")]
        body.text = f"doc=@{upload}.missing"
        await pilot.press("ctrl+r")
        await until(pilot, lambda: "no such file" in app.query_one("#claim", FittedText).full.plain)  # "Not sent: …"
        headers.text = "Content-Type: application/x-www-form-urlencoded"
        body.text = "a=1&b=two+words"  # a urlencoded body is sent as typed
        await send_and_wait(pilot)
        assert app.last["flask"].json["form"] == {"a": ["1"], "b": ["two words"]}
        assert app.last["flask"].request is not None and app.last["flask"].request.body == b"a=1&b=two+words"
        handmade = b'--XY\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--XY--\r\n'
        headers.text = "Content-Type: multipart/form-data; boundary=XY"
        body.text = handmade.decode()  # multipart written out with its boundary is sent as typed too
        await send_and_wait(pilot)
        assert app.last["flask"].json["form"] == {"a": ["1"]} and app.last["flask"].request.body == handmade


async def test_a_stream_drawn_as_it_arrives_then_w_and_websockets_then_a_session_flow_by_keys(
    live: LiveServers,
) -> None:
    """One app run (starts of both servers saved): a stream in the Body tab, then the WebSockets screen, then the
    session flow by keys with the two cookie formats."""
    from textual.widgets import RichLog

    from explorer.tui.screens.sockets import SocketsController

    app = ExplorerApp(session=shared_session(live), initial=RequestSpec("GET", "/stream?n=6&ms=200"))
    async with app.run_test(size=SIZE) as pilot:
        await servers_ready(pilot)
        before = app.last
        await pilot.press("ctrl+r")
        content = app.query_one("#bodyview-flask #body-text", TextArea)
        await until(pilot, lambda: "chunk 2⏎" in content.text)
        assert app.last is before and "Arriving:" in content.text  # drawn before the answer was complete
        await until(pilot, lambda: app.last is not before)
        await pilot.pause()
        shown = content.text
        assert "Arriving" not in shown and shown.count(" ms ") >= 2 and "chunk 5⏎" in shown
        assert len(app.last["flask"].chunks) >= 2 and len(app.last["fastapi"].chunks) >= 2
        await leave_the_list(pilot)
        await pilot.press("w")  # the WebSockets screen, from the answers
        await until(pilot, lambda: isinstance(app.screen, SocketsController))
        screen = app.screen
        assert isinstance(screen, SocketsController)
        await until(pilot, lambda: len(screen.sockets) == 2)
        logs = {fw: screen.query_one(f"#ws-log-{fw}", RichLog) for fw in ("flask", "fastapi")}
        await pilot.press(*"hi", "enter")
        await until(pilot, lambda: all(any("echo: hi" in str(line) for line in log.lines) for log in logs.values()))
        assert any("hello from flask-sock" in str(line) for line in logs["flask"].lines)
        clients = list(screen.sockets.values())
        screen.query_one("#ws-path", Input).value = "/nowhere"
        screen.query_one("#ws-path", Input).focus()
        await pilot.press("enter")
        await until(
            pilot, lambda: "refused the upgrade with HTTP 403" in plain(screen.query_one("#ws-state-fastapi", Static))
        )
        assert "HTTP 404" in plain(screen.query_one("#ws-state-flask", Static)) and screen.sockets == {}
        assert all(c.closed for c in clients)
        screen.query_one("#ws-path", Input).value = "/ws/echo"
        await pilot.press("enter")
        await until(pilot, lambda: len(screen.sockets) == 2)
        clients = list(screen.sockets.values())
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, SocketsController))
        await until(pilot, lambda: all(c.closed for c in clients))  # leaving the screen closes its sockets
        kept: SocketsController = screen
        await pilot.press("w")  # the screen is kept: shown again, it opens new sockets on empty logs
        await until(pilot, lambda: app.screen is kept and len(kept.sockets) == 2)
        assert not any("echo: hi" in str(line) for log in logs.values() for line in log.lines)
        assert screen.query_one("#ws-text", Input).value == "" and app.focused is screen.query_one("#ws-text")
        clients = list(kept.sockets.values())
        await pilot.press("f1")  # the help over it, then closed: the same sockets still open
        await until(pilot, lambda: app.screen is not kept)
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is kept)
        await pilot.pause()
        assert list(kept.sockets.values()) == clients and not any(c.closed for c in clients)
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, SocketsController) and all(c.closed for c in clients))
        # The session flow of docs/app.md on the demos: log in, read the session, x swaps the jars (neither
        # accepts the other's cookie), k clears them
        app.query_one("#sample-tree").focus()
        app.query_one(SampleBrowser).select("session-login")
        await send_and_wait(pilot, "enter")
        assert app.last["flask"].json == app.last["fastapi"].json == {"logged_in": "ada"}
        await pilot.press("2")  # Enter moved the keyboard from the list (where letters filter) to the answers
        await until(pilot, lambda: "cookie jar" in plain(app.query_one("#headertable-flask", Static)))
        flask_tab, fastapi_tab = (plain(app.query_one(f"#headertable-{fw}", Static)) for fw in ("flask", "fastapi"))
        assert "cookie jar" in flask_tab and "Flask session format" in flask_tab and '{"user": "ada"}' in flask_tab
        assert "Starlette SessionMiddleware format" in fastapi_tab and "SameSite=lax" in fastapi_tab
        app.query_one(Select).value = "GET"
        app.query_one("#path", Input).value = "/session/me"
        app.query_one("#headers-editor", TextArea).text = ""
        app.query_one("#body-editor", TextArea).text = ""
        await send_and_wait(pilot)
        assert app.last["flask"].json == app.last["fastapi"].json == {"user": "ada"}
        assert "session=" in (app.last["flask"].request.headers[-1][1] if app.last["flask"].request else "")
        await pilot.press("x")
        await until(pilot, lambda: "swapped" in plain(app.query_one("#claim", Static)))
        await send_and_wait(pilot)
        assert app.last["flask"].status == app.last["fastapi"].status == 401
        await pilot.press("k")
        await until(pilot, lambda: "2 cookies dropped" in plain(app.query_one("#claim", Static)))
        assert "empty" in plain(app.query_one("#headertable-flask", Static))
        await send_and_wait(pilot)
        assert app.last["flask"].status == app.last["fastapi"].status == 401
        assert app.last["flask"].request is not None and "cookie" not in dict(app.last["flask"].request.headers)
