"""Keys that settle in one layout of the screen and one frame (issue 24, "every key instant"): ``z`` restoring a
zoomed answer, and the help (``f1``) over the main view and closed again.

Restoring laid the main view out two or three times: the fitted text boxes refitted on the Resize after the
layout and asked for another (``panels/fitted.py``), the footer's keys came a frame late, and the widgets the
restyle touched asked for layouts that arrived after the screen had laid itself out
(``explorer/tui/layout_patches.py``); then repaints asked before the whole screen was drawn, and Resize handlers
redrawing the same text at the same size, drew a frame or two more. The help made the main view's footer relabel beneath it, a layout of the
main view and the help's whole frame blended over it again.
"""

from __future__ import annotations

from typing import Any

import pytest
from textual import events
from textual.app import App
from textual.screen import Screen
from textual.widgets import Static
from textual.widgets._footer import FooterKey  # Footer's own key widget, not re-exported

from explorer.apps.answer import Answer
from explorer.runtime.http.exchange import Exchange
from explorer.runtime.http.request import RequestSpec
from explorer.tui.app import ExplorerApp
from panels.footer import FittedFooter
from panels.later import settled
from tests.apptools import leave_the_list, until, without_servers

pytestmark = pytest.mark.serverless


def _count_layouts(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    layouts: list[str] = []
    textual_layout = Screen._refresh_layout

    def counting(self: Screen[Any], *args: Any, **kwargs: Any) -> None:
        layouts.append(type(self).__name__)
        textual_layout(self, *args, **kwargs)

    monkeypatch.setattr(Screen, "_refresh_layout", counting)
    return layouts


def _count_frames(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """A 1 for each frame of the top screen written to the terminal (a draw that changes nothing writes none). It
    counted the draws with widgets marked dirty: a layout's own draw, which marks none, went uncounted."""
    frames: list[int] = []
    textual_display = App._display

    def counting(app: App[Any], screen: Screen[Any], renderable: Any) -> None:
        if screen is app.screen and renderable is not None:
            frames.append(1)
        textual_display(app, screen, renderable)

    monkeypatch.setattr(App, "_display", counting)
    return frames


def _no_blinks(app: ExplorerApp) -> None:
    """Cursors that do not blink: a blink is a frame of its own, which a loaded machine's slower settling let in."""
    for field in app.query("TextArea, Input"):
        field.cursor_blink = False  # type: ignore[attr-defined]  # both have it; a query by two types gives Widget


async def _at_the_answers(pilot: Any, app: ExplorerApp, settled: bool = True) -> None:
    """The keyboard in the answers, no cursor blinking, and (``settled``) the frames of that move drawn."""
    await leave_the_list(pilot)
    _no_blinks(app)
    if settled:
        await _settle(pilot)


async def _settle(pilot: Any) -> None:
    for _ in range(6):
        await pilot.pause(0.02)


async def test_zoom_and_restore_each_lay_the_main_view_out_once(monkeypatch: pytest.MonkeyPatch) -> None:
    without_servers(monkeypatch)
    app = ExplorerApp(mask=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await _at_the_answers(pilot, app)
        layouts, frames = _count_layouts(monkeypatch), _count_frames(monkeypatch)
        claim = app.query_one("#claim")
        for round_ in range(3):
            for zoomed in (True, False):
                layouts.clear()
                frames.clear()
                await pilot.press("z")
                await until(pilot, lambda z=zoomed: (app.screen.maximized is not None) == z)  # type: ignore[misc]
                await _settle(pilot)
                if round_ or not zoomed:  # the first zoom mounts the footer keys its row has more of, later shown again
                    assert layouts == ["Screen"], (round_, zoomed, layouts)
                    assert len(frames) == 1, (round_, zoomed, frames)  # the whole screen, drawn once
        assert claim.content_region.width > 0  # restored: the fitted text shows again, fitted in that one layout


async def test_the_help_leaves_the_main_view_as_it_was(monkeypatch: pytest.MonkeyPatch) -> None:
    without_servers(monkeypatch)
    app = ExplorerApp(mask=True)
    async with app.run_test(size=(120, 30)) as pilot:
        await _at_the_answers(pilot, app)
        main = app.screen
        footer = main.query_one(FittedFooter)
        keys = [(key.key_display, key.description) for key in footer.query(FooterKey) if key.display]
        layouts = _count_layouts(monkeypatch)
        for round_ in range(2):  # built, then kept and shown again
            layouts.clear()
            await pilot.press("f1")
            await until(pilot, lambda: type(app.screen).__name__ == "HelpScreen")
            await _settle(pilot)
            assert "Screen" not in layouts, (round_, layouts)  # the main view beneath is not laid out again
            assert [(key.key_display, key.description) for key in footer.query(FooterKey) if key.display] == keys
            layouts.clear()
            await pilot.press("escape")
            await until(pilot, lambda: app.screen is main)
            await _settle(pilot)
            assert layouts == [], (round_, layouts)


async def test_at_80x24_the_help_fills_the_screen_and_nothing_beneath_is_blended(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """At 80x24 the main view's help fills the whole screen, so the main view tinted beneath it showed nowhere,
    yet each frame of the help blended every cell of it (the most of ``f1``'s CPU after a send): there the
    help is opaque, and only the help is drawn."""
    without_servers(monkeypatch)
    app = ExplorerApp(mask=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await _at_the_answers(pilot, app, settled=False)
        await pilot.press("f1")
        await until(pilot, lambda: type(app.screen).__name__ == "HelpScreen")
        await _settle(pilot)
        assert app.screen.query_one("#help").region == app.screen.region  # the help covers every cell
        assert app.screen.styles.background.a == 1  # opaque: Textual draws the screens beneath only through a tint


def _count_writes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The screen of each frame written to the terminal (a frame that draws nothing is not written)."""
    writes: list[str] = []
    textual_display = App._display

    def counting(self: App[Any], screen: Screen[Any], renderable: Any) -> None:
        if renderable is not None and not self._batch_count:
            writes.append(type(screen).__name__)
        textual_display(self, screen, renderable)

    monkeypatch.setattr(App, "_display", counting)
    return writes


async def test_a_screen_shown_again_over_the_main_view_is_drawn_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """A kept screen shown again is drawn whole once: the main view beneath changes as the keyboard leaves its
    answer (the panel's border), and Textual drew the opaque screen over it again where it had changed; and a
    change beneath an opaque screen draws nothing. The guide, the table and the lab in turn, in one app."""
    without_servers(monkeypatch)
    app = ExplorerApp(mask=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await _at_the_answers(pilot, app, settled=False)
        main = app.screen
        writes = _count_writes(monkeypatch)
        for key in ("g", "t", "p"):
            for round_ in range(2):  # built, then kept and shown again
                await pilot.press(key)
                await until(pilot, lambda: app.screen is not main)
                await _settle(pilot)
                shown = type(app.screen).__name__
                if round_:
                    assert [screen for screen in writes if screen != "Screen"] == [shown], (key, writes)
                writes.clear()
                main.query_one("#claim", Static).update(f"changed beneath: {key} {round_}")  # as an answer may
                await _settle(pilot)
                assert writes == [], (key, writes)  # none of it shows: nothing drawn
                await pilot.press("escape")
                await until(pilot, lambda: app.screen is main)
                await _settle(pilot)
                writes.clear()


async def test_the_lab_is_drawn_whole_when_the_terminal_reports_its_size_unchanged(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A Resize that leaves the app's size as it was (a terminal resized and back before the app read it, our
    driver's SIGCONT, or a pty test under xdist, whose workers inherit ``COLUMNS=80 LINES=24``) draws the top screen
    whole: the terminal may have changed beneath it. Nothing drew it (a screen at its size is not laid out again,
    ``covered_screens_keep_their_layout``); only a change pending in the main view beneath, redrawn through the lab,
    did, and with that redraw gone (``_hidden_beneath``) the lab was blank until a key (tests/test_typed_keys.py)."""
    without_servers(monkeypatch)
    app = ExplorerApp(mask=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await _at_the_answers(pilot, app)
        main = app.screen
        await pilot.press("p")
        await until(pilot, lambda: app.screen is not main)
        await _settle(pilot)
        lab, frames, writes = app.screen, _count_frames(monkeypatch), _count_writes(monkeypatch)
        for beneath in ("changed beneath", "changed again"):
            main.query_one("#claim", Static).update(beneath)  # the screen beneath changes as the resize comes
            app.post_message(events.Resize(app.size, app.size))
            await _settle(pilot)
            assert app.screen is lab and writes == [type(lab).__name__], writes  # one frame, of the lab
            assert frames == [1], frames  # the whole screen, in one frame
            frames.clear()
            writes.clear()


async def test_the_other_answer_is_drawn_in_one_frame_with_its_keyboard_border(monkeypatch: pytest.MonkeyPatch) -> None:
    """``a`` at 80 columns (one answer at a time): the other answer, with the keyboard's border, in one frame. The
    border followed the focus's messages, after the key's frame, and drew the panel again a frame later."""
    without_servers(monkeypatch)
    app = ExplorerApp(mask=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await _at_the_answers(pilot, app)
        writes = _count_writes(monkeypatch)
        for _ in range(3):
            shown = next(panel for panel in app.query(".response-panel") if panel.display)
            writes.clear()
            await pilot.press("a")
            await until(pilot, lambda shown=shown: not shown.display)  # type: ignore[misc]  # the loop's panel, bound
            await _settle(pilot)
            now = next(panel for panel in app.query(".response-panel") if panel.display)
            assert now.has_class("-keyboard") and not shown.has_class("-keyboard")
            assert writes == ["Screen"], writes
        # with answers whose chip and content type do not fit side by side: the other one's content type is put
        # below its chip in the same frame (a hidden panel has no width to place it by: it was placed a frame late,
        # first drawn beside the chip and wrapped, "152 bytes" alone on a line under it)
        headers = (("content-type", "application/json"),)
        for fw in ("flask", "fastapi"):
            spec = RequestSpec("GET", "/x")
            exchange = Exchange(fw, spec, status=422, reason="Unprocessable Entity", headers=headers, body=b"{}")
            app.workbench.panel(fw).answer = Answer(1, 1, "GET /x", exchange, differs=frozenset({"status", "body"}))
        await _settle(pilot)
        for _ in range(2):
            shown = next(panel for panel in app.query(".response-panel") if panel.display)
            assert shown.has_class("-meta-below")
            writes.clear()
            await pilot.press("a")
            await until(pilot, lambda shown=shown: not shown.display)  # type: ignore[misc]  # the loop's panel, bound
            await _settle(pilot)
            now = next(panel for panel in app.query(".response-panel") if panel.display)
            assert now.has_class("-meta-below") and writes == ["Screen"], writes


async def test_a_screen_opened_while_the_first_frames_steps_run_is_drawn_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """``g`` pressed while what the first frame put off is still being built (``panels/later.py``): the guide is drawn
    once. Each step went on building the main view beneath it, and each drew the guide again where the main view
    had changed (11 to 14 frames of the guide at 80x24); the steps left now wait until the main view shows again."""
    import panels.later

    without_servers(monkeypatch)
    monkeypatch.setattr(panels.later, "PAUSE", 0.15)  # steps still to run while the guide shows, however fast the CPU
    app = ExplorerApp(mask=True)
    async with app.run_test(size=(80, 24)) as pilot:
        tree = app.query_one("#sample-tree")
        await until(pilot, lambda: app.focused is tree)
        await pilot.press("escape")
        await until(pilot, lambda: app.focused is not tree)
        main = app.screen
        writes = _count_writes(monkeypatch)
        assert not settled(app)  # steps are left to run: what this test is about
        await pilot.press("g")
        await until(pilot, lambda: app.screen is not main)
        for _ in range(4):
            await _settle(pilot)
        assert [screen for screen in writes if screen != "Screen"] == ["GuideScreen"], writes  # not the frames before
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is main and settled(app))  # built once the main view shows again
