"""Stand-ins in the first frame (issue 24: the first paint, ``panels/stand_in.py``): each answer's chip, times and
reason, each answer's body and the request editor are one widget each until the first frame is drawn, drawn cell for
cell as the real ones, which follow in one frame; whatever needs them sooner (an answer, a tab key, the keyboard or a
send in the editor) builds them at once."""

from __future__ import annotations

import asyncio
from itertools import repeat
from typing import Any

import pytest
from rich.style import Style
from textual import events
from textual.app import App
from textual.geometry import Offset
from textual.screen import Screen
from textual.widgets import Footer, Static, Tab, TabbedContent, TextArea

import panels.editor
from explorer.tui.app import ExplorerApp
from explorer.tui.workbench import Workbench
from panels.answer_head import AnswerHead
from panels.body_view import BodyBlank
from panels.editor import RequestEditor
from panels.editor_blank import EditorBlank
from panels.later import settled
from panels.response import ResponsePanel
from panels.tab_row import TabRow
from panels.text_areas import BodyText
from tests.apptools import SIZES, at_each_size, at_first_frame, until, without_servers

pytestmark = pytest.mark.serverless

THEMES = ("textual-dark", "textual-light")
Cell = tuple[str, tuple[str, ...] | None]


def cells(app: App[Any]) -> list[list[Cell]]:
    """The screen as drawn: each line's cells, a character and what it looks like (the mouse's metadata left out:
    a stand-in's cells carry offsets into it, not into the widget drawn there later). A style's look is worked out
    once a picture (a frame holds a few dozen styles over thousands of cells)."""
    looks: dict[Style | None, tuple[str, ...] | None] = {None: None}
    lines = []
    for strip in app.screen._compositor.render_strips():
        line: list[Cell] = []
        for segment in strip:
            style = segment.style
            look = looks.get(style, _UNSEEN)
            if look is _UNSEEN:
                assert style is not None
                look = looks[style] = tuple(
                    map(str, (style.color, style.bgcolor, style._attributes, style._set_attributes))
                )
            line.extend(zip(segment.text, repeat(look)))
        lines.append(line)
    return lines


_UNSEEN: Any = object()


@pytest.mark.parametrize("theme", THEMES)
async def test_the_stand_ins_draw_what_the_real_widgets_draw(monkeypatch: pytest.MonkeyPatch, theme: str) -> None:
    """The screen with every stand-in kept is the screen with the real widgets, cell for cell, at every size class and
    in both themes (one app a theme, each started at a size the other reaches by a resize: the stand-ins drawn at each
    size, then the real widgets let in and drawn at each)."""
    without_servers(monkeypatch)
    monkeypatch.setattr(ResponsePanel, "_build_later", lambda self: None)  # what builds the real ones after the frame
    monkeypatch.setattr(panels.editor, "later", lambda widget, step: None)  # the editor's too
    sizes = SIZES if theme == THEMES[0] else SIZES[::-1]
    app = ExplorerApp(mask=True)
    async with app.run_test(size=sizes[0]) as pilot:

        async def picture() -> list[list[Cell]]:
            for _ in range(3):
                await pilot.pause()
                await pilot.wait_for_scheduled_animations()
            return cells(app)

        await until(pilot, lambda: len(app.query(Footer).first().children) > 3)
        app.theme = theme
        stand_in = await at_each_size(pilot, sizes, picture)
        assert len(app.query(AnswerHead)) == 2 and len(app.query(BodyBlank)) == 2 and len(app.query(EditorBlank)) == 1
        assert not app.query(".chip") and not app.query(TextArea) and not app.query("#path")
        for panel in app.query(ResponsePanel):
            panel._fill_tabs()
        app.query_one(RequestEditor).build()
        await until(pilot, lambda: not app.query(AnswerHead) and not app.query(BodyBlank) and len(app.query(Tab)) == 10)
        await until(pilot, lambda: not app.query(EditorBlank) and len(app.query("#request-parts TextArea")) == 2)
        await until(pilot, lambda: not app.query(TabRow))
        real = await at_each_size(pilot, sizes[::-1], picture)
    for size in sizes:
        text = ["".join(ch for ch, _ in line) for line in stand_in[size]]
        assert any(" — " in line for line in text) and any("answer" in line for line in text)
        assert any("/items/1" in line and "Send ^r" in line for line in text)
        assert any("Header: value" in line and "Body (JSON)" in line for line in text)
        assert stand_in[size] == real[size], size


