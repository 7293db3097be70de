"""The topics added after the basics (issue 21): what their answers alone cannot show.

The catalog's own tests send each new sample to both servers (``tests/test_catalog.py``); here the
Code tab finds each handler in the modules beside the apps, a blocking driver is timed from the
servers' own clocks, and uvicorn without a WebSocket library is started to show its 404.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, MutableMapping
from dataclasses import replace
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest

from explorer.apps.bundled import demo_spec
from explorer.apps.handlers import Endpoint, endpoints_from, find_in_table
from explorer.apps.routes import route_table
from explorer.apps.source import find_handler, module_file
from explorer.content.catalog import SAMPLES, Sample
from explorer.content.catalog_topics import TOPIC_SAMPLES
from explorer.runtime.http.request import RequestSpec
from explorer.runtime.http.websocket import SocketError, WebSocketClient
from explorer.runtime.servers.specs import ServerSpec
from explorer.runtime.session import Session
from tests.conftest import LiveServers, LoopThread

ROOT = Path(__file__).resolve().parent.parent

# sample -> the handler that answers it, per framework (None: the framework answers before any handler)
HANDLERS: dict[str, dict[str, tuple[str, str] | None]] = {
    "query-list": {"flask": ("query_tags", "flask_topics.py"), "fastapi": ("query_tags", "fastapi_topics.py")},
    "query-repeated-scalar": {"flask": ("query_tag", "flask_topics.py"), "fastapi": ("query_tag", "fastapi_topics.py")},
    "query-list-bare": {"fastapi": ("query_tags_bare", "fastapi_topics.py")},
    "body-limit": {"flask": ("limited_body", "flask_topics.py"), "fastapi": ("limited_body", "fastapi_topics.py")},
    "lax-marshmallow": {
        "flask": ("create_item_strict", "flask_app.py"),
        "fastapi": ("create_item_strict", "fastapi_app.py"),
    },
    "strict-mode": {
        "flask": ("create_item_exact", "flask_topics.py"),
        "fastapi": ("create_item_exact", "fastapi_topics.py"),
    },
    "db-blocking": {"flask": ("db_query", "flask_topics.py"), "fastapi": ("db_query", "fastapi_topics.py")},
    "db-def": {"fastapi": ("db_query_def", "fastapi_topics.py")},
    "cors-preflight-origin": {"flask": ("cors_data", "flask_http.py"), "fastapi": None},  # CORSMiddleware answers
    "ws-plain-get": {"flask": ("ws_echo", "flask_app.py"), "fastapi": None},  # a websocket route serves no GET
    "static-file": {"flask": None, "fastapi": None},  # the frameworks' own code: see FRAMEWORK_CODE
    "static-missing": {"flask": None, "fastapi": None},
    "static-head": {"flask": None, "fastapi": None},
    "static-traversal": {"flask": None, "fastapi": None},
    "lifecycle": {"flask": ("lifecycle", "flask_topics.py"), "fastapi": ("lifecycle", "fastapi_topics.py")},
    "testing-forecast": {"flask": ("forecast", "flask_topics.py"), "fastapi": ("forecast", "fastapi_topics.py")},
    "migration-mount": {"fastapi": None},  # the Flask view, found in the route table only: see below
}
# What only the app's route table knows: the framework's own code that serves a static folder or mount.
FRAMEWORK_CODE = {"flask": ("send_static_file", "app.py"), "fastapi": ("__call__", "staticfiles.py")}


def test_every_new_sample_says_which_handler_answers() -> None:
    assert set(HANDLERS) == {s.id for s in TOPIC_SAMPLES}
    for sample in TOPIC_SAMPLES:
        assert set(HANDLERS[sample.id]) == set(sample.frameworks), sample.id


@pytest.mark.parametrize("sample", TOPIC_SAMPLES, ids=lambda s: s.id)
def test_the_code_tab_finds_the_handler_from_the_source(sample: Sample) -> None:
    for framework in sample.frameworks:
        lookup = find_handler(
            module_file(f"demos.{framework}_app:app"), sample.request.method, sample.request.path, framework
        )
        expected = HANDLERS[sample.id][framework]
        if expected is None:
            assert lookup.route is None or lookup.ran is not True, (sample.id, framework)
            continue
        assert lookup.route is not None and lookup.route.function == expected[0], (sample.id, framework, lookup.note)
        assert lookup.file is not None and lookup.file.name == expected[1]
        assert f"def {expected[0]}(" in lookup.route.source


@pytest.fixture(scope="module")
def demo_tables() -> dict[str, tuple[Endpoint, ...]]:
    """Each demo's route table as the Code tab reads it (a child process imports the app and lists its routes), listed
    once for the three tests that look in it: five listings before, the FastAPI demo's about 1 s of CPU each."""

    async def both() -> list[list[dict[str, Any]]]:
        return await asyncio.gather(*(route_table(demo_spec(framework)) for framework in ("flask", "fastapi")))

    flask, fastapi = asyncio.run(both())
    return {"flask": endpoints_from(flask), "fastapi": endpoints_from(fastapi)}


