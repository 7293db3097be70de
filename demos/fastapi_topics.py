"""FastAPI: the topics a port runs into after the basics. Repeated query parameters, a body size limit,
strict types, a blocking database driver, start-up and per-request resources, a test beside its handler.

A router the app includes; its routes carry their full paths, so each reads as it is served.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Query, Request
from pydantic import BaseModel, ConfigDict

from demos.work import clamp_ms

# Start-up and shutdown: the app that includes this router runs its lifespan (merged with its own).
STATE: dict[str, Any] = {"started_by": None, "opened": 0, "closed": 0}


@asynccontextmanager
async def lifespan(app: Any) -> AsyncIterator[None]:
    """Runs once: before the first request (up to the yield) and at shutdown (after it)."""
    STATE["started_by"] = "lifespan"
    yield
    STATE["started_by"] = None


router = APIRouter(lifespan=lifespan)


# A list type makes a query parameter repeatable: ?tag=a&tag=b gives ["a", "b"] (Query() is required for it).
@router.get("/query/tags")
async def query_tags(tag: Annotated[list[str], Query()] = []) -> dict[str, list[str]]:  # noqa: B006
    return {"tags": tag}


# The trap: without Query(), a list parameter is read from the body, so the query string is ignored.
@router.get("/query/tags/bare")
async def query_tags_bare(tag: list[str] = []) -> dict[str, list[str]]:  # noqa: B006
    return {"tags": tag}


# A plain str parameter takes the last value of a repeated parameter (Starlette's QueryParams.get).
@router.get("/query/tag")
async def query_tag(tag: str | None = None) -> dict[str, str | None]:
    return {"tag": tag}


# No body limit in Starlette or FastAPI: the whole body is read, however large (limit it at the proxy).
@router.post("/limits/body")
async def limited_body(request: Request) -> dict[str, int]:
    return {"size": len(await request.body())}


class ExactItem(BaseModel):
    """strict=True: no conversion, so the string "3.5" is not a float (an int still is)."""

    model_config = ConfigDict(strict=True)
    name: str
    price: float


@router.post("/items/exact", status_code=201)
async def create_item_exact(item: ExactItem) -> ExactItem:
    return item


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


# A mistake on purpose: sqlite3 is a blocking driver, so inside async def it stops the one event loop.
@router.get("/db/query")
async def db_query(ms: float = 100) -> dict[str, Any]:
    started = time.time()
    database().execute("SELECT wait_ms(?)", (clamp_ms(ms),)).fetchone()
    return {"waited_ms": clamp_ms(ms), "started": started, "ended": time.time()}


# The same call in a plain def: FastAPI runs it in its threadpool, and the event loop stays free.
@router.get("/db/query/def")
def db_query_def(ms: float = 100) -> dict[str, Any]:
    started = time.time()
    database().execute("SELECT wait_ms(?)", (clamp_ms(ms),)).fetchone()
    return {"waited_ms": clamp_ms(ms), "started": started, "ended": time.time()}


# --- per-request resources ---
def request_connection() -> Iterator[sqlite3.Connection]:
    """A dependency with yield: one connection per request, closed after the answer has been sent."""
    conn = sqlite3.connect(":memory:", check_same_thread=False)
    STATE["opened"] += 1
    try:
        yield conn
    finally:
        conn.close()
        STATE["closed"] += 1


# Open while the handler runs; the code after the yield closes it after the answer (scope="function": before it).
@router.get("/lifecycle")
def lifecycle(conn: Annotated[sqlite3.Connection, Depends(request_connection)]) -> dict[str, Any]:
    conn.execute("SELECT 1").fetchone()
    open_now = STATE["opened"] - STATE["closed"]
    return {"started_by": STATE["started_by"], "open_now": open_now, "closed_before": STATE["closed"]}


# --- testing: a dependency the test replaces ---
def forecast_service() -> dict[str, Any]:
    """Stands in for a call to another service, which the demo cannot reach."""
    raise HTTPException(503, "The forecast service cannot be reached from the demo")


@router.get("/testing/forecast")
async def forecast(data: Annotated[dict[str, Any], Depends(forecast_service)]) -> dict[str, str]:
    return {"city": data["city"], "summary": f"{data['temp_c']} °C"}


def test_forecast(app: FastAPI) -> None:
    """dependency_overrides swaps the service for a fake in the app itself: nothing is patched.

    ``app`` is the demo's app, as a pytest fixture would hand it over (``tests/test_more_topics.py`` does).
    """
    import warnings

    with warnings.catch_warnings():  # Starlette 1.x warns that TestClient's httpx is deprecated for httpx2
        warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient` is deprecated")
        from fastapi.testclient import TestClient

    app.dependency_overrides[forecast_service] = lambda: {"city": "Oslo", "temp_c": 3}
    try:
        answer = TestClient(app).get("/testing/forecast")
    finally:
        app.dependency_overrides.clear()
    assert answer.status_code == 200 and answer.json() == {"city": "Oslo", "summary": "3 °C"}
