"""Real apps as migrating teams bring them: the example pair in examples/blog, run as a user runs it.

The Flask app has an app factory, blueprints, a session cookie and a database its set-up command
creates; its FastAPI port has routers and dependencies in several modules and a mounted sub-app;
both keep the package name ``blog`` in their own folders and read their settings only from env
files. Each test copies the pair to a temporary folder (the set-up writes databases there).
"""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest
from rich.console import Console

from explorer.apps.handlers import endpoints_from, find_in_table
from explorer.apps.routes import route_table
from explorer.apps.settings import AppSettings
from explorer.apps.source import find_handler, module_file
from explorer.apps.targets import specs_from_options
from explorer.cli.render import log_panel
from explorer.runtime.servers.specs import ServerSpec, ServerState
from explorer.runtime.servers.supervisor import ManagedServer
from tests.apptools import leave_the_list, send_and_wait, servers_ready, until
from tests.conftest import alive, wait_gone
from tests.venvs import FLASK_VERSION, legacy_venv

ROOT = Path(__file__).resolve().parent.parent
BLOG = ROOT / "examples" / "blog"
FLASK_TARGET, FASTAPI_TARGET = "blog:create_app()", "blog.main:app"


@pytest.fixture
def blog(tmp_path: Path) -> Path:
    """A copy of the example pair, without databases from earlier runs."""
    folder = tmp_path / "blog"
    shutil.copytree(BLOG, folder, ignore=shutil.ignore_patterns("*.sqlite", "__pycache__", ".venv"))
    return folder


def explorer(*args: str, cwd: Path, timeout: float = 40) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "explorer", *args], capture_output=True, text=True, timeout=timeout, cwd=cwd
    )


def pair_options(blog: Path, flask: str = FLASK_TARGET, fastapi: str = FASTAPI_TARGET) -> list[str]:
    """The whole pair on the command line: folders, targets, env files, set-up commands."""
    return [
        "--flask-dir",
        str(blog / "flask-app"),
        "--flask",
        flask,
        "--flask-env-file",
        str(blog / "flask.env"),
        "--flask-setup",
        "flask --app blog init-db",
        "--fastapi-dir",
        str(blog / "fastapi-port"),
        "--fastapi",
        fastapi,
        "--fastapi-env-file",
        str(blog / "fastapi.env"),
        "--fastapi-setup",
        "python -m blog.db",
    ]


def results(run: subprocess.CompletedProcess[str]) -> dict[str, dict[str, object]]:
    assert run.returncode == 0, run.stderr
    return {r["framework"]: r for r in json.loads(run.stdout)["results"]}


# --- the pair, from the config file and from the command line ---------------------------------------


def test_the_pair_runs_from_explorer_toml_and_the_command_line_overrides_it(blog: Path) -> None:
    run = explorer(
        "send",
        "--json",
        "--fastapi-env",
        "BLOG_ADMIN_KEY=from-the-command-line",
        "GET",
        "/admin/stats",
        "--header",
        "X-API-Key: from-the-command-line",
        cwd=blog,
    )
    answers = results(run)
    assert answers["flask"]["status"] == 403  # its key comes from flask.env only
    assert answers["fastapi"]["status"] == 200 and answers["fastapi"]["json"] == {"user": 1, "post": 1}
    servers = json.loads(run.stdout)["servers"]
    assert servers["flask"]["dir"] == str((blog / "flask-app").resolve())
    assert servers["fastapi"]["env"] == ["BLOG_ADMIN_KEY", "BLOG_DATABASE", "BLOG_SECRET_KEY"]  # names, not values
    assert "change-me" not in run.stdout
    assert (blog / "flask-app" / "blog.sqlite").is_file() and (blog / "fastapi-port" / "blog.sqlite").is_file()


# --- what the user sees when something fails ---------------------------------------------------------


