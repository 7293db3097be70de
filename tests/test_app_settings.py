"""Each app's settings without starting anything: targets, env files, the config file, the environment a
server gets, what a failed load says, the "why" of an answer, and the example requests built from a schema.
"""

from __future__ import annotations

import ast
import json
import os
import sys
from pathlib import Path

import pytest

from explorer.apps.config import find_config, load_config
from explorer.apps.requestparts import BOUNDARY
from explorer.apps.settings import AppSettings, SettingsError, resolve_python, split_setup
from explorer.apps.targets import failure_detail, import_error_line
from explorer.apps.templates import openapi_routes
from explorer.content.explain import why
from explorer.runtime.child import apptarget
from explorer.runtime.http.client import Exchange
from explorer.runtime.http.request import RequestSpec
from explorer.runtime.servers.launch import server_env
from explorer.runtime.servers.specs import ServerSpec
from explorer.runtime.userdata.datafile import DataFileError, FileLimits, load_data_file

ROOT = Path(__file__).resolve().parent.parent
DOTENV = FileLimits(max_bytes=4096)


# --- what a failed load says ----------------------------------------------------------------------------

MULTI_LINE = [  # what the child prints when a module raises RuntimeError("\nBLOG_SECRET_KEY is not set!\n...")
    "[explorer] starting blog.main:app under uvicorn",
    "explorer: could not import blog.main:app:",
    "Traceback (most recent call last):",
    '  File "/app/blog/settings.py", line 14, in <module>',
    "    raise RuntimeError(MISSING_SECRET)",
    "RuntimeError: ",
    "BLOG_SECRET_KEY is not set!",
    "Steps to fix:",
    "  1. put BLOG_SECRET_KEY=... in fastapi.env",
    "  2. start the app with that file",
    "",
    "[explorer] exited with code 3",
]
WHOLE = (
    "RuntimeError: BLOG_SECRET_KEY is not set! Steps to fix: 1. put BLOG_SECRET_KEY=... in fastapi.env "
    "2. start the app with that file"
)


@pytest.mark.serverless
def test_a_multi_line_message_is_read_whole_from_the_traceback() -> None:
    assert import_error_line(MULTI_LINE) == WHOLE


@pytest.mark.serverless
def test_the_childs_summary_line_is_preferred_and_long_messages_are_cut_at_a_word() -> None:
    message = "MONGODB_URI is not set!\n" + "word " * 200
    summary = json.dumps({"stage": "factory", "type": "OSError", "message": message})
    log = [*MULTI_LINE[:6], apptarget.SUMMARY + summary]
    line = import_error_line(log)
    assert line is not None and line.startswith("OSError: MONGODB_URI is not set! word word")
    assert line.endswith("word …")
    assert len(line) < 420
    assert failure_detail(log) == f"failed in its factory: {line}"
    not_an_app = [apptarget.NOT_AN_APP + "m:x: it is a str, not an app"]
    assert failure_detail(not_an_app) == "cannot be served: it is a str, not an app"
    assert import_error_line(["[explorer] exited with code 1"]) is None


# --- the target, in the child ----------------------------------------------------------------------------


@pytest.mark.serverless
def test_what_a_target_resolves_to_and_what_is_refused() -> None:
    from fastapi import FastAPI
    from flask import Flask

    flask, fastapi = Flask("x"), FastAPI()
    assert apptarget.problem(flask, "flask") is None and apptarget.problem(fastapi, "fastapi") is None
    assert apptarget.problem(flask, "fastapi") == (
        "it is a Flask app (WSGI), not an ASGI app such as FastAPI: give it as the Flask app instead"
    )
    assert apptarget.problem(fastapi, "flask") == (
        "it is a FastAPI app (ASGI), not a Flask app: give it as the FastAPI app instead"
    )
    assert apptarget.problem("text", "flask") == "it is a str, not an app"
    assert apptarget.problem(json, "fastapi") == "it is the module json, not an app"
    assert apptarget.problem(Flask, "flask") == "it is the class Flask, not an app"

    def create_app(config: str = "production") -> str:
        return f"app for {config}"

    def wsgi(environ: dict[str, str], start_response: object) -> list[bytes]:
        return []

    assert apptarget.call(create_app, None) == "app for production"  # a bare factory is called
    assert apptarget.call(create_app, (["testing"], {})) == "app for testing"
    assert apptarget.call(wsgi, None) is wsgi  # a WSGI callable is an app, not a factory
    assert apptarget.parse_target("pkg.web:make(1, name='x')") == ("pkg.web", ["make"], ([1], {"name": "x"}))


