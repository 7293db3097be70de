"""The sample requests: each one a claim about Flask and FastAPI that the user can watch hold.

Every sample says what each framework answers (``expect``): the status, the locations of any
validation errors, the content type and, where they are stable, headers and the JSON body or its
keys (:class:`~explorer.content.sample.Expect`). The basics are here; forms, sessions and
authentication are in ``catalog_forms``, the rest of HTTP in ``catalog_http``. The test suite
sends every sample to both real servers and checks those answers, so they were true of the
installed versions when the tests last ran. The timings a burst sample talks about are what the
user watches; the tests check only a lower bound (five blocking 100 ms sleeps cannot finish in
under 500 ms), never a speed.
"""

from __future__ import annotations

import re
from dataclasses import replace

from explorer.content.catalog_forms import FORM_SAMPLES
from explorer.content.catalog_http import HTTP_SAMPLES
from explorer.content.catalog_topics import TOPIC_SAMPLES
from explorer.content.sample import JSON_HEADERS, Expect, Sample, both, each, get, post
from explorer.runtime.http.request import RequestSpec

__all__ = ["JSON_HEADERS", "SAMPLES", "TOPICS", "Expect", "Sample", "by_id", "by_topic", "matching"]

TOPICS = {
    "routing": "Routing and path parameters",
    "methods": "HTTP methods",
    "validation": "Body validation",
    "docs": "API docs",
    "html": "Server-rendered HTML",
    "concurrency": "Concurrency: I/O and CPU",
    "forms": "Forms and file uploads",
    "sessions": "Sessions and cookies",
    "auth": "Authentication",
    "errors": "Errors",
    "json": "JSON types and response models",
    "status": "Status codes and redirects",
    "hooks": "Hooks, middleware and dependencies",
    "cors": "CORS",
    "tasks": "Background tasks",
    "streaming": "Streaming and WebSockets",
    "query": "Query parameters",
    "limits": "Request size limits",
    "static": "Static files",
    "lifecycle": "Start-up, shutdown and per-request resources",
    "testing": "Testing",
    "migration": "Migration: Flask inside FastAPI",
}


