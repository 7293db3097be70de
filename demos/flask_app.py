"""The Flask demo: WSGI, synchronous views, validation written by hand or with marshmallow.

The app, its configuration and the basic routes are here; each further topic is a blueprint beside
it (``flask_forms``: forms, uploads, the session, a token; ``flask_http``: errors, JSON types, status
codes, hooks, CORS, background work), registered below.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from flask import Flask, Response, g, render_template, request
from flask.typing import ResponseReturnValue
from flask_cors import CORS
from flask_sock import Sock
from marshmallow import Schema, ValidationError, fields

from demos import flask_forms, flask_http, flask_topics
from demos.data import SECRET_KEY
from demos.work import DEFAULT_N, clamp_ms, clamp_n, crunch

if TYPE_CHECKING:
    from simple_websocket import Server  # what flask-sock hands the handler

app = Flask(__name__)
app.secret_key = SECRET_KEY
# Sessions are checked against Flask's default age, permanent_session_lifetime (31 days).
# flask-cors, for /cors/ only: every method is allowed unless `methods` says otherwise.
CORS(app, resources={r"/cors/*": {"origins": ["https://app.example"]}})
for blueprint in (flask_forms.bp, flask_http.bp, flask_http.hooks, flask_http.deps):
    app.register_blueprint(blueprint)
app.register_blueprint(flask_topics.bp)


@app.before_request
def start_timer() -> None:
    g.started = time.perf_counter()
    g.thread = threading.current_thread().name  # the thread serving the request (an async view's loop runs elsewhere)


@app.after_request
def add_server_timing(response: Response) -> Response:
    started = g.get("started")
    if started is not None:
        elapsed_ms = (time.perf_counter() - started) * 1000
        response.headers["Server-Timing"] = f"app;dur={elapsed_ms:.3f}"
    return response


# The article's example, unchanged: the converter only matches non-negative integers.
@app.route("/items/<int:item_id>")
def get_item(item_id: int) -> ResponseReturnValue:
    return {"item_id": item_id, "name": "widget"}


# A health check that load balancers probe with HEAD: Flask answers HEAD for every GET route.
@app.get("/health")
def health() -> ResponseReturnValue:
    return {"status": "ok"}


def check_item(data: Any) -> list[dict[str, str]]:
    """Hand-written validation: one error per bad field, nothing converted."""
    if not isinstance(data, dict):
        return [{"field": "", "message": "expected a JSON object", "type": "object_type"}]
    errors = []
    if not isinstance(data.get("name"), str):
        errors.append({"field": "name", "message": "name is required and must be a string", "type": "string_type"})
    price = data.get("price")
    if isinstance(price, bool) or not isinstance(price, (int, float)):
        errors.append({"field": "price", "message": "price is required and must be a number", "type": "number_type"})
    tags = data.get("tags", [])
    if not isinstance(tags, list) or not all(isinstance(tag, str) for tag in tags):
        errors.append({"field": "tags", "message": "tags must be a list of strings", "type": "list_type"})
    return errors


@app.post("/items")
def create_item() -> ResponseReturnValue:
    data = request.get_json()  # answers 415 itself unless the body is declared as JSON
    errors = check_item(data)
    if errors:
        return {"error": "validation failed", "errors": errors}, 400
    item = {"name": data["name"], "price": float(data["price"]), "tags": data.get("tags", [])}
    return item, 201


class ItemSchema(Schema):
    """marshmallow rejects unknown fields by default."""

    name = fields.String(required=True)
    price = fields.Float(required=True)
    tags = fields.List(fields.String(), load_default=list)


@app.post("/items/strict")
def create_item_strict() -> ResponseReturnValue:
    try:
        item = ItemSchema().load(request.get_json())
    except ValidationError as exc:
        return {"error": "validation failed", "errors": exc.messages}, 400
    return item, 201


@app.route("/hello/<name>")
def hello(name: str) -> ResponseReturnValue:
    return render_template("hello.html", name=name, framework="Flask")


@app.route("/io")
def io_wait() -> ResponseReturnValue:
    ms = clamp_ms(request.args.get("ms", 50, type=float))
    time.sleep(ms / 1000)  # holds this worker thread for the whole wait
    return {"waited_ms": ms}


@app.route("/io/async")
async def io_wait_async() -> ResponseReturnValue:
    ms = clamp_ms(request.args.get("ms", 50, type=float))
    await asyncio.sleep(ms / 1000)  # asgiref runs this in an event loop on a helper thread: two threads held
    return {"waited_ms": ms, "request_thread": g.thread, "loop_thread": threading.current_thread().name}


@app.route("/cpu")
def cpu() -> ResponseReturnValue:
    n = clamp_n(request.args.get("n", DEFAULT_N, type=int))
    return {"n": n, "result": crunch(n)}


# --- streaming and WebSockets ---
def clamp_count(n: int) -> int:
    """At most 20 chunks or events, so a stream always ends."""
    return max(1, min(n, 20))


@app.route("/stream")
def stream() -> ResponseReturnValue:
    n, ms = clamp_count(request.args.get("n", 5, type=int)), clamp_ms(request.args.get("ms", 100, type=float))

    def lines() -> Iterator[str]:
        for i in range(n):
            if i:
                time.sleep(ms / 1000)  # the worker thread is held for the whole stream
            yield f"chunk {i}\n"

    return Response(lines(), mimetype="text/plain")  # no length: sent chunked, each yield as it comes


@app.route("/events")
def events() -> ResponseReturnValue:
    n, ms = clamp_count(request.args.get("n", 3, type=int)), clamp_ms(request.args.get("ms", 100, type=float))

    def frames() -> Iterator[str]:
        for i in range(n):
            if i:
                time.sleep(ms / 1000)
            yield f"id: {i}\nevent: tick\ndata: {json.dumps({'n': i})}\n\n"  # the wire format, written by hand

    return Response(frames(), mimetype="text/event-stream")


sock = Sock(app)


@sock.route("/ws/echo")
def ws_echo(ws: Server) -> None:
    ws.send("hello from flask-sock")
    while True:
        ws.send(f"echo: {ws.receive()}")  # a blocking loop: this thread belongs to the socket until it closes
