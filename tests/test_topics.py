"""The topics beyond the catalog's own checks: what the answers alone cannot show.

Where a traceback goes, when a background job ends, what the docs offer for a token, what the
Code tab finds in the modules beside an app, what FastAPI does without python-multipart, and the
lab's middleware scenario, all against the real servers the rest of the suite uses.
"""

from __future__ import annotations

import base64
import json
import subprocess
import sys
import time
from pathlib import Path

import itsdangerous
import pytest

from explorer.apps.source import find_handler, module_file
from explorer.bench.loadgen import LoadConfig, run_load
from explorer.bench.scenarios import SCENARIOS
from explorer.content.catalog import SAMPLES
from explorer.content.catalog_forms import FLASK_COOKIE, STARLETTE_COOKIE, TOKEN
from explorer.runtime.http.request import RequestSpec
from explorer.runtime.servers.versions import stack
from tests.conftest import LiveServers

ROOT = Path(__file__).resolve().parent.parent


def test_the_catalogs_cookies_and_token_are_signed_with_the_demo_secret() -> None:
    from flask.sessions import SecureCookieSessionInterface

    from demos.data import SECRET_KEY, issue_token
    from demos.flask_app import app

    flask_value = FLASK_COOKIE.partition("=")[2]
    interface = app.session_interface
    assert isinstance(interface, SecureCookieSessionInterface)  # Flask's own signed cookie
    serializer = interface.get_signing_serializer(app)
    assert serializer is not None and serializer.loads(flask_value) == {"user": "ada"}
    starlette_value = STARLETTE_COOKIE.partition("=")[2].encode()
    payload = itsdangerous.TimestampSigner(SECRET_KEY).unsign(starlette_value)
    assert json.loads(base64.b64decode(payload)) == {"user": "ada"}
    assert issue_token("ada") == TOKEN


def test_an_unhandled_exception_reaches_the_log_and_never_the_client(live: LiveServers) -> None:
    for framework, exchange in live.send(RequestSpec("GET", "/errors/crash")).items():
        assert exchange.status == 500 and "s3cret" not in exchange.text
        log = live.session.server(framework).log
        deadline = time.monotonic() + 5  # the server writes the traceback just after answering
        while not any("s3cret" in line for line in log.lines()):
            assert time.monotonic() < deadline, f"no traceback in the {framework} log"
            time.sleep(0.01)
        assert any(line.startswith("Traceback") for line in log.lines())


def test_a_401_is_explained_with_its_scheme(live: LiveServers) -> None:
    from explorer.content.explain import why

    for framework, exchange in live.send(RequestSpec("GET", "/auth/me")).items():
        name = "Flask" if framework == "flask" else "FastAPI"
        assert why(exchange) == f"{name} wants credentials it can verify (Bearer, says WWW-Authenticate)."


def test_a_handlers_own_404_is_not_called_a_missing_route(live: LiveServers) -> None:
    """abort(404) and HTTPException(404) come from a handler that ran; only a path no route matches is "no route"."""
    from explorer.content.explain import why

    for path, ran in (("/errors/abort", True), ("/errors/nowhere", False)):
        for framework, exchange in live.send(RequestSpec("GET", path)).items():
            server = live.session.server(framework).spec
            lookup = find_handler(module_file(server.target, server.app_dir), "GET", path, framework)
            assert exchange.status == 404 and lookup.ran is ran
            told, guessed = why(exchange, lookup.ran), why(exchange)  # with the route map, and from the body alone
            if ran:
                assert "handler answered 404 itself" in told and "No " not in told
                assert "wrote this 404 itself" in guessed and "route matched" not in guessed
            else:
                assert told.startswith("No ") and "route matched this path" in told
                assert guessed.startswith("No ") and "route matched this path" in guessed


def test_a_400_says_whether_the_framework_or_the_app_refused(live: LiveServers) -> None:
    from explorer.content.explain import why

    missing_field = live.send(
        RequestSpec("POST", "/forms/contact", (("Content-Type", "application/x-www-form-urlencoded"),), "name=Ada"),
        ["flask"],
    )["flask"]
    assert why(missing_field).startswith("Flask could not read the request (malformed JSON, a missing form field")
    no_tenant = live.send(RequestSpec("GET", "/deps/tenant"), ["flask"])["flask"]
    assert why(no_tenant) == "The Flask app's own code refused the request with a 400; its body says why."


def test_background_jobs_end_after_the_answer(live: LiveServers) -> None:
    """The answer comes back before the 400 ms job is done; the job then reports having run its 400 ms."""
    started = live.send(RequestSpec("POST", "/tasks?ms=400"))
    for framework, exchange in started.items():
        assert exchange.status == 202 and exchange.json["state"] == "queued"
        assert exchange.timings is not None and exchange.timings.total_ms < 400
        task = exchange.json["task"]
        deadline = time.monotonic() + 5
        while True:
            jobs = {job["id"]: job for job in live.send(RequestSpec("GET", "/tasks"), [framework])[framework].json}
            if jobs[task]["state"] == "done":
                break
            assert time.monotonic() < deadline, jobs[task]
            time.sleep(0.05)
        assert jobs[task]["ran_ms"] >= 400 * 0.95