async def test_the_first_frame_has_the_stand_ins_and_the_real_widgets_follow(monkeypatch: pytest.MonkeyPatch) -> None:
    without_servers(monkeypatch)
    seen = at_first_frame(monkeypatch, lambda screen: (len(screen.query(AnswerHead)), len(screen.query(".chip"))))
    app = ExplorerApp(mask=True)
    async with app.run_test(size=(160, 48)) as pilot:
        await until(pilot, lambda: bool(seen))
        assert seen == [(2, 0)]
        await until(pilot, lambda: not app.query(AnswerHead) and len(app.query(".chip")) == 2)
        assert str(app.query_one("#chip-flask", Static).content).strip() == "—"


@pytest.mark.parametrize("size", [(160, 48), (80, 24)], ids=["160x48", "80x24"])
async def test_no_frame_at_the_swap_draws_an_answer_otherwise(
    monkeypatch: pytest.MonkeyPatch, size: tuple[int, int]
) -> None:
    """From the first frame until the real widgets are in, every frame draws each answer (chip, times, reason, tab
    row, body) and the request editor as the first did: the real widgets are shown in the layout that hides the
    stand-in."""
    without_servers(monkeypatch)
    frames: list[list[list[Cell]]] = []
    textual_display = App._display

    def display(app: App[Any], screen: Screen[Any], renderable: Any) -> None:
        textual_display(app, screen, renderable)
        if renderable is not None and screen is app.screen_stack[0]:
            frames.append(cells(app))

    monkeypatch.setattr(App, "_display", display)
    app = ExplorerApp(mask=True)
    async with app.run_test(size=size) as pilot:
        await until(pilot, lambda: not app.query(AnswerHead) and not app.query(BodyBlank) and not app.query(TabRow))
        await until(pilot, lambda: not app.query(EditorBlank) and settled(app))
        for _ in range(4):
            await pilot.pause()
        heads = [panel.content_region for panel in app.query(ResponsePanel) if panel.region.width]
        editor = app.query_one(RequestEditor).region
    assert len(frames) > 2 and heads
    drawn = [line[editor.x : editor.right] for line in frames[0][editor.y : editor.bottom]]
    assert "/items/1" in "".join(ch for ch, _ in drawn[1 if size[1] > 40 else 0])
    for number, lines in enumerate(frames):
        assert [line[editor.x : editor.right] for line in lines[editor.y : editor.bottom]] == drawn, number
    for head in heads:
        first = [line[head.x : head.right] for line in frames[0][head.y : head.bottom]]
        assert "—" in "".join(ch for ch, _ in first[0]) and "answer" in "".join(ch for line in first for ch, _ in line)
        for number, lines in enumerate(frames):
            assert [line[head.x : head.right] for line in lines[head.y : head.bottom]] == first, number


async def test_keys_typed_before_the_real_widgets_are_in_act_on_them(monkeypatch: pytest.MonkeyPatch) -> None:
    """The keyboard sent to an answer before its real widgets are in lands in its body's text, shown at once, and
    a tab key there shows that tab, as on the real widgets."""
    without_servers(monkeypatch)
    monkeypatch.setattr(ResponsePanel, "_build_later", lambda self: None)  # what builds the real ones after the frame
    app = ExplorerApp(mask=True)
    async with app.run_test(size=(160, 48)) as pilot:
        await until(pilot, lambda: len(app.query(BodyBlank)) == 2)
        app.workbench.focus_answers()
        await until(  # the next layout gives it its place (``until`` lets the app run without drawing a frame)
            pilot,
            lambda: isinstance(app.focused, BodyText) and app.focused.display and app.focused.region.height > 10,
            why=lambda: (app.focused, app.focused and app.focused.region),
        )
        assert not app.query_one("#panel-flask").query(BodyBlank) and not app.query_one("#panel-flask").query(
            AnswerHead
        )
        await pilot.press("2")
        tabs = app.query_one("#tabs-flask", TabbedContent)
        await until(pilot, lambda: tabs.active == "headers-flask", why=lambda: tabs.active)
        await until(pilot, lambda: app.query_one("#headertable-flask").display)


