"""Samples of the rest of HTTP: errors, JSON types, status codes and redirects, hooks, CORS, background work."""

from __future__ import annotations

from explorer.content.sample import Expect, Sample, both, each, get, post
from explorer.runtime.http.request import RequestSpec

__all__ = ["HTTP_SAMPLES"]

HTML = "text/html"
JSON = "application/json"
HEX_ID = r"[0-9a-f]{32}"
ORIGIN = "https://app.example"
_PREFLIGHT_PUT = (("Origin", ORIGIN), ("Access-Control-Request-Method", "PUT"))
_PREFLIGHT_GET = (("Origin", ORIGIN), ("Access-Control-Request-Method", "GET"))
_ORDER_ID = "6f1c3a52-9e4b-4d2a-8f57-2b0c1d9e7a10"
_USER = {"username": "ada", "full_name": "Ada Lovelace", "email": "ada@example.com"}
_LEAKS = ("s3cret", "Traceback", "RuntimeError")  # the exception's message and type, and any traceback

HTTP_SAMPLES: tuple[Sample, ...] = (
    # Errors
    Sample(
        "error-abort",
        "errors",
        "A 404 raised by the handler",
        get("/errors/abort"),
        "Flask's abort(404) renders an HTML page even for an API client; FastAPI's HTTPException becomes JSON {\"detail\": ...}.",
        each(
            Expect(404, content_type=HTML, contains="<p>No order 42.</p>"),
            Expect(404, content_type=JSON, json={"detail": "No order 42."}),
        ),
    ),
    Sample(
        "error-custom",
        "errors",
        "An app's own exception, with its own handler",
        get("/errors/custom"),
        "@app.errorhandler and @app.exception_handler turn the same exception into the same JSON 409.",
        both(409, content_type=JSON, json={"error": "out_of_stock", "item": "widget"}),
    ),
    Sample(
        "error-crash",
        "errors",
        "An unhandled exception",
        get("/errors/crash"),
        "Both answer a bare 500 (HTML from Flask, plain text from Starlette) and keep the traceback in the server's log.",
        each(
            Expect(500, content_type=HTML, contains="Internal Server Error", excludes=_LEAKS),
            Expect(500, content_type="text/plain", contains="Internal Server Error", excludes=_LEAKS),
        ),
    ),
    # JSON types and response models
    Sample(
        "json-types",
        "json",
        "datetime, date, Decimal and UUID in JSON",
        get("/types"),
        "Flask writes HTTP dates (RFC 822, midnight for a date); FastAPI's response model (-> Order) writes ISO 8601 with Z. Decimal is a string in both.",
        each(
            Expect(
                200,
                json={
                    "id": _ORDER_ID,
                    "placed_at": "Fri, 17 May 2024 09:30:00 GMT",
                    "ships_on": "Mon, 20 May 2024 00:00:00 GMT",
                    "total": "19.99",
                },
            ),
            Expect(
                200,
                json={"id": _ORDER_ID, "placed_at": "2024-05-17T09:30:00Z", "ships_on": "2024-05-20", "total": "19.99"},
            ),
        ),
        since="Pydantic 2.0",
    ),
    Sample(
        "json-types-plain",
        "json",
        "The same types with no response model",
        get("/types/plain"),
        "With no model FastAPI's jsonable_encoder writes +00:00 and Decimal as a number; Flask labels a naive datetime GMT, though it has no zone.",
        each(
            Expect(
                200,
                json={
                    "id": _ORDER_ID,
                    "placed_at": "Fri, 17 May 2024 09:30:00 GMT",
                    "ships_on": "Mon, 20 May 2024 00:00:00 GMT",
                    "total": "19.99",
                    "updated_at": "Fri, 17 May 2024 11:30:00 GMT",
                },
            ),
            Expect(
                200,
                json={
                    "id": _ORDER_ID,
                    "placed_at": "2024-05-17T09:30:00+00:00",
                    "ships_on": "2024-05-20",
                    "total": 19.99,
                    "updated_at": "2024-05-17T11:30:00",
                },
            ),
        ),
    ),
    Sample(
        "response-model",
        "json",
        "A user record with its password hash",
        get("/users/ada"),
        "Flask sends the whole record, password_hash included; FastAPI's response_model drops every field it does not declare.",
        each(Expect(200, keys=("email", "full_name", "password_hash", "username")), Expect(200, json=_USER)),
    ),
    # Status codes and redirects
    Sample(
        "created",
        "status",
        "Create: 201 with a Location",
        post("/notes/", {"text": "call Ada"}),
        "Flask returns (body, 201, headers); FastAPI sets status_code=201 on the route and the header on the Response.",
        both(201, json={"id": 2, "text": "call Ada"}, headers=(("location", "/notes/2"),)),
    ),
    Sample(
        "no-content",
        "status",
        "Delete: 204 and no body",
        RequestSpec("DELETE", "/notes/1"),
        "return '', 204 and status_code=204 answer 204 with an empty body, yet each names a Content-Type: Flask text/html, FastAPI application/json.",
        each(Expect(204, content_type=HTML), Expect(204, content_type=JSON)),
    ),
    Sample(
        "no-content-response",
        "status",
        "A 204 Response built by hand",
        RequestSpec("POST", "/notes/1/archive"),
        "FastAPI's Response(status_code=204) sends no Content-Type at all; Flask's Response(status=204) still names text/html.",
        each(Expect(204, content_type=HTML), Expect(204, headers=(("content-type", None),))),
    ),
    Sample(
        "redirect",
        "status",
        "A redirect from the handler",
        get("/legacy/notes"),
        "redirect() answers 302 Found, which clients may replay as GET; RedirectResponse answers 307, which keeps the method.",
        each(Expect(302, headers=(("location", "/notes/"),)), Expect(307, headers=(("location", "/notes/"),))),
    ),
    Sample(
        "slash-redirect",
        "status",
        "The trailing slash a route was written with",
        get("/notes"),
        "The route is /notes/: Werkzeug redirects /notes there with 308 (since 0.15; 301 before), Starlette with 307.",
        each(
            Expect(308, headers=(("location", r"http://127\.0\.0\.1:\d+/notes/"),)),
            Expect(307, headers=(("location", r"http://127\.0\.0\.1:\d+/notes/"),)),
        ),
        since="Werkzeug 0.15",
    ),
    # Hooks, middleware and dependencies
    Sample(
        "hooks-request-id",
        "hooks",
        "A header added around every request",
        get("/hooks/ping"),
        "Flask's before_request and after_request hooks, and a pure ASGI middleware in FastAPI, both add X-Request-ID.",
        both(200, keys=("pong", "request_id"), headers=(("x-request-id", HEX_ID),)),
    ),
    Sample(
        "middleware-base",
        "hooks",
        "The same header from BaseHTTPMiddleware",
        get("/hooks/base/ping"),
        "Less code than pure ASGI, more work per request: the lab's middleware scenario measures the difference.",
        {"fastapi": Expect(200, keys=("pong", "request_id"), headers=(("x-request-id", HEX_ID),))},
        frameworks=("fastapi",),
    ),
    Sample(
        "server-timing",
        "hooks",
        "Timing each request in a hook",
        get("/items/1"),
        "Both time the handler in a hook (after_request in Flask, @app.middleware('http') in FastAPI) and say so in Server-Timing.",
        both(200, headers=(("server-timing", r"app;dur=\d+\.\d{3}"),)),
    ),
    Sample(
        "deps-tenant",
        "hooks",
        "A value injected into the handler",
        get("/deps/tenant", (("X-Tenant", "acme"),)),
        "FastAPI passes what a Depends function returns as an argument; Flask's before_request leaves it on g.",
        both(200, json={"tenant": "acme"}),
    ),
    Sample(
        "deps-missing",
        "hooks",
        "The injected value's header missing",
        get("/deps/tenant"),
        "A dependency's parameters are validated like the handler's (422); Flask's hook answers 400 itself and the view never runs.",
        each(Expect(400, json={"error": "the X-Tenant header is required"}), Expect(422, ("header.x-tenant",))),
    ),
    # CORS
    Sample(
        "cors-preflight-put",
        "cors",
        "A CORS preflight for PUT",
        RequestSpec("OPTIONS", "/cors/data", _PREFLIGHT_PUT),
        "flask-cors allows every method unless told otherwise; Starlette's CORSMiddleware allows only GET and refuses (400).",
        each(
            Expect(
                200,
                headers=(
                    ("access-control-allow-origin", ORIGIN),
                    ("access-control-allow-methods", "DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT"),
                ),
            ),
            Expect(400, contains="Disallowed CORS method", headers=(("access-control-allow-methods", "GET"),)),
        ),
    ),
    Sample(
        "cors-preflight-get",
        "cors",
        "A CORS preflight for GET",
        RequestSpec("OPTIONS", "/cors/data", _PREFLIGHT_GET),
        "For an allowed origin and method both answer the preflight 200 and allow the origin.",
        both(200, headers=(("access-control-allow-origin", ORIGIN),)),
    ),
    Sample(
        "cors-other-origin",
        "cors",
        "A request from an origin not allowed",
        get("/cors/data", (("Origin", "https://elsewhere.example"),)),
        "CORS does not block the request: both answer 200, without Access-Control-Allow-Origin, and the browser hides it.",
        both(200, headers=(("access-control-allow-origin", None),)),
    ),
    # Background tasks
    Sample(
        "task-start",
        "tasks",
        "Start a 300 ms job and answer at once",
        RequestSpec("POST", "/tasks?ms=300"),
        "Both answer 202 in a few ms while the job runs on: FastAPI's BackgroundTasks after the answer, even behind @app.middleware('http'); Flask in a thread.",
        both(202, keys=("state", "task")),
        since="Starlette 0.21",
    ),
    Sample(
        "task-list",
        "tasks",
        "The jobs so far",
        get("/tasks"),
        "Each job with the time it ran; sent right after a start, the new job is still running.",
        both(200, content_type=JSON),
    ),
)
