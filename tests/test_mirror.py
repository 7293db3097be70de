"""``explorer mirror`` in front of the example shop: a browser-like client through it, then parity on its recording.

One mirror run (its own servers, as a user starts it) serves the whole flow: the client sees Flask's
answers unchanged, a regression planted in the port is counted on its route, ``--noise`` finds the
shop's live fields, the requests after a login match (the port's own token sent to the port, in
the form the requests file writes for it), and the ``--record`` file run by ``explorer parity`` differs on the same routes.
"""

from __future__ import annotations

import asyncio
import json
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.clitools import run_cli
from tests.conftest import family, until, wait_gone

ROOT = Path(__file__).resolve().parent.parent
SHOP = ROOT / "examples" / "shop"
FLASK_EXTRA = '''

import time
from collections.abc import Iterator
from pathlib import Path

from flask import redirect
from werkzeug.wrappers import Response


@app.get("/stream")
def stream() -> Response:
    """A first part, then the second once the gate file exists (at most 5 s): an answer that comes in parts."""
    gate = Path(request.args["gate"])

    def parts() -> Iterator[str]:
        yield "first\\n"
        for _ in range(500):
            if gate.exists():
                break
            time.sleep(0.01)
        yield "second\\n"

    return app.response_class(parts(), mimetype="text/plain")


@app.get("/visit")
def visit() -> Response:
    answer = redirect("/seen", 302)
    answer.set_cookie("visitor", "v-" + request.args.get("name", "x"))
    return answer


@app.get("/seen")
def seen() -> dict[str, str | None]:
    return {"visitor": request.cookies.get("visitor")}
'''
FASTAPI_EXTRA = """

from collections.abc import AsyncIterator

from fastapi.responses import RedirectResponse, StreamingResponse


@app.get("/stream")
async def stream(gate: str) -> StreamingResponse:
    async def parts() -> AsyncIterator[str]:
        yield "first\\n"
        yield "second\\n"

    return StreamingResponse(parts(), media_type="text/plain; charset=utf-8")


@app.get("/visit")
async def visit(name: str = "x") -> RedirectResponse:
    answer = RedirectResponse("/seen", status_code=302)
    answer.set_cookie("visitor", "v-" + name)
    return answer


@app.get("/seen")
async def seen(request: Request) -> dict[str, Any]:
    return {"visitor": request.cookies.get("visitor")}
"""
VISIT = """
  - name: visit
    path: /visit?name=ada
    status: 302
    expect_differences:
      - {aspect: content-type, reason: "Starlette's redirect has no body"}
      - {aspect: body, reason: "Starlette's redirect has no body"}
      - {aspect: header, where: content-type, reason: "Starlette's redirect has no body"}
"""


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[str], Path]:
    """The shop with a cookie and a redirect added to both apps, and a regression planted in the port:
    ``POST /orders`` loses its ``status_code=201``. Returns the app options and a requests file."""
    folder = tmp_path_factory.mktemp("mirror-shop")
    (folder / "shop_flask.py").write_text((SHOP / "shop_flask.py").read_text() + FLASK_EXTRA)
    port = (SHOP / "shop_fastapi.py").read_text()
    assert '@app.post("/orders", status_code=201)' in port
    (folder / "shop_fastapi.py").write_text(
        port.replace('@app.post("/orders", status_code=201)', '@app.post("/orders")') + FASTAPI_EXTRA
    )
    requests = folder / "requests.yaml"
    requests.write_text((SHOP / "requests.yaml").read_text() + VISIT)
    return ["--app-dir", str(folder), "--flask", "shop_flask:app", "--fastapi", "shop_fastapi:app"], requests


def explorer(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "explorer", *args], capture_output=True, text=True, timeout=timeout, cwd=ROOT
    )


