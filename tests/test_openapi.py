"""The OpenAPI outline: the demo's real schema, and any malformed document without raising."""

from __future__ import annotations

import io
import json
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console

from explorer.apps.openapi import outline, outline_skipped
from explorer.apps.routes import RouteListing, merge_routes
from explorer.apps.source import find_handler, module_file
from explorer.apps.templates import openapi_routes
from explorer.cli.render_parity import routes_table
from explorer.runtime.errors import RequestError
from explorer.runtime.http.request import RequestSpec
from tests.conftest import LiveServers

values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=20,
)


def test_outline_of_the_demo_schema(live: LiveServers) -> None:
    schema = live.send(RequestSpec("GET", "/openapi.json"), ["fastapi"])["fastapi"].json
    operations = {(op.method, op.path): op for op in outline(schema)}
    item = operations[("GET", "/items/{item_id}")]
    assert item.parameters == ["item_id (path, integer, required)", "q (query, string)"]
    assert "price: number (required)" in operations[("POST", "/items")].body


@settings(max_examples=300, deadline=None)
@given(
    st.fixed_dictionaries(
        {
            "paths": st.dictionaries(
                st.text(max_size=5), st.dictionaries(st.sampled_from(["get", "post"]), values), max_size=3
            ),
            "components": values,
        }
    )
    | values
)
def test_any_document_gives_a_list(document: object) -> None:
    assert isinstance(outline(document), list)


def test_handler_lookup_reads_files_only() -> None:
    flask = module_file("demos.flask_app:app")
    assert flask is not None and flask.name == "flask_app.py"
    found = find_handler(flask, "GET", "/items/abc", "flask")
    assert found.route is None and "No route" in found.note  # <int:> does not match "abc"
    fastapi = find_handler(module_file("demos.fastapi_app:app"), "GET", "/items/abc", "fastapi")
    assert fastapi.route is not None and fastapi.route.function == "get_item"
    head = find_handler(flask, "HEAD", "/items/1", "flask")
    assert head.route is not None and "answers HEAD" in head.note
    assert module_file("no_such_module:app") is None


def test_the_handler_lookup_knows_every_method_decorator_fastapi_has(tmp_path: Path) -> None:
    """``@app.head``, ``@app.options``, ``@app.trace`` and ``@app.api_route`` declare routes too: the demo's
    ``HEAD /health`` (``@app.head`` beside ``@app.get``) read as "no handler accepts HEAD (allowed: GET)"."""
    demo = find_handler(module_file("demos.fastapi_app:app"), "HEAD", "/health", "fastapi")
    assert demo.route is not None and demo.ran is True and demo.note == "", demo.note
    app = tmp_path / "app.py"
    app.write_text(
        "from fastapi import FastAPI\n\napp = FastAPI()\n\n\n"
        '@app.options("/o")\ndef o() -> None: ...\n\n\n@app.trace("/t")\ndef t() -> None: ...\n\n\n'
        '@app.api_route("/a", methods=["PUT", "HEAD"])\ndef a() -> None: ...\n\n\n'
        '@app.api_route("/d")\ndef d() -> None: ...\n'
    )
    for method, path, function in (
        ("OPTIONS", "/o", "o"),
        ("TRACE", "/t", "t"),
        ("HEAD", "/a", "a"),
        ("GET", "/d", "d"),
    ):
        found = find_handler(app, method, path, "fastapi")
        assert found.route is not None and found.route.function == function and found.ran is True, (method, found.note)


# --- any JSON into the OpenAPI reader -------------------------------------------------------------
# Random JSON in every slot of an OpenAPI-shaped document, so the reader gets past the top-level
# checks and meets a wrong type at every depth; plus any JSON value at all as the document.

anything = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=6),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=10,
)


def maybe(strategy: st.SearchStrategy[object]) -> st.SearchStrategy[object]:
    return strategy | anything


schema: st.SearchStrategy[object] = st.deferred(
    lambda: maybe(
        st.fixed_dictionaries(
            {},
            optional={
                "type": maybe(
                    st.sampled_from(["object", "array", "integer", "number", "string", "boolean", "null"])
                    | st.lists(st.sampled_from(["string", "null"]))
                ),
                "anyOf": maybe(st.lists(schema, max_size=2)),
                "oneOf": anything,
                "allOf": anything,
                "properties": maybe(st.dictionaries(st.text(max_size=4), schema, max_size=2)),
                "items": schema,
                "$ref": maybe(st.sampled_from(["#/components/schemas/Item", "#/components/schemas/missing"])),
                "minimum": anything,
                "exclusiveMinimum": anything,
                "format": anything,
                "enum": anything,
                "example": anything,
            },
        )
    )
)
parameter = maybe(
    st.fixed_dictionaries(
        {},
        optional={
            "in": maybe(st.sampled_from(["path", "query", "header"])),
            "name": maybe(st.sampled_from(["item_id", "q"])),
            "required": anything,
            "schema": schema,
            "example": anything,
        },
    )
)
operation = maybe(
    st.fixed_dictionaries(
        {},
        optional={
            "parameters": maybe(st.lists(parameter, max_size=3)),
            "summary": anything,
            "operationId": anything,
            "responses": anything,
            "requestBody": maybe(
                st.fixed_dictionaries(
                    {},
                    optional={
                        "content": maybe(
                            st.dictionaries(
                                st.sampled_from(["application/json", "text/plain"]),
                                maybe(st.fixed_dictionaries({}, optional={"schema": schema})),
                                max_size=2,
                            )
                        ),
                    },
                )
            ),
        },
    )
)
path_item = maybe(
    st.dictionaries(st.sampled_from(["get", "post", "put", "parameters", "summary"]), operation, max_size=3)
)
document = maybe(
    st.fixed_dictionaries(
        {},
        optional={
            "paths": maybe(
                st.dictionaries(st.sampled_from(["/items/{item_id}", "/a", "b", "/\ud800"]), path_item, max_size=3)
            ),
            "components": maybe(
                st.fixed_dictionaries(
                    {},
                    optional={
                        "schemas": maybe(st.dictionaries(st.sampled_from(["Item", "Other"]), schema, max_size=2))
                    },
                )
            ),
        },
    )
)


@settings(max_examples=250, deadline=None)
@given(document)
def test_the_openapi_reader_takes_any_json_and_names_what_it_skipped(doc: object) -> None:
    templates, skipped = openapi_routes(doc)
    operations, unused = outline_skipped(doc)
    assert isinstance(operations, list) and all(isinstance(line, str) for line in (*skipped, *unused))
    listing = RouteListing("fastapi", "openapi", tuple(templates), skipped=skipped)
    json.dumps(listing.to_dict(), ensure_ascii=False).encode()  # what `routes --json` prints
    for row in merge_routes([listing]):
        try:
            row.request.checked()
        except RequestError:
            pass  # a path the request builder refuses is refused in one line when sent
    Console(file=io.StringIO(), width=120).print(routes_table(merge_routes([listing])))
    if not isinstance(doc, dict):
        assert templates == [] and skipped
