"""Textual's parsed CSS kept on disk (``explorer/tui/css_cache.py``, issue 24: the first paint).

A start that loads the rules draws exactly what a start that parses them draws, and parses nothing; the rules
follow the theme's variables; a file that is corrupt, someone else's or made for another Textual is ignored and
replaced, never a traceback; ``EXPLORER_CSS_CACHE=0`` reads and writes nothing.
"""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import pytest
import textual.css.stylesheet
from textual.color import Color
from textual.css.stylesheet import Stylesheet
from textual.widgets import Footer, Tab, TabPane

from explorer.cli.main import main
from explorer.tui.app import ExplorerApp
from explorer.tui.css_cache import CACHE_VARIABLE, ParsedCss, cache_path, kept_css
from panels.tab_row import TabRow
from tests.apptools import until, without_servers

SOURCE = ("Static { color: $accent; }", ("test", "Static.DEFAULT_CSS"))


def _colour(environ: dict[str, str], accent: str) -> Color:
    with kept_css(environ):
        sheet = Stylesheet(variables={"accent": accent})
        sheet.add_source(SOURCE[0], read_from=SOURCE[1], is_default_css=True)
        color = sheet.rules[0].styles.color
    assert isinstance(color, Color)
    return color


def _parses(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Every parse of a CSS source Textual makes from now on."""
    seen: list[object] = []
    textual_parse = textual.css.stylesheet.parse

    def parse(scope: str, css: str, read_from: object, **kwargs: object) -> object:
        seen.append(read_from)
        return textual_parse(scope, css, read_from, **kwargs)  # type: ignore[arg-type]  # Textual's own arguments

    monkeypatch.setattr(textual.css.stylesheet, "parse", parse)
    return seen


async def _first_screen() -> str:
    """The main screen once it has settled: the work after the first frame done (hidden panes, the real tab rows,
    the footer's keys), so two starts are compared in the same state, not at whichever frame a pause reached."""
    app = ExplorerApp(mask=True)
    async with app.run_test(size=(160, 48)) as pilot:
        await until(
            pilot, lambda: len(app.query(TabPane)) == 10 and not app.query(TabRow) and len(app.query(Tab)) == 10
        )
        await until(pilot, lambda: len(app.query(Footer).first().children) > 3)
        for _ in range(3):
            await pilot.pause()
            await pilot.wait_for_scheduled_animations()
        return app.export_screenshot(simplify=True)


@pytest.mark.serverless
async def test_a_start_that_loads_the_rules_draws_the_same_screen_and_parses_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    without_servers(monkeypatch)
    environ = {"XDG_CACHE_HOME": str(tmp_path)}
    parses = _parses(monkeypatch)
    parsed = await _first_screen()
    assert parses  # Textual parses every source at every start
    with kept_css(environ):
        filling = await _first_screen()
    assert cache_path(environ).is_file()
    parses.clear()
    with kept_css(environ) as cache:
        loaded = await _first_screen()
    assert parses == []
    assert cache is not None and cache.new == {}  # nothing new: the file is not written again
    assert filling == parsed
    assert loaded == parsed


@pytest.mark.serverless
def test_the_rules_follow_the_themes_variables(tmp_path: Path) -> None:
    environ = {"XDG_CACHE_HOME": str(tmp_path)}
    assert _colour(environ, "red") == Color.parse("red")
    assert _colour(environ, "blue") == Color.parse("blue")  # not the red rules kept from the first
    assert len(ParsedCss(cache_path(environ)).loaded) == 2
    assert _colour(environ, "red") == Color.parse("red")


@pytest.mark.serverless
def test_rules_of_a_source_whose_css_changed_are_dropped_not_kept_beside_the_new(tmp_path: Path) -> None:
    """An explorer upgraded (its app.tcss or a widget's CSS edited) parses the changed source again: the file keeps
    the new rules in place of the old, so it does not grow with every version (a checkout's grew to twice the size
    of a fresh one, ~1% more of the first frame's instructions to load); another theme's rules of it stay."""
    environ = {"XDG_CACHE_HOME": str(tmp_path)}

    def colour(css: str, accent: str) -> Color:
        with kept_css(environ):
            sheet = Stylesheet(variables={"accent": accent})
            sheet.add_source(css, read_from=SOURCE[1], is_default_css=True)
            color = sheet.rules[0].styles.color
        assert isinstance(color, Color)
        return color

    assert colour("Static { color: $accent; }", "red") == Color.parse("red")
    assert colour("Static { color: $accent; }", "blue") == Color.parse("blue")
    assert colour("Static { color: $accent 50%; }", "red") == Color.parse("red").with_alpha(0.5)
    assert len(ParsedCss(cache_path(environ)).loaded) == 2  # the new red and the blue; the old red dropped


@pytest.mark.parametrize(
    "content",
    [b"not a pickle", pickle.dumps(("another Textual", {"key": []})), pickle.dumps(["no", "pair"]), b""],
    ids=["corrupt", "another-textual", "wrong-shape", "empty"],
)
@pytest.mark.serverless
def test_a_bad_file_is_ignored_and_replaced(tmp_path: Path, content: bytes) -> None:
    environ = {"XDG_CACHE_HOME": str(tmp_path)}
    path = cache_path(environ)
    path.parent.mkdir(parents=True)
    path.write_bytes(content)
    assert ParsedCss(path).loaded == {}
    assert _colour(environ, "red") == Color.parse("red")
    assert len(ParsedCss(path).loaded) == 1  # written again, whole


@pytest.mark.serverless
def test_a_file_others_can_write_is_not_read(tmp_path: Path) -> None:
    environ = {"XDG_CACHE_HOME": str(tmp_path)}
    _colour(environ, "red")
    path = cache_path(environ)
    assert len(ParsedCss(path).loaded) == 1
    os.chmod(path, 0o666)
    assert ParsedCss(path).loaded == {}


@pytest.mark.serverless
def test_off_reads_and_writes_nothing_and_the_file_is_never_in_the_current_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert _colour({CACHE_VARIABLE: "0", "XDG_CACHE_HOME": str(tmp_path / "cache")}, "red") == Color.parse("red")
    assert not (tmp_path / "cache").exists()
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    expected = tmp_path / "home" / ".cache" / "flask-fastapi-explorer" / "css-rules.pickle"
    assert cache_path({}) == cache_path({"XDG_CACHE_HOME": "relative/cache"}) == expected
    assert list(tmp_path.iterdir()) == []  # nothing written, here or anywhere

    def no_home() -> Path:
        raise RuntimeError("Could not determine home directory.")  # Path.home() with no HOME and no passwd entry

    monkeypatch.setattr(Path, "home", no_home)
    assert _colour({}, "blue") == Color.parse("blue")  # no home folder: no cache, no traceback


@pytest.mark.serverless
def test_explorer_with_no_argument_runs_the_app_with_the_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    textual_parse_rules = Stylesheet._parse_rules
    cached: list[bool] = []

    def run(**kwargs: object) -> int:
        cached.append(Stylesheet._parse_rules is not textual_parse_rules)
        return 0

    def leave(code: int) -> None:
        raise SystemExit(code)

    monkeypatch.setattr("explorer.tui.app.run", run)
    monkeypatch.setattr(os, "_exit", leave)  # the app's way out skips the interpreter's teardown
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit):
        main([])
    assert cached == [True]
    assert Stylesheet._parse_rules is textual_parse_rules  # Textual's own again once the app has run
