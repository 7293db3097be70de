"""The first paint (issue 24): the app loads only what its first screen draws, and styles that screen once.

``benchmarks/first_paint.py`` times the start against an empty Textual app; these tests keep the two
things that made it slow from coming back: the command line loading modules the first screen never uses
(PyYAML, the lab, parity, the mirror, the HTTP client), and Textual styling every widget of the first
screen a second time as it became active (:func:`explorer.tui.textual_patches.resume_without_restyle`).
"""

from __future__ import annotations

import gc
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from textual.css.stylesheet import Stylesheet
from textual.dom import DOMNode

from explorer.runtime.session import Session
from explorer.tui.app import ExplorerApp
from tests.apptools import leave_the_list, until, without_servers

ROOT = Path(__file__).resolve().parent.parent

# What `explorer` with no command imports before its first frame: the CLI, the parser, the app module and
# the app built, as `explorer.cli.main.cmd_app` does it (its `run` replaced by one that builds the app).
UNTIL_THE_APP_RUNS = """
import json, sys
import explorer.tui.app as tui
def run(**kwargs):
    tui.ExplorerApp(specs=kwargs["specs"], initial=kwargs["initial"], keymap=tui.load_keymap())
    print(json.dumps(sorted(sys.modules)))
    return 0
tui.run = run
from explorer.cli.main import main
main([])
"""

NOT_AT_START = (
    "yaml",  # requests files and saved runs, read on a screen's first use
    "argparse",  # `explorer` with no argument builds no parser (explorer.cli.main.NoArguments)
    "tomllib",  # explorer.toml: none in the folder the test runs in
    "httpx",  # the client, once the servers have started after the first frame
    "psutil",
    "pygments",
    "rich.syntax",  # the Code tab
    "explorer.bench",  # the lab and `explorer bench`
    "explorer.parity",
    "explorer.mirror",
    "explorer.cli.bench",
    "explorer.cli.render_bench",
    "explorer.reports.base",  # writing a report: ctrl+s
    "rich.pretty",  # the Log tab's RichLog, filled after the first frame
    "explorer.tui.screens",  # every other screen (table, guide, docs, parity, lab, mirror, WebSockets, help)
)


def test_the_app_imports_only_what_its_first_screen_draws(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", UNTIL_THE_APP_RUNS],
        cwd=tmp_path,  # no explorer.toml nor pyproject.toml here
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "PYTHONDONTWRITEBYTECODE": "1"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    modules = set(json.loads(result.stdout.splitlines()[-1]))
    assert "explorer.tui.app" in modules and "textual.app" in modules  # the script did build the app
    loaded = [name for name in NOT_AT_START if name in modules or any(m.startswith(f"{name}.") for m in modules)]
    assert loaded == []


def _styles(app: ExplorerApp) -> dict[DOMNode, Any]:
    """Every node's own style rules and those of its parts (a TextArea's cursor line, a Tree's guides, ...)."""
    return {
        node: (dict(node.styles.base._rules), {k: dict(v.base._rules) for k, v in node._component_styles.items()})
        for node in app.screen.walk_children(with_self=True)
    }


@pytest.mark.parametrize("size", [(80, 24), (120, 30), (160, 48)], ids=lambda s: f"{s[0]}x{s[1]}")
async def test_the_first_screen_is_styled_once_and_its_styles_are_current(
    size: tuple[int, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Textual restyled the whole default screen as it first became active (~25 ms of CPU before the first frame);
    each widget was already styled as it mounted and at each change since, so that pass changed nothing."""
    without_servers(monkeypatch)
    whole: list[int] = []
    textual_update = Stylesheet.update_nodes

    def counting(self: Stylesheet, nodes: Any, animate: bool = False) -> None:
        nodes = list(nodes)
        whole.extend(len(nodes) for node in nodes[:1] if node is app.screen)
        textual_update(self, nodes, animate)

    monkeypatch.setattr(Stylesheet, "update_nodes", counting)
    app = ExplorerApp(mask=True)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        assert whole == []  # no pass over the whole screen before (or just after) the first frame
        before = _styles(app)
        textual_update(app.stylesheet, list(app.screen.walk_children(with_self=True)), animate=False)
        after = _styles(app)
        changed = [repr(node) for node in before if before[node] != after[node]]
        assert changed == []


async def test_garbage_collection_is_on_again_once_the_first_frame_is_drawn(monkeypatch: pytest.MonkeyPatch) -> None:
    """``explorer`` turns the collector off to start (``explorer.cli.main.main``); left off, memory would grow
    for the whole session. The app turns it on (freezing what start-up built) just after its first frame."""

    async def no_servers(self: Session) -> None:
        return None

    monkeypatch.setattr(Session, "start", no_servers)  # the after-first-frame work runs, with no process spawned
    gc.disable()
    try:
        app = ExplorerApp(mask=True)
        async with app.run_test(size=(80, 24)) as pilot:
            await until(pilot, gc.isenabled, timeout=10)
            assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
        gc.enable()


async def test_a_screen_kept_for_the_app_is_set_aside_from_later_collections_once_built(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Each full garbage collection went over every kept screen built so far (the table, the guide, the lab ...),
    60-110 ms of CPU on whatever key it fell on: a screen installed to be kept is frozen with the main view once
    built, as the main view is once the servers are up. The help, built again when its text changes, is not."""
    import explorer.tui.lifecycle as lifecycle

    async def no_servers(self: Session) -> None:
        return None

    monkeypatch.setattr(Session, "start", no_servers)  # the after-first-frame work runs, with no process spawned
    monkeypatch.setattr(lifecycle, "SET_ASIDE_AFTER_S", 0.05)

    def collected(screen: object) -> bool:
        return any(tracked is screen for tracked in gc.get_objects())  # frozen objects are in no generation

    gc.disable()
    try:
        app = ExplorerApp(mask=True)
        async with app.run_test(size=(80, 24)) as pilot:
            await until(pilot, lambda: gc.isenabled() and gc.get_freeze_count() > 0, timeout=10)
            await leave_the_list(pilot)
            main = app.screen
            for key in ("g", "f1"):
                await pilot.press(key)
                await until(pilot, lambda: app.screen is not main)
                shown = app.screen
                await pilot.pause(0.2)
                assert collected(shown) == (key == "f1"), key
                await pilot.press("escape")
                await until(pilot, lambda: app.screen is main)
    finally:
        gc.unfreeze()
        gc.enable()


@pytest.mark.serverless
@pytest.mark.parametrize("argv", [["--no-such-option"], ["send", "--framework", "neither"], ["--help"]])
def test_the_collector_is_on_after_arguments_that_open_no_app(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    from explorer.cli.main import main

    with pytest.raises(SystemExit):
        main(argv)
    capsys.readouterr()
    assert gc.isenabled()
