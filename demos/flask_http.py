"""Flask: errors, JSON types, status codes and redirects, hooks, per-request values and background work.

Three blueprints the app registers: ``bp`` for most routes, ``hooks`` and ``deps`` for routes whose
blueprint-level hooks show what middleware and dependencies do in FastAPI.
"""

from __future__ import annotations

import itertools
import threading
import time
import uuid
from typing import Any, NoReturn

from flask import Blueprint, Response, abort, g, redirect, request, url_for
from flask.typing import ResponseReturnValue

from demos.data import ORDER, ORDER_RECORD, USERS
from demos.work import clamp_ms

bp = Blueprint("http", __name__)
hooks = Blueprint("hooks", __name__)
deps = Blueprint("deps", __name__)


class OutOfStock(Exception):
    """An error of the app's own; the handler below turns it into a JSON 409."""

    def __init__(self, item: str) -> None:
        super().__init__(item)
        self.item = item


@bp.app_errorhandler(OutOfStock)
def out_of_stock(exc: OutOfStock) -> ResponseReturnValue:
    return {"error": "out_of_stock", "item": exc.item}, 409


# abort() raises an HTTPException that Werkzeug renders as an HTML page, whatever the client accepts.
@bp.get("/errors/abort")
def errors_abort() -> NoReturn:
    abort(404, description="No order 42.")


@bp.get("/errors/custom")
def errors_custom() -> NoReturn:
    raise OutOfStock("widget")


# An unexpected error: the client gets a bare 500 page; the traceback goes to the server's log only.
@bp.get("/errors/crash")
def errors_crash() -> NoReturn:
    raise RuntimeError("unhandled: the connection string was postgres://demo:s3cret@db")


# Flask's JSON provider writes datetime and date as HTTP dates (RFC 822), Decimal and UUID as strings.
@bp.get("/types")
def json_types() -> ResponseReturnValue:
    return ORDER


# The same provider for a naive datetime (no time zone): it is written as GMT all the same.
@bp.get("/types/plain")
def json_types_plain() -> ResponseReturnValue:
    return ORDER_RECORD


# Flask serialises whatever the view returns: the password hash goes out unless the view removes it.
@bp.get("/users/<username>")
def get_user(username: str) -> ResponseReturnValue:
    return USERS.get(username) or abort(404)


NOTES = [{"id": 1, "text": "buy milk"}]


# A rule written with a trailing slash: Werkzeug redirects /notes to /notes/ with a 308.
@bp.get("/notes/")
def list_notes() -> ResponseReturnValue:
    return NOTES


@bp.post("/notes/")
def create_note() -> ResponseReturnValue:
    note = {"id": 2, "text": str((request.get_json(silent=True) or {}).get("text", ""))}  # stored nowhere
    return note, 201, {"Location": url_for(".get_note", note_id=2)}


@bp.get("/notes/<int:note_id>")
def get_note(note_id: int) -> ResponseReturnValue:
    return next((n for n in NOTES if n["id"] == note_id), None) or abort(404)


@bp.delete("/notes/<int:note_id>")
def delete_note(note_id: int) -> ResponseReturnValue:
    return "", 204


# A Response of its own: Flask still names its default media type, text/html.
@bp.post("/notes/<int:note_id>/archive")
def archive_note(note_id: int) -> Response:
    return Response(status=204)


# redirect() answers 302 Found unless told otherwise (code=307 or 308 keeps the method).
@bp.get("/legacy/notes")
def legacy_notes() -> ResponseReturnValue:
    return redirect(url_for(".list_notes"))


# flask-cors (set up in flask_app.py) answers the preflight and adds the Access-Control headers.
@bp.get("/cors/data")
def cors_data() -> ResponseReturnValue:
    return {"data": "shared with https://app.example"}


@hooks.before_request
def assign_request_id() -> None:
    g.request_id = uuid.uuid4().hex


@hooks.after_request
def add_request_id(response: Response) -> Response:
    response.headers["X-Request-ID"] = g.request_id
    return response


# The blueprint's before_request and after_request run around this view (and only this blueprint's).
@hooks.get("/hooks/ping")
def hooks_ping() -> ResponseReturnValue:
    return {"pong": True, "request_id": g.request_id}


@deps.before_request
def load_tenant() -> ResponseReturnValue | None:
    tenant = request.headers.get("X-Tenant")
    if not tenant:
        return {"error": "the X-Tenant header is required"}, 400  # answering here skips the view
    g.tenant = tenant
    return None


# What FastAPI injects with Depends, Flask leaves on g in a before_request hook.
@deps.get("/deps/tenant")
def tenant() -> ResponseReturnValue:
    return {"tenant": g.tenant}


TASKS: dict[int, dict[str, Any]] = {}
_task_ids = itertools.count(1)


def write_report(task_id: int, ms: float) -> None:
    started = time.perf_counter()
    time.sleep(ms / 1000)  # stands in for slow work: sending mail, resizing an image
    TASKS.get(task_id, {}).update(state="done", ran_ms=round((time.perf_counter() - started) * 1000, 1))


# No task runner in Flask: a thread here (a real app hands the job to a queue, which outlives the worker).
@bp.post("/tasks")
def start_task() -> ResponseReturnValue:
    task_id, ms = next(_task_ids), clamp_ms(request.args.get("ms", 300, type=float))
    TASKS[task_id] = {"id": task_id, "state": "running", "ms": ms}
    for old in list(TASKS)[:-100]:  # keep the last hundred
        TASKS.pop(old, None)
    threading.Thread(target=write_report, args=(task_id, ms), daemon=True).start()
    return {"task": task_id, "state": "queued"}, 202


@bp.get("/tasks")
def list_tasks() -> ResponseReturnValue:
    return list(TASKS.values())[-20:]
