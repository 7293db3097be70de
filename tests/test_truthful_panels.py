"""What the answer panels, the stream view and the WebSocket logs show is the truth, at 80x24 too.

Each test is one app run on the demo servers, driven by keys: a WebSocket log wraps every character
of a long message at the side's width and holds only its own connection's events; a panel waiting
for a new send never shows an earlier send's figures; an earlier answer carries no difference marks.
"""

from __future__ import annotations

from itertools import pairwise
from typing import Any

import pytest
from rich.text import Text
from textual.app import App
from textual.screen import Screen
from textual.widgets import Input, RichLog, Static, TextArea

from explorer.parity.glance import differences
from explorer.runtime.http.exchange import Exchange
from explorer.runtime.http.request import RequestSpec
from explorer.tui.app import ExplorerApp
from explorer.tui.claims import comparison_line
from panels.samples import SampleBrowser
from panels.server_strip import ServerStrip
from tests.apptools import leave_the_list, send_and_wait, servers_ready, until
from tests.conftest import LiveServers
from tests.shared import shared_session
from tests.test_app import plain

SMALL = (80, 24)
FWS = ("flask", "fastapi")


def _count_frames(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, ...]]:
    """Each frame written to the terminal: its screen and, on the sockets screen, which sides show open and how
    many lines each log holds (a frame made while updates are batched is not written)."""
    frames: list[tuple[Any, ...]] = []
    textual_display = App._display

    def counting(self: App[Any], screen: Screen[Any], renderable: Any) -> None:
        if renderable is not None and not self._batch_count:
            sides: tuple[Any, ...] = ()
            if type(screen).__name__ == "SocketsController":
                sides = tuple(plain(screen.query_one(f"#ws-state-{fw}", Static)).startswith("open:") for fw in FWS)
                sides += (sum(len(screen.query_one(f"#ws-log-{fw}", RichLog).lines) for fw in FWS),)
            frames.append((type(screen).__name__, *sides))
        textual_display(self, screen, renderable)

    monkeypatch.setattr(App, "_display", counting)
    return frames


def _drawn_once(frames: list[tuple[Any, ...]]) -> None:
    """The sockets screen's first frame shows both sides open with their first events; a later frame only brings
    a message that came after (each server says hello once open; flask-sock's thread may say it a frame later)."""
    shown = [frame for frame in frames if frame[0] != "Screen"]  # (the main view may draw its answer's cursor line
    assert shown and shown[0][:3] == ("SocketsController", True, True), frames  # as the key comes)
    lines = [frame[3] for frame in shown]  # the lines in both logs, frame by frame
    assert lines[0] and all(more > fewer for fewer, more in pairwise(lines)), frames


async def _settle(pilot: Any) -> None:
    for _ in range(8):
        await pilot.pause(0.02)


async def _opened(pilot: Any, screen: Any) -> None:
    """Until both sockets are open and have said hello, and the screen has settled."""
    await until(pilot, lambda: len(screen.sockets) == 2)
    logs = [screen.query_one(f"#ws-log-{fw}", RichLog) for fw in FWS]
    await until(pilot, lambda: all("hello" in "".join(line.text for line in log.lines) for log in logs))
    await _settle(pilot)


LONG = "".join(chr(ord("a") + i % 26) for i in range(300)) + " end-of-message"