def _listening(proc: subprocess.Popen[str]) -> tuple[str, str]:
    """The mirror's URL and Flask's, from the line it prints once it listens."""
    assert proc.stderr is not None
    seen = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        line = proc.stderr.readline()
        seen.append(line)
        found = re.search(r"mirror listening on (http://\S+) \(Flask at (http://\S+),", line)
        if found:
            return found.group(1), found.group(2)
        if not line and proc.poll() is not None:
            break
    raise AssertionError("".join(seen))


def _same(answer: httpx.Response, direct: httpx.Response) -> None:
    assert answer.status_code == direct.status_code and answer.content == direct.content
    strip = {"date", "connection"}  # hop-by-hop: the mirror keeps its own connection to the client
    assert sorted((k, v) for k, v in answer.headers.multi_items() if k not in strip) == sorted(
        (k, v) for k, v in direct.headers.multi_items() if k not in strip
    )


def test_a_client_through_the_mirror_then_parity_on_the_recording(shop: tuple[list[str], Path], tmp_path: Path) -> None:
    apps, requests = shop
    recorded = tmp_path / "recorded.yaml"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "explorer",
            "mirror",
            str(requests),
            *apps,
            "--listen",
            "127.0.0.1:0",
            "--noise",
            "--json-lines",
            "--record",
            str(recorded),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        url, flask_url = _listening(proc)
        with (
            httpx.Client(base_url=url, follow_redirects=True, timeout=10) as client,
            httpx.Client(base_url=flask_url, timeout=10) as direct,
        ):
            for path in ("/health", "/products?limit=2", "/products/2", "/products/999"):
                _same(client.get(path), direct.get(path))
            allowed = client.options("/products")  # Flask answers OPTIONS on every rule itself
            assert allowed.status_code == 200 and "GET" in allowed.headers["allow"]
            gate = tmp_path / "gate"
            with client.stream("GET", "/stream", params={"gate": str(gate)}) as streamed:
                parts = streamed.iter_raw()
                assert next(parts) == b"first\n" and not gate.exists()  # passed on before the answer ended
                gate.touch()
                assert b"".join(parts) == b"second\n"
            seen = client.get("/visit?name=ada")  # a redirect followed, the cookie it set sent back
            assert (
                seen.status_code == 200 and seen.json() == {"visitor": "v-ada"} and client.cookies["visitor"] == "v-ada"
            )
            assert [r.status_code for r in seen.history] == [302]
            assert client.get("/status").json()["status"] == "ok"
            order = client.post("/orders", json={"product_id": 2, "quantity": 3})
            assert order.status_code == 201 and order.headers["location"] == "/orders/1"  # Flask's, not the port's 200
            assert client.get("/orders/1").json()["total_cents"] == 8700
            assert client.post("/login", json={"email": "ada@example.com", "password": "wrong"}).status_code == 401
            token = client.post("/login", json={"email": "ada@example.com", "password": "correct horse"}).json()[
                "user"
            ]["token"]
            assert client.get("/me", headers={"Authorization": f"Token {token}"}).status_code == 200
        started = family(proc.pid)
        assert len(started) >= 4  # the mirror, Flask, FastAPI, the second Flask (and their keepers)
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 1, err  # differences nobody declared
    assert wait_gone(started) == []  # every server stopped with it
    lines = [json.loads(line) for line in out.splitlines()]
    records, summary = lines[:-1], lines[-1]["summary"]
    assert len(records) == 14 and all(r["outcome"] != "dropped" for r in records)
    visit = next(r for r in records if r["route"] == "/visit")
    assert visit["outcome"] == "declared", visit
    routes = {(r["method"], r["route"]): r for r in summary["routes"]}
    outcomes = {key: next(o for o in ("differ", "declared", "noise", "match") if row[o]) for key, row in routes.items()}
    assert outcomes == {
        ("GET", "/health"): "match",
        ("GET", "/products"): "match",
        ("OPTIONS", "/products"): "differ",  # counted on the rule: Flask's automatic 200 against FastAPI's 405
        ("GET", "/products/{product_id}"): "match",
        ("GET", "/visit"): "declared",
        ("GET", "/seen"): "match",
        ("GET", "/status"): "noise",
        ("POST", "/orders"): "differ",
        ("GET", "/orders/{order_id}"): "match",
        ("POST", "/login"): "declared",
        ("GET", "/me"): "match",  # after the login: the port got its own token, as Bearer
        ("GET", "/stream"): "match",
    }
    assert routes[("POST", "/login")]["requests"] == 2 and routes[("POST", "/login")]["match"] == 1
    assert sorted(routes[("GET", "/status")]["noise_fields"]) == ["request_id", "time"]
    planted = next(r for r in records if r["route"] == "/orders" and r["method"] == "POST")
    assert routes[("POST", "/orders")]["latest_differ"] == planted  # a screen shows it one key away
    assert [d["line"] for d in planted["differences"]] == ["status: Flask 201, FastAPI 200"]
    assert token not in out and token not in err  # the Authorization header's value is a secret
    assert summary["totals"] == {"requests": 14, "match": 9, "declared": 2, "noise": 1, "differ": 2, "dropped": 0}
    # the recording, run by parity, differs on the same routes
    text = recorded.read_text()
    assert token not in text and "Token {{token}}" in text and "Bearer {{token}}" in text
    assert "/orders/{{orders_id}}" in text
    replay = explorer("parity", str(recorded), *apps, "--json")
    assert replay.returncode == 1, replay.stderr
    results = json.loads(replay.stdout)["results"]
    assert len(results) == 14  # one per shape: the two logins differ by their answer
    differ = sorted(r["name"] for r in results if r["outcome"] != "match" and r["outcome"] != "declared")
    assert differ == ["OPTIONS /products", "POST /orders"], [(r["name"], r["outcome"]) for r in results]