@pytest.mark.serverless
def test_the_child_modules_use_only_the_standard_library_and_python_3_7_syntax() -> None:
    ours = {"explorer.runtime.child.apptarget", "explorer.runtime.child.procs", "explorer.runtime.faces"}
    children = [f"runtime/child/{path.name}" for path in sorted((ROOT / "explorer/runtime/child").glob("*.py"))]
    for name in (*children, "__init__.py", "runtime/__init__.py", "runtime/faces.py"):
        tree = ast.parse((ROOT / "explorer" / name).read_text(encoding="utf-8"), feature_version=(3, 7))
        for node in tree.body:  # what loading it imports (a server is imported by the function that runs it)
            if isinstance(node, ast.ImportFrom) and node.module:
                package = (ROOT / node.module.replace(".", "/")).is_dir()
                modules = [f"{node.module}.{a.name}" for a in node.names] if package else [node.module]
            elif isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            else:
                continue
            for module in modules:
                top = module.split(".")[0]
                assert module in ours or top in sys.stdlib_module_names or top == "__future__", (name, module)


# --- env files and settings ------------------------------------------------------------------------------


@pytest.mark.serverless
def test_dotenv_files_are_read_like_python_dotenv_reads_them(tmp_path: Path) -> None:
    env = tmp_path / ".env"
    env.write_text(
        '# settings\nexport A=1\nB = two words # a comment\nC=\'single # kept\'\nD="line\\nbreak \\"q\\""\n'
        'E="spans\nlines"\nF=\nG=a=b\n',
        encoding="utf-8",
    )
    assert load_data_file(env, DOTENV, fmt="dotenv") == [
        ("A", "1"),
        ("B", "two words"),
        ("C", "single # kept"),
        ("D", 'line\nbreak "q"'),
        ("E", "spans\nlines"),
        ("F", ""),
        ("G", "a=b"),
    ]


@pytest.mark.serverless
@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("1A=x\n", "line 1: '1A' is not a variable name"),
        ("A\n", "line 1: expected KEY=VALUE"),
        ("A='x\n", "line 1: a single quote is never closed"),
        ('A="x\n', "a double quote is never closed"),
        ("A=\x00\n", "holds a NUL character"),
        ("A=" + "x" * 40000 + "\n", "longer than 32,768 characters"),
    ],
    ids=["name", "no-equals", "single-quote", "double-quote", "nul", "long"],
)
def test_a_bad_env_file_is_one_line_naming_the_file_and_the_line(tmp_path: Path, text: str, error: str) -> None:
    env = tmp_path / "app.env"
    env.write_text(text, encoding="utf-8")
    with pytest.raises(DataFileError) as caught:
        load_data_file(env, FileLimits(max_bytes=65536), fmt="dotenv", label=str(env))
    assert str(caught.value).startswith(f"{env}: ") and error in str(caught.value) and "\n" not in str(caught.value)


@pytest.mark.serverless
def test_an_env_file_that_is_a_pipe_is_refused_not_waited_on(tmp_path: Path) -> None:
    fifo = tmp_path / "env"
    os.mkfifo(fifo)
    with pytest.raises(SettingsError, match="is a pipe, not a regular file"):
        AppSettings(env_file=fifo).environment("--flask-env-file")


@pytest.mark.serverless
def test_settings_merge_with_the_command_line_over_the_file() -> None:
    base = AppSettings(target="a:app", python="/x", env=(("A", "1"), ("B", "1")), setup=("init",), server="gunicorn")
    given = AppSettings(env=(("A", "2"),), server="dev")
    merged = given.over(base)
    assert (merged.target, merged.python, merged.setup, merged.server) == ("a:app", "/x", ("init",), "dev")
    assert dict(merged.environment("env")) == {"A": "2", "B": "1"}  # the later (command line) value wins


