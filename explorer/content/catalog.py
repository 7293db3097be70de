"""The sample requests: each one a claim about Flask and FastAPI that the user can watch hold.

Every sample says what each framework answers (``expect``): the status, the locations of any
validation errors and the content type. The test suite sends every sample to both real servers and
checks those answers, so they were true of the installed versions when the tests last ran. The
timings a burst sample talks about are what the user watches; the tests check only a lower bound
(five blocking 100 ms sleeps cannot finish in under 500 ms), never a speed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from explorer.runtime.request import RequestSpec

TOPICS = {
    "routing": "Routing and path parameters",
    "methods": "HTTP methods",
    "validation": "Body validation",
    "docs": "API docs",
    "html": "Server-rendered HTML",
    "concurrency": "Concurrency: I/O and CPU",
    "streaming": "Streaming and WebSockets",
}
JSON_HEADERS = (("Content-Type", "application/json"),)


@dataclass(frozen=True)
class Expect:
    """What one framework answers: a status and, for validation errors, their locations."""

    status: int
    locations: tuple[str, ...] = ()
    content_type: str | None = None


@dataclass(frozen=True)
class Sample:
    """A titled request, the one-sentence claim it demonstrates, and the answers that prove it."""

    id: str
    topic: str
    title: str
    request: RequestSpec
    claim: str
    expect: dict[str, Expect] = field(default_factory=dict)
    burst: int = 1
    frameworks: tuple[str, ...] = ("flask", "fastapi")

    @property
    def topic_title(self) -> str:
        return TOPICS[self.topic]

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "topic": self.topic,
            "title": self.title,
            "request": self.request.to_dict(),
            "claim": self.claim,
            "burst": self.burst,
            "frameworks": list(self.frameworks),
            "expect": {fw: {"status": e.status, "locations": list(e.locations)} for fw, e in self.expect.items()},
        }


def _get(path: str) -> RequestSpec:
    return RequestSpec("GET", path)


def _post(path: str, body: Any, headers: tuple[tuple[str, str], ...] = JSON_HEADERS) -> RequestSpec:
    text = body if isinstance(body, str) else json.dumps(body)
    return RequestSpec("POST", path, headers, text)


def _both(status: int, *locations: str, content_type: str | None = None) -> dict[str, Expect]:
    return {fw: Expect(status, locations, content_type) for fw in ("flask", "fastapi")}


def _each(flask: Expect, fastapi: Expect) -> dict[str, Expect]:
    return {"flask": flask, "fastapi": fastapi}


SAMPLES: tuple[Sample, ...] = (
    # Routing and path parameters
    Sample("item", "routing", "The article's example: GET /items/1", _get("/items/1"),
           "Both return the item as JSON; Flask hard-codes the name, FastAPI takes it from the optional q parameter.",
           _both(200, content_type="application/json")),
    Sample("item-query", "routing", "A query parameter FastAPI reads from the signature", _get("/items/1?q=gadget"),
           "FastAPI turns q: str = 'widget' into a query parameter; Flask ignores the query string unless the view reads request.args.",
           _both(200)),
    Sample("item-negative", "routing", "A negative id: /items/-1", _get("/items/-1"),
           "Flask's int converter only matches digits, so -1 finds no route (404); FastAPI's int accepts it and the handler runs.",
           _each(Expect(404, content_type="text/html"), Expect(200))),
    Sample("item-abc", "routing", "A word where a number belongs: /items/abc", _get("/items/abc"),
           "Flask finds no route and answers an HTML 404; FastAPI matches the route, then rejects item_id with a JSON 422 naming it.",
           _each(Expect(404, content_type="text/html"), Expect(422, ("path.item_id",), "application/json"))),
    Sample("item-float", "routing", "A decimal id: /items/1.5", _get("/items/1.5"),
           "Neither framework rounds: Flask has no matching route, FastAPI reports that 1.5 is not a valid integer.",
           _each(Expect(404), Expect(422, ("path.item_id",)))),
    Sample("item-slash", "routing", "A trailing slash: /items/", _get("/items/"),
           "Flask treats /items/ as a different URL (404); Starlette redirects it to /items (307), which only accepts POST.",
           _each(Expect(404), Expect(307))),
    Sample("not-found", "routing", "A route that does not exist", _get("/nowhere"),
           "Both answer 404; Flask with an HTML page, FastAPI with a one-line JSON detail.",
           _each(Expect(404, content_type="text/html"), Expect(404, content_type="application/json"))),
    # HTTP methods
    Sample("head", "methods", "HEAD on a GET route", RequestSpec("HEAD", "/items/1"),
           "Flask answers HEAD for every GET route by itself; FastAPI only serves the methods a route declares (405).",
           _each(Expect(200), Expect(405))),
    Sample("options", "methods", "OPTIONS on a GET route", RequestSpec("OPTIONS", "/items/1"),
           "Flask answers OPTIONS automatically with an Allow header; FastAPI answers 405 unless CORS middleware is added.",
           _each(Expect(200), Expect(405))),
    Sample("delete", "methods", "A method no route accepts", RequestSpec("DELETE", "/items/1"),
           "Both answer 405 Method Not Allowed with an Allow header; the body is HTML from Flask, JSON from FastAPI.",
           _both(405)),
    # Body validation
    Sample("create", "validation", "Create an item with a valid body",
           _post("/items", {"name": "pen", "price": 1.5, "tags": ["office"]}),
           "Valid input passes both: Flask through ten lines of hand-written checks, FastAPI through the Item model.",
           _both(201)),
    Sample("create-empty", "validation", "An empty object: every field missing", _post("/items", {}),
           "Both name each missing field; FastAPI's messages and error types come from Pydantic, Flask's from our own code.",
           _each(Expect(400, ("body.name", "body.price")), Expect(422, ("body.name", "body.price")))),
    Sample("create-types", "validation", "Wrong types in every field",
           _post("/items", {"name": 3, "price": "cheap", "tags": [1]}),
           "FastAPI pinpoints the bad list element (body.tags.0); the hand-written checks only know the field.",
           _each(Expect(400, ("body.name", "body.price", "body.tags")),
                 Expect(422, ("body.name", "body.price", "body.tags.0")))),
    Sample("price-string", "validation", "A price sent as the string \"3.5\"", _post("/items", {"name": "pen", "price": "3.5"}),
           "Pydantic's lax mode converts \"3.5\" to 3.5 and accepts it; the hand-written Flask check insists on a JSON number.",
           _each(Expect(400, ("body.price",)), Expect(201))),
    Sample("extra-field", "validation", "An unknown field in the body",
           _post("/items", {"name": "pen", "price": 2, "colour": "red"}),
           "Pydantic drops the unknown field without a word (so does the Flask code that copies known keys): 201 from both.",
           _both(201)),
    Sample("strict-extra", "validation", "The same unknown field, strict models",
           _post("/items/strict", {"name": "pen", "price": 2, "colour": "red"}),
           "marshmallow rejects unknown fields by default; Pydantic does once the model sets extra='forbid'.",
           _each(Expect(400, ("body.colour",)), Expect(422, ("body.colour",)))),
    Sample("no-content-type", "validation", "JSON sent without a Content-Type header",
           _post("/items", {"name": "pen", "price": 2}, headers=()),
           "Flask refuses to parse a body not declared as JSON (415); FastAPI sees a string where it wanted an object (422).",
           _each(Expect(415), Expect(422, ("body",)))),
    Sample("malformed", "validation", "Malformed JSON", _post("/items", '{"name": "pen",'),
           "Flask answers a generic HTML 400; FastAPI a 422 that says where the JSON broke.",
           _each(Expect(400, content_type="text/html"), Expect(422))),
    Sample("not-object", "validation", "A JSON array instead of an object", _post("/items", [1, 2]),
           "Both reject it: FastAPI because the model needs an object, Flask because our first check does.",
           _each(Expect(400, ("body",)), Expect(422, ("body",)))),
    # Docs
    Sample("docs", "docs", "Interactive docs at /docs", _get("/docs"),
           "FastAPI serves Swagger UI generated from the type hints; Flask has no docs unless an extension adds them.",
           _each(Expect(404), Expect(200, content_type="text/html"))),
    Sample("openapi", "docs", "The OpenAPI schema", _get("/openapi.json"),
           "FastAPI publishes an OpenAPI 3.1 schema of every route and model; Flask answers 404.",
           _each(Expect(404), Expect(200, content_type="application/json"))),
    Sample("redoc", "docs", "ReDoc at /redoc", _get("/redoc"),
           "A second docs page from the same schema, also free; still 404 on Flask.",
           _each(Expect(404), Expect(200))),
    # Server-rendered HTML
    Sample("hello", "html", "A page from a Jinja2 template", _get("/hello/Ada"),
           "Both render the same Jinja2 template; Flask has it built in, FastAPI through Jinja2Templates.",
           _both(200, content_type="text/html")),
    Sample("hello-escape", "html", "Markup in the name is escaped", _get("/hello/%3Cimg%20src=x%20onerror=alert(1)%3E"),
           "Autoescaping is on in both, so the tag arrives as &lt;img ...&gt; text, not as markup.",
           _both(200, content_type="text/html")),
    # Concurrency
    Sample("io", "concurrency", "One request that waits 50 ms", _get("/io?ms=50"),
           "A single waiting request takes the same ~50 ms on both: async changes nothing for one request.",
           _both(200)),
    Sample("io-burst", "concurrency", "20 requests that each wait 100 ms, all at once", _get("/io?ms=100"),
           "On the dev server both finish in about 100 ms: the event loop overlaps the waits, and so do Werkzeug's threads (gunicorn's 8 take three rounds).",
           _both(200), burst=20),
    Sample("io-blocking", "concurrency", "Blocking sleep inside async def, 5 at once", _get("/io/blocking?ms=100"),
           "time.sleep inside an async def blocks FastAPI's only event loop: the 5 requests run one after another (~500 ms).",
           {"fastapi": Expect(200)}, burst=5, frameworks=("fastapi",)),
    Sample("io-async-flask", "concurrency", "Flask's async view, 5 at once", _get("/io/async?ms=100"),
           "Flask runs an async view in a fresh event loop inside the request's thread: it works, but each request still holds a thread.",
           {"flask": Expect(200)}, burst=5, frameworks=("flask",)),
    Sample("cpu", "concurrency", "CPU-bound work, 4 at once", _get("/cpu"),
           "Pure-Python arithmetic holds the GIL: neither threads nor an event loop run two of them at once.",
           _both(200), burst=4),
    Sample("cpu-def", "concurrency", "The same work in a plain def route", _get("/cpu/def"),
           "A def route runs in FastAPI's threadpool, so the event loop stays free, but the GIL still serialises the work.",
           {"fastapi": Expect(200)}, burst=4, frameworks=("fastapi",)),
    # Streaming and WebSockets (w opens a socket to each server)
    Sample("stream", "streaming", "A generator response: 5 chunks, 100 ms apart", RequestSpec("GET", "/stream?n=5&ms=100"),
           "Both send each yield as a chunk when it is ready (the Body tab times each); Flask's thread waits out every pause.",
           {fw: Expect(200, content_type="text/plain") for fw in ("flask", "fastapi")}),
    Sample("sse", "streaming", "Server-sent events: 3 ticks, 100 ms apart", RequestSpec("GET", "/events?n=3&ms=100"),
           "FastAPI (0.135 and later) encodes ServerSentEvent objects and adds Cache-Control: no-cache; Flask yields the format by hand.",
           {fw: Expect(200, content_type="text/event-stream") for fw in ("flask", "fastapi")}),
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
    """Samples whose title, claim, path, method or topic contain every word of ``text``."""
    words = text.lower().split()
    return [
        s for s in SAMPLES
        if all(w in f"{s.title} {s.claim} {s.request.line} {s.topic_title} {s.id}".lower() for w in words)
    ]  # fmt: skip
