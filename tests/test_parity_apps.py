"""Parity on apps with settings of their own (issue 12's folders, interpreters, environments, config file).

A setup or teardown command runs for an app as that app's set-up command does; ``explorer parity``
takes the same per-app options and ``explorer.toml`` as every other command; each run has cookie
jars of its own.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from explorer.apps.settings import AppSettings
from explorer.apps.targets import specs_from_options
from explorer.parity.entry import ParityFileError
from explorer.parity.steps import CommandStep, parse_step, run_command
from explorer.runtime.servers.logbuffer import LogBuffer

ROOT = Path(__file__).resolve().parent.parent
SHOW = (
    "import os, sys; print(os.getcwd()); print(sys.executable); print(os.environ.get('STEP_FILE')); "
    "print(os.environ.get('STEP_NAMED')); print('SHELL_ONLY' in os.environ)"
)


def fake_venv(folder: Path) -> Path:
    """A venv folder whose ``bin/python`` is a link to this Python: another interpreter, as far as PATH goes."""
    python = folder / "bin" / "python"
    python.parent.mkdir(parents=True)
    (folder / "pyvenv.cfg").write_text(f"home = {Path(os.path.realpath(sys.executable)).parent}\n")
    python.symlink_to(sys.executable)
    return python


async def test_a_command_step_runs_in_the_apps_folder_with_its_python_and_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SHELL_ONLY", "never-passed")
    app = tmp_path / "flask-app"
    app.mkdir()
    (tmp_path / "flask.env").write_text("STEP_FILE=from-the-env-file\n")
    python = fake_venv(tmp_path / "venv")
    settings = AppSettings(dir=app, python=str(python), env_file=tmp_path / "flask.env", env=(("STEP_NAMED", "1"),))
    (spec,) = specs_from_options(flask="a:app", settings={"flask": settings})
    step = parse_step({"name": "show", "flask": {"command": ["python", "-c", SHOW], "timeout": 20}}, "setup 1")
    assert isinstance(step, CommandStep) and step.frameworks == ("flask",)
    log = LogBuffer()
    result = await run_command(step, spec, "setup", log)
    assert result.ok, result.output
    # `python` is found in the app's interpreter's bin first (before: the explorer's own, first on PATH)
    assert result.output == (str(app), str(python), "from-the-env-file", "1", "False")
    lines = log.lines()
    assert lines[0].startswith("[explorer] parity setup step 'show': python -c ") and lines[0].endswith(f"(in {app})")
    assert "[explorer] setup | from-the-env-file" in lines
    assert lines[-1] == "[explorer] parity setup step 'show': exit 0"


def test_a_command_step_names_each_apps_command() -> None:
    step = parse_step(
        {
            "name": "fresh database",
            "timeout": 30,
            "flask": {"command": "flask --app blog init-db"},
            "fastapi": {"command": ["python", "-m", "blog.db"], "timeout": 5},
        },
        "setup 1",
    )
    assert isinstance(step, CommandStep) and step.frameworks == ("flask", "fastapi")
    assert step.for_app("flask") == (("flask", "--app", "blog", "init-db"), 30.0)
    assert step.for_app("fastapi") == (("python", "-m", "blog.db"), 5.0)
    shared = parse_step({"command": "python reset.py", "fastapi": {"command": "python -m reset"}}, "setup 2")
    assert isinstance(shared, CommandStep) and shared.for_app("flask")[0] == ("python", "reset.py")
    assert shared.for_app("fastapi")[0] == ("python", "-m", "reset")
    for item, message in [
        ({"flask": {"command": "x", "shell": True}}, r"setup 3 \(flask\): unknown key 'shell'"),
        ({"flask": {"command": "x"}, "framework": "both"}, "no command for the fastapi app"),
        ({"flask": "x", "command": "y"}, r"\(flask\): must be a mapping"),
        ({"fastapi": {"command": ""}}, r"\(fastapi\): 'command' must be a command line"),
        ({"command": "x", "framework": "flask", "fastapi": {"command": "y"}}, "a fastapi: block, but the step runs"),
    ]:
        with pytest.raises(ParityFileError, match=message):
            parse_step(item, "setup 3")


# --- each run its own cookie jars ----------------------------------------------------------------


async def test_a_parity_run_in_the_app_has_its_own_cookie_jars(tmp_path: Path) -> None:
    from textual.widgets import Input

    from explorer.runtime.http.request import RequestSpec
    from explorer.tui.app import ExplorerApp
    from explorer.tui.screens.parity import ParityController
    from tests.apptools import leave_the_list, servers_ready, until

    suite = tmp_path / "jars.yaml"
    suite.write_text(
        "requests:\n  - {name: before login, path: /me}\n"
        "  - {name: login, method: POST, path: /login?user=ada}\n"
        "  - {name: after login, path: /me}\n"
    )
    specs = specs_from_options(flask="forms_flask:app", fastapi="forms_fastapi:app", app_dir=ROOT / "tests" / "apps")
    app = ExplorerApp(specs=specs)
    async with app.run_test(size=(160, 48)) as pilot:
        await servers_ready(pilot)
        await app.session.send(RequestSpec("POST", "/login?user=eve"))  # the user's own session in the workbench
        await leave_the_list(pilot)
        await pilot.press("c")  # from the answers (on the list, letters filter)
        await until(pilot, lambda: isinstance(app.screen, ParityController))
        screen = app.screen
        assert isinstance(screen, ParityController)
        screen.query_one("#parity-path", Input).value = str(suite)
        users = lambda i: [screen.results[i].exchanges[fw].json["user"] for fw in ("flask", "fastapi")]  # noqa: E731
        for _run in range(2):  # each run starts with empty jars, whatever the one before it left
            previous = screen.report
            screen.query_one("#parity-path", Input).focus()
            await pilot.press("enter")

            def new_report(previous: object = previous) -> bool:
                return screen.report is not None and screen.report is not previous

            await until(pilot, new_report)
            assert (users(0), users(2)) == ([None, None], ["ada", "ada"])
            assert screen.results[1].cookies == {"flask": ["sid=flask-ada"], "fastapi": ["sid=fastapi-ada"]}
            assert [c.value for c in app.session.jars["flask"].cookies()] == ["flask-eve"]  # the user's, untouched
        first = screen.results[0]
        screen.query_one("#parity-table").focus()
        await pilot.press("ctrl+r")  # "before login" again: with the run's jars, now holding its login
        await until(pilot, lambda: screen.results[0] is not first)
        assert users(0) == ["ada", "ada"]
        assert [c.value for c in app.session.jars["fastapi"].cookies()] == ["fastapi-eve"]


# --- the example pair, from its explorer.toml -----------------------------------------------------


def test_the_blog_pair_passes_parity_from_its_config_with_the_flask_app_in_its_venv(tmp_path: Path) -> None:
    import json

    from tests.venvs import FLASK_VERSION, legacy_venv

    blog = tmp_path / "blog"
    shutil.copytree(ROOT / "examples" / "blog", blog, ignore=shutil.ignore_patterns("*.sqlite", "__pycache__", ".venv"))
    suite = (blog / "requests.yaml").read_text()
    which = "  - {name: which flask, flask: {command: 'flask --version'}}\n"
    suite = suite.replace("requests:\n", which + "\nrequests:\n", 1)
    (blog / "requests.yaml").write_text(suite)
    venv = legacy_venv()
    run = subprocess.run(
        [sys.executable, "-m", "explorer", "parity", "requests.yaml", "--json", "--flask-python", str(venv)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=blog,
    )
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout)
    summary = report["summary"]
    assert [summary[key] for key in ("cases", "declared", "differ", "errors", "passed")] == [14, 4, 0, 0, True]
    assert report["servers"]["flask"]["versions"]["Flask"] == FLASK_VERSION
    steps = {(s["name"], s["framework"]): s for s in report["setup"]}
    assert steps["fresh database", "flask"]["output"] == ["Initialized the database."]
    assert steps["fresh database", "fastapi"]["output"] == ["Initialized the database."]
    # the step's `flask` is the one of the app's venv, not the explorer's Flask 3
    assert f"Flask {FLASK_VERSION}" in steps["which flask", "flask"]["output"]
    assert ("which flask", "fastapi") not in steps


async def test_routes_of_a_mounted_sub_app_are_listed_for_generate_and_the_route_picker(tmp_path: Path) -> None:
    from explorer.apps.config import load_config
    from explorer.apps.routes import list_routes
    from explorer.runtime.session import Session

    blog = tmp_path / "blog"
    shutil.copytree(ROOT / "examples" / "blog", blog, ignore=shutil.ignore_patterns("*.sqlite", "__pycache__", ".venv"))
    specs = specs_from_options(settings={"fastapi": load_config(blog / "explorer.toml")["fastapi"]})
    async with Session(specs, timeout=10) as session:
        listing = await list_routes(session, "fastapi", handlers=True)
    assert listing.error is None and listing.skipped == ()
    routes = {(r.method, r.pattern): r for r in listing.routes}
    # /admin is a FastAPI app mounted on the port: its routes are in its own schema, not the main one
    stats = routes["GET", "/admin/stats"]
    assert stats.path == "/admin/stats" and ("X-API-Key", "<api-key>") in stats.headers
    assert ("POST", "/admin/backup") in routes and ("GET", "/posts/{post_id}") in routes
    assert not any(pattern.endswith(("/openapi.json", "/docs")) for _, pattern in routes)


def test_the_parity_screen_offers_the_requests_file_next_to_the_pair(tmp_path: Path) -> None:
    from explorer.parity.suite import default_requests_file

    blog = ROOT / "examples" / "blog"
    folders = [blog / "flask-app", blog / "fastapi-port"]
    assert default_requests_file(folders, cwd=tmp_path) == blog / "requests.yaml"  # the folder both apps share
    (tmp_path / "requests.yaml").write_text("requests: [{path: /}]\n")
    assert default_requests_file(folders, cwd=tmp_path) == tmp_path / "requests.yaml"  # where explorer runs
    shop = ROOT / "examples" / "shop"
    assert default_requests_file([shop, shop], cwd=ROOT) == shop / "requests.yaml"
    assert default_requests_file([ROOT / "tests" / "apps"], cwd=ROOT) is None
