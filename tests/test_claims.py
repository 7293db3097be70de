"""Claims an expert would sign: each sentence that an expert's own idiomatic app once proved wrong or
conditional, checked against both real servers, and every version a claim depends on checked against the
installed one. The catalog's own answers are checked in ``test_catalog``; here is what they cannot show
alone (a header on another route, a thread's name, a schema's gaps, a cookie's age, a server's default).
"""

from __future__ import annotations

import asyncio
import base64
import re
import subprocess
import sys
import time
from datetime import timedelta
from importlib.metadata import version
from pathlib import Path

import httpx
import pytest
from packaging.version import Version

from explorer.apps.bundled import demo_spec
from explorer.content.catalog import SAMPLES, by_id
from explorer.content.catalog_forms import FLASK_COOKIE, STARLETTE_COOKIE
from explorer.content.comparison import MEASURED_ROWS, ROWS, Measurements, measure_latency
from explorer.content.cookie_format import flask_session, starlette_session
from explorer.content.explain import why
from explorer.content.guide import QUESTIONS
from explorer.runtime.http.request import RequestSpec
from tests.conftest import LiveServers

ROOT = Path(__file__).resolve().parent.parent
OVERVIEW = (ROOT / "docs" / "index.md").read_text(encoding="utf-8")  # the docs page with the list of facts
ORIGIN = "https://app.example"


def claim(sample_id: str) -> str:
    sample = by_id(sample_id)
    assert sample is not None, sample_id
    return sample.claim


def row(key: str) -> str:
    return next(r for r in (*ROWS, *MEASURED_ROWS) if r.key == key).explanation


def reason(key: str) -> str:
    return next(q.reason for q in QUESTIONS if q.key == key)


# ------------------------------------------------------------------ wrong claims, fixed
def test_cors_middleware_answers_only_a_full_preflight(live: LiveServers) -> None:
    """Behind CORSMiddleware a plain OPTIONS, or one with only Origin, is still the router's 405."""
    for headers in ((), (("Origin", ORIGIN),)):
        answers = live.send(RequestSpec("OPTIONS", "/cors/data", headers))
        assert answers["flask"].status == 200
        assert answers["fastapi"].status == 405 and answers["fastapi"].header("allow") == "GET"
    preflight = (("Origin", ORIGIN), ("Access-Control-Request-Method", "GET"))
    assert {fw: e.status for fw, e in live.send(RequestSpec("OPTIONS", "/cors/data", preflight)).items()} == {
        "flask": 200,
        "fastapi": 200,
    }
    assert "unless CORS middleware is added" not in claim("options")
    assert "Origin and Access-Control-Request-Method" in claim("options")


def test_flasks_async_view_holds_the_request_thread_and_a_loop_thread(
    live: LiveServers, live_gunicorn: LiveServers
) -> None:
    for servers in (live, live_gunicorn):
        answer = servers.send(RequestSpec("GET", "/io/async?ms=10"), ["flask"])["flask"].json
        assert answer["request_thread"] != answer["loop_thread"], answer
    assert "inside the request's thread" not in claim("io-async-flask") and "two threads" in claim("io-async-flask")
    assert "helper thread" in next(r for r in ROWS if r.key == "model").flask


def test_the_docs_row_says_what_the_schema_leaves_out(live: LiveServers) -> None:
    answers = live.send(RequestSpec("GET", "/openapi.json"))
    assert answers["flask"].status == 404
    paths = answers["fastapi"].json["paths"]
    assert set(paths["/errors/abort"]["get"]["responses"]) == {"200"}  # the handler always raises 404
    assert "401" not in paths["/auth/me"]["get"]["responses"]  # behind a security dependency
    assert "cannot drift" not in row("docs") and "what the code declares" in row("docs")


def test_the_status_row_says_which_slash_werkzeug_adds(live: LiveServers) -> None:
    missing = live.send(RequestSpec("GET", "/notes"))  # the rule is /notes/
    assert (missing["flask"].status, missing["fastapi"].status) == (308, 307)
    extra = live.send(RequestSpec("GET", "/items/"))  # the rule is /items
    assert (extra["flask"].status, extra["fastapi"].status) == (404, 307)
    assert "would remove" not in row("status")
    assert "adds a missing slash (308) but never removes an extra one" in row("status")


def test_no_fixed_sentence_decides_what_the_latency_figures_decide(live: LiveServers) -> None:
    text = row("latency").lower()
    assert not [w for w in ("costs", "wakes", "more time", "longer", "faster", "slower") if w in text], text
    figures = Measurements()
    for framework in ("flask", "fastapi"):
        back = live.loop.run(measure_latency(live.session, framework, 3))
        spaced = live.loop.run(measure_latency(live.session, framework, 3, 0.01))
        assert back is not None and spaced is not None
        figures.latency_ms[framework], figures.spaced_ms[framework] = back, spaced
    said = figures.spacing_effect()
    for framework, name in (("flask", "Flask"), ("fastapi", "FastAPI")):
        assert f"{name} {figures.latency_ms[framework]:.2f} ms back to back" in said