def test_a_multi_line_error_and_an_app_of_the_other_framework_are_named_at_start(blog: Path) -> None:
    (blog / "explorer.toml").unlink()  # its set-up commands would run first
    port = str(blog / "fastapi-port")
    args = [
        "--flask-dir",
        port,
        "--flask",
        FASTAPI_TARGET,
        "--flask-env-file",
        str(blog / "fastapi.env"),
        "--fastapi-dir",
        port,
        "--fastapi",
        FASTAPI_TARGET,
    ]
    run = explorer("send", *args, "GET", "/health", cwd=blog)
    assert run.returncode == 1 and "Traceback" not in run.stderr
    assert run.stderr.splitlines() == [
        "explorer: error: the Flask app blog.main:app cannot be served: it is a FastAPI app (ASGI), not a Flask app: "
        "give it as the FastAPI app instead",
        "explorer: error: the FastAPI app blog.main:app failed to import: RuntimeError: BLOG_SECRET_KEY is not set! "
        "Steps to fix: 1. put BLOG_SECRET_KEY=... in fastapi.env (any long random text) 2. start the app with that "
        "file, e.g. --fastapi-env-file fastapi.env",
    ]


def test_send_prints_the_log_of_a_server_that_answered_500(blog: Path) -> None:
    run = explorer("send", "--json", "POST", "/admin/backup", "--header", "X-API-Key: admin-key", cwd=blog)
    answers = results(run)
    for framework in ("flask", "fastapi"):  # uvicorn logs the traceback after it has answered: it is waited for
        assert answers[framework]["status"] == 500
        assert "RuntimeError: backups are not configured: set BLOG_BACKUP_DIR" in str(answers[framework]["log_tail"])
    console = Console(width=100, record=True, color_system=None)
    tail = answers["fastapi"]["log_tail"]
    assert isinstance(tail, list)
    console.print(log_panel("fastapi", tail))
    assert "FastAPI server log, last" in console.export_text()


# --- set-up and environment, in process ----------------------------------------------------------------


def blog_spec(blog: Path, **changes: object) -> ServerSpec:
    settings = AppSettings(dir=(blog / "flask-app").resolve(), env_file=blog / "flask.env", env=(("BLOG_EXTRA", "1"),))
    (spec,) = specs_from_options(flask=FLASK_TARGET, settings={"flask": settings})
    return ServerSpec(**{**spec.__dict__, **changes})


