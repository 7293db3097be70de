"""What the screens, keys, help texts and docs say is what the app does.

The checks that need no servers come first (the catalog's ranking, counted texts, the lab's refusals
in a bare app); one Pilot run of the real app against real servers then walks the docs outline, the
help of the list and of the sockets screen, the palette on another screen and a remapped key.
"""

from __future__ import annotations

import re
from pathlib import Path

from textual.app import App, ComposeResult
from textual.command import CommandPalette
from textual.widgets import Button, DataTable, Input, Static, Tree
from textual_plotext import PlotextPlot

from explorer.apps.bundled import demo_spec
from explorer.bench.loadgen import LoadResult
from explorer.bench.results import LevelResult
from explorer.bench.scenarios import SCENARIOS
from explorer.bench.stats import LatencySummary
from explorer.content.catalog import SAMPLES, TOPICS, matching
from explorer.content.comparison import MEASURED_ROWS, ROWS, Measurements
from explorer.tui.app import ExplorerApp
from explorer.tui.keys import keymap_clashes, screen_commands
from explorer.tui.screens.docs import DocsScreen
from explorer.tui.screens.help import HelpScreen
from explorer.tui.screens.lab import LabScreen
from explorer.tui.screens.sockets import SocketsScreen
from explorer.tui.screens.table import TableScreen
from tests.apptools import leave_the_list, screen_text, servers_ready, until
from tests.conftest import LiveServers
from tests.shared import shared_session

