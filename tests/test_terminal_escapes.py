"""No control character from an app, a server or a user's file reaches the terminal live.

A hostile pair of apps (tests/apps/escapes_app.py) answers with a clipboard write (OSC 52), a title
change, a clear screen, an OSC 8 link, a DCS query, a full reset and the one-byte CSI (U+009B), in the
body, the reason phrase, a header, its route paths and its log. Every output is read the way a user
gets it: the CLI's stdout and stderr, the Markdown report, the app's screen as drawn.
"""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from rich.text import Text
from textual.widgets import TextArea, Tree

from explorer.apps.targets import specs_from_options
from explorer.cli.common import print_json
from explorer.cli.render import terminal
from explorer.runtime.errors import ServerError
from explorer.runtime.http.request import RequestSpec
from explorer.runtime.servers.prestart import check_interpreter
from explorer.runtime.servers.specs import ServerSpec
from explorer.runtime.userdata.bounded import printable
from explorer.tui.app import ExplorerApp
from tests.apps.escapes_app import CLIPBOARD, PAYLOAD
from tests.apptools import send_and_wait, servers_ready, until

APPS = Path(__file__).parent / "apps"
BOTH = ("--app-dir", str(APPS), "--flask", "escapes_app:flask_app", "--fastapi", "escapes_app:fastapi_app")
LIVE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # every control but a line break and a tab
SHOWN = "\\x1b]52;c;"  # the clipboard write, made visible


def live(text: str) -> list[str]:
    """The control characters in ``text`` that a terminal would act on, named (a CRLF only ends a line)."""
    return sorted({f"U+{ord(ch):04X}" for ch in LIVE.findall(text.replace("\r\n", "\n"))})