def test_the_code_tab_finds_the_handler_in_the_route_table(demo_tables: dict[str, tuple[Endpoint, ...]]) -> None:
    """What the app's own route table says (the Code tab's first choice) agrees with the source."""
    for framework in ("flask", "fastapi"):
        table = demo_tables[framework]
        for sample in TOPIC_SAMPLES:
            expected = HANDLERS[sample.id].get(framework)
            if sample.topic == "static":
                expected = FRAMEWORK_CODE[framework]
            if framework not in sample.frameworks or expected is None:
                continue
            lookup = find_in_table(table, sample.request.method, sample.request.path, framework)
            assert lookup.route is not None and lookup.file is not None, (sample.id, lookup.note)
            assert (lookup.route.function, lookup.file.name) == expected, sample.id


def _spans(live: LiveServers, framework: str, path: str) -> list[tuple[float, float]]:
    """Five requests at once; each answer says when its handler started and ended, by the server's clock."""

    async def five() -> list[tuple[float, float]]:
        spec = RequestSpec("GET", path)
        answers = await asyncio.gather(*(live.session.send_one(framework, spec) for _ in range(5)))
        return [(a.json["started"], a.json["ended"]) for a in answers]

    return live.loop.run(five())


def test_a_blocking_driver_stalls_async_def_and_not_def(live: LiveServers) -> None:
    """Inside async def the five 100 ms queries never overlap; in a def route and in Flask they do.

    Overlap is read from the handlers' own start and end times, not from how long the burst took, so a
    loaded machine cannot fake either answer (it can only make fewer of the five overlap: one pair is enough).
    """
    stalled = sorted(_spans(live, "fastapi", "/db/query?ms=100"))
    assert all(later[0] >= earlier[1] - 0.001 for earlier, later in pairwise(stalled)), stalled
    assert stalled[-1][1] - stalled[0][0] >= 5 * 0.1 * 0.95
    for framework, path in (("fastapi", "/db/query/def?ms=100"), ("flask", "/db/query?ms=100")):
        spans = sorted(_spans(live, framework, path))
        assert any(later[0] < earlier[1] for earlier, later in pairwise(spans)), (framework, spans)


def test_without_a_websocket_library_uvicorn_answers_the_upgrade_with_404(loop_thread: LoopThread) -> None:
    """A plain ``pip install uvicorn`` has neither websockets nor wsproto: the upgrade reaches the app as a GET."""
    spec = ServerSpec("fastapi", "uvicorn", "ws_app:app", app_dir=ROOT / "demos" / "no_websockets")
    session = Session([spec], timeout=10)
    loop_thread.run(session.start())
    try:
        server = session.server("fastapi")
        with pytest.raises(SocketError) as refused:
            loop_thread.run(WebSocketClient("fastapi", server.status.base_url or "", "/ws/echo").open())
        assert str(refused.value).startswith("the fastapi server refused the upgrade with HTTP 404"), refused.value
        deadline = time.monotonic() + 5
        while not any("No supported WebSocket library detected" in line for line in server.log.lines()):
            assert time.monotonic() < deadline, server.log.lines()[-5:]
            time.sleep(0.01)
    finally:
        loop_thread.run(session.stop())


