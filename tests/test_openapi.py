"""The OpenAPI outline: the demo's real schema, and any malformed document without raising."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from explorer.apps.openapi import outline
from explorer.apps.source import find_handler, module_file
from explorer.runtime.request import RequestSpec
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
@given(st.fixed_dictionaries({"paths": st.dictionaries(st.text(max_size=5), st.dictionaries(st.sampled_from(["get", "post"]), values), max_size=3), "components": values}) | values)
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
