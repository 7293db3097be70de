"""The FastAPI demo: ASGI, async handlers, validation and docs from type hints.

The app, its middleware and the basic routes are here; each further topic is a router (or a small
mounted app) beside it (``fastapi_forms``: forms, uploads, the session, a token; ``fastapi_http``:
errors, JSON types, status codes, middleware, CORS, background tasks), included below.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request, WebSocket, WebSocketDisconnect
from fastapi.responses import HTMLResponse, JSONResponse, StreamingResponse
from fastapi.sse import EventSourceResponse, ServerSentEvent
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel, ConfigDict
from starlette.middleware.sessions import SessionMiddleware

from demos import fastapi_forms, fastapi_http, fastapi_migration, fastapi_topics
from demos.data import SECRET_KEY
from demos.work import DEFAULT_N, clamp_ms, clamp_n, crunch

app = FastAPI(title="FastAPI demo")
templates = Jinja2Templates(directory=Path(__file__).parent / "templates")
app.include_router(fastapi_forms.router)
app.include_router(fastapi_http.router)
app.include_router(fastapi_topics.router)
app.mount("/hooks/base", fastapi_http.base_app)  # before /hooks: the first mount whose prefix matches wins
app.mount("/hooks", fastapi_http.asgi_app)
app.mount("/cors", fastapi_http.cors_app)
app.mount("/static", StaticFiles(directory=Path(__file__).parent / "static"), name="static")  # Flask: static_folder
app.mount("/flask", fastapi_migration.flask_app)  # a migration: what FastAPI does not serve yet, Flask does
# Sessions are checked against Starlette's default age, max_age (14 days).
app.add_middleware(SessionMiddleware, secret_key=SECRET_KEY)


@app.exception_handler(fastapi_http.OutOfStock)
async def out_of_stock(request: Request, exc: fastapi_http.OutOfStock) -> JSONResponse:
    return JSONResponse({"error": "out_of_stock", "item": exc.item}, status_code=409)


@app.middleware("http")
async def add_server_timing(request: Request, call_next: Any) -> Any:
    started = time.perf_counter()
    response = await call_next(request)
    response.headers["Server-Timing"] = f"app;dur={(time.perf_counter() - started) * 1000:.3f}"
    return response


# The article's example, unchanged: item_id must parse as an int, q is an optional query parameter.
@app.get("/items/{item_id}")
async def get_item(item_id: int, q: str = "widget") -> dict[str, Any]:
    return {"item_id": item_id, "name": q}


# @app.get serves GET only (HEAD is a 405): HEAD is a route of its own. One api_route listing both methods answers
# too, but gives both operations one operation ID, and FastAPI warns as it builds the schema.
@app.get("/health")
@app.head("/health")
async def health() -> dict[str, str]:
    return {"status": "ok"}


class Item(BaseModel):
    name: str
    price: float
    tags: list[str] = []


class StrictItem(Item):
    model_config = ConfigDict(extra="forbid")


@app.post("/items", status_code=201)
async def create_item(item: Item) -> Item:
    return item


@app.post("/items/strict", status_code=201)
async def create_item_strict(item: StrictItem) -> StrictItem:
    return item


@app.get("/hello/{name}", response_class=HTMLResponse)
async def hello(request: Request, name: str) -> HTMLResponse:
    return templates.TemplateResponse(request, "hello.html", {"name": name, "framework": "FastAPI"})


@app.get("/io")
async def io_wait(ms: float = 50) -> dict[str, Any]:
    await asyncio.sleep(clamp_ms(ms) / 1000)  # frees the event loop for other requests
    return {"waited_ms": clamp_ms(ms)}


@app.get("/io/blocking")
async def io_wait_blocking(ms: float = 50) -> dict[str, Any]:
    time.sleep(clamp_ms(ms) / 1000)  # a mistake on purpose: blocks the one event loop
    return {"waited_ms": clamp_ms(ms)}


@app.get("/cpu")
async def cpu(n: int = DEFAULT_N) -> dict[str, Any]:
    return {"n": clamp_n(n), "result": crunch(clamp_n(n))}  # runs on the event loop: nothing else moves


@app.get("/cpu/def")
def cpu_def(n: int = DEFAULT_N) -> dict[str, Any]:
    return {"n": clamp_n(n), "result": crunch(clamp_n(n))}  # plain def: FastAPI runs it in its threadpool


# --- streaming and WebSockets ---
def clamp_count(n: int) -> int:
    """At most 20 chunks or events, so a stream always ends."""
    return max(1, min(n, 20))


@app.get("/stream")
async def stream(n: int = 5, ms: float = 100) -> StreamingResponse:
    async def lines() -> AsyncIterator[str]:
        for i in range(clamp_count(n)):
            if i:
                await asyncio.sleep(clamp_ms(ms) / 1000)  # the event loop serves others meanwhile
            yield f"chunk {i}\n"

    return StreamingResponse(lines(), media_type="text/plain")


@app.get("/events", response_class=EventSourceResponse)
async def events(n: int = 3, ms: float = 100) -> AsyncIterator[ServerSentEvent]:
    for i in range(clamp_count(n)):
        if i:
            await asyncio.sleep(clamp_ms(ms) / 1000)
        yield ServerSentEvent(id=str(i), event="tick", data={"n": i})  # FastAPI writes the wire format


@app.websocket("/ws/echo")
async def ws_echo(websocket: WebSocket) -> None:
    await websocket.accept()
    await websocket.send_text("hello from FastAPI")
    try:
        while True:
            await websocket.send_text(f"echo: {await websocket.receive_text()}")
    except WebSocketDisconnect:
        pass