@pytest.mark.serverless
def test_mirror_refuses_before_starting_anything(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """In this process (tests/clitools.py: status 2, one line, nothing on stdout): every refusal comes before a
    socket or a server."""
    taken = tmp_path / "taken.yaml"
    taken.write_text("kept\n")
    for args, message in [
        (("--listen", "0.0.0.0:8800"), "listens on every interface"),
        (("--listen", "example.com:80"), "not an IP address"),
        (("--listen", "192.0.2.1:8800"), "not an address of this machine"),  # TEST-NET-1: never local
        (("--mirror-methods", "GET,BREW"), "methods are GET"),
        (("--record", str(taken)), "exists; add --force"),
    ]:
        refused = run_cli(capsys, "mirror", *args)
        assert message in refused, refused
    assert taken.read_text() == "kept\n"


async def test_a_full_queue_drops_shadows_and_bad_requests_never_reach_the_app(echo_url: str) -> None:
    """The echo app stands for both apps: nothing is shadowed until the mirror starts, so a queue of one
    keeps the first request and drops the next two; what breaks the client's bounds is answered by the mirror."""
    import asyncio

    from explorer.mirror.core import Mirror
    from explorer.mirror.front import Incoming, Reply
    from explorer.mirror.routes import RouteMatcher
    from explorer.mirror.rules import Rules
    from explorer.mirror.upstream import Upstream
    from explorer.runtime.http.client import ServerClient

    shadow = ServerClient("fastapi", echo_url, 5)
    mirror = Mirror(Upstream(echo_url, 5), shadow, RouteMatcher([]), Rules(), queue_size=1)
    try:
        form = [("Content-Type", "application/x-www-form-urlencoded")]
        for n in range(3):  # no client to write to: the answers go nowhere, the shadows are queued or dropped
            assert await mirror.handle(Incoming("POST", "/echo", form, f"n={n}".encode()), Reply(None, True)) is None
        url = await mirror.start("127.0.0.1", 0)
        async with httpx.AsyncClient(base_url=url) as client:
            too_many = await client.get("/echo", headers={f"X-{i}": "1" for i in range(70)})
            too_big = await client.post("/echo", content=b"x" * (1024 * 1024 + 1))
            webdav = await client.request("PROPFIND", "/echo")
        assert (too_many.status_code, too_big.status_code, webdav.status_code) == (431, 413, 501)
        assert too_big.text.startswith("explorer mirror:")
        reader, writer = await asyncio.open_connection("127.0.0.1", int(url.rsplit(":", 1)[1]))
        writer.write(b"GET http://example.com/ HTTP/1.1\r\nHost: example.com\r\n\r\n")
        assert (await reader.readline()).startswith(b"HTTP/1.1 400")  # no proxy: a URL is never forwarded
        writer.close()
    finally:
        await mirror.stop()
        mirror.flask.close()
        await shadow.aclose()
    totals = mirror.tally.to_dict()["totals"]
    assert (totals["requests"], totals["dropped"], totals["match"] + totals["differ"]) == (3, 2, 1)


async def test_after_a_login_and_an_order_the_port_gets_its_own_token_and_ids(tmp_path: Path) -> None:
    """The shop behind the mirror, its port numbering orders from 7 (its own database): the client sends back
    Flask's token and Flask's order 1; the port gets its own token (as ``Bearer``, the requests file's form for
    it) and its own order 7, and every request after the login matches."""
    from explorer.apps.routes import flask_listing
    from explorer.apps.targets import specs_from_options, startup_problems
    from explorer.mirror.core import Mirror
    from explorer.mirror.routes import RouteMatcher
    from explorer.mirror.rules import Rules
    from explorer.mirror.upstream import Upstream
    from explorer.parity.suite import load_suite
    from explorer.runtime.http.client import ServerClient
    from explorer.runtime.session import Session

    (tmp_path / "shop_flask.py").write_text((SHOP / "shop_flask.py").read_text())
    port = (SHOP / "shop_fastapi.py").read_text()
    assert "_ids = itertools.count(1)" in port
    (tmp_path / "shop_fastapi.py").write_text(port.replace("_ids = itertools.count(1)", "_ids = itertools.count(7)"))
    specs = specs_from_options("shop_flask:app", "shop_fastapi:app", tmp_path)
    session = Session(specs, timeout=10)
    records: list[dict[str, object]] = []
    mirror = None
    try:
        _, listing = await asyncio.gather(session.start(), flask_listing(specs[0]))
        assert startup_problems(session.supervisor) == []
        matcher = RouteMatcher(listing.routes)
        flask_url, fastapi_url = (session.server(fw).status.base_url or "" for fw in ("flask", "fastapi"))
        fastapi = ServerClient("fastapi", fastapi_url, 10)
        rules = Rules(load_suite(SHOP / "requests.yaml"), matcher)
        mirror = Mirror(Upstream(flask_url, 10), fastapi, matcher, rules, on_record=records.append)
        async with httpx.AsyncClient(base_url=await mirror.start("127.0.0.1", 0)) as client:
            login = await client.post("/login", json={"email": "ada@example.com", "password": "correct horse"})
            token = login.json()["user"]["token"]
            order = await client.post("/orders", json={"product_id": 2, "quantity": 3})
            assert order.json()["id"] == 1 and order.headers["location"] == "/orders/1"  # Flask's answers
            for path in ("/me", "/orders/1", "/orders/1?again=1", "/products/1"):
                assert (await client.get(path, headers={"Authorization": f"Token {token}"})).status_code == 200
        await until(lambda: len(records) == 6)
    finally:
        if mirror is not None:
            await mirror.stop()
            mirror.flask.close()
            await mirror.fastapi.aclose()
        await session.stop()
    outcomes = [(r["method"], r["path"], r["outcome"]) for r in records]
    assert outcomes == [
        ("POST", "/login", "match"),  # each app's own token: compared by presence, as parity compares a capture
        ("POST", "/orders", "match"),  # the port's order 7 (and its Location) read as Flask's 1
        ("GET", "/me", "match"),
        ("GET", "/orders/1", "match"),
        ("GET", "/orders/1?again=1", "match"),
        ("GET", "/products/1", "match"),  # product 1 is not taken for order 1
    ], records
    assert token not in json.dumps(records)
