"""Keys and focus on the main view: Escape works from wherever the keyboard is, whatever hid the part it was in.

Each test drives the real app against its real servers with Pilot and checks what a user would meet:
where the keyboard is, whether the footer offers Escape, and what the next key does.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import Input

from explorer.tui.app import ExplorerApp
from panels.editor import RequestEditor
from panels.response import ResponsePanel
from tests.apptools import in_answers, leave_the_list, send_and_wait, servers_ready, until, without_servers
from tests.conftest import LiveServers
from tests.shared import shared_session


def _where(widget: Widget | None) -> str:
    return "nothing" if widget is None else f"{type(widget).__name__}#{widget.id}"


async def _escape_works_from_every_focusable_part_of_the_main_view(app: ExplorerApp, pilot: Pilot[int]) -> None:
    """Every part Tab can reach offers Escape in the footer, and Escape moves the keyboard to another part;
    so does every tab of the answer in front, reached with its number key."""
    await send_and_wait(pilot, "enter")
    stuck = []
    for part in list(app.screen.focus_chain):
        part.focus()
        await pilot.pause()
        offered = app.screen.active_bindings.get("escape")
        await pilot.press("escape")
        await pilot.pause()
        if offered is None or not offered.enabled or app.focused is None or app.focused is part:
            stuck.append(_where(part))
    for tab in "12345":
        app.workbench.focus_answers()
        await pilot.press(tab)
        await pilot.pause()
        if not in_answers(app) or "escape" not in app.screen.active_bindings:
            stuck.append(f"tab {tab}: {_where(app.focused)}")
    assert not stuck, f"Escape does nothing from {stuck}"


async def _zoomed_a_zooms_the_other_answer_and_a_tab_key_after_escape_keeps_the_keyboard_in_the_answers(
    app: ExplorerApp, pilot: Pilot[int]
) -> None:
    """80x24. z then a fills the screen with the other answer (it left a blank screen), with the
    keyboard in it; then 5, Escape (restores), Escape (back to the list): the keyboard is never lost on the way.
    Then the session flow of docs/app.md, step 1: Enter (the keyboard goes to the answers), 2, then Escape goes
    back to the list."""
    await send_and_wait(pilot, "enter")
    await pilot.press("z")
    await until(pilot, lambda: isinstance(app.screen.maximized, ResponsePanel))
    first = app.screen.maximized
    assert isinstance(first, ResponsePanel)
    await pilot.press("a")
    await until(pilot, lambda: app.screen.maximized is not first)
    zoomed = app.screen.maximized
    assert isinstance(zoomed, ResponsePanel) and zoomed is not first and zoomed.display
    assert zoomed.region.width > 0 and zoomed.region.height > 0
    assert in_answers(app) and app.focused is not None and zoomed in app.focused.ancestors_with_self
    await pilot.press("a", "5")
    await until(pilot, lambda: app.screen.maximized is first and in_answers(app), why=lambda: _where(app.focused))
    await pilot.press("escape")
    await until(pilot, lambda: app.screen.maximized is None and in_answers(app), why=lambda: _where(app.focused))
    await pilot.press("escape")
    await until(pilot, lambda: app.focused is app.query_one("#sample-tree"), timeout=2)
    await send_and_wait(pilot, "enter")
    await pilot.press("2")
    await until(pilot, lambda: in_answers(app), why=lambda: f"the keyboard went to {_where(app.focused)}")
    assert "escape" in app.screen.active_bindings
    await pilot.press("a", "5")  # the other answer, then its Log tab: still in the answers
    await until(pilot, lambda: in_answers(app), why=lambda: f"the keyboard went to {_where(app.focused)}")
    await pilot.press("escape")
    await until(pilot, lambda: app.focused is app.query_one("#sample-tree"))
    await pilot.press(*"crash")  # typed on the list: the filter, never Parity's c
    await until(
        pilot, lambda: app.screen is app.screen_stack[0] and app.query_one("#sample-filter", Input).value == "crash"
    )


async def _other_answer_is_offered_only_where_one_answer_hides_the_other(app: ExplorerApp, pilot: Pilot[int]) -> None:
    """At 160 columns both answers show, so ``a`` is neither in the footer nor in f1's keys; zoomed, it is."""
    from explorer.tui.keys import screen_keys

    await send_and_wait(pilot, "enter")  # the keyboard goes to the answers
    await until(pilot, lambda: in_answers(app))
    assert not any(what.startswith("Show the other answer") for _, what in screen_keys(app.screen))
    await pilot.press("z")
    await until(pilot, lambda: any(what.startswith("Show the other answer") for _, what in screen_keys(app.screen)))