async def test_setup_runs_before_each_start_and_only_the_named_variables_reach_the_app(
    blog: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SHELL_SECRET", "never-passed")
    server = ManagedServer(blog_spec(blog, setup=("flask", "--app", "blog", "init-db")))
    try:
        assert (await server.start()).state is ServerState.READY
        environ = psutil.Process(server.status.pid).environ()
        assert environ["BLOG_EXTRA"] == "1" and environ["BLOG_SECRET_KEY"] == "change-me-flask"
        assert "SHELL_SECRET" not in environ
        assert (await server.restart()).state is ServerState.READY
    finally:
        await server.stop()
    log = "\n".join(server.log.lines())
    # a restart runs it again (issue 23.4: a restart is a fresh start, the database made anew)
    assert log.count("[explorer] set-up: flask --app blog init-db") == 2 and "Initialized the database." in log
    assert "added for this app: BLOG_ADMIN_KEY, BLOG_DATABASE, BLOG_EXTRA, BLOG_SECRET_KEY" in log
    assert "change-me-flask" not in log and "SHELL_SECRET" not in log


async def test_a_failing_or_hanging_setup_stops_the_start_and_leaves_nothing(blog: Path, tmp_path: Path) -> None:
    failing = ("python", "-c", "import sys; print('creating tables'); sys.exit('no such table: user')")
    server = ManagedServer(blog_spec(blog, setup=failing))
    status = await server.start()
    assert status.state is ServerState.CRASHED and status.pid is None
    assert status.message.endswith("failed with exit code 1") and status.detail.splitlines() == [
        "  | creating tables",
        "  | no such table: user",
    ]
    pid_file = tmp_path / "sleeper.pid"
    code = (
        "import subprocess, sys, time; "
        "p = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)']); "
        "open(sys.argv[1], 'w').write(str(p.pid)); time.sleep(60)"
    )
    hanging = ("python", "-c", code, str(pid_file))
    server = ManagedServer(blog_spec(blog, setup=hanging), setup_timeout=1.0)
    status = await server.start()
    assert status.state is ServerState.CRASHED and "did not finish within 1 s and was stopped" in status.message
    assert alive([int(pid_file.read_text())]) == []  # what the set-up started ended with it


async def test_an_interpreter_that_never_answers_is_named_and_stopped_with_what_it_started(tmp_path: Path) -> None:
    pid_file = tmp_path / "child.pid"
    python = tmp_path / "venv" / "bin" / "python"  # a script in a venv's place that starts a child and hangs
    python.parent.mkdir(parents=True)
    python.write_text(f"#!/bin/sh\nsleep 60 &\necho $! > {pid_file}\nexec sleep 60\n")
    python.chmod(0o755)
    spec = ServerSpec("flask", "werkzeug", "blog:create_app()", app_dir=tmp_path, python=str(python))
    server = ManagedServer(spec, check_timeout=0.5)
    started = time.monotonic()
    status = await server.start()
    assert time.monotonic() - started < 5  # the check's own time-out, not 20 s
    assert status.state is ServerState.CRASHED and "exit code None" not in status.message
    assert f"{python} did not answer within 0.5 s: is it a Python interpreter?" in status.message
    assert alive([int(pid_file.read_text())]) == []  # the child it started ended with it


def test_what_a_setup_started_ends_when_the_explorer_is_killed(blog: Path, tmp_path: Path) -> None:
    pid_file = tmp_path / "sleeper.pid"
    hang = (
        "python -c \"import subprocess, sys, time; p = subprocess.Popen([sys.executable, '-c', 'import time; "
        f"time.sleep(60)']); open('{pid_file}', 'w').write(str(p.pid)); time.sleep(60)\""
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "explorer", "send", "--flask-setup", hang, "GET", "/"],
        cwd=blog,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 20
        while not (pid_file.is_file() and pid_file.read_text()) and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.02)  # polling for the file the set-up writes once it runs
        sleeper = int(pid_file.read_text())
        proc.kill()
        proc.wait(10)
        assert wait_gone([sleeper], timeout=5) == []
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


# --- a legacy app in its own venv -------------------------------------------------------------------


def test_a_flask_app_runs_in_its_own_venv_with_flask_2_3(blog: Path) -> None:
    venv = legacy_venv()
    bare = subprocess.run([str(venv / "bin" / "python"), "-c", "import explorer"], capture_output=True, cwd=blog)
    assert bare.returncode != 0  # nothing of ours in there: the server child runs on the standard library
    flask = pair_options(blog, flask="blog:create_app('testing')")[:8]
    run = explorer(
        "send", "--json", "--framework", "flask", "--flask-python", str(venv), *flask, "GET", "/health", cwd=blog
    )
    assert results(run)["flask"]["json"] == {"status": "ok", "framework": "flask", "version": FLASK_VERSION}
    versions = json.loads(run.stdout)["servers"]["flask"]["versions"]  # read from that interpreter, not ours
    assert (versions["Flask"], versions["Werkzeug"], versions["gunicorn"]) == (FLASK_VERSION, "2.3.8", None)
    python = str(venv / "bin" / "python")
    settings = AppSettings(dir=(blog / "flask-app").resolve(), env_file=blog / "flask.env", python=python)
    (spec,) = specs_from_options(flask=FLASK_TARGET, settings={"flask": settings})
    table = asyncio.run(route_table(spec))  # the route lister, under that interpreter too
    me = next(rule for rule in table if rule["rule"] == "/auth/me")
    assert (me["function"], me["file"]) == ("me", str((blog / "flask-app" / "blog" / "auth.py").resolve()))
    missing = explorer(
        "send",
        "--flask-python",
        str(venv),
        "--flask-server",
        "gunicorn",
        *flask,
        "--fastapi-python",
        str(venv),
        "--fastapi",
        FASTAPI_TARGET,
        "--fastapi-dir",
        str(blog / "fastapi-port"),
        "GET",
        "/",
        cwd=blog,
    )
    assert missing.returncode == 1
    assert f"lacks gunicorn, needed to run this app; install with: {python} -m pip install gunicorn" in missing.stderr
    install = (
        f"lacks uvicorn, httptools, needed to run this app; install with: {python} -m pip install uvicorn httptools"
    )
    assert install in missing.stderr  # httptools too: uvicorn runs on it, pinned, never on its own choice