_BASICS: tuple[Sample, ...] = (
    # Routing and path parameters
    Sample(
        "item",
        "routing",
        "The article's example: GET /items/1",
        get("/items/1"),
        "Both return the item as JSON; Flask hard-codes the name, FastAPI takes it from the optional q parameter.",
        both(200, content_type="application/json"),
    ),
    Sample(
        "item-query",
        "routing",
        "A query parameter FastAPI reads from the signature",
        get("/items/1?q=gadget"),
        "FastAPI turns q: str = 'widget' into a query parameter; Flask ignores the query string unless the view reads request.args.",
        both(200),
    ),
    Sample(
        "item-negative",
        "routing",
        "A negative id: /items/-1",
        get("/items/-1"),
        "Flask's int converter only matches digits, so -1 finds no route (404); FastAPI's int accepts it and the handler runs.",
        each(Expect(404, content_type="text/html"), Expect(200)),
    ),
    Sample(
        "item-abc",
        "routing",
        "A word where a number belongs: /items/abc",
        get("/items/abc"),
        "Flask finds no route and answers an HTML 404; FastAPI matches the route, then rejects item_id with a JSON 422 naming it.",
        each(Expect(404, content_type="text/html"), Expect(422, ("path.item_id",), "application/json")),
    ),
    Sample(
        "item-float",
        "routing",
        "A decimal id: /items/1.5",
        get("/items/1.5"),
        "Neither framework rounds: Flask has no matching route, FastAPI reports that 1.5 is not a valid integer.",
        each(Expect(404), Expect(422, ("path.item_id",))),
    ),
    Sample(
        "item-slash",
        "routing",
        "A trailing slash: /items/",
        get("/items/"),
        "Flask treats /items/ as a different URL (404); Starlette redirects it to /items (307), which only accepts POST.",
        each(Expect(404), Expect(307)),
    ),
    Sample(
        "not-found",
        "routing",
        "A route that does not exist",
        get("/nowhere"),
        "Both answer 404; Flask with an HTML page, FastAPI with a one-line JSON detail.",
        each(Expect(404, content_type="text/html"), Expect(404, content_type="application/json")),
    ),
    # HTTP methods
    Sample(
        "head",
        "methods",
        "HEAD on a GET route",
        RequestSpec("HEAD", "/items/1"),
        "Flask answers HEAD for every GET route by itself; FastAPI's @app.get serves GET only (405).",
        each(Expect(200), Expect(405)),
    ),
    Sample(
        "head-declared",
        "methods",
        "HEAD on a route that lists it",
        RequestSpec("HEAD", "/health"),
        "FastAPI answers HEAD where the route lists it: api_route(methods=['GET', 'HEAD']) here, or a Starlette Route (as /docs is). 200 from both.",
        both(200),
    ),
    Sample(
        "options",
        "methods",
        "OPTIONS on a GET route",
        RequestSpec("OPTIONS", "/items/1"),
        "Flask answers OPTIONS itself with Allow; FastAPI answers 405, and so does its CORSMiddleware unless Origin and Access-Control-Request-Method make it a preflight.",
        each(Expect(200), Expect(405, headers=(("allow", "GET"),))),
    ),
    Sample(
        "delete",
        "methods",
        "A method no route accepts",
        RequestSpec("DELETE", "/items/1"),
        "Both answer 405 Method Not Allowed with an Allow header (Starlette since 0.19); the body is HTML from Flask, JSON from FastAPI.",
        both(405, headers=(("allow", r".*GET.*"),)),
        since="Starlette 0.19",
    ),
    # Body validation
    Sample(
        "create",
        "validation",
        "Create an item with a valid body",
        post("/items", {"name": "pen", "price": 1.5, "tags": ["office"]}),
        "Valid input passes both: Flask through ten lines of hand-written checks, FastAPI through the Item model.",
        both(201),
    ),
    Sample(
        "create-empty",
        "validation",
        "An empty object: every field missing",
        post("/items", {}),
        "Both name each missing field; FastAPI's messages and error types come from Pydantic, Flask's from our own code.",
        each(Expect(400, ("body.name", "body.price")), Expect(422, ("body.name", "body.price"))),
    ),
    Sample(
        "create-types",
        "validation",
        "Wrong types in every field",
        post("/items", {"name": 3, "price": "cheap", "tags": [1]}),
        "FastAPI pinpoints the bad list element (body.tags.0); the hand-written checks only know the field.",
        each(
            Expect(400, ("body.name", "body.price", "body.tags")),
            Expect(422, ("body.name", "body.price", "body.tags.0")),
        ),
    ),
    Sample(
        "price-string",
        "validation",
        'A price sent as the string "3.5"',
        post("/items", {"name": "pen", "price": "3.5"}),
        'Pydantic\'s lax mode converts "3.5" to 3.5 and accepts it; the hand-written Flask check insists on a JSON number.',
        each(Expect(400, ("body.price",)), Expect(201)),
    ),
    Sample(
        "extra-field",
        "validation",
        "An unknown field in the body",
        post("/items", {"name": "pen", "price": 2, "colour": "red"}),
        "Pydantic drops the unknown field without a word (so does the Flask code that copies known keys): 201 from both.",
        both(201),
    ),
    Sample(
        "strict-extra",
        "validation",
        "The same unknown field, strict models",
        post("/items/strict", {"name": "pen", "price": 2, "colour": "red"}),
        "marshmallow (3.0 and later) rejects unknown fields by default; Pydantic does once the model sets extra='forbid'.",
        each(Expect(400, ("body.colour",)), Expect(422, ("body.colour",))),
        since="marshmallow 3.0",
    ),
    Sample(
        "no-content-type",
        "validation",
        "JSON sent without a Content-Type header",
        post("/items", {"name": "pen", "price": 2}, headers=()),
        "Flask refuses a body not declared as JSON (415, Werkzeug 2.3+); FastAPI sees a string where it wanted an object (422, FastAPI 0.132+).",
        each(Expect(415), Expect(422, ("body",))),
        since="Werkzeug 2.3, FastAPI 0.132",
    ),
    Sample(
        "malformed",
        "validation",
        "Malformed JSON",
        post("/items", '{"name": "pen",'),
        "Flask answers a generic HTML 400; FastAPI a 422 that says where the JSON broke.",
        each(Expect(400, content_type="text/html"), Expect(422)),
    ),
    Sample(
        "not-object",
        "validation",
        "A JSON array instead of an object",
        post("/items", [1, 2]),
        "Both reject it: FastAPI because the model needs an object, Flask because our first check does.",
        each(Expect(400, ("body",)), Expect(422, ("body",))),
    ),
    # Docs
    Sample(
        "docs",
        "docs",
        "Interactive docs at /docs",
        get("/docs"),
        "FastAPI serves Swagger UI generated from the type hints; Flask has no docs unless an extension adds them.",
        each(Expect(404), Expect(200, content_type="text/html")),
    ),
    Sample(
        "openapi",
        "docs",
        "The OpenAPI schema",
        get("/openapi.json"),
        "FastAPI publishes an OpenAPI 3.1 schema (3.0 before FastAPI 0.99) of every route and model; Flask answers 404.",
        each(Expect(404), Expect(200, content_type="application/json")),
        since="FastAPI 0.99",
    ),
    Sample(
        "redoc",
        "docs",
        "ReDoc at /redoc",
        get("/redoc"),
        "A second docs page from the same schema, also free; still 404 on Flask.",
        each(Expect(404), Expect(200)),
    ),
    # Server-rendered HTML
    Sample(
        "hello",
        "html",
        "A page from a Jinja2 template",
        get("/hello/Ada"),
        "Both render the same Jinja2 template; Flask has it built in, FastAPI through Jinja2Templates.",
        both(200, content_type="text/html"),
    ),
    Sample(
        "hello-escape",
        "html",
        "Markup in the name is escaped",
        get("/hello/%3Cimg%20src=x%20onerror=alert(1)%3E"),
        "Autoescaping is on in both, so the tag arrives as &lt;img ...&gt; text, not as markup.",
        both(200, content_type="text/html"),
    ),
    # Concurrency
    Sample(
        "io",
        "concurrency",
        "One request that waits 50 ms",
        get("/io?ms=50"),
        "A single waiting request takes the same ~50 ms on both: async changes nothing for one request.",
        both(200),
    ),
    Sample(
        "io-burst",
        "concurrency",
        "20 requests that each wait 100 ms, all at once",
        get("/io?ms=100"),
        "On the dev server both take about 100 ms (a thread per request; the event loop). Under gunicorn our 8 threads take 3 rounds; its default, one sync worker, 20 (~2 s).",
        both(200),
        burst=20,
    ),
    Sample(
        "io-blocking",
        "concurrency",
        "Blocking sleep inside async def, 5 at once",
        get("/io/blocking?ms=100"),
        "time.sleep inside an async def blocks FastAPI's only event loop: the 5 requests run one after another (~500 ms).",
        {"fastapi": Expect(200)},
        burst=5,
        frameworks=("fastapi",),
    ),
    Sample(
        "io-async-flask",
        "concurrency",
        "Flask's async view, 5 at once",
        get("/io/async?ms=100"),
        "Flask runs an async view through asgiref, in an event loop on a helper thread: each request holds two threads, its own and the loop's.",
        {"flask": Expect(200, keys=("loop_thread", "request_thread", "waited_ms"))},
        burst=5,
        frameworks=("flask",),
    ),
    Sample(
        "cpu",
        "concurrency",
        "CPU-bound work, 4 at once",
        get("/cpu"),
        "Pure-Python arithmetic holds the GIL: neither threads nor an event loop run two of them at once.",
        both(200),
        burst=4,
    ),
    Sample(
        "cpu-def",
        "concurrency",
        "The same work in a plain def route",
        get("/cpu/def"),
        "A def route runs in FastAPI's threadpool, so the event loop stays free, but the GIL still serialises the work.",
        {"fastapi": Expect(200)},
        burst=4,
        frameworks=("fastapi",),
    ),
    # Streaming and WebSockets (w opens a socket to each server)
    Sample(
        "stream",
        "streaming",
        "A generator response: 5 chunks, 100 ms apart",
        get("/stream?n=5&ms=100"),
        "Both send each yield as a chunk when it is ready (the Body tab times each); Flask's thread waits out every pause.",
        both(
            200,
            content_type="text/plain",
            headers=(("transfer-encoding", "chunked"), ("content-length", None)),
            contains="chunk 0\nchunk 1\nchunk 2\nchunk 3\nchunk 4\n",
        ),
    ),
    Sample(
        "sse",
        "streaming",
        "Server-sent events: 3 ticks, 100 ms apart",
        get("/events?n=3&ms=100"),
        "FastAPI encodes ServerSentEvent objects and adds Cache-Control: no-cache and X-Accel-Buffering: no; Flask yields the format by hand.",
        each(
            Expect(
                200,
                content_type="text/event-stream",
                headers=(("cache-control", None), ("x-accel-buffering", None)),
                contains='id: 0\nevent: tick\ndata: {"n": 0}\n\n',
            ),
            Expect(
                200,
                content_type="text/event-stream",
                headers=(("cache-control", "no-cache"), ("x-accel-buffering", "no")),
                contains='event: tick\ndata: {"n": 0}\nid: 0\n\n',
            ),
        ),
        since="FastAPI 0.135",
    ),
)
SAMPLES: tuple[Sample, ...] = tuple(
    replace(sample, topic_title=TOPICS[sample.topic])
    for sample in (*_BASICS, *FORM_SAMPLES, *HTTP_SAMPLES, *TOPIC_SAMPLES)
)


