"""The comparison table as data: the dimensions in our own words, the installed versions, and rows measured live."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from explorer.content.measured import Measurements
from explorer.runtime.http.request import RequestSpec

if TYPE_CHECKING:
    from explorer.runtime.session import Session


@dataclass(frozen=True)
class Row:
    """One dimension: what each framework does, why it matters, and the samples that show it."""

    key: str
    dimension: str
    flask: str
    fastapi: str
    explanation: str
    samples: tuple[str, ...] = ()
    measured: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "dimension": self.dimension,
            "flask": self.flask,
            "fastapi": self.fastapi,
            "explanation": self.explanation,
            "samples": list(self.samples),
            "measured": self.measured,
        }


ROWS: tuple[Row, ...] = (
    Row(
        "model",
        "Programming model",
        "WSGI: a view is an ordinary function that owns a thread until it returns; an async view holds it too, plus a helper thread for its event loop.",
        "ASGI on Starlette: handlers are coroutines sharing one event loop, and plain def handlers go to a threadpool.",
        "Only matters when many requests wait at the same time. One blocking call inside an async def stalls every "
        "request on that FastAPI process; Flask spreads waits over threads or worker processes instead.",
        ("io-burst", "io-blocking", "io-async-flask", "cpu"),
    ),
    Row(
        "validation",
        "Data validation",
        "Nothing built in: check the JSON yourself, or use marshmallow or a similar library.",
        "Type hints and Pydantic models validate path, query and body before the handler runs; errors come back as 422.",
        "FastAPI converts and checks every input from the signature and names the exact location of each error. "
        "Flask's routing only knows converters like <int:>; everything else is code you write.",
        ("item-abc", "create-types", "price-string", "strict-extra", "no-content-type"),
    ),
    Row(
        "docs",
        "API documentation",
        "None by default; extensions such as flask-smorest or flasgger generate OpenAPI.",
        "OpenAPI schema plus Swagger UI (/docs) and ReDoc (/redoc), generated from the same type hints.",
        "FastAPI documents what the code declares, so the declared routes, parameters and models stay in step with it; "
        "what a handler does without declaring it is missing (a 404 it raises, a 401 from a security dependency), "
        "unless responses= adds it. A Flask project chooses and wires an extension, and describes its schemas to it.",
        ("docs", "openapi", "redoc"),
    ),
    Row(
        "html",
        "Server-rendered HTML",
        "Jinja2 is part of Flask: render_template, template folders and a long tradition of HTML apps.",
        "Built for JSON APIs; Jinja2Templates works well but is an add-on you configure.",
        "Both render the same template and both escape user input. Flask's defaults assume pages; FastAPI's assume an API.",
        ("hello", "hello-escape"),
    ),
    Row(
        "ecosystem",
        "Ecosystem and learning curve",
        "Mature since 2010; a vast body of tutorials, extensions and answered questions; very little to learn first.",
        "Younger; quick to pick up for anyone fluent in type hints, and much of its power comes from Pydantic.",
        "Flask shows the request-response cycle with little hidden; FastAPI does more for you, which is faster once "
        "you know what it is doing. The HTTP concepts carry over between them either way.",
        ("item", "item-query", "head", "options"),
    ),
    Row(
        "forms",
        "Forms and file uploads",
        "Built in: request.form and request.files, parsed by Werkzeug for urlencoded and multipart bodies alike.",
        "Form() and UploadFile parameters, validated like any input (422); they need python-multipart installed.",
        "Without python-multipart a FastAPI app that declares a form field does not even import. A missing field is "
        "Flask's HTML 400 (a KeyError on request.form) and FastAPI's 422 naming it.",
        ("form-urlencoded", "form-multipart", "form-missing", "form-as-json", "upload", "upload-missing"),
    ),
    Row(
        "sessions",
        "Sessions and cookies",
        "Built in: session is a cookie signed with app.secret_key.",
        "Starlette's SessionMiddleware, added to the app, gives request.session: also a signed cookie.",
        "Both are named session by default and both are signed with itsdangerous, yet neither can read the other's "
        "cookie: a port to FastAPI logs every user out.",
        ("session-login", "session-flask-cookie", "session-starlette-cookie", "session-forged"),
    ),
    Row(
        "auth",
        "Authentication",
        "Nothing built in: a decorator you write, or an extension such as Flask-Login.",
        "Security dependencies (OAuth2PasswordBearer, HTTPBearer): 401 with WWW-Authenticate, and an Authorize button in /docs.",
        "FastAPI's security classes answer 401 since 0.122 (HTTPBearer answered 403 before). In Flask the status, the "
        "header and the error body are whatever the decorator writes.",
        ("auth-no-token", "auth-token", "auth-with-token", "auth-bad-token"),
    ),
    Row(
        "errors",
        "Errors",
        "abort() renders an HTML error page; @app.errorhandler maps an exception to any answer.",
        'HTTPException becomes JSON {"detail": ...}; @app.exception_handler maps an exception to any answer.',
        "An API ported from Flask keeps answering HTML errors until it registers JSON handlers. Unhandled exceptions "
        "are a bare 500 in both, with the traceback in the server's log only.",
        ("error-abort", "error-custom", "error-crash"),
    ),
    Row(
        "json",
        "JSON types and response models",
        "datetime and date as HTTP dates (RFC 822); the view's return value is sent whole.",
        "ISO 8601 through Pydantic; response_model (or the return type) filters out undeclared fields.",
        "A client parsing dates breaks on a port, and a Flask view that returns a database record sends every column, "
        "password hashes included, unless it removes them.",
        ("json-types", "response-model"),
    ),
    Row(
        "status",
        "Status codes and redirects",
        "return body, 201; redirect() answers 302; a route written with a slash redirects the bare path with 308.",
        "status_code=201 on the route; RedirectResponse answers 307; Starlette redirects a missing or extra slash with 307.",
        "302 lets a client switch a POST to GET, 307 and 308 keep the method. Werkzeug adds a missing slash (308) but "
        "never removes an extra one: /items/ against a rule /items is a 404 in Flask, a 307 to /items in Starlette.",
        ("created", "no-content", "redirect", "slash-redirect", "item-slash"),
    ),
    Row(
        "hooks",
        "Hooks, middleware and dependencies",
        "before_request and after_request, app-wide or per blueprint; values for the view go on g.",
        "Middleware (pure ASGI, or the shorter BaseHTTPMiddleware) and Depends, which injects values as arguments.",
        "A dependency's own parameters are validated and documented like the handler's. BaseHTTPMiddleware costs more "
        "per request than pure ASGI: the lab's middleware scenario measures it.",
        ("hooks-request-id", "middleware-base", "server-timing", "deps-tenant", "deps-missing"),
    ),
    Row(
        "cors",
        "CORS",
        "The flask-cors extension; every method is allowed by default.",
        "Starlette's CORSMiddleware; only GET is allowed unless allow_methods says more.",
        "The same origin list gives different preflight answers: a PUT from the browser works against Flask and is "
        "refused by FastAPI until its methods are listed.",
        ("cors-preflight-put", "cors-preflight-get", "cors-other-origin"),
    ),
    Row(
        "tasks",
        "Background tasks",
        "Nothing built in: start a thread, or hand the job to a queue (Celery, RQ).",
        "BackgroundTasks: the job runs in the same process right after the answer is sent.",
        "Either way the client gets its answer before the job ends. Jobs in the web process die with it; work that "
        "must not be lost belongs in a queue in both.",
        ("task-start", "task-list"),
    ),
    Row(
        "inputs",
        "Query strings and body size",
        "request.args is a MultiDict: get() keeps the first of a repeated parameter, getlist() all; MAX_CONTENT_LENGTH "
        "answers 413 (no limit by default).",
        "A list[str] parameter with Query() takes every value, a str one the last; Starlette has no body size limit.",
        "A port that reads ?tag=a&tag=b as one value changes answers without an error, and a list without Query() is "
        "read from the body. Limit body size at the proxy for FastAPI; set MAX_CONTENT_LENGTH in Flask.",
        ("query-list", "query-repeated-scalar", "query-list-bare", "body-limit"),
    ),
    Row(
        "blocking",
        "Blocking libraries (database drivers)",
        "Any driver works: a blocking call holds only the thread of its own request.",
        "A blocking driver such as sqlite3 belongs in a def route, which runs in the threadpool; or use an async driver.",
        "Inside async def a blocking call stops the event loop and every request on the process waits; the same "
        "call in def, or in Flask, waits alone.",
        ("db-blocking", "db-def"),
    ),
    Row(
        "migration",
        "Running both during a migration",
        "A WSGI callable: a2wsgi wraps it, unchanged, for an ASGI server or a FastAPI mount.",
        'app.mount("/flask", WSGIMiddleware(flask_app)) serves every path not yet ported, in the same process.',
        "Sent through the mount, every Flask sample of the catalog answers as before except links from url_for, "
        "which gain the mount's prefix, and WebSockets: a2wsgi serves HTTP only (403).",
        ("migration-mount",),
    ),
)


def versions_row() -> Row:
    """The installed versions, read when asked (package metadata costs tens of milliseconds)."""
    from explorer.runtime.servers.versions import summary

    return Row(
        "versions",
        "Installed versions",
        summary("flask"),
        summary("fastapi"),
        "Every answer here comes from these versions. Some claims hold only from a given version, and say so: "
        "FastAPI's 422 for JSON sent without a Content-Type (0.132+) and Werkzeug's 415 (2.3+) are two.",
        ("no-content-type",),
    )


def table_rows() -> tuple[Row, ...]:
    """The dimensions, then the versions that the answers come from."""
    return (*ROWS, versions_row())


SPACED_COUNT = 8  # requests of the one-at-a-time latency figure
SPACED_PAUSE = 0.05  # seconds between them: enough for the server to go idle, as between two sends

MEASURED_ROWS: tuple[Row, ...] = (
    Row(
        "spawn",
        "Spawn to ready (measured)",
        "",
        "",
        "Time from starting the server process to its first HTTP answer, on this machine, as this app measured it.",
        measured=True,
    ),
    Row(
        "latency",
        "Median latency of GET /items/1 (measured)",
        "",
        "",
        "Two medians, as the client measures them on the wire: of 20 requests sent back to back after one warm-up, "
        f"and of {SPACED_COUNT} sent one at a time, {SPACED_PAUSE * 1000:.0f} ms apart, as a send from the editor is. "
        "Which of the two is lower depends on the server, the machine and its load, so the sentence after this one "
        "says it from the figures; the one-at-a-time figure is the one to set against the times shown after a "
        "send. uvicorn and gunicorn keep the connection alive; the Werkzeug dev "
        "server closes it after every answer, so with it Flask's figure includes a TCP connect each time.",
        ("item",),
        measured=True,
    ),
)


async def measure_latency(session: Session, framework: str, count: int = 20, pause: float = 0.0) -> float | None:
    """Median total time of ``count`` sequential GET /items/1 after one warm-up request, ``pause`` seconds apart."""
    import asyncio
    import statistics  # here, not with the app's start (issue 24: the first paint)

    spec = RequestSpec("GET", "/items/1")
    await session.send_one(framework, spec)
    times = []
    for _ in range(count):
        if pause:
            await asyncio.sleep(pause)  # the quiet between two sends from the editor, which is what is measured
        exchange = await session.send_one(framework, spec)
        if exchange.timings is None:
            return None
        times.append(exchange.timings.total_ms)
    return statistics.median(times)


async def measure(session: Session) -> Measurements:
    """Spawn-to-ready from the supervisor, latency by sending requests."""
    result = Measurements()
    for framework in session.frameworks:
        status = session.server(framework).status
        if status.spawn_to_ready_ms is not None:
            result.spawn_ms[framework] = status.spawn_to_ready_ms
        latency = await measure_latency(session, framework)
        if latency is not None:
            result.latency_ms[framework] = latency
        spaced = await measure_latency(session, framework, SPACED_COUNT, SPACED_PAUSE)
        if spaced is not None:
            result.spaced_ms[framework] = spaced
    return result