async def test_escape_then_a_tab_key_typed_at_once_after_the_first_frame_act(monkeypatch: pytest.MonkeyPatch) -> None:
    """Escape on the list sends the keyboard to the answer (its body's text, built and shown at once) and the
    key after it, typed with no pause, shows its tab: as on the real widgets."""
    without_servers(monkeypatch)
    monkeypatch.setattr(ResponsePanel, "_build_later", lambda self: None)  # what builds the real ones after the frame
    app = ExplorerApp(mask=True)
    async with app.run_test(size=(160, 48)) as pilot:
        await until(pilot, lambda: len(app.query(BodyBlank)) == 2)
        await pilot.press("escape", "3")
        tabs = app.query_one("#tabs-flask", TabbedContent)
        await until(pilot, lambda: tabs.active == "validation-flask", why=lambda: tabs.active)
        focused = app.focused
        assert focused is not None and app.query_one("#validation-flask") in focused.ancestors_with_self
        assert not app.query_one("#panel-flask").query(BodyBlank)


Typed = tuple[str, tuple[str, str, str, str, str], bool, list[tuple[str, int]]]


async def _typed(monkeypatch: pytest.MonkeyPatch, keys: list[str], stand_in: bool, size: tuple[int, int]) -> Typed:
    """Post ``keys`` to a new app in one burst, as the driver does (a ``paste:`` one is a paste), once the keyboard is
    on the list: with the editor's stand-in kept until a key needs the real widgets (``stand_in``), or once they are
    in. Returns where the keyboard ends, the editor's fields, whether it is unfolded and what was sent."""
    without_servers(monkeypatch)
    sent: list[tuple[str, int]] = []
    monkeypatch.setattr(
        Workbench, "send_request", lambda self, spec, fws, burst, number: sent.append((spec.line, burst))
    )
    if stand_in:
        monkeypatch.setattr(panels.editor, "later", lambda widget, step: None)  # built only when a key needs it
    app = ExplorerApp(mask=True)
    async with app.run_test(size=size) as pilot:
        tree = app.query_one("#sample-tree")
        await until(pilot, lambda: app.focused is tree and settled(app) and bool(app.query(EditorBlank)) == stand_in)
        for key in keys:
            text = key.removeprefix("paste:")
            event = events.Paste(text) if text != key else events.Key(key, key if len(key) == 1 else None)
            app.post_message(event)
        await until(pilot, lambda: app.focused is not tree or bool(sent))
        for _ in range(6):
            await pilot.pause()
        editor = app.query_one(RequestEditor)
        focused = app.focused
        return (
            focused.id or type(focused).__name__ if focused else "",
            editor._fields(),
            editor.has_class("-editing"),
            sent,
        )


@pytest.mark.parametrize(
    ("keys", "size"),
    [
        (["tab", "x", "tab", "a", "b", "backspace", "c", "tab", "7", "ctrl+r"], (160, 48)),  # the path, the burst
        (["tab", "tab", "paste:/items/2?q=pen", "tab", "tab", "tab", "paste:X-A: 1", "ctrl+r"], (80, 24)),  # unfolded
        (["ctrl+r"], (160, 48)),  # sent from the list, the stand-in's request
        (["ctrl+b", "escape", "z", "ctrl+r"], (80, 24)),  # the list hidden: Escape in the answers goes to the path
        (["escape", "shift+tab", "shift+tab", "q", "r"], (160, 48)),  # into the body from below
    ],
    ids=["tab-path-burst", "paste-headers-80x24", "send", "hidden-list-escape", "from-below"],
)
async def test_keys_typed_at_once_into_the_editors_stand_in_act_as_on_the_real_widgets(
    monkeypatch: pytest.MonkeyPatch, keys: list[str], size: tuple[int, int]
) -> None:
    """Keys typed at full speed as the first frame appears, while the editor is still its stand-in: the keyboard goes
    into the real widgets (built at once as it arrives) and every key after it lands there, as on an app whose real
    widgets were in before the first key: same field, same text, same fold, same request sent."""
    real = await _typed(monkeypatch, keys, stand_in=False, size=size)
    with pytest.MonkeyPatch.context() as patched:
        typed = await _typed(patched, keys, stand_in=True, size=size)
    assert typed == real
    assert real[1] != ("GET", "/items/1", "", "", "1") or real[3], real  # the keys changed something