def test_the_token_route_puts_an_authorize_button_in_the_docs(live: LiveServers) -> None:
    schema = live.send(RequestSpec("GET", "/openapi.json"), ["fastapi"])["fastapi"].json
    schemes = schema["components"]["securitySchemes"]
    assert schemes["OAuth2PasswordBearer"]["flows"]["password"]["tokenUrl"] == "/auth/token"
    assert schema["paths"]["/auth/me"]["get"]["security"] == [{"OAuth2PasswordBearer": []}]
    form = schema["paths"]["/forms/contact"]["post"]["requestBody"]["content"]
    assert list(form) == ["application/x-www-form-urlencoded"]


@pytest.mark.parametrize(
    ("framework", "method", "path", "function", "file"),
    [
        ("flask", "GET", "/auth/me", "auth_me", "flask_forms.py"),
        ("fastapi", "POST", "/upload", "upload", "fastapi_forms.py"),
        ("flask", "DELETE", "/notes/7", "delete_note", "flask_http.py"),
        ("fastapi", "GET", "/hooks/ping", "hooks_ping", "fastapi_http.py"),  # a mounted app: prefix + route
        ("fastapi", "GET", "/hooks/base/ping", "hooks_ping_base", "fastapi_http.py"),
        ("fastapi", "GET", "/cors/data", "cors_data", "fastapi_http.py"),
    ],
)
def test_the_code_tab_finds_handlers_beside_the_app(
    framework: str, method: str, path: str, function: str, file: str
) -> None:
    lookup = find_handler(module_file(f"demos.{framework}_app:app"), method, path, framework)
    assert lookup.route is not None and lookup.route.function == function
    assert lookup.file is not None and lookup.file.name == file
    assert f"def {function}(" in lookup.route.source


def test_the_code_tab_explains_a_slash_redirect() -> None:
    flask = find_handler(module_file("demos.flask_app:app"), "GET", "/notes", "flask")
    fastapi = find_handler(module_file("demos.fastapi_app:app"), "GET", "/notes", "fastapi")
    assert flask.route is None and "308" in flask.note and "/notes/" in flask.note
    assert fastapi.route is None and "307" in fastapi.note


def test_without_python_multipart_the_fastapi_demo_does_not_import() -> None:
    """FastAPI checks for the package when a route declares a form field: the whole app fails to load.

    The import error is named by its exception and its whole message; before, the last line of the
    message was shown ("pip install python-multipart"), which hid the exception and what it was about.
    """
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "explorer",
            "send",
            "--app-dir",
            "demos/no_multipart",
            "--fastapi",
            "demos.fastapi_app:app",
            "GET",
            "/forms/contact",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1, done.stderr
    assert done.stderr.strip() == (
        "explorer: error: the FastAPI app demos.fastapi_app:app failed to import: "
        'RuntimeError: Form data requires "python-multipart" to be installed. '
        'You can install "python-multipart" with: pip install python-multipart'
    )
    overview = (ROOT / "docs" / "index.md").read_text(encoding="utf-8")
    assert f"# {done.stderr.strip()}\n" in overview  # the docs quote the whole message, not its first sentence


async def test_the_middleware_scenario_loads_every_route(live_gunicorn: LiveServers) -> None:
    scenario = SCENARIOS["middleware"]
    assert {t.framework for t in scenario.targets} == {"flask", "fastapi"}
    for target in scenario.targets:
        port = live_gunicorn.session.server(target.framework).status.port
        assert port is not None
        result = await run_load(LoadConfig(port, target.path, concurrency=2, duration=0.3, warmup=0.1))
        assert result.requests > 0 and result.errors == {} and result.statuses == {"200": result.requests}


async def test_every_sample_goes_through_the_editor_unchanged() -> None:
    """What the app sends for a sample is the sample: a multipart body keeps its CRLFs, a file its bytes."""
    from textual.app import App, ComposeResult

    from panels.editor import RequestEditor

    class Host(App[None]):
        def compose(self) -> ComposeResult:
            yield RequestEditor()

    async with Host().run_test() as pilot:
        editor = pilot.app.query_one(RequestEditor)
        for sample in SAMPLES:
            editor.load(sample.request, sample.burst)
            assert editor.read() == (sample.request.checked(), sample.burst), sample.id


def test_versions_name_each_stack() -> None:
    assert list(stack("flask")) == ["Flask", "Werkzeug", "gunicorn", "flask-cors"]
    assert list(stack("fastapi")) == ["FastAPI", "Starlette", "Pydantic", "uvicorn", "python-multipart"]
    assert all(stack("flask").values()) and all(stack("fastapi").values())