def test_why_tells_a_parse_error_and_a_dependencys_hints_apart(live: LiveServers) -> None:
    malformed = live.send(RequestSpec("POST", "/items", (("Content-Type", "application/json"),), '{"name": "pen",'))
    assert [i.type for i in malformed["fastapi"].validation] == ["json_invalid"]
    told = why(malformed["fastapi"])
    assert "could not parse the body as JSON" in told and "type hints of the handler" not in told
    assert malformed["flask"].status == 400
    missing = live.send(RequestSpec("GET", "/deps/tenant"))
    assert missing["fastapi"].validation[0].location == "header.x-tenant"  # declared by the dependency only
    assert "dependencies (Depends)" in why(missing["fastapi"])
    assert why(missing["flask"]) == "The Flask app's own code refused the request with a 400; its body says why."


def test_the_guide_says_which_errors_are_not_json_and_what_gevent_asks(live: LiveServers) -> None:
    crash = live.send(RequestSpec("GET", "/errors/crash"), ["fastapi"])["fastapi"]
    put = (("Origin", ORIGIN), ("Access-Control-Request-Method", "PUT"))
    refused = live.send(RequestSpec("OPTIONS", "/cors/data", put), ["fastapi"])["fastapi"]
    assert (crash.status, crash.content_type) == (500, "text/plain")
    assert (refused.status, refused.content_type) == (400, "text/plain")
    assert "unhandled 500" in reason("json_errors") and "CORS refusals are text/plain" in reason("json_errors")
    assert "gevent" in reason("concurrency") and "async or patched" in reason("concurrency")


# ------------------------------------------------------------------ true only because of our demo
def test_json_types_says_the_response_model_decides(live: LiveServers) -> None:
    for sample_id in ("json-types", "json-types-plain"):
        sample = by_id(sample_id)
        assert sample is not None
        answers = live.send(sample.request)
        assert answers["flask"].json == sample.expect["flask"].json
        assert answers["fastapi"].json == sample.expect["fastapi"].json
    assert "response model" in claim("json-types") and "GMT" in claim("json-types-plain")


async def _burst(port: int, path: str, count: int) -> float:
    """Wall time in ms of ``count`` GETs sent at once, each on its own connection."""
    limits = httpx.Limits(max_connections=count)
    async with httpx.AsyncClient(
        base_url=f"http://127.0.0.1:{port}", trust_env=False, limits=limits, timeout=30
    ) as client:
        started = time.perf_counter()
        answers = await asyncio.gather(*(client.get(path) for _ in range(count)))
        assert [a.status_code for a in answers] == [200] * count
        return (time.perf_counter() - started) * 1000


def test_io_burst_names_gunicorns_setting_and_its_default(live_gunicorn: LiveServers) -> None:
    """Lower bounds only: 8 threads need three rounds of 100 ms; gunicorn's default (one sync worker) twenty."""
    assert demo_spec("flask", "gunicorn").threads == 8 and "8 threads take 3 rounds" in claim("io-burst")
    burst = live_gunicorn.send(RequestSpec("GET", "/io?ms=100"), ["flask"], burst=20)["flask"].burst
    assert burst is not None and burst.errors == 0 and burst.wall_ms >= 3 * 100 * 0.95
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--bind", "127.0.0.1:0", "demos.flask_app:app"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stderr is not None
        for line in server.stderr:  # readiness: gunicorn says where it listens, then that a sync worker booted
            if found := re.search(r"Listening at: http://127\.0\.0\.1:(\d+)", line):
                port = int(found.group(1))
            if "Using worker: sync" in line:
                break
        else:
            raise AssertionError("gunicorn never said it was listening")
        assert asyncio.run(_burst(port, "/io?ms=100", 20)) >= 20 * 100 * 0.95
    finally:
        server.terminate()
        server.wait(10)
        if server.stderr is not None:
            server.stderr.close()
    assert "one sync worker, 20 (~2 s)" in claim("io-burst")


def test_a_204_names_a_content_type_only_when_the_framework_fills_one_in(live: LiveServers) -> None:
    deleted = live.send(RequestSpec("DELETE", "/notes/1"))
    archived = live.send(RequestSpec("POST", "/notes/1/archive"))
    assert deleted["fastapi"].header("content-type") == "application/json"
    assert archived["fastapi"].status == 204 and archived["fastapi"].header("content-type") is None
    assert archived["flask"].status == 204 and archived["flask"].content_type == "text/html"
    assert "Response(status_code=204) sends no Content-Type" in claim("no-content-response")


def test_head_is_a_405_only_for_routes_that_do_not_list_it(live: LiveServers) -> None:
    on_get = live.send(RequestSpec("HEAD", "/items/1"))
    listed = live.send(RequestSpec("HEAD", "/health"))
    assert (on_get["flask"].status, on_get["fastapi"].status) == (200, 405)
    assert (listed["flask"].status, listed["fastapi"].status) == (200, 200)
    assert listed["fastapi"].body == b"" and "@app.get" in claim("head")
    docs = live.send(RequestSpec("HEAD", "/docs"), ["fastapi"])["fastapi"]  # FastAPI adds /docs as a Starlette Route
    assert docs.status == 200 and "Starlette Route (as /docs is)" in claim("head-declared")


