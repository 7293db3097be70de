"""What a team porting a real app hits first (issue 23): form routes, 5xx causes, start failures, set-up order.

The notes pair (tests/apps/notes_flask.py, notes_fastapi.py) is shaped like the Flask tutorial's apps
and their ports: an HTML form posts a note, SQLite keeps it, the schema is created at import, and one
page fails with a traceback. Each test copies the pair to a temporary folder and runs the explorer as
a user does.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.venvs import legacy_venv

ROOT = Path(__file__).resolve().parent.parent
APPS = ROOT / "tests" / "apps"
CAUSES = {
    "flask": "RuntimeError: report service unreachable: flask-side-cause",
    "fastapi": "RuntimeError: report service unreachable: fastapi-side-cause",
}


def explorer(*args: str, cwd: Path, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "explorer", *args], check=False, capture_output=True, text=True, timeout=timeout, cwd=cwd
    )


def notes_pair(folder: Path) -> list[str]:
    """The notes pair copied into ``folder``: the options that run it."""
    for name in ("notes_flask.py", "notes_fastapi.py"):
        shutil.copy(APPS / name, folder / name)
    return ["--app-dir", str(folder), "--flask", "notes_flask:app", "--fastapi", "notes_fastapi:app"]


def test_generated_form_requests_pass_and_every_5xx_carries_its_log_in_all_four_outputs(tmp_path: Path) -> None:
    apps = notes_pair(tmp_path)
    run = explorer(
        "parity",
        "--generate",
        *apps,
        "--write",
        "gen.yaml",
        "--json",
        "--report",
        "rep",
        "--junit",
        "j.xml",
        cwd=tmp_path,
    )
    assert run.returncode == 1, run.stderr  # the failing page differs (an HTML 500 against a text one)
    generated = yaml.safe_load((tmp_path / "gen.yaml").read_text())["requests"]
    create = next(entry for entry in generated if entry["name"] == "POST /notes")
    # before: a raw `body: title=example&description=` without a Content-Type (Flask 400, FastAPI 422)
    assert create["form"] == {"title": "example", "description": ""} and "body" not in create
    attach = next(entry for entry in generated if entry["name"] == "POST /attachments")
    # before: the multipart body as text with its Content-Type (a file with no name to give in `files:`)
    assert attach["form"] == {"note": "example"} and "body" not in attach and "headers" not in attach
    placeholder = {"content": "example file content", "filename": "attachment.txt", "type": "text/plain"}
    assert attach["files"] == {"attachment": placeholder}
    document = json.loads(run.stdout)
    results = {r["name"]: r for r in document["results"]}
    assert results["POST /notes"]["outcome"] == "match"
    assert [e["status"] for e in results["POST /notes"]["exchanges"].values()] == [201, 201]
    failing = results["GET /report"]
    for framework, cause in CAUSES.items():  # --json: each side's traceback, as `send` shows it
        assert cause in failing["log_tail"][framework]
    assert results["GET /notes"]["log_tail"] == {}  # a 2xx carries none
    attached = results["POST /attachments"]  # UploadFile and request.files read the same part
    assert attached["outcome"] == "match"
    assert [(e["status"], e["json"]) for e in attached["exchanges"].values()] == [
        (201, {"note": "example", "filename": "attachment.txt", "size": 20})
    ] * 2
    markdown = (tmp_path / "rep.md").read_text()
    junit = "".join(ET.parse(tmp_path / "j.xml").getroot().itertext())
    saved = (tmp_path / "rep.json").read_text()
    for cause in CAUSES.values():
        assert cause in markdown and cause in junit and cause in saved
    text = explorer("parity", "gen.yaml", *apps, cwd=tmp_path)  # the written file, run as a user runs it
    assert "1 of 4 requests differ" in text.stdout, text.stdout + text.stderr
    assert "Flask log:" in text.stdout and "FastAPI log:" in text.stdout
    for cause in CAUSES.values():
        assert cause in text.stdout


def test_set_up_commands_of_a_requests_file_run_before_the_apps_start(tmp_path: Path) -> None:
    """An app that makes its schema at import keeps its database: the set-up that removes the old one runs
    first (before: after the start, so every write answered 500 "no such table")."""
    apps = notes_pair(tmp_path)
    fresh = "import pathlib; [p.unlink() for p in pathlib.Path().glob('notes_*.db')]"
    requests = {
        "setup": [{"name": "fresh database", "command": ["python", "-c", fresh]}],
        "requests": [
            {"name": "create", "method": "POST", "path": "/notes", "form": {"title": "t"}, "status": 201},
            {"name": "list", "method": "GET", "path": "/notes"},
        ],
        "teardown": [{"name": "remove database", "command": ["python", "-c", fresh]}],
    }
    (tmp_path / "notes.yaml").write_text(yaml.safe_dump(requests))
    for extra in ([], ["--reset"]):
        run = explorer("parity", "notes.yaml", *apps, "--json", *extra, cwd=tmp_path)
        assert run.returncode == 0, run.stdout[-3000:] + run.stderr
        document = json.loads(run.stdout)
        assert [r["outcome"] for r in document["results"]] == ["match", "match"]
        assert document["results"][1]["exchanges"]["flask"]["json"] == {"notes": [{"title": "t", "description": ""}]}
        assert [s["phase"] for s in document["setup"]] == ["reset"] * 2 * bool(extra) + ["setup", "setup"]


def test_a_lifespan_that_fails_says_why_and_a_slow_one_gets_the_time_it_is_given(tmp_path: Path) -> None:
    shutil.copy(APPS / "lifespan_fails.py", tmp_path / "lifespan_fails.py")
    app = ["--app-dir", str(tmp_path), "--fastapi", "lifespan_fails:app", "--framework", "fastapi"]
    failed = explorer("send", *app, "GET", "/health", cwd=tmp_path)
    assert failed.returncode == 1
    # before: "did not start: exit code 3: the app failed to import or boot" and nothing more
    assert "exit code 3" in failed.stderr and "its last lines:" in failed.stderr
    assert "ConnectionRefusedError: could not reach the database at db.invalid:5432" in failed.stderr
    (tmp_path / "explorer.toml").write_text('[fastapi]\nready_timeout = 2\nenv = { LIFESPAN_HANGS = "1" }\n')
    slow = explorer("send", *app, "GET", "/health", cwd=tmp_path)  # the config file's ready_timeout
    assert "did not start: not ready after 2 s" in slow.stderr, slow.stderr
    assert "| connecting to the database at db.invalid:5432" in slow.stderr
    flag = explorer("send", *app, "--ready-timeout", "1.5", "GET", "/health", cwd=tmp_path)  # the option wins
    assert "not ready after 1.5 s" in flag.stderr, flag.stderr


def _python(version: str) -> str | None:
    """An interpreter of that version on this machine (under pyenv, or on PATH) that runs, or None."""
    candidates = [str(p) for p in sorted((Path.home() / ".pyenv" / "versions").glob(f"{version}.*/bin/python"))]
    for python in [*reversed(candidates), shutil.which(f"python{version}")]:
        if python and subprocess.run([python, "-c", "pass"], check=False, capture_output=True).returncode == 0:
            return python
    return None


def test_a_legacy_flask_app_runs_under_python_3_7_and_an_older_python_is_named(tmp_path: Path) -> None:
    py37, py36 = _python("3.7"), _python("3.6")
    if py37 is None or py36 is None:
        pytest.skip("needs Python 3.7 and 3.6 interpreters (pyenv)")
    venv = legacy_venv(py37, ("flask==2.2.5", "werkzeug==2.2.3"))  # the last Flask for Python 3.7
    apps = notes_pair(tmp_path)[:6]
    run = explorer(
        "send",
        "--json",
        "--framework",
        "flask",
        "--flask-python",
        str(venv),
        *apps,
        "POST",
        "/notes",
        "--form",
        "title=old",
        cwd=tmp_path,
    )
    assert run.returncode == 0, run.stderr  # before: "is Python 3.7.16; the explorer needs 3.8 or newer there"
    document = json.loads(run.stdout)
    assert document["results"][0]["status"] == 201 and document["servers"]["flask"]["versions"]["Flask"] == "2.2.5"
    old = explorer("send", "--framework", "flask", "--flask-python", py36, *apps, "GET", "/notes", cwd=tmp_path)
    assert old.returncode == 1
    assert "is Python 3.6" in old.stderr and "need 3.7 or newer there" in old.stderr


FORMS = ["--app-dir", str(APPS), "--flask", "forms_flask:app", "--fastapi", "forms_fastapi:app"]


def test_curl_commands_carry_the_cookie_the_jar_sent_and_send_json_has_the_headers_as_sent(tmp_path: Path) -> None:
    flow = {
        "requests": [
            {"name": "login", "method": "POST", "path": "/login"},
            {"name": "me", "method": "GET", "path": "/me"},
        ]
    }
    (tmp_path / "login.yaml").write_text(yaml.safe_dump(flow))
    shown = explorer("parity", str(tmp_path / "login.yaml"), *FORMS, "--json", "--show-secrets", cwd=tmp_path)
    me = json.loads(shown.stdout)["results"][1]
    assert me["outcome"] == "match" and me["exchanges"]["flask"]["json"] == {"user": "ada"}
    assert "-H 'cookie: sid=flask-ada'" in me["curl"]["flask"]  # before: no Cookie, so the curl got no user
    assert ["cookie", "sid=fastapi-ada"] in me["exchanges"]["fastapi"]["sent"]["headers"]
    hidden = json.loads(explorer("parity", str(tmp_path / "login.yaml"), *FORMS, "--json", cwd=tmp_path).stdout)
    assert "cookie: sid=" in hidden["results"][1]["curl"]["flask"].lower() and "flask-ada" not in json.dumps(hidden)
    sent = explorer("send", "--json", *FORMS, "POST", "/form", "--form", "a=1", cwd=tmp_path)
    for result in json.loads(sent.stdout)["results"]:
        assert ["content-type", "application/x-www-form-urlencoded"] in result["sent"]["headers"]
        assert result["sent"]["url"].endswith("/form")


async def test_the_y_key_curl_carries_the_cookie_of_the_session_jar() -> None:
    from explorer.apps.targets import specs_from_options
    from explorer.runtime.http.request import RequestSpec
    from explorer.tui.app import ExplorerApp
    from tests.apptools import send_and_wait, servers_ready

    specs = specs_from_options(flask="forms_flask:app", fastapi="forms_fastapi:app", app_dir=APPS)
    app = ExplorerApp(specs=specs, initial=RequestSpec("POST", "/login"))
    async with app.run_test(size=(160, 48)) as pilot:
        await servers_ready(pilot)
        await send_and_wait(pilot)  # the answer sets `sid`: the next request sends it
        assert "-H 'Cookie: sid=flask-ada'" in app.workbench.curl()


@pytest.mark.serverless
@pytest.mark.parametrize("value", ['"60"', "0", "601", "true"])
def test_a_bad_ready_timeout_in_the_config_file_is_one_line(tmp_path: Path, value: str) -> None:
    from explorer.apps.config import load_config
    from explorer.apps.settings import SettingsError

    config = tmp_path / "explorer.toml"
    config.write_text(f"[fastapi]\nready_timeout = {value}\n")
    with pytest.raises(SettingsError, match=r"\[fastapi\]\.ready_timeout: must be a number of seconds from 0\.1"):
        load_config(config)
    config.write_text("[fastapi]\nready_timeout = 45\n")
    assert load_config(config)["fastapi"].ready_timeout == 45.0


@pytest.mark.serverless
@pytest.mark.parametrize("value", ['"60"', "0.5", "3601", "true"])
def test_a_bad_setup_timeout_in_the_config_file_is_one_line(tmp_path: Path, value: str) -> None:
    """``setup_timeout`` has the bounds of ``--setup-timeout`` (1 to 3,600 s); the option wins over the file."""
    from explorer.apps.config import load_config
    from explorer.apps.settings import SettingsError
    from explorer.cli.apps import specs_from_args
    from explorer.cli.main import build_parser

    config = tmp_path / "explorer.toml"
    config.write_text(f"[fastapi]\nsetup_timeout = {value}\n")
    with pytest.raises(SettingsError, match=r"\[fastapi\]\.setup_timeout: must be a number of seconds from 1 to 3600$"):
        load_config(config)
    config.write_text(f'[fastapi]\ntarget = "forms_fastapi:app"\ndir = "{APPS}"\nsetup_timeout = 900\n')
    assert load_config(config)["fastapi"].setup_timeout == 900.0
    parse = build_parser().parse_args
    (spec,) = specs_from_args(parse(["--config", str(config), "routes"]))
    assert spec.setup_timeout == 900.0
    (spec,) = specs_from_args(parse(["--config", str(config), "--setup-timeout", "30", "routes"]))
    assert spec.setup_timeout == 30.0


async def test_the_app_says_why_a_lifespan_failed_and_its_exit_ends_the_route_listers_still_running(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The app names a lifespan's failure. Then it exits while Flask's route listers still run (its app waits
    when the lister imports it), the app's own and the Mirror screen's: the app's exit kills each lister, reaps it
    and closes its pipes before it ends. Before, a lister's cancel path still waited after the app had ended, and
    an xdist worker printed ``Exception ignored in: BaseSubprocessTransport.__del__ ... Event loop is closed`` as
    its loop closed."""
    from explorer.apps import routes
    from explorer.apps.targets import specs_from_options
    from explorer.runtime.servers.kept import Kept
    from explorer.runtime.servers.specs import ServerState
    from explorer.tui.app import ExplorerApp
    from tests.apptools import leave_the_list, until
    from tests.conftest import wait_gone

    listers: list[Kept] = []
    spawn = routes.spawn_kept

    async def spawn_recorded(*args: Any, **kwargs: Any) -> Kept:
        kept = await spawn(*args, **kwargs)
        listers.append(kept)
        return kept

    monkeypatch.setattr(routes, "spawn_kept", spawn_recorded)
    specs = specs_from_options(flask="lister_waits:app", fastapi="lifespan_fails:app", app_dir=APPS)
    app = ExplorerApp(specs=specs)
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        await until(pilot, lambda: app.session.server("fastapi").status.state is ServerState.CRASHED)
        # the app hears of the crash from the server's listener, a turn of the loop after the state is set
        await until(pilot, lambda: any("crashed" in str(n.message) for n in app._notifications))
        said = "\n".join(str(n.message) for n in app._notifications)
        assert "could not reach the database at db.invalid:5432" in said, said  # before: "exit code 3: …" alone
        await until(pilot, lambda: len(listers) == 2)  # Flask's and FastAPI's (its handlers): Flask's waits
        await leave_the_list(pilot)
        await pilot.press("m")  # the Mirror screen lists Flask's routes too (FastAPI's server is down)
        await until(pilot, lambda: len(listers) == 3)
    for kept in listers:  # the app has ended; the loop still runs
        assert kept.returncode is not None
        transport = getattr(kept.proc, "_transport", None)  # asyncio's own: its __del__ warned, the loop closed
        assert transport is None or transport.is_closing()
    assert wait_gone([kept.pid for kept in listers if kept.pid is not None], timeout=5) == []