@pytest.mark.serverless
def test_setup_commands_are_split_like_a_shell_never_run_by_one(tmp_path: Path) -> None:
    assert split_setup("flask --app 'my blog' init-db", "") == ("flask", "--app", "my blog", "init-db")
    assert split_setup(["python", "-m", "blog.db"], "") == ("python", "-m", "blog.db")
    assert split_setup("echo a; rm -rf /", "") == ("echo", "a;", "rm", "-rf", "/")  # no shell: ';' is an argument
    for bad in ("", "a 'b", 3):
        with pytest.raises(SettingsError):
            split_setup(bad, "setup")


@pytest.mark.serverless
def test_an_interpreter_is_a_python_or_a_venv_folder(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "bin" / "python").symlink_to(sys.executable)
    assert resolve_python(str(venv), "--flask-python") == str(venv / "bin" / "python")  # the link, not its target
    with pytest.raises(SettingsError, match="without bin/python"):
        resolve_python(str(tmp_path), "--flask-python")
    with pytest.raises(SettingsError, match="no interpreter"):
        resolve_python(str(tmp_path / "nope"), "--flask-python")


@pytest.mark.serverless
def test_a_server_under_another_interpreter_gets_its_bin_first_and_none_of_our_packages(tmp_path: Path) -> None:
    python = tmp_path / "venv" / "bin" / "python"
    python.parent.mkdir(parents=True)
    (tmp_path / "venv" / "pyvenv.cfg").write_text("home = /usr/bin\n")
    python.symlink_to(sys.executable)
    spec = ServerSpec("flask", "werkzeug", "a:app", app_dir=tmp_path, python=str(python), env=(("DATABASE_URL", "x"),))
    env = server_env(spec)
    assert env["PATH"].split(os.pathsep)[0] == str(python.parent) and env["VIRTUAL_ENV"] == str(tmp_path / "venv")
    assert env["PYTHONPATH"].split(os.pathsep)[0] == str(tmp_path.resolve()) and str(ROOT) not in env["PYTHONPATH"]
    assert env["DATABASE_URL"] == "x"
    own = server_env(ServerSpec("flask", "werkzeug", "a:app"))
    assert str(ROOT) in own["PYTHONPATH"].split(os.pathsep) and "DATABASE_URL" not in own


# --- the config file ---------------------------------------------------------------------------------------


@pytest.mark.serverless
def test_explorer_toml_paths_are_taken_from_its_folder(tmp_path: Path) -> None:
    (tmp_path / "flask-app").mkdir()
    config = tmp_path / "explorer.toml"
    config.write_text(
        '[flask]\ntarget = "blog:create_app()"\ndir = "flask-app"\nenv = { DEBUG = 1, NAME = "x" }\n'
        'env_file = "flask.env"\nsetup = ["flask", "init-db"]\nserver = "gunicorn"\n'
    )
    assert find_config(tmp_path) == config
    flask = load_config(config)["flask"]
    assert flask.dir == (tmp_path / "flask-app").resolve() and flask.env_file == tmp_path / "flask.env"
    assert (flask.env, flask.setup, flask.server) == ((("DEBUG", "1"), ("NAME", "x")), ("flask", "init-db"), "gunicorn")


@pytest.mark.serverless
@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("[flask]\ntargte = 'a:app'\n", "explorer.toml: [flask]: unknown key 'targte'"),
        ("[flsk]\n", "unknown table or key 'flsk'"),
        ("[flask]\ndir = 'nowhere'\n", "[flask].dir: "),
        ("[flask]\nenv = { A = true }\n", "[flask].env.A: must be a string"),
        ("[flask\n", "not valid TOML"),
    ],
)
def test_a_bad_config_is_one_line_naming_the_entry(tmp_path: Path, text: str, error: str) -> None:
    config = tmp_path / "explorer.toml"
    config.write_text(text)
    with pytest.raises((SettingsError, DataFileError)) as caught:
        load_config(config)
    assert error in str(caught.value) and "\n" not in str(caught.value)