def test_the_lifecycle_answers_say_what_ran_at_start_up_and_what_closed(live: LiveServers) -> None:
    """Each request finds only its own connection open, and the one before it closed by the time the next runs."""
    first = live.send(RequestSpec("GET", "/lifecycle"))
    assert {fw: e.json["started_by"] for fw, e in first.items()} == {"flask": "import", "fastapi": "lifespan"}
    for framework, exchange in first.items():
        assert exchange.json["open_now"] == 1
        deadline = time.monotonic() + 5
        while (later := live.send(RequestSpec("GET", "/lifecycle"), [framework])[framework].json)["closed_before"] <= (
            exchange.json["closed_before"]
        ):
            assert time.monotonic() < deadline, later
            time.sleep(0.01)
        assert later["open_now"] == 1


def test_flask_tears_down_before_the_answer_leaves_and_fastapi_after() -> None:
    """In process, on the installed versions: Flask's teardown_appcontext runs before the server can write the
    body; FastAPI's code after a dependency's yield runs after the body has been sent (scope="request")."""
    from werkzeug.test import EnvironBuilder

    from demos import fastapi_topics, flask_topics
    from demos.fastapi_app import app as fastapi_app
    from demos.flask_app import app as flask_app

    closed = flask_topics.CONNECTIONS["closed"]

    def start_response(
        status: str, headers: list[tuple[str, str]], exc_info: object = None
    ) -> Callable[[bytes], object]:
        return lambda data: None  # the body is read from what wsgi_app returns

    body = flask_app.wsgi_app(EnvironBuilder(path="/lifecycle").get_environ(), start_response)
    assert flask_topics.CONNECTIONS["closed"] == closed + 1  # before the server has read one byte of the body
    assert b'"open_now":1' in b"".join(body)

    order: list[str] = []

    async def call() -> None:
        scope = {
            "type": "http",
            "method": "GET",
            "path": "/lifecycle",
            "raw_path": b"/lifecycle",
            "query_string": b"",
            "headers": [],
            "http_version": "1.1",
            "scheme": "http",
            "server": ("127.0.0.1", 80),
            "client": ("127.0.0.1", 1),
            "root_path": "",
        }

        async def receive() -> dict[str, object]:
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message: MutableMapping[str, Any]) -> None:
            order.append(f"{message['type']} closed={fastapi_topics.STATE['closed']}")

        await fastapi_app(scope, receive, send)
        order.append(f"returned closed={fastapi_topics.STATE['closed']}")

    before = fastapi_topics.STATE["closed"]
    asyncio.run(call())
    sent, done = order[:-1], order[-1]
    assert sent[0] == f"http.response.start closed={before}" and f"http.response.body closed={before}" in sent
    assert all(line.endswith(f"closed={before}") for line in sent) and done == f"returned closed={before + 1}"


def test_the_tests_beside_the_handlers_pass_and_the_code_tab_shows_them(
    demo_tables: dict[str, tuple[Endpoint, ...]],
) -> None:
    """Flask's test_client with a fake in the config, FastAPI's TestClient with dependency_overrides: both
    pass on the installed versions, and the Code tab shows each under its handler, from either finder."""
    from demos import fastapi_topics, flask_topics
    from demos.fastapi_app import app as fastapi_app
    from demos.flask_app import app as flask_app

    flask_topics.test_forecast(flask_app)
    fastapi_topics.test_forecast(fastapi_app)
    for framework, swap in (
        ("flask", 'app.config["FORECAST_SERVICE"] = lambda'),
        ("fastapi", "app.dependency_overrides[forecast_service] = lambda"),
    ):
        table = demo_tables[framework]
        for lookup in (
            find_in_table(table, "GET", "/testing/forecast", framework),
            find_handler(module_file(f"demos.{framework}_app:app"), "GET", "/testing/forecast", framework),
        ):
            assert lookup.route is not None, lookup.note
            handler, _, test = lookup.route.source.partition("\n\n\ndef test_forecast(app: ")
            assert "def forecast(" in handler and swap in test, lookup.route.source