async def _enter_in_the_filter_box_sends_the_match_under_the_cursor(app: ExplorerApp, pilot: Pilot[int]) -> None:
    """``/``, a few letters, Enter: the first match is sent at once (a second Enter used to be needed)."""
    await leave_the_list(pilot)
    await pilot.press("slash", *"unhandled exception")  # from the answers, / opens the filter box
    await until(pilot, lambda: app.focused is app.query_one("#sample-filter"))
    await send_and_wait(pilot, "enter")
    assert app.sample is not None and app.sample.request.path == "/errors/crash"
    assert app.last and all(x.spec.path == "/errors/crash" for x in app.last.values())
    assert in_answers(app), _where(app.focused)  # as Enter on the list: where the tab keys work


async def _on_the_list(pilot: Pilot[int], size: tuple[int, int]) -> None:
    """The main view at ``size``, nothing zoomed, every filter empty, the answers on their first tab and the keyboard
    on the list: where each part below starts, as it did in an app of its own."""
    from textual.widgets import TabbedContent

    app = pilot.app
    assert isinstance(app, ExplorerApp)
    await pilot.resize_terminal(*size)
    if app.screen.maximized is not None:
        app.screen.minimize()
    app.query_one("#sample-filter", Input).value = ""
    app.workbench.focus_answers()
    await pilot.press("1")
    tabs = [app.query_one(f"#tabs-{fw}", TabbedContent) for fw in ("flask", "fastapi")]
    tree = app.query_one("#sample-tree")
    await until(
        pilot, lambda: [t.active for t in tabs] == ["body-flask", "body-fastapi"], why=lambda: [t.active for t in tabs]
    )
    tree.focus()
    await until(
        pilot,
        lambda: app.focused is tree and app.screen.maximized is None and app.screen.outer_size == size,
        why=lambda: (_where(app.focused), app.screen.maximized, app.screen.outer_size),
    )


async def test_escape_zoom_and_the_filter_move_the_keyboard_where_the_user_expects(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, live: LiveServers
) -> None:
    """One app with its servers runs each part in turn, each from the list at its own size (an app start with
    both servers is most of a part's CPU)."""
    monkeypatch.chdir(tmp_path)
    app = ExplorerApp(session=shared_session(live))
    async with app.run_test(size=(160, 40)) as pilot:
        await servers_ready(pilot)
        for size, part in (
            ((160, 40), _other_answer_is_offered_only_where_one_answer_hides_the_other),
            ((80, 24), _escape_works_from_every_focusable_part_of_the_main_view),
            ((80, 24), _zoomed_a_zooms_the_other_answer_and_a_tab_key_after_escape_keeps_the_keyboard_in_the_answers),
            ((120, 30), _enter_in_the_filter_box_sends_the_match_under_the_cursor),
        ):
            await _on_the_list(pilot, size)
            await part(app, pilot)