async def test_websocket_logs_wrap_whole_messages_then_panels_show_only_their_own_send_at_80x24(
    monkeypatch: pytest.MonkeyPatch, live: LiveServers
) -> None:
    """One app run at 80x24: the WebSocket logs wrap whole messages and keep to one connection; then the stream
    sample sent twice, a single view and the find bar: each panel shows only its own send and every line fits.

    Each opening of the screen (the first, and showing it again) draws it once, with both sockets' outcomes and
    their first events: not the screen, then the outcomes, then the logs' scroll bars a frame later."""
    import explorer.tui.screens.sockets
    from explorer.tui.screens.sockets import SocketsController

    # The screen holds its frames for both handshakes 0.3 s at the most, then draws what it has: on a loaded machine
    # they can take longer. What is checked here is the frame drawn once both are in, so the hold waits for them.
    monkeypatch.setattr(explorer.tui.screens.sockets, "HOLD_S", 10.0)
    app = ExplorerApp(session=shared_session(live))
    async with app.run_test(size=SMALL) as pilot:
        await servers_ready(pilot)
        frames = _count_frames(monkeypatch)
        await leave_the_list(pilot)
        frames.clear()
        await pilot.press("w")
        await until(pilot, lambda: isinstance(app.screen, SocketsController))
        screen = app.screen
        assert isinstance(screen, SocketsController)
        await _opened(pilot, screen)
        _drawn_once(frames)
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
        # the refusal read whole, and drawn whole
        await until(pilot, lambda: plain(state).rstrip().endswith("try again."))
        assert state.region.height >= 3 and state.region.height == state.virtual_size.height
        assert all("closed by the explorer" not in line.text for log in logs.values() for line in log.lines)

        for _ in range(2):  # shown again: opened anew, in one frame too
            await pilot.press("escape")  # the sockets closed, back on the main view
            await until(pilot, lambda: app.screen is app.screen_stack[0])
            await _settle(pilot)
            frames.clear()
            await pilot.press("w")
            await until(pilot, lambda: app.screen is screen)
            await _opened(pilot, screen)
            _drawn_once(frames)
        monkeypatch.undo()

        # Then the panels: the stream sample sent twice, a single view, and the find bar, on the smallest screen
        await pilot.press("escape")  # the sockets closed, back on the main view
        await until(pilot, lambda: app.screen is app.screen_stack[0])
        app.query_one("#sample-tree").focus()
        bench, flask = app.workbench, app.workbench.panel("flask")
        app.query_one(SampleBrowser).select("stream")
        await send_and_wait(pilot, "enter")
        body = app.query_one("#bodyview-flask #body-text", TextArea)
        assert " ms " in body.text and "total" in plain(app.query_one("#timings-flask", Static))
        await pilot.press("ctrl+r")  # the same stream again: ~0.5 s before its answer is in
        await until(
            pilot, lambda: flask.answer.send == bench.sends == 2 and app.last["flask"].spec.path.startswith("/stream")
        )
        for part in ("timings", "meta", "headertable", "code-view"):  # nothing of send #1 under the title of #2
            assert plain(app.query_one(f"#{part}-flask", Static)).strip() == "", part
        assert " ms " not in body.text
        await until(pilot, lambda: flask.answer.exchange is not None)

        await pilot.press("ctrl+f", *"nowhere", "enter")
        note = app.query_one("#bodyview-flask #body-note", Static)
        await until(pilot, lambda: "Not found: 'nowhere'" in plain(note))
        await pilot.press("backspace")  # the search text changed: its "Not found" no longer applies
        await until(pilot, lambda: "Not found" not in plain(note))
        await pilot.press("enter", "escape", "ctrl+f")  # not found again, then the bar closed and reopened
        await until(pilot, lambda: app.focused is app.query_one("#bodyview-flask #body-find"))
        assert "Not found" not in plain(note)
        await pilot.press("escape", "escape")  # the bar closes, then back to the list

        app.query_one(SampleBrowser).select("item-float")  # 404 against 422: four differences
        await send_and_wait(pilot, "enter")
        claim = app.query_one("#claim", Static)
        shown = plain(claim).rstrip("\n").split("\n")
        assert shown[0].startswith("Differences: status: 404 ≠ 422") and len(shown) <= 3
        assert all(len(line) <= claim.content_region.width for line in shown)
        assert shown[-1].endswith(" …")  # the rest (the sample's claim) is cut visibly, never mid-word in silence
        assert "≠" in plain(app.query_one("#chip-fastapi", Static))

        await pilot.press("f", "escape")  # Enter left the keyboard in the answers: Flask only, then back to the list
        app.query_one(SampleBrowser).select("item-float")
        await send_and_wait(pilot, "enter")
        assert bench.view == "flask" and bench.sends == 4
        await pilot.press("f")  # FastAPI only (Enter left the keyboard in the answers): its answer is from send #3
        fastapi = bench.panel("fastapi")
        await until(pilot, lambda: "an earlier send" in str(fastapi.border_title) and fastapi.answer.send == 3)
        await pilot.pause()
        marks = plain(app.query_one("#chip-fastapi", Static)) + plain(app.query_one("#meta-fastapi", Static))
        assert "≠" not in marks
        strip = app.query_one(ServerStrip)
        assert plain(strip).rstrip().endswith("FastAPI only") and "(uvicorn)" in plain(strip)
        assert isinstance(strip.content, Text) and strip.content.cell_len <= strip.content_region.width


def _answer(framework: str, body: bytes, content_type: str = "application/json") -> Exchange:
    headers = (("content-type", content_type),)
    return Exchange(framework, RequestSpec("GET", "/x"), status=200, reason="OK", headers=headers, body=body)


def test_two_bodies_of_one_size_are_told_apart_by_where_they_differ() -> None:
    pen, cup = _answer("flask", b'{"name": "pen", "n": [1, 2]}'), _answer("fastapi", b'{"name": "cup", "n": [1, 2]}')
    line = comparison_line({"flask": pen, "fastapi": cup}, differences(pen, cup), ["flask", "fastapi"]).plain
    assert line == "Differences: body: $.name differs (28 bytes each)"  # was "28 bytes ≠ 28 bytes"
    deep = _answer("flask", b'{"n": [1, 2, {"k": 1}]}'), _answer("fastapi", b'{"n": [1, 2, {"k": 2}], "m": 0}')
    assert differences(*deep)[0].shown() == "body: $.n[2].k differs (23 ≠ 31 bytes)"
    text = _answer("flask", b"hello world", "text/plain"), _answer("fastapi", b"hello there", "text/plain")
    assert differences(*text)[0].shown() == "body: differs from byte 6 (11 bytes each)"