# Flask samples whose answer changes when the Flask demo is served through a2wsgi inside FastAPI (measured)
# (the rest, streams chunk by chunk included, pass as they are): url_for() sees the mount in SCRIPT_NAME.
CHANGED_IN_FASTAPI = {
    "created": "Location: /flask/notes/2, not /notes/2",
    "redirect": "Location: /flask/notes/, not /notes/",
    "slash-redirect": "Location: http://127.0.0.1:<port>/flask/notes/, not .../notes/",
}


def _through_the_mount(sample: Sample) -> Sample:
    """The sample's Flask request and Flask answer, sent to the FastAPI demo under its /flask mount."""
    request = replace(sample.request, path="/flask" + sample.request.path)
    return replace(sample, request=request, expect={"fastapi": sample.expect["flask"]}, frameworks=("fastapi",))


def test_the_flask_demo_mounted_in_fastapi_answers_as_it_does_alone(live: LiveServers) -> None:
    """A migration keeps every Flask route working under the mount except the ones named in CHANGED_IN_FASTAPI."""
    from tests.test_catalog import check

    flask_samples = [s for s in SAMPLES if "flask" in s.frameworks and s.burst == 1]
    changed = {}
    for sample in flask_samples:
        try:
            check(_through_the_mount(sample), live)
        except AssertionError as exc:
            changed[sample.id] = str(exc).splitlines()[0][:200]
    assert changed.keys() == CHANGED_IN_FASTAPI.keys(), changed
    assert len(flask_samples) - len(changed) >= 60


def test_a_websocket_route_does_not_pass_through_the_mount(live: LiveServers) -> None:
    """a2wsgi serves HTTP only: the Flask demo's socket, fine alone, is refused under the mount (uvicorn's 403)."""
    url = live.session.server("fastapi").status.base_url or ""
    with pytest.raises(SocketError) as refused:
        live.loop.run(WebSocketClient("fastapi", url, "/flask/ws/echo").open())
    assert str(refused.value).startswith("the fastapi server refused the upgrade with HTTP 403"), refused.value


def test_the_code_tab_finds_a_flask_view_under_the_mount(demo_tables: dict[str, tuple[Endpoint, ...]]) -> None:
    """The route table opens a Flask app behind a2wsgi: its views, with the mount's prefix, are FastAPI's too."""
    table = demo_tables["fastapi"]
    item = find_in_table(table, "GET", "/flask/items/1", "fastapi")
    assert (
        item.route is not None
        and item.file is not None
        and (item.route.function, item.file.name) == ("get_item", "flask_app.py")
    )
    assert '@app.route("/items/<int:item_id>")' in item.route.source
    negative = find_in_table(table, "GET", "/flask/items/-1", "fastapi")  # Werkzeug's converter refuses it: no view
    assert negative.route is None and negative.ran is False


def test_samples_json_lists_every_new_topic_with_its_claims() -> None:
    import json
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "explorer", "samples", "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    listed = {sample["id"]: sample for sample in json.loads(done.stdout)["samples"]}
    for sample in TOPIC_SAMPLES:
        assert listed[sample.id]["claim"] == sample.claim and listed[sample.id]["topic"] == sample.topic
    assert {"query", "limits", "static", "lifecycle", "testing", "migration"} <= {s["topic"] for s in listed.values()}