def explorer(*args: str, timeout: float = 90) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "200"}
    return subprocess.run(
        [sys.executable, "-m", "explorer", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        encoding="utf-8",
        errors="surrogateescape",
    )


def test_printable_makes_every_control_visible_and_keeps_what_is_asked() -> None:
    text = f"a{PAYLOAD}\r\nb\rc\td\x7f\ud800"
    shown = printable(text)
    assert live(shown) == [] and "\n" not in shown and "\\ud800" in shown and SHOWN in shown and "\\x9b31m" in shown
    lines = printable(text, keep="\n\t")
    assert live(lines) == [] and lines.count("\n") == 1 and "\t" in lines and "b\\x0dc" in lines  # a lone CR shown
    assert printable("\x1b[31mred\x1b[0m \x1b]0;t\x07", colours=True) == "\x1b[31mred\x1b[0m \\x1b]0;t\\x07"
    assert printable("plain text, é ü €") == "plain text, é ü €"


def test_json_output_escapes_del_and_c1_too() -> None:
    """JSON escapes C0 itself; DEL and C1 (U+009B) it leaves raw, so ``print_json`` writes them as ``\\u`` escapes."""
    document = {"body": PAYLOAD + "\x7f", "\x9bkey": ["\x85"]}
    out = io.StringIO()
    print_json(document, out)
    assert live(out.getvalue()) == [] and "\\u009b" in out.getvalue() and json.loads(out.getvalue()) == document


def test_the_cli_console_shows_a_control_character_any_renderable_let_through() -> None:
    out = io.StringIO()
    terminal(file=out, width=80, force_terminal=True).print(Text("red", style="red"), Text(PAYLOAD))  # no shown()
    assert live(out.getvalue().replace("\x1b[31m", "").replace("\x1b[0m", "")) == []  # Rich's own style stays
    assert out.getvalue().startswith("\x1b[31mred\x1b[0m") and SHOWN in out.getvalue()


def test_send_shows_the_body_reason_and_log_escapes_visible() -> None:
    result = explorer("send", *BOTH, "GET", "/esc")
    assert result.returncode == 0, result.stderr
    assert live(result.stdout) == [] and live(result.stderr) == []
    assert result.stdout.count(SHOWN) == 2 and "\\x1b]0;reason\\x07" in result.stdout  # both bodies, the reason phrase
    crash = explorer("send", *BOTH, "--framework", "flask", "GET", "/crash")  # a 500: the server's log is shown
    assert crash.returncode == 0, crash.stderr
    assert live(crash.stdout) == [] and SHOWN in crash.stdout and "\\x1bc" in crash.stdout  # Rich keeps ESC c


def test_routes_show_openapi_paths_and_rules_visible() -> None:
    result = explorer("routes", *BOTH)
    assert result.returncode == 0, result.stderr
    assert live(result.stdout) == [] and live(result.stderr) == []
    assert "/esc\\x1b]0;route\\x07" in result.stdout


def test_parity_text_and_markdown_report_show_escapes_visible(tmp_path: Path) -> None:
    suite = tmp_path / "requests.yaml"
    fail = "python -c \"print('step said ' + chr(27) + ']52;c;eA==' + chr(7) + chr(155) + '2J'); raise SystemExit(3)\""
    suite.write_text(
        "requests:\n"
        '  - {name: "evil \\e]0;title\\a \\x9b2J", path: /esc}\n'
        f"teardown:\n  - {{command: {json.dumps(fail)}}}\n",
        encoding="utf-8",
    )
    result = explorer("parity", str(suite), *BOTH, "--report", str(tmp_path / "run"))
    assert result.returncode == 1, result.stderr
    assert live(result.stdout) == [] and live(result.stderr) == []
    out = result.stdout
    assert "evil \\x1b]0;title\\x07" in out  # the request's name
    assert SHOWN in out  # the side-by-side excerpt of the two bodies
    assert "step said \\x1b]52;c;eA==\\x07" in out  # the failed step's last lines
    report = (tmp_path / "run.md").read_text(encoding="utf-8")
    assert live(report) == [] and SHOWN in report and "evil \\x1b" in report  # Markdown escapes the bracket


async def test_the_app_draws_server_text_with_escapes_visible() -> None:
    """Body tab, status chip, headers, log, route picker and server strip: nothing live on screen."""
    specs = specs_from_options(flask="escapes_app:flask_app", fastapi="escapes_app:fastapi_app", app_dir=APPS)
    app = ExplorerApp(specs=specs, initial=RequestSpec("GET", "/esc"))
    async with app.run_test(size=(160, 48)) as pilot:
        await servers_ready(pilot)
        await until(pilot, lambda: len(app.query_one("#route-tree", Tree).root.children) > 0)
        await send_and_wait(pilot)
        body = app.query_one("#bodyview-flask").query_one(TextArea).text
        assert live(body) == [] and SHOWN in body
        screens = [app.export_screenshot()]
        for tab in ("headers", "log"):
            for framework in ("flask", "fastapi"):
                app.workbench.panel(framework).select_tab(tab)
            await pilot.pause(0.3)  # the log draws its lines on a 0.1 s timer
            screens.append(app.export_screenshot())
        drawn = "\n".join(screens)
        assert live(drawn) == [], live(drawn)
        assert "\\x1b]0;reason\\x07" in drawn and "\\x9b2J" in drawn  # the chip's reason phrase, the route picker


async def test_an_interpreter_can_only_say_which_of_the_asked_modules_are_missing(tmp_path: Path) -> None:
    said = {"version": [3, 12, 0], "missing": ["flask", f"werkzeug{CLIPBOARD}", "x" * 10_000], "versions": {}}
    python = tmp_path / "bin" / "python"
    python.parent.mkdir()
    python.write_text(f"#!/bin/sh\nprintf '%s\\n' 'EXPLORER-CHECK {json.dumps(said)}'\n", encoding="utf-8")
    python.chmod(0o755)
    spec = ServerSpec("flask", "werkzeug", "app:app", app_dir=tmp_path, python=str(python))
    with pytest.raises(ServerError) as caught:
        await check_interpreter(spec)
    message = str(caught.value)
    assert live(message) == [] and "lacks flask, needed" in message and "xxx" not in message