@pytest.mark.parametrize("part", ["path", "burst", "body-editor"])
async def test_a_click_on_the_editors_stand_in_puts_the_keyboard_in_the_widget_clicked(
    monkeypatch: pytest.MonkeyPatch, part: str
) -> None:
    """A click on the stand-in builds the real widgets at once and puts the keyboard in the one drawn where the click
    landed (its region, once laid out, holds the click), where a plain focus would have put it in the first one."""
    without_servers(monkeypatch)
    monkeypatch.setattr(panels.editor, "later", lambda widget, step: None)  # built only when something needs it
    app = ExplorerApp(mask=True)
    async with app.run_test(size=(160, 48)) as pilot:
        blank = app.query_one(EditorBlank)
        await until(pilot, lambda: app.focused is app.query_one("#sample-tree") and settled(app))
        where = _inside(blank, part)
        await pilot.click(offset=where)
        await until(pilot, lambda: app.focused is not None and app.focused.id == part, why=lambda: app.focused)
        await until(
            pilot, lambda: not app.query(EditorBlank) and app.focused is not None and app.focused.region.area > 0
        )
        assert app.focused is not None and app.focused.region.contains_point(Offset(*where))


def _inside(blank: EditorBlank, part: str) -> tuple[int, int]:
    """A cell of the stand-in's ``part`` (as it draws it) two cells in from its left edge: a click well inside it."""
    region = blank.region
    return next(
        (x, y)
        for y in range(region.y, region.bottom)
        for x in range(region.x + 2, region.right)
        if blank.part_at(Offset(x, y)) == part and blank.part_at(Offset(x - 2, y)) == part
    )


async def _terminal_click(app: ExplorerApp, where: tuple[int, int]) -> None:
    """A click as a terminal's driver hands it over: a press and a release posted to the app, from which the app
    makes the Click only when both landed on the same widget (``pilot.click`` forwards a Click itself, to whatever
    is under the mouse by then: the real widget swapped in at the press, so it passed where a user's click did not)."""
    x, y = where
    for kind in (events.MouseDown, events.MouseUp):
        app.post_message(kind(None, x, y, 0, 0, 1, False, False, False, screen_x=x, screen_y=y))
        await asyncio.sleep(0)


@pytest.mark.parametrize("part", ["send", "method"])
async def test_a_click_on_send_or_the_picker_in_the_editors_stand_in_sends_or_opens_it(
    monkeypatch: pytest.MonkeyPatch, part: str
) -> None:
    """A click on the Send button or the method picker as the stand-in draws them (the first frame) does what it does
    on the real widget: Send sends, the picker opens. Before, either only took the keyboard (the press landed on the
    stand-in, the release on the real widget: no Click)."""
    from textual.widgets import Select

    without_servers(monkeypatch)
    monkeypatch.setattr(panels.editor, "later", lambda widget, step: None)  # built only when something needs it
    app = ExplorerApp(mask=True)
    async with app.run_test(size=(160, 48)) as pilot:
        blank = app.query_one(EditorBlank)
        await until(pilot, lambda: app.focused is app.query_one("#sample-tree") and settled(app))
        where = _inside(blank, part)
        workbench = app.query_one(Workbench)
        assert workbench.sends == 0
        await _terminal_click(app, where)
        await until(pilot, lambda: not app.query(EditorBlank) and settled(app))
        if part == "send":
            await until(pilot, lambda: workbench.sends == 1, why=lambda: workbench.sends)
        else:
            picker = app.query_one("#method", Select)
            await until(pilot, lambda: picker.expanded, why=lambda: app.focused)
            assert workbench.sends == 0