@pytest.mark.serverless
def test_pyproject_holds_the_settings_under_tool_explorer(tmp_path: Path) -> None:
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text('[project]\nname = "x"\n')
    assert load_config(pyproject, named=False) == {}  # found by itself, without the table: no config
    with pytest.raises(SettingsError, match=r"no \[tool.explorer\] table"):
        load_config(pyproject)
    pyproject.write_text('[tool.explorer.fastapi]\ntarget = "blog.main:app"\n')
    assert load_config(pyproject, named=False)["fastapi"].target == "blog.main:app"


# --- why an answer came, and example requests ----------------------------------------------------------------


def answer(framework: str, status: int, body: bytes, ctype: str = "application/json") -> Exchange:
    return Exchange(
        framework, RequestSpec("POST", "/auth/login"), status=status, body=body, headers=(("Content-Type", ctype),)
    )


@pytest.mark.serverless
def test_the_reason_for_an_answer_claims_only_what_it_knows() -> None:
    refused = why(answer("flask", 400, b'{"error": "incorrect username or password"}'))
    assert "malformed" not in refused and "own code refused" in refused
    chosen = why(answer("flask", 400, b"<p>No such tenant</p>", "text/html"))
    assert "malformed" not in chosen and "the handler (or a hook) chose it" in chosen
    generic = b"<p>The browser (or proxy) sent a request that this server could not understand.</p>"
    assert "or the handler called abort(400)" in why(answer("flask", 400, generic, "text/html"))
    crashed = why(answer("fastapi", 500, b"Internal Server Error", "text/plain"))
    assert "Log tab" not in crashed and "the server's log says which" in crashed


@pytest.mark.serverless
def test_example_requests_fill_declared_credentials_and_forms() -> None:
    file = {"type": "string", "format": "binary"}
    document = {
        "openapi": "3.1.0",
        "security": [{"key": []}],
        "components": {
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "key": {"type": "apiKey", "in": "header", "name": "X-API-Key"},
                "q": {"type": "apiKey", "in": "query", "name": "api_key"},
            }
        },
        "paths": {
            "/me": {"get": {"security": [{"bearer": []}]}},
            "/stats": {"get": {}},
            "/open": {"get": {"security": []}},
            "/search": {"get": {"security": [{"q": []}]}},
            "/upload": {
                "post": {
                    "requestBody": {
                        "content": {
                            "multipart/form-data": {
                                "schema": {
                                    "type": "object",
                                    "properties": {"file": file, "title": {"type": "string", "example": "a pen"}},
                                }
                            }
                        }
                    }
                }
            },
            "/login": {
                "post": {
                    "security": [],
                    "requestBody": {
                        "content": {
                            "application/x-www-form-urlencoded": {
                                "schema": {
                                    "properties": {"username": {"type": "string"}, "password": {"type": "string"}}
                                }
                            }
                        }
                    },
                }
            },
        },
    }
    templates, skipped = openapi_routes(document)
    requests = {t.template: t.request() for t in templates}
    assert skipped == ()
    assert requests["/me"].headers == (("Authorization", "Bearer <token>"),)
    assert requests["/stats"].headers == (("X-API-Key", "<api-key>"),)  # the document's default
    assert requests["/open"].headers == () and requests["/search"].path == "/search?api_key=%3Capi-key%3E"
    upload = requests["/upload"]
    assert upload.header("content-type") == f"multipart/form-data; boundary={BOUNDARY}"
    assert 'name="file"; filename="example.txt"' in (upload.body or "") and "\r\n\r\na pen\r\n" in (upload.body or "")
    assert (upload.body or "").endswith(f"--{BOUNDARY}--\r\n")
    login = requests["/login"]
    assert login.body == "username=example&password=example"
    assert login.header("content-type") == "application/x-www-form-urlencoded"