def by_id(sample_id: str) -> Sample | None:
    return next((s for s in SAMPLES if s.id == sample_id), None)


def by_topic() -> dict[str, list[Sample]]:
    """Samples grouped under their topic titles, in catalog order."""
    groups: dict[str, list[Sample]] = {title: [] for title in TOPICS.values()}
    for sample in SAMPLES:
        groups[sample.topic_title].append(sample)
    return groups


def matching(text: str) -> list[Sample]:
    """Samples whose title, claim, path, method, topic or id contain every word of ``text``, best first.

    A filter that a user types a title into must land on that title, so the order is: the exact title,
    then titles that start with the text, titles holding every word whole, titles holding the text,
    titles holding a word that starts with each word, and last the samples that match elsewhere
    (their claim, request or topic). Equal ranks keep the catalog's order, topic by topic.
    """
    phrase = " ".join(text.lower().split())
    words = phrase.split()
    topics = list(TOPICS)
    found = [(i, s) for i, s in enumerate(SAMPLES) if all(w in _haystack(s) for w in words)]
    return [s for _, s in sorted(found, key=lambda p: (_rank(p[1], phrase, words), topics.index(p[1].topic), p[0]))]


def _haystack(sample: Sample) -> str:
    return f"{sample.title} {sample.claim} {sample.request.line} {sample.topic_title} {sample.id}".lower()


def _rank(sample: Sample, phrase: str, words: list[str]) -> int:
    """0 (the exact title) to 5 (matched outside the title only): lower is better."""
    title = " ".join(sample.title.lower().split())
    if title == phrase:
        return 0
    if title.startswith(phrase):
        return 1
    title_words = re.findall(r"\w+", title)
    wanted = [w for word in words for w in re.findall(r"\w+", word)]
    if wanted and all(w in title_words for w in wanted):
        return 2
    if phrase in title:
        return 3
    if wanted and all(any(t.startswith(w) for t in title_words) for w in wanted):
        return 4
    return 5