async def test_the_palette_shows_each_action_with_its_key_after_the_keymap(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ctrl+p lists every main-view action with its key, read from the keymap in force (send remapped here)."""
    from textual.command import CommandList

    monkeypatch.chdir(tmp_path)
    without_servers(monkeypatch)
    app = ExplorerApp(keymap={"send": "ctrl+t"})
    async with app.run_test(size=(120, 30)) as pilot:
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "Send (^t)" in titles and "Table (t)" in titles and "Hide list (^b)" in titles
        assert "Clear cookies (k)" in titles and "Headers tab (2)" in titles
        await pilot.press("ctrl+p", *"Send")
        await until(pilot, lambda: bool(app.screen.query(CommandList)))  # the palette is open
        options = app.screen.query_one(CommandList)
        await until(pilot, lambda: any("Send (^t)" in str(o.prompt) for o in options._options), timeout=5)


async def test_each_screen_is_found_in_the_palette_by_the_name_the_app_uses_for_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The first screen and f1 call the "Which first?" screen the guide; typing "guide" in ctrl+p found nothing."""
    from textual.command import CommandList
    from textual.fuzzy import Matcher

    from explorer.tui.keys import SCREENS, key_for

    without_servers(monkeypatch)
    app = ExplorerApp()
    async with app.run_test(size=(120, 30)) as pilot:
        commands = list(app.get_system_commands(app.screen))
        for name in SCREENS:  # the names f1 and the first screen use
            binding = key_for(name, {})
            assert binding is not None
            entry = next(c for c in commands if c.help == binding.tooltip)
            assert Matcher(name).match(entry.title) > 0 and name in entry.title.lower(), (name, entry.title)
        await pilot.press("ctrl+p", *"guide")
        await until(pilot, lambda: bool(app.screen.query(CommandList)))
        options = app.screen.query_one(CommandList)
        await until(pilot, lambda: any("Guide: Which first? (g)" in str(o.prompt) for o in options._options), timeout=5)


async def test_the_lab_help_names_the_way_to_its_results_and_a_stopped_run_reads_as_stopped() -> None:
    """f1 says how the results table gets the keyboard; after a stop no live line reads as if the run went on."""
    from textual.widgets import DataTable, Input, ProgressBar, Static

    from explorer.bench.levels import BenchEvent
    from tests.test_truth import LabOnly, LabScreen, fake_result

    app = LabOnly()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        assert isinstance(screen, LabScreen)
        screen.query_one("#lab-duration", Input).value = "0.5"
        assert "Escape from a field hands the keyboard to the lab itself" in screen.HELP
        screen.query_one("#lab-levels").focus()
        await pilot.press("escape")
        # as the help says: the whole lab scrolls from there
        await until(pilot, lambda: app.focused is screen.query_one("#lab-scroll"))
        while not isinstance(app.focused, DataTable):  # and Tab reaches the results table
            await pilot.press("tab")
        screen.action_run()  # nobody runs it here: the screen only draws
        result = fake_result("flask", 10, 170.0)
        screen.on_bench_event(BenchEvent("run", 0, 4, target=result.target, concurrency=10, fraction=0.23))
        assert "starting" in str(screen.query_one("#lab-live", Static).render())
        screen.show_report(None)  # what the controller hands down after ctrl+x
        await pilot.pause()
        live = str(screen.query_one("#lab-live", Static).render())
        assert "starting" not in live and "Stopped at 23% of the experiment" in live
        assert not screen.query_one("#lab-progress", ProgressBar).display
        screen.action_run()
        assert screen.query_one("#lab-progress", ProgressBar).display


async def _tab_keys_typed_in_one_burst_leave_both_answers_on_the_last_tab(app: ExplorerApp, pilot: Pilot[int]) -> None:
    """Keys the terminal hands over at once (a fast typist, a paste) are each run before Textual sets the focus
    the one before asked for: that late focus, in a pane hidden since, showed that pane again in the answer that
    had the keyboard (tmux: 2 3 4 5 1 3 left Flask on Body, FastAPI on Validation)."""
    from textual import events
    from textual.widgets import TabbedContent

    await leave_the_list(pilot)
    await until(pilot, lambda: in_answers(app), why=lambda: _where(app.focused))
    for key in "234513":
        app.post_message(events.Key(key, key))  # as the driver posts them: no wait between keys
    tabs = [app.query_one(f"#tabs-{fw}", TabbedContent) for fw in ("flask", "fastapi")]
    await until(pilot, lambda: [t.active for t in tabs] == ["validation-flask", "validation-fastapi"])
    for _ in range(5):
        await pilot.pause()
    assert [t.active for t in tabs] == ["validation-flask", "validation-fastapi"]
    focused = app.focused
    assert focused is not None and "validation-flask" in [n.id for n in focused.ancestors], _where(focused)


async def _the_websocket_fields_run_backspace_in_turn_with_the_characters(app: ExplorerApp, pilot: Pilot[int]) -> None:
    """Typed fast, "a b x y, 3 Backspaces, q" is "aq" in the WebSocket screen's fields as in every other field
    (docs/app.md, Keys); they were Textual's Input, which put the q in first and then deleted it: "ab"."""
    from textual import events

    await leave_the_list(pilot)
    await pilot.press("w")
    await until(pilot, lambda: app.screen.query("#ws-text").first(Input) is app.focused)

    async def typed_fast(field: str) -> str:
        box = app.screen.query_one(field, Input)
        box.focus()
        box.value = ""
        await until(pilot, lambda: app.focused is box)
        for key in ["a", "b", "x", "y", "backspace", "backspace", "backspace", "q"]:
            app.post_message(events.Key(key, key if len(key) == 1 else None))  # as the driver posts them
        for _ in range(5):
            await pilot.pause()  # every key run
        return box.value

    assert [await typed_fast("#ws-text"), await typed_fast("#ws-path")] == ["aq", "aq"]


async def test_keys_typed_in_one_burst_each_run_in_turn(monkeypatch: pytest.MonkeyPatch) -> None:
    """One app without servers: Enter and a digit on the new app's list, the tab keys (160x48), then the WebSocket
    screen's fields (80x24); each later part starts from the list (``_on_the_list``)."""
    from textual import events

    without_servers(monkeypatch)
    app = ExplorerApp(mask=True)
    async with app.run_test(size=(160, 48)) as pilot:
        # Enter and a digit in one burst: Enter sends the sample the cursor is on; the digit was typed into the
        # filter first (Tree runs Enter once the key has gone up to the screen) and the filter's first match was sent.
        tree = app.query_one("#sample-tree")
        await until(pilot, lambda: app.focused is tree)
        editor = app.query_one(RequestEditor)  # read whether its real fields or its first frame's stand-in hold it
        for key, char in (("enter", None), ("3", "3")):
            app.post_message(events.Key(key, char))  # as the driver posts them: no wait between keys
        await until(pilot, lambda: editor.read()[0].path != "/items/1" or in_answers(app))
        for _ in range(5):
            await pilot.pause()
        assert (editor.read()[0].method, editor.read()[0].path) == ("GET", "/items/1")

        await _on_the_list(pilot, (160, 48))
        await _tab_keys_typed_in_one_burst_leave_both_answers_on_the_last_tab(app, pilot)
        await _on_the_list(pilot, (80, 24))
        await _the_websocket_fields_run_backspace_in_turn_with_the_characters(app, pilot)
