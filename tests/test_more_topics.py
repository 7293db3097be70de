"""The topics added after the basics (issue 21): what their answers alone cannot show.

The catalog's own tests send each new sample to both servers (``tests/test_catalog.py``); here the
Code tab finds each handler in the modules beside the apps, a blocking driver is timed from the
servers' own clocks, and uvicorn without a WebSocket library is started to show its 404.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from explorer.apps.handlers import endpoints_from, find_in_table
from explorer.apps.routes import route_table
from explorer.apps.source import find_handler, module_file
from explorer.content.catalog_topics import TOPIC_SAMPLES
from explorer.runtime.request import RequestSpec
from explorer.runtime.session import Session
from explorer.runtime.specs import ServerSpec, demo_spec
from explorer.runtime.websocket import SocketError, WebSocketClient
from tests.conftest import LiveServers, LoopThread

ROOT = Path(__file__).resolve().parent.parent

# sample -> the handler that answers it, per framework (None: the framework answers before any handler)
HANDLERS = {
    "query-list": {"flask": ("query_tags", "flask_topics.py"), "fastapi": ("query_tags", "fastapi_topics.py")},
    "query-repeated-scalar": {"flask": ("query_tag", "flask_topics.py"), "fastapi": ("query_tag", "fastapi_topics.py")},
    "query-list-bare": {"fastapi": ("query_tags_bare", "fastapi_topics.py")},
    "body-limit": {"flask": ("limited_body", "flask_topics.py"), "fastapi": ("limited_body", "fastapi_topics.py")},
    "lax-marshmallow": {"flask": ("create_item_strict", "flask_app.py"),
                        "fastapi": ("create_item_strict", "fastapi_app.py")},
    "strict-mode": {"flask": ("create_item_exact", "flask_topics.py"),
                    "fastapi": ("create_item_exact", "fastapi_topics.py")},
    "db-blocking": {"flask": ("db_query", "flask_topics.py"), "fastapi": ("db_query", "fastapi_topics.py")},
    "db-def": {"fastapi": ("db_query_def", "fastapi_topics.py")},
    "cors-preflight-origin": {"flask": ("cors_data", "flask_http.py"), "fastapi": None},  # CORSMiddleware answers
    "ws-plain-get": {"flask": ("ws_echo", "flask_app.py"), "fastapi": None},  # a websocket route serves no GET
}


def test_every_new_sample_says_which_handler_answers() -> None:
    assert set(HANDLERS) == {s.id for s in TOPIC_SAMPLES}
    for sample in TOPIC_SAMPLES:
        assert set(HANDLERS[sample.id]) == set(sample.frameworks), sample.id


@pytest.mark.parametrize("sample", TOPIC_SAMPLES, ids=lambda s: s.id)
def test_the_code_tab_finds_the_handler_from_the_source(sample) -> None:  # type: ignore[no-untyped-def]
    for framework in sample.frameworks:
        lookup = find_handler(module_file(f"demos.{framework}_app:app"), sample.request.method, sample.request.path,
                              framework)  # fmt: skip
        expected = HANDLERS[sample.id][framework]
        if expected is None:
            assert lookup.route is None or lookup.ran is not True, (sample.id, framework)
            continue
        assert lookup.route is not None and lookup.route.function == expected[0], (sample.id, framework, lookup.note)
        assert lookup.file is not None and lookup.file.name == expected[1]
        assert f"def {expected[0]}(" in lookup.route.source


async def test_the_code_tab_finds_the_handler_in_the_route_table() -> None:
    """What the app's own route table says (the Code tab's first choice) agrees with the source."""
    for framework in ("flask", "fastapi"):
        table = endpoints_from(await route_table(demo_spec(framework)))
        for sample in TOPIC_SAMPLES:
            expected = HANDLERS[sample.id].get(framework)
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
    """Inside async def the five 100 ms queries never overlap; in a def route and in Flask they all do."""
    stalled = sorted(_spans(live, "fastapi", "/db/query?ms=100"))
    assert all(later[0] >= earlier[1] - 0.001 for earlier, later in zip(stalled, stalled[1:])), stalled
    assert stalled[-1][1] - stalled[0][0] >= 5 * 0.1 * 0.95
    for framework, path in (("fastapi", "/db/query/def?ms=100"), ("flask", "/db/query?ms=100")):
        spans = _spans(live, framework, path)
        assert max(start for start, _ in spans) < min(end for _, end in spans), (framework, spans)


def test_without_a_websocket_library_uvicorn_answers_the_upgrade_with_404(loop_thread: LoopThread) -> None:
    """A plain ``pip install uvicorn`` has neither websockets nor wsproto: the upgrade reaches the app as a GET."""
    spec = ServerSpec("fastapi", "uvicorn", "demos.fastapi_app:app", app_dir=ROOT / "demos" / "no_websockets")
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