async def test_the_parity_screen_runs_set_up_before_the_start_and_shows_each_5xx_log(tmp_path: Path) -> None:
    """The app's Parity screen does what `explorer parity` does: the file's set-up commands run with the apps
    stopped (before: after their start, so every write answered 500 "no such table"), and a 5xx row's
    detail carries each side's log lines (before: none). Then, in the same run, leaving the screen during a
    file's set-up ends the screen's run and leaves the apps running."""
    from textual.widgets import DataTable, Input, Static

    from explorer.apps.targets import specs_from_options
    from explorer.runtime.servers.specs import ServerState
    from explorer.tui.app import ExplorerApp
    from explorer.tui.screens.parity import ParityController
    from tests.apptools import leave_the_list, servers_ready, until
    from tests.test_app import plain

    notes_pair(tmp_path)
    fresh = "import pathlib; [p.unlink() for p in pathlib.Path().glob('notes_*.db')]"
    requests = {
        "setup": [{"name": "fresh database", "command": ["python", "-c", fresh]}],
        "requests": [
            {"name": "create", "method": "POST", "path": "/notes", "form": {"title": "t"}, "status": 201},
            {"name": "list", "method": "GET", "path": "/notes"},
            {"name": "report", "method": "GET", "path": "/report"},
        ],
    }
    (tmp_path / "notes.yaml").write_text(yaml.safe_dump(requests))
    specs = specs_from_options(flask="notes_flask:app", fastapi="notes_fastapi:app", app_dir=tmp_path)
    app = ExplorerApp(specs=specs)
    async with app.run_test(size=(160, 48)) as pilot:
        await servers_ready(pilot)
        app.measurements.latency_ms["flask"] = 1.0  # measured on the process the run's set-up replaces
        await leave_the_list(pilot)
        await pilot.press("c")
        await until(pilot, lambda: isinstance(app.screen, ParityController))
        screen = app.screen
        assert isinstance(screen, ParityController)
        screen.query_one("#parity-path", Input).value = str(tmp_path / "notes.yaml")
        screen.query_one("#parity-path", Input).focus()
        await pilot.press("enter")
        await until(pilot, lambda: screen.report is not None, timeout=30)
        assert [r.outcome for r in screen.results[:2]] == ["match", "match"], [r.differences for r in screen.results]
        assert screen.results[1].exchanges["flask"].json == {"notes": [{"title": "t", "description": ""}]}
        assert [(s.phase, s.ok) for s in screen.report.setup] == [("setup", True)] * 2
        assert "flask" not in app.measurements.latency_ms
        detail = screen.query_one("#parity-detail", Static)
        screen.query_one("#parity-table", DataTable).move_cursor(row=2)
        await until(pilot, lambda: "Flask log:" in plain(detail) and "FastAPI log:" in plain(detail))
        for cause in CAUSES.values():
            assert cause in plain(detail)
        # Leaving the screen during a file's set-up: the screen's run ends with it, the restart is seen through
        slow = {"name": "slow set-up", "command": ["python", "-c", "import time; time.sleep(1)"]}
        (tmp_path / "slow.yaml").write_text(yaml.safe_dump({"setup": [slow], "requests": [{"path": "/notes"}]}))
        servers = [app.session.server(fw) for fw in ("flask", "fastapi")]
        screen.query_one("#parity-path", Input).value = str(tmp_path / "slow.yaml")
        screen.query_one("#parity-path", Input).focus()
        await pilot.press("enter")
        await until(pilot, lambda: all(s.status.state is ServerState.STOPPED for s in servers))
        await pilot.press("escape")  # off the screen, from the path field as from anywhere: its worker ends
        await until(pilot, lambda: all(s.status.state is ServerState.READY for s in servers))
