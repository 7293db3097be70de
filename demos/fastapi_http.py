"""FastAPI: errors, JSON types, status codes and redirects, middleware, dependencies and background tasks.

``router`` holds most routes; ``asgi_app`` and ``base_app`` are two small apps the main app mounts,
each behind one kind of middleware, so its cost can be measured apart from the rest.
"""

from __future__ import annotations

import itertools
import time
import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, BackgroundTasks, Depends, FastAPI, Header, HTTPException, Request, Response
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import RedirectResponse
from pydantic import BaseModel
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from demos.data import ORDER, ORDER_RECORD, USERS
from demos.work import clamp_ms

router = APIRouter()


class OutOfStock(Exception):
    """An error of the app's own; fastapi_app.py registers the handler that makes it a JSON 409."""

    def __init__(self, item: str) -> None:
        super().__init__(item)
        self.item = item


# HTTPException becomes JSON: {"detail": ...}, with the status given.
@router.get("/errors/abort")
async def errors_abort() -> None:
    raise HTTPException(404, "No order 42.")


@router.get("/errors/custom")
async def errors_custom() -> None:
    raise OutOfStock("widget")


# An unexpected error: the client gets a bare 500; the traceback goes to the server's log only.
@router.get("/errors/crash")
async def errors_crash() -> None:
    raise RuntimeError("unhandled: the connection string was postgres://demo:s3cret@db")


class Order(BaseModel):
    id: UUID
    placed_at: datetime
    ships_on: date
    total: Decimal


# Pydantic writes datetime and date in ISO 8601, Decimal and UUID as strings.
@router.get("/types")
async def json_types() -> Order:
    return Order(**ORDER)


# The same data with no model: jsonable_encoder writes "+00:00", no offset for a naive datetime, Decimal as a number.
# response_model=None: the return type is for the type checker only; FastAPI would otherwise serialise with Pydantic.
@router.get("/types/plain", response_model=None)
async def json_types_plain() -> dict[str, Any]:
    return ORDER_RECORD


class UserOut(BaseModel):
    username: str
    full_name: str
    email: str


# response_model filters the answer: password_hash is in the record, not in the model, so it is dropped.
@router.get("/users/{username}", response_model=UserOut)
async def get_user(username: str) -> Any:
    if username not in USERS:
        raise HTTPException(404, "No such user")
    return USERS[username]


NOTES = [{"id": 1, "text": "buy milk"}]


# A route written with a trailing slash: Starlette redirects /notes to /notes/ with a 307.
@router.get("/notes/")
async def list_notes() -> list[dict[str, Any]]:
    return NOTES


@router.post("/notes/", status_code=201)
async def create_note(response: Response, note: dict[str, Any] | None = None) -> dict[str, Any]:
    response.headers["Location"] = "/notes/2"  # stored nowhere
    return {"id": 2, "text": str((note or {}).get("text", ""))}


@router.get("/notes/{note_id}")
async def get_note(note_id: int) -> dict[str, Any]:
    found = next((n for n in NOTES if n["id"] == note_id), None)
    if found is None:
        raise HTTPException(404, "No such note")
    return found


@router.delete("/notes/{note_id}", status_code=204)
async def delete_note(note_id: int) -> None:
    return None  # status_code=204: FastAPI still names its default media type, application/json


# A Response of its own: 204 with no Content-Type at all.
@router.post("/notes/{note_id}/archive")
async def archive_note(note_id: int) -> Response:
    return Response(status_code=204)


# RedirectResponse answers 307 Temporary Redirect unless told otherwise: the method is kept.
@router.get("/legacy/notes")
async def legacy_notes() -> RedirectResponse:
    return RedirectResponse("/notes/")


class RequestIdASGI:
    """Pure ASGI middleware: adds a header to the start message on its way out, and nothing else."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        request_id = uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), (b"x-request-id", request_id.encode())]
            await send(message)

        await self.app(scope, receive, send_with_id)


class RequestIdBase(BaseHTTPMiddleware):
    """The same with BaseHTTPMiddleware: shorter to write, but each request runs through a task and a stream."""

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        request.state.request_id = uuid.uuid4().hex
        response = await call_next(request)
        response.headers["X-Request-ID"] = request.state.request_id
        return response


asgi_app = FastAPI(openapi_url=None)
asgi_app.add_middleware(RequestIdASGI)
base_app = FastAPI(openapi_url=None)
base_app.add_middleware(RequestIdBase)


@asgi_app.get("/ping")
async def hooks_ping(request: Request) -> dict[str, Any]:
    return {"pong": True, "request_id": request.state.request_id}


@base_app.get("/ping")
async def hooks_ping_base(request: Request) -> dict[str, Any]:
    return {"pong": True, "request_id": request.state.request_id}


cors_app = FastAPI(openapi_url=None)
cors_app.add_middleware(CORSMiddleware, allow_origins=["https://app.example"])  # allow_methods defaults to GET only


# CORSMiddleware answers the preflight itself and adds the Access-Control headers.
@cors_app.get("/data")
async def cors_data() -> dict[str, str]:
    return {"data": "shared with https://app.example"}


def current_tenant(x_tenant: Annotated[str, Header()]) -> str:
    """A dependency: its own parameters (a required header here) are validated like the handler's."""
    return x_tenant


@router.get("/deps/tenant")
async def tenant(tenant: Annotated[str, Depends(current_tenant)]) -> dict[str, str]:
    return {"tenant": tenant}


TASKS: dict[int, dict[str, Any]] = {}
_task_ids = itertools.count(1)


def write_report(task_id: int, ms: float) -> None:
    started = time.perf_counter()
    time.sleep(ms / 1000)  # a plain def task runs in the threadpool, after the answer has gone out
    TASKS.get(task_id, {}).update(state="done", ran_ms=round((time.perf_counter() - started) * 1000, 1))


@router.post("/tasks", status_code=202)
async def start_task(background_tasks: BackgroundTasks, ms: float = 300) -> dict[str, Any]:
    task_id, ms = next(_task_ids), clamp_ms(ms)
    TASKS[task_id] = {"id": task_id, "state": "running", "ms": ms}
    for old in list(TASKS)[:-100]:  # keep the last hundred
        TASKS.pop(old, None)
    background_tasks.add_task(write_report, task_id, ms)
    return {"task": task_id, "state": "queued"}


@router.get("/tasks")
async def list_tasks() -> list[dict[str, Any]]:
    return list(TASKS.values())[-20:]