# --- the Code tab ------------------------------------------------------------------------------------


async def test_handlers_are_found_in_routers_blueprints_and_mounted_apps(blog: Path) -> None:
    settings = {
        "fastapi": AppSettings(dir=(blog / "fastapi-port").resolve(), env_file=blog / "fastapi.env"),
        "flask": AppSettings(dir=(blog / "flask-app").resolve(), env_file=blog / "flask.env"),
    }
    flask, fastapi = specs_from_options(FLASK_TARGET, FASTAPI_TARGET, settings=settings)
    port = blog / "fastapi-port"
    before = find_handler(module_file(FASTAPI_TARGET, port), "POST", "/auth/login", "fastapi")
    assert before.route is None and "No route in main.py" in before.note  # reading the target's module alone
    table = endpoints_from(await route_table(fastapi))
    cases = {
        ("POST", "/auth/login"): ("blog/routers/auth.py", "login"),
        ("GET", "/posts/7"): ("blog/routers/posts.py", "get_post"),
        ("GET", "/admin/stats?x=1"): ("blog/admin.py", "stats"),
    }
    for (method, path), (where, function) in cases.items():
        found = find_in_table(table, method, path, "fastapi", port)
        assert (found.where, found.route and found.route.function) == (where, function), found.note
        assert found.route is not None and f"def {function}(" in found.route.source
    me = find_in_table(endpoints_from(await route_table(flask)), "GET", "/auth/me", "flask", blog / "flask-app")
    assert me.where == "blog/auth.py" and me.route is not None
    assert me.route.source.splitlines()[:2] == ['@bp.get("/me")', "@login_required"]
    assert find_in_table(table, "DELETE", "/posts", "fastapi").note.startswith("The path matches, but no handler")


async def test_the_code_tab_shows_the_handler_from_a_router_module(blog: Path) -> None:
    from textual.widgets import Static

    from explorer.runtime.http.request import RequestSpec
    from explorer.tui.app import ExplorerApp
    from panels.routes import RouteBrowser
    from tests.test_app import plain

    settings = {"fastapi": AppSettings(dir=(blog / "fastapi-port").resolve(), env_file=blog / "fastapi.env")}
    specs = specs_from_options(fastapi=FASTAPI_TARGET, settings=settings)
    login = RequestSpec("POST", "/auth/login", (("Content-Type", "application/json"),), "{}")
    app = ExplorerApp(specs=specs, initial=login)
    async with app.run_test(size=(160, 48)) as pilot:
        await servers_ready(pilot)
        await until(pilot, lambda: len(app.query_one(RouteBrowser).rows) >= 5 and bool(app.workbench.handlers))
        await send_and_wait(pilot)
        assert app.last["fastapi"].status == 422
        await leave_the_list(pilot)
        await pilot.press("4")  # the Code tab, from the answers (on the list, letters filter)
        await until(pilot, lambda: plain(app.query_one("#codenote-fastapi", Static)).startswith("blog/routers/auth.py"))
        note = plain(app.query_one("#codenote-fastapi", Static))
        assert note.startswith("blog/routers/auth.py, line ") and note.rstrip().endswith("login()")