def test_the_demo_declares_head_so_its_schema_builds_without_a_warning_and_api_route_would_warn() -> None:
    """The demo's HEAD /health is a route of its own (@app.head): its schema builds without FastAPI's warning, which
    one api_route listing GET and HEAD gives (both operations get one operation ID), as the claim says."""
    import warnings

    from fastapi import FastAPI
    from fastapi.openapi.utils import get_openapi

    from demos.fastapi_app import app

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        get_openapi(title=app.title, version=app.version, routes=app.routes)
    listed = FastAPI()
    listed.api_route("/health", methods=["GET", "HEAD"])(lambda: {"status": "ok"})
    with pytest.warns(UserWarning, match="Duplicate Operation ID"):
        get_openapi(title="listed", version="1", routes=listed.routes)
    assert "share one operation ID" in claim("head-declared")


def test_session_cookies_are_signed_fresh_and_the_demos_keep_the_default_ages(live: LiveServers) -> None:
    from starlette.middleware.sessions import SessionMiddleware

    from demos.data import SECRET_KEY
    from demos.fastapi_app import app as fastapi_app
    from demos.flask_app import app as flask_app

    assert flask_app.permanent_session_lifetime == timedelta(days=31)  # Flask's default
    sessions = next(m for m in fastapi_app.user_middleware if m.cls is SessionMiddleware)
    assert "max_age" not in sessions.kwargs  # Starlette's default, 14 days
    now = time.time()
    for cookie in (FLASK_COOKIE, STARLETTE_COOKIE):  # signed when the catalog loaded, not on some past day
        stamp = cookie.partition("=")[2].split(".")[1]
        assert abs(int.from_bytes(base64.urlsafe_b64decode(stamp + "=" * (-len(stamp) % 4)), "big") - now) < 3600
    for framework, signed, age in (("flask", flask_session, 31), ("fastapi", starlette_session, 14)):
        for days, status in ((age - 1, 200), (age + 1, 401)):
            value = signed({"user": "ada"}, SECRET_KEY, now - days * 86400)
            answer = live.send(RequestSpec("GET", "/session/me", (("Cookie", f"session={value}"),)), [framework])[
                framework
            ]
            assert answer.status == status, (framework, days, answer.text)


# ------------------------------------------------------------------ version-bound claims
VERSION_BOUND = {
    "delete": "Starlette 0.19",
    "task-start": "Starlette 0.21",
    "strict-extra": "marshmallow 3.0",
    "sse": "FastAPI 0.135",
}


def since(sample_id: str) -> list[tuple[str, Version]]:
    sample = by_id(sample_id)
    assert sample is not None
    return [(name, Version(number)) for name, number in re.findall(r"([\w-]+) (\d+(?:\.\d+)*)", sample.since)]


def test_every_version_a_claim_depends_on_is_named_and_installed() -> None:
    for sample_id, named in VERSION_BOUND.items():
        sample = by_id(sample_id)
        assert sample is not None and sample.since == named, sample_id
    bound = [s for s in SAMPLES if s.since]
    assert {s.id for s in bound} >= set(VERSION_BOUND)
    for sample in bound:
        pairs = since(sample.id)
        assert pairs and ", ".join(f"{n} {v}" for n, v in pairs) == sample.since, sample.since
        for name, at_least in pairs:
            assert Version(version(name)) >= at_least, (sample.id, name, version(name))
        assert sample.to_dict()["since"] == sample.since


def test_the_background_task_sample_runs_behind_an_http_middleware() -> None:
    """What Starlette 0.21 changed: BaseHTTPMiddleware (what @app.middleware("http") adds) no longer holds the answer."""
    from starlette.middleware.base import BaseHTTPMiddleware

    from demos.fastapi_app import app

    assert any(m.cls is BaseHTTPMiddleware for m in app.user_middleware)
    assert "@app.middleware('http')" in claim("task-start")


def test_sse_names_the_header_fastapi_adds(live: LiveServers) -> None:
    answers = live.send(RequestSpec("GET", "/events?n=1&ms=10"))
    assert (
        answers["fastapi"].header("x-accel-buffering") == "no" and answers["flask"].header("x-accel-buffering") is None
    )
    assert "X-Accel-Buffering: no" in claim("sse")


# ------------------------------------------------------------------ the docs' facts are the catalog's
def _docs_facts() -> str:
    return OVERVIEW.split("Among them, measured on")[1].split("The installed versions come with every")[0]


def test_the_docs_measured_facts_are_the_catalogs() -> None:
    """Every request the overview's list of facts names is a sample's, and every version a claim needs is said there."""
    facts = _docs_facts()
    lines = {s.request.line.split("?")[0] for s in SAMPLES}
    named = re.findall(r"`((?:GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS) /[^`\s]*)`", facts)
    assert named and [n for n in named if n.split("?")[0] not in lines] == []
    said = facts.split("Claims that hold only from some version say so")[1]
    for sample in SAMPLES:
        for name, at_least in since(sample.id) if sample.since else ():
            assert f"{name} {at_least}" in said, (sample.id, name, at_least)