ROOT = Path(__file__).resolve().parent.parent
OVERVIEW, APP_PAGE, RELIABILITY = (
    (ROOT / "docs" / page).read_text(encoding="utf-8") for page in ("index.md", "app.md", "reliability.md")
)
EVERY_PAGE = "\n".join(p.read_text(encoding="utf-8") for p in [ROOT / "README.md", *(ROOT / "docs").glob("*.md")])
NUMBERS = {"twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17}


# ------------------------------------------------------------------ the filter
def test_an_exact_title_typed_into_the_filter_finds_that_sample_first() -> None:
    wrong = [(s.title, matching(s.title)[0].title) for s in SAMPLES if matching(s.title)[0] is not s]
    assert wrong == []
    assert matching("with the token")[0].title == "The protected route with the token"
    assert matching("a cors preflight for")[0].title.startswith("A CORS preflight for")  # a prefix beats the rest
    assert [s.topic for s in matching("")] == sorted((s.topic for s in SAMPLES), key=list(TOPICS).index)


# ------------------------------------------------------------ counted, not said
def test_help_and_docs_counts_come_from_the_data() -> None:
    assert TableScreen.HELP.startswith(f"{len(ROWS)} dimensions")
    assert f"holds {len(SAMPLES)} requests" in OVERVIEW
    counts = [int(n) for n in re.findall(r"each of the (\d+)", RELIABILITY)]
    assert counts and set(counts) == {len(SAMPLES)}
    said = re.search(r"comparison table: (\w+) dimensions", APP_PAGE)
    assert said is not None and NUMBERS[said.group(1)] == len(ROWS)
    assert "roughly twice" not in EVERY_PAGE and "last row" not in EVERY_PAGE
    for topic in ("streaming", "WebSockets"):
        assert topic in APP_PAGE.split("- Left: the sample catalog grouped by topic")[1].split(")")[0]


def test_the_latency_row_says_what_its_own_figures_show() -> None:
    latency = next(r for r in MEASURED_ROWS if r.key == "latency")
    assert "double" not in latency.explanation
    measured = Measurements(latency_ms={"flask": 0.9, "fastapi": 0.5}, spaced_ms={"flask": 1.6, "fastapi": 0.52})
    words = measured.spacing_effect()
    assert "Flask 0.90 ms back to back, 1.60 ms one at a time (1.8 times as long)" in words
    assert "FastAPI 0.50 ms back to back, 0.52 ms one at a time (about as long)" in words
    assert "measured" in Measurements().spacing_effect()


def test_a_keymap_clash_names_the_key_and_both_actions() -> None:
    assert keymap_clashes({"send": "ctrl+s"}) == [
        "keymap: ctrl+s is given to send, so export loses it (it now has no key: give it another in the keymap file)"
    ]
    assert keymap_clashes({"send": "ctrl+s", "export": "ctrl+e"}) == []
    assert keymap_clashes({}) == []  # Escape on the list is shared by design, not a clash


def test_every_screen_has_a_title_of_its_own_for_help() -> None:
    for screen in (SocketsScreen, DocsScreen, TableScreen, LabScreen):
        assert screen.HELP_TITLE and "Screen" not in screen.HELP_TITLE and screen.HELP


# ---------------------------------------------------------------------- the lab
def fake_result(key: str, concurrency: int, rps: float) -> LevelResult:
    target = next(t for t in SCENARIOS["io"].targets if t.key == key)
    latency = LatencySummary(int(rps), 50.0, 51.0, 52.0, 53.0, 50.5)
    load = LoadResult("builtin", concurrency, 3.0, int(rps * 3), rps, latency, {}, 0.1, 0.03, 0.05, False)
    return LevelResult(target, demo_spec(target.framework, "gunicorn"), load, None)


class LabOnly(App[None]):
    """The lab's screen alone: what it draws and refuses needs no server."""

    def compose(self) -> ComposeResult:
        yield Static()

    def on_mount(self) -> None:
        self.push_screen(LabScreen(["builtin"], keys={"lab.run": "^e"}))


async def test_the_lab_refuses_an_emptied_field_aloud_and_marks_a_stopped_runs_plots() -> None:
    app = LabOnly()
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        screen = app.screen
        assert isinstance(screen, LabScreen)
        assert str(screen.query_one("#lab-run", Button).label) == "Run ^e"
        for field, name in (("#lab-duration", "duration"), ("#lab-warmup", "warm-up")):
            screen.query_one(field, Input).value = ""
            await pilot.press("ctrl+r")
            expected = f"Not run: the {name} is empty: give a number of seconds"

            def said(expected: str = expected) -> bool:
                return [str(n.message) for n in app._notifications][-1:] == [expected]

            await until(pilot, said)
            screen.query_one(field, Input).value = "1"
        screen.query_one("#lab-duration", Input).value = "0.5"
        screen.action_run()  # nobody runs it here: the screen only draws
        assert screen.query_one("#lab-stop", Button).disabled is False
        for key in ("flask", "fastapi"):
            screen.add_result(fake_result(key, 10, 190.0 if key == "flask" else 900.0))
        screen.show_report(None)  # what the controller hands down once ctrl+x stopped the run
        for plot in ("#lab-plot-rps", "#lab-plot-latency"):
            assert "(stopped run: partial)" in screen.query_one(plot, PlotextPlot).plt.build()
        verdict = str(screen.query_one("#lab-verdict", Static).render())
        assert "Stopped" in verdict and "keep the 2 result(s) it finished, marked as partial" in verdict
        screen.action_run()  # the next run starts with no plot of the last one
        assert screen.query_one("#lab-results", DataTable).row_count == 0
        assert "stopped" not in screen.query_one("#lab-plot-rps", PlotextPlot).plt.build()


# ------------------------------------------------------------ the app, for real
async def test_docs_outline_help_palette_and_a_remapped_send_key(live: LiveServers) -> None:
    app = ExplorerApp(session=shared_session(live), keymap={"send": "ctrl+s"}, mask=True)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        # The keymap: the button names the key that sends (drawn so by the first frame's stand-in, then by the button
        # built after it), and the export's lost key is said at start.
        assert "Send ^s" in screen_text(app)
        await until(pilot, lambda: bool(app.query("#send")))
        assert str(app.query_one("#send", Button).label) == "Send ^s"
        said = [str(n.message) for n in app._notifications]
        assert any("ctrl+s" in m and "send" in m and "export" in m for m in said), said
        # Help on the list: keys it types as text (/ filters) are not offered as commands.
        await pilot.press("f1")
        await until(pilot, lambda: isinstance(app.screen, HelpScreen))
        assert isinstance(app.screen, HelpScreen) and "/" not in [key for key, _ in app.screen.keys]
        await pilot.press("escape")
        await servers_ready(pilot)
        # The docs outline at 80x24: at its start, and the keys move through it.
        await leave_the_list(pilot)
        await pilot.press("d")
        await until(pilot, lambda: isinstance(app.screen, DocsScreen))
        await pilot.pause()
        tree = app.screen.query_one("#openapi-tree", Tree)
        assert app.focused is tree and tree.scroll_y == 0 and tree.cursor_line == 0
        assert tree.region.height >= 4 and tree.virtual_size.height > tree.region.height
        await pilot.press("down", "down")
        await until(pilot, lambda: tree.cursor_line == 2)
        await pilot.press("end")
        await until(pilot, lambda: tree.cursor_line == tree.last_line and tree.scroll_y > 0)
        await pilot.press("home")
        await until(pilot, lambda: tree.cursor_line == 0 and tree.scroll_y == 0)
        keys = {b.binding.key: b for b in app.screen.active_bindings.values()}
        assert keys["o"].enabled and keys["o"].binding.show  # in the footer
        await pilot.press("o")
        await until(pilot, lambda: any("/docs" in str(n.message) for n in app._notifications))
        # The palette on another screen offers that screen's own actions.
        titles = [c.title for c in screen_commands(app.screen_stack[-1])]
        assert "API docs: Open /docs (o)" in titles
        await pilot.press("escape")  # back on the main view, the keyboard where it was: on the answers
        # The sockets screen's help is titled in words, not with a class name.
        await pilot.press("w")
        await until(pilot, lambda: isinstance(app.screen, SocketsScreen))
        await pilot.press("f1")
        await until(pilot, lambda: isinstance(app.screen, HelpScreen))
        assert isinstance(app.screen, HelpScreen) and app.screen.title_text == "Help: WebSockets"
        assert not isinstance(app.screen, CommandPalette)
        app.exit()
