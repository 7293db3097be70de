"""Samples of the topics a port runs into after the basics: repeated query parameters, body size limits,
strict types, a blocking database driver, CORS from a stranger, a WebSocket route asked for over HTTP.

Added to the topics they belong to (validation, concurrency, CORS, streaming) or to topics of their own
(query parameters, request size limits); the routes are in ``demos/flask_topics.py`` and
``demos/fastapi_topics.py`` unless they are older ones.
"""

from __future__ import annotations

from explorer.content.sample import Expect, Sample, both, each, get, post
from explorer.runtime.http.request import RequestSpec

__all__ = ["BODY_LIMIT_BYTES", "TOPIC_SAMPLES"]

HTML = "text/html"
JSON = "application/json"
BODY_LIMIT_BYTES = 2048  # the body sent to /limits/body: twice the 1 KiB the Flask route allows
_STRANGER = (("Origin", "https://elsewhere.example"), ("Access-Control-Request-Method", "GET"))
_PEN_AS_TEXT = {"name": "pen", "price": "3.5"}

TOPIC_SAMPLES: tuple[Sample, ...] = (
    # Query parameters
    Sample(
        "query-list",
        "query",
        "A repeated query parameter: ?tag=a&tag=b",
        get("/query/tags?tag=a&tag=b"),
        "Both return every value in order: Flask through request.args.getlist, FastAPI through a list[str] parameter with Query().",
        both(200, json={"tags": ["a", "b"]}),
    ),
    Sample(
        "query-repeated-scalar",
        "query",
        "A repeated parameter read as one value",
        get("/query/tag?tag=a&tag=b"),
        "Neither complains: Flask's request.args.get keeps the first value (a), FastAPI's str parameter the last (b).",
        each(Expect(200, json={"tag": "a"}), Expect(200, json={"tag": "b"})),
    ),
    Sample(
        "query-list-bare",
        "query",
        "A list parameter without Query()",
        get("/query/tags/bare?tag=a&tag=b"),
        "Without Query(), FastAPI reads a list[str] parameter from the body: the query string is ignored and the default [] comes back.",
        {"fastapi": Expect(200, json={"tags": []})},
        frameworks=("fastapi",),
    ),
    # Request size limits
    Sample(
        "body-limit",
        "limits",
        "A 2 KiB body to a route that allows 1 KiB",
        RequestSpec("POST", "/limits/body", (("Content-Type", "application/octet-stream"),), "x" * BODY_LIMIT_BYTES),
        "Neither limits a body by default; Flask's MAX_CONTENT_LENGTH (1 KiB here, per request since Flask 3.1) answers 413; Starlette has no such setting.",
        each(Expect(413, content_type=HTML), Expect(200, json={"size": BODY_LIMIT_BYTES})),
    ),
    # Body validation
    Sample(
        "lax-marshmallow",
        "validation",
        'A price of "3.5": marshmallow and Pydantic',
        post("/items/strict", _PEN_AS_TEXT),
        "Both libraries are lax by default: marshmallow's Float and Pydantic's float each turn \"3.5\" into 3.5 (201).",
        both(201, json={"name": "pen", "price": 3.5, "tags": []}),
    ),
    Sample(
        "strict-mode",
        "validation",
        "The same price, Pydantic's strict mode",
        post("/items/exact", _PEN_AS_TEXT),
        'With strict=True (Pydantic 2) nothing is converted and "3.5" is refused for a float (422); Flask needs a field that checks the type (400).',
        each(Expect(400, ("body.price",)), Expect(422, ("body.price",))),
    ),
    # Concurrency
    Sample(
        "db-blocking",
        "concurrency",
        "A blocking sqlite3 query of 100 ms, 5 at once",
        get("/db/query?ms=100"),
        "sqlite3 blocks its caller: Flask's threads wait side by side (~100 ms), FastAPI's async def stops the event loop for each (~500 ms).",
        both(200, keys=("ended", "started", "waited_ms")),
        burst=5,
    ),
    Sample(
        "db-def",
        "concurrency",
        "The same sqlite3 query in a plain def, 5 at once",
        get("/db/query/def?ms=100"),
        "In a def route FastAPI runs the blocking driver in its threadpool: the 5 queries overlap (~100 ms) and the loop stays free.",
        {"fastapi": Expect(200, keys=("ended", "started", "waited_ms"))},
        burst=5,
        frameworks=("fastapi",),
    ),
    # CORS
    Sample(
        "cors-preflight-origin",
        "cors",
        "A CORS preflight from an origin not allowed",
        RequestSpec("OPTIONS", "/cors/data", _STRANGER),
        'flask-cors adds nothing to Flask\'s own OPTIONS answer (200); Starlette refuses with 400 "Disallowed CORS origin" in plain text.',
        each(
            Expect(200, headers=(("access-control-allow-origin", None),)),
            Expect(
                400,
                content_type="text/plain",
                contains="Disallowed CORS origin",
                headers=(("access-control-allow-origin", None),),
            ),
        ),
    ),
    # Streaming and WebSockets
    Sample(
        "ws-plain-get",
        "streaming",
        "A WebSocket route asked for over plain HTTP",
        get("/ws/echo"),
        "No upgrade, no socket: flask-sock answers 400, FastAPI 404 (a websocket route is no HTTP route); w opens the socket itself.",
        each(Expect(400, content_type=HTML), Expect(404, content_type=JSON, json={"detail": "Not Found"})),
    ),
    # Static files
    Sample(
        "static-file",
        "static",
        "A file from the static folder",
        get("/static/hello.txt"),
        "Flask serves its static folder by itself, with Cache-Control: no-cache (Flask 2.0+); FastAPI needs a StaticFiles mount, which sends none.",
        each(
            Expect(
                200,
                content_type="text/plain",
                contains="Hello, static file!",
                headers=(("cache-control", "no-cache"), ("etag", ".+"), ("last-modified", ".+")),
            ),
            Expect(
                200,
                content_type="text/plain",
                contains="Hello, static file!",
                headers=(("cache-control", None), ("etag", ".+"), ("last-modified", ".+")),
            ),
        ),
    ),
    Sample(
        "static-missing",
        "static",
        "A static file that does not exist",
        get("/static/nope.txt"),
        "Flask's 404 is its HTML page; the StaticFiles mount's 404 goes through FastAPI's handler and comes back as JSON.",
        each(Expect(404, content_type=HTML), Expect(404, content_type=JSON, json={"detail": "Not Found"})),
    ),
    Sample(
        "static-head",
        "static",
        "HEAD on a static file",
        RequestSpec("HEAD", "/static/hello.txt"),
        "A StaticFiles mount answers HEAD (200), unlike FastAPI's own GET routes (405); Flask answers HEAD everywhere.",
        both(200, content_type="text/plain"),
    ),
    Sample(
        "static-traversal",
        "static",
        "Escaping the static folder with /static/%2e%2e/",
        get("/static/%2e%2e/flask_app.py"),
        "Neither serves a file outside its folder: both answer 404 to an encoded ../ (Werkzeug's safe_join, Starlette's path check).",
        each(Expect(404, content_type=HTML), Expect(404, content_type=JSON)),
    ),
    # Start-up, shutdown and per-request resources
    Sample(
        "lifecycle",
        "lifecycle",
        "A connection per request, and what ran at start-up",
        get("/lifecycle"),
        "Flask has no start-up hook (code runs at import) and closes g's connection in teardown_appcontext; FastAPI runs lifespan, then a yield dependency.",
        both(200, content_type=JSON, keys=("closed_before", "open_now", "started_by")),
    ),
    # Testing
    Sample(
        "testing-forecast",
        "testing",
        "A route whose service a test replaces",
        get("/testing/forecast"),
        "The demo cannot reach the service (503); the test beside each handler (Code tab) swaps it: FastAPI's dependency_overrides, Flask's config.",
        each(
            Expect(503, content_type=HTML, contains="The forecast service cannot be reached from the demo"),
            Expect(503, content_type=JSON, json={"detail": "The forecast service cannot be reached from the demo"}),
        ),
    ),
    # Migration: Flask inside FastAPI
    Sample(
        "migration-mount",
        "migration",
        "The Flask demo mounted in FastAPI: /flask/items/-1",
        get("/flask/items/-1"),
        "Through a2wsgi (1.10) the Flask app answers inside FastAPI as it does alone: Werkzeug's HTML 404, where FastAPI's own /items/-1 is 200.",
        {"fastapi": Expect(404, content_type=HTML, contains="<title>404 Not Found</title>")},
        frameworks=("fastapi",),
    ),
)
