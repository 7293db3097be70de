"""Flask: the topics a port runs into after the basics. Repeated query parameters, a body size limit,
strict types, a blocking database driver, start-up and per-request resources, a test beside its handler.

A blueprint the app registers; its routes carry their full paths, so each reads as it is served.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from typing import Any

from flask import Blueprint, Flask, abort, current_app, g, request
from flask.blueprints import BlueprintSetupState
from flask.typing import ResponseReturnValue
from marshmallow import Schema, ValidationError, fields

from demos.work import clamp_ms

bp = Blueprint("topics", __name__)


# request.args is a MultiDict: getlist() returns every value of a repeated parameter, in order.
@bp.get("/query/tags")
def query_tags() -> ResponseReturnValue:
    return {"tags": request.args.getlist("tag")}


# get() returns the first value of a repeated parameter and drops the rest without a word.
@bp.get("/query/tag")
def query_tag() -> ResponseReturnValue:
    return {"tag": request.args.get("tag")}


BODY_LIMIT = 1024  # bytes; the app-wide setting is app.config["MAX_CONTENT_LENGTH"], None (no limit) by default


# Flask 3.1 sets the limit per request too; Werkzeug answers 413 when the view first reads the body.
@bp.post("/limits/body")
def limited_body() -> ResponseReturnValue:
    request.max_content_length = BODY_LIMIT
    return {"size": len(request.get_data())}


class StrictFloat(fields.Float):
    """marshmallow's Float converts "3.5"; this one refuses anything but a JSON number."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValidationError("Not a JSON number.")
        return super()._deserialize(value, attr, data, **kwargs)


class ExactItemSchema(Schema):
    name = fields.String(required=True)
    price = StrictFloat(required=True)


@bp.post("/items/exact")
def create_item_exact() -> ResponseReturnValue:
    try:
        item = ExactItemSchema().load(request.get_json())
    except ValidationError as exc:
        return {"error": "validation failed", "errors": exc.messages}, 400
    return item, 201


_db = threading.local()


def _wait_ms(ms: float) -> float:
    time.sleep(ms / 1000)
    return ms


def database() -> sqlite3.Connection:
    """One connection per thread: sqlite3 refuses a connection made in another thread."""
    if not hasattr(_db, "conn"):
        _db.conn = sqlite3.connect(":memory:")
        _db.conn.create_function("wait_ms", 1, _wait_ms)  # a slow query, as on a server
    return _db.conn


# sqlite3 blocks the thread that calls it; a Flask view owns its thread, so others go on meanwhile.
@bp.get("/db/query")
def db_query() -> ResponseReturnValue:
    ms = clamp_ms(request.args.get("ms", 100, type=float))
    started = time.time()
    database().execute("SELECT wait_ms(?)", (ms,)).fetchone()
    return {"waited_ms": ms, "started": started, "ended": time.time()}


# --- start-up, shutdown and per-request resources ---
# Flask has no start-up hook: what the app needs once is made at import (or in create_app()), and only
# atexit runs at shutdown. A per-request resource goes on g, opened on first use, closed at teardown.
STARTED_BY = "import"
CONNECTIONS = {"opened": 0, "closed": 0}


def request_connection() -> sqlite3.Connection:
    if "conn" not in g:
        g.conn = sqlite3.connect(":memory:")
        CONNECTIONS["opened"] += 1
    return g.conn


def close_connection(exc: BaseException | None) -> None:
    conn = g.pop("conn", None)
    if conn is not None:
        conn.close()
        CONNECTIONS["closed"] += 1


@bp.record_once
def init_app(state: BlueprintSetupState) -> None:
    state.app.teardown_appcontext(close_connection)  # as the Flask tutorial's init_app does, app-wide


# The connection is open while the view runs; teardown_appcontext closes it when the request ends.
@bp.get("/lifecycle")
def lifecycle() -> ResponseReturnValue:
    request_connection().execute("SELECT 1").fetchone()
    open_now = CONNECTIONS["opened"] - CONNECTIONS["closed"]
    return {"started_by": STARTED_BY, "open_now": open_now, "closed_before": CONNECTIONS["closed"]}


# --- testing: a service the test replaces ---
def unreachable_forecast() -> dict[str, Any]:
    """Stands in for a call to another service, which the demo cannot reach."""
    abort(503, description="The forecast service cannot be reached from the demo")


@bp.record_once
def set_forecast_service(state: BlueprintSetupState) -> None:
    state.app.config.setdefault("FORECAST_SERVICE", unreachable_forecast)  # what a test (or create_app) replaces


# Flask injects nothing: the view looks the service up where a test can swap it (app.config here).
@bp.get("/testing/forecast")
def forecast() -> ResponseReturnValue:
    data = current_app.config["FORECAST_SERVICE"]()
    return {"city": data["city"], "summary": f"{data['temp_c']} °C"}


def test_forecast(app: Flask) -> None:
    """The test client runs the app in process; the fake service goes in through the config.

    ``app`` is the demo's app, as a pytest fixture would hand it over (``tests/test_more_topics.py`` does).
    """
    app.config["FORECAST_SERVICE"] = lambda: {"city": "Oslo", "temp_c": 3}
    try:
        answer = app.test_client().get("/testing/forecast")
    finally:
        app.config["FORECAST_SERVICE"] = unreachable_forecast
    assert answer.status_code == 200 and answer.json == {"city": "Oslo", "summary": "3 °C"}
