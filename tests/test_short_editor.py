"""The first screen at 80x24: the folded headers line shows the first header, not a scroll bar drawn over it;
a paste on the list filters it, as typed letters do."""

from __future__ import annotations

import pytest
from textual.widgets import TextArea

from explorer.tui.app import ExplorerApp
from panels.editor import RequestEditor
from tests.apptools import catalog_sample, until, without_servers


@pytest.mark.parametrize("size", [(80, 24), (120, 30)])
async def test_the_folded_headers_line_shows_the_first_header(
    size: tuple[int, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A header wider than the folded field (a CORS preflight's Origin) drew TextArea's horizontal scroll bar on
    its only line: the field read blank, as if the sample sent no header."""
    without_servers(monkeypatch)
    app = ExplorerApp()
    async with app.run_test(size=size) as pilot:
        app.query_one(RequestEditor).load(catalog_sample("cors-preflight-put").request)
        headers = app.query_one("#headers-editor", TextArea)

        def shown() -> str:  # the line as drawn, the scroll bars included
            region = headers.region
            line = app.screen._compositor.render_strips()[region.y].text
            return line[region.x : region.right]

        await until(pilot, lambda: headers.size.height == 1 and headers.virtual_size.width > headers.size.width)
        await pilot.pause()  # the frame drawn after that layout
        assert "Origin: https" in shown(), shown()


async def test_a_paste_on_the_list_goes_to_its_filter(monkeypatch: pytest.MonkeyPatch) -> None:
    """The keyboard starts on the list, where typed letters filter it; a paste there was dropped without a word."""
    from textual import events
    from textual.widgets import Input, Tree

    without_servers(monkeypatch)
    app = ExplorerApp()
    async with app.run_test(size=(80, 24)) as pilot:
        tree = app.query_one("#sample-tree", Tree)
        box = app.query_one("#sample-filter", Input)
        await until(pilot, lambda: app.focused is tree)
        tree.post_message(events.Paste("deci\x1bmal\nsecond line"))
        await until(pilot, lambda: box.value == "decimal", why=lambda: box.value)
        assert app.focused is tree and "/items/1.5" in str(app.query_one("#sample-claim").render())