@pytest.mark.serverless
def test_a_flask_apps_flaskenv_and_env_are_read_as_flask_run_reads_them(tmp_path: Path) -> None:
    """`flask run` loads `.flaskenv` and `.env` (python-dotenv); the explorer ignored them, so an app that
    reads its database URL there failed under the explorer alone."""
    from explorer.apps.targets import user_spec
    from explorer.cli.apps import app_settings
    from explorer.cli.main import build_parser

    (tmp_path / ".flaskenv").write_text("FLASK_DEBUG=0\nDB_NAME=from-flaskenv\nLEVEL=flaskenv\n")
    (tmp_path / ".env").write_text("DB_NAME=app\nDB_URL=sqlite:///${DB_NAME}.db\n")
    spec = user_spec("flask", "app:app", settings=AppSettings(dir=tmp_path, env=(("LEVEL", "option"),)))
    assert dict(spec.env) == {"FLASK_DEBUG": "0", "DB_NAME": "app", "DB_URL": "sqlite:///app.db", "LEVEL": "option"}
    assert spec.env[-1] == ("LEVEL", "option")  # the options win (the last one set wins)
    assert spec.notes == ("read .flaskenv and .env in the app's folder, as flask run does (--no-dotenv skips them)",)
    assert user_spec("fastapi", "app:app", settings=AppSettings(dir=tmp_path)).env == ()  # flask run's habit only
    args = build_parser().parse_args(["routes", "--no-dotenv", "--flask", "app:app", "--flask-dir", str(tmp_path)])
    skipped = user_spec("flask", "app:app", settings=app_settings(args)["flask"])
    assert skipped.env == () and skipped.notes == ()
    (tmp_path / ".env").write_text("DB_URL='never closed\n")
    with pytest.raises(SettingsError, match=r"\(\.env; --no-dotenv skips it\).*line 1: a single quote is never closed"):
        user_spec("flask", "app:app", settings=AppSettings(dir=tmp_path))


def test_setup_timeout_is_an_option_and_ends_a_hanging_set_up() -> None:
    """The set-up command had 120 s, whatever it was: now `--setup-timeout SECONDS` (1 s to an hour)."""
    import asyncio

    from explorer.apps.targets import user_spec
    from explorer.cli.apps import app_settings
    from explorer.cli.main import build_parser
    from explorer.runtime.servers.supervisor import ManagedServer, ServerState

    apps = Path(__file__).resolve().parent / "apps"
    hanging = f"{sys.executable} -c 'import time; time.sleep(30)'"
    args = build_parser().parse_args(
        [
            "routes",
            "--flask",
            "echo_app:app",
            "--flask-dir",
            str(apps),
            "--flask-setup",
            hanging,
            "--setup-timeout",
            "1",
        ]
    )
    spec = user_spec("flask", "echo_app:app", settings=app_settings(args)["flask"])
    assert spec.setup_timeout == 1.0
    status = asyncio.run(ManagedServer(spec).start())
    assert status.state is ServerState.CRASHED and "did not finish within 1 s" in status.message
    with pytest.raises(SystemExit):
        build_parser().parse_args(["routes", "--setup-timeout", "0"])


def test_set_up_output_in_the_log_hides_the_apps_secret_variables() -> None:
    """A set-up printing its database URL put the password in the Log tab and in the start error."""
    import asyncio

    from explorer.apps.targets import user_spec
    from explorer.runtime.servers.supervisor import ManagedServer, ServerState

    apps = Path(__file__).resolve().parent / "apps"
    show = (
        sys.executable,
        "-c",
        "import os, sys; print('connecting to', os.environ['DATABASE_URL']); "
        "print('mode', os.environ['MODE']); sys.exit(1)",
    )
    env = (("DATABASE_URL", "postgres://ann:hunter22@db/app"), ("MODE", "production"))
    spec = user_spec("flask", "echo_app:app", settings=AppSettings(dir=apps, env=env, setup=show))
    server = ManagedServer(spec)
    status = asyncio.run(server.start())
    assert status.state is ServerState.CRASHED and "connecting to ‹redacted›" in status.detail
    shown = "\n".join(server.log.lines())
    assert (
        "hunter22" not in shown + status.detail and "connecting to ‹redacted›" in shown and "mode production" in shown
    )
