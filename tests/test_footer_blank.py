"""The main view's footer in the first frame (issue 24: the first paint, ``panels/footer_blank.py``): one widget draws
the row of keys, cell for cell as Textual's key widgets do, and they take its place just after that frame; a click on
a key before then presses it."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from textual.widgets._footer import FooterKey  # Footer's own key widget, not re-exported by textual.widgets

import panels.footer
from explorer.tui.app import ExplorerApp
from panels.footer import FittedFooter
from panels.footer_blank import FooterBlank
from tests.apptools import at_first_frame, until, without_servers
from tests.test_stand_ins import THEMES, Cell, cells

pytestmark = pytest.mark.serverless


@pytest.mark.parametrize("size", [(160, 48), (120, 30), (80, 24)], ids=["160x48", "120x30", "80x24"])
async def test_the_blank_draws_the_footers_keys_cell_for_cell(
    monkeypatch: pytest.MonkeyPatch, size: tuple[int, int]
) -> None:
    without_servers(monkeypatch)
    steps: list[Callable[[], object]] = []
    monkeypatch.setattr(panels.footer, "later", lambda widget, step: steps.append(step))  # the swap held back
    app = ExplorerApp(mask=True)
    async with app.run_test(size=size) as pilot:

        async def row(theme: str) -> list[Cell]:
            app.theme = theme
            for _ in range(3):
                await pilot.pause()
            return cells(app)[-1]

        await until(pilot, lambda: bool(app.query(FooterBlank)))
        blank = {theme: await row(theme) for theme in THEMES}
        assert not app.query(FooterKey)
        assert len(steps) == 1
        steps[0]()
        await until(pilot, lambda: not app.query(FooterBlank) and len(app.query(FooterKey)) > 3)
        real = {theme: await row(theme) for theme in THEMES[::-1]}  # the theme it is in first: one change less
    for theme in THEMES:
        text = "".join(character for character, _ in blank[theme])
        assert "Quit" in text and "palette" in text, text
        assert blank[theme] == real[theme], theme


async def test_the_first_frame_has_the_blank_and_the_keys_follow(monkeypatch: pytest.MonkeyPatch) -> None:
    without_servers(monkeypatch)
    seen = at_first_frame(monkeypatch, lambda screen: (len(screen.query(FooterBlank)), len(screen.query(FooterKey))))
    app = ExplorerApp(mask=True)
    async with app.run_test(size=(160, 48)) as pilot:
        await until(pilot, lambda: bool(seen))
        assert seen == [(1, 0)]
        await until(pilot, lambda: not app.query(FooterBlank) and len(app.query(FooterKey)) > 3)
        keys = [key.description for key in app.query_one(FittedFooter).query(FooterKey) if key.display]
        assert "Quit" in keys and "Hide list" in keys


async def test_a_click_on_a_key_of_the_blank_presses_it(monkeypatch: pytest.MonkeyPatch) -> None:
    without_servers(monkeypatch)
    monkeypatch.setattr(panels.footer, "later", lambda widget, step: None)  # the blank stays
    app = ExplorerApp(mask=True)
    async with app.run_test(size=(160, 48)) as pilot:
        await until(pilot, lambda: bool(app.query(FooterBlank)))
        for _ in range(3):
            await pilot.pause()
        text = "".join(character for character, _ in cells(app)[-1])
        assert app.query_one("#samples").display and not app.query(FooterKey)  # only the blank to click
        await pilot.click(FooterBlank, offset=(text.index("Hide list") + 2, 0))
        await until(pilot, lambda: not app.query_one("#samples").display)
