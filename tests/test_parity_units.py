"""Parity's pieces without servers: the JSON diff, the requests file, the comparison, routes, targets, reports."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest

from explorer.apps.routes import RouteListing, merge_routes
from explorer.apps.targets import TargetError, check_target, import_error_line, specs_from_options
from explorer.apps.templates import routes_from_openapi, routes_from_url_map
from explorer.parity.check import compare
from explorer.parity.jsondiff import Change, diff_json
from explorer.parity.suite import ParityCase, ParityFileError, ParityOptions, load_suite, parse_suite
from explorer.parity.template import RequestTemplate
from explorer.reports.base import Report, Section, Table, exchange_block
from explorer.reports.load import report_from_document
from explorer.runtime.http.client import Exchange, SentRequest
from explorer.runtime.http.request import RequestSpec
from explorer.runtime.userdata.bounded import format_path

pytestmark = pytest.mark.serverless  # no server, no process: `make test-fast` runs this file

# --- the JSON diff ---------------------------------------------------------------------------------


def changes(left: object, right: object, ignore_keys: Iterable[str] = (), **options: Any) -> list[Change]:
    """The changes :func:`diff_json` finds from ``left`` to ``right``, ignoring ``ignore_keys``, with ``options``."""
    return list(diff_json(left, right, ignore_keys, **options).changes)


def test_numbers_compare_by_value_but_booleans_are_not_numbers() -> None:
    assert changes({"total": 3.0, "n": [1, 2.0]}, {"total": 3, "n": [1.0, 2]}) == []
    assert changes({"flag": True}, {"flag": 1}) == [Change("flag", "type", True, 1)]
    assert changes({"price": 1}, {"price": 1.5}) == [Change("price", "changed", 1, 1.5)]


def test_keys_only_on_one_side_and_paths() -> None:
    found = changes({"a": {"b": [1, {"c": 1}]}, "gone": 1}, {"a": {"b": [1, {"c": 2}]}, "new": None})
    assert found == [
        Change("a.b[1].c", "changed", 1, 2),
        Change("gone", "removed", 1, None),
        Change("new", "added", None, None),
    ]
    assert format_path(["odd key", 0, "x"]) == '["odd key"][0].x'


def test_ignored_keys_by_name_anywhere_and_by_dotted_path() -> None:
    left = {"id": 1, "created_at": "a", "items": [{"id": 5, "sku": "x"}], "meta": {"id": 9}}
    right = {"id": 2, "created_at": "b", "items": [{"id": 6, "sku": "x"}], "meta": {"id": 9}}
    assert [c.path for c in changes(left, right, ["created_at"])] == ["id", "items[0].id"]
    assert changes(left, right, ["created_at", "id"]) == []
    assert [c.path for c in changes(left, right, ["created_at", "items.*.id"])] == ["id"]


def test_list_order_is_ignored_only_when_asked() -> None:
    left, right = {"tags": ["a", "b"]}, {"tags": ["b", "a"]}
    assert len(changes(left, right)) == 2
    assert changes(left, right, ignore_order=True) == []


# --- the requests file -----------------------------------------------------------------------------


def test_yaml_file_with_defaults_bodies_and_headers(tmp_path: Path) -> None:
    path = tmp_path / "r.yaml"
    path.write_text(
        "ignore_keys: [created_at]\nignore_order: true\ncompare_headers: [X-Version]\nrequests:\n"
        "  - name: create\n    method: post\n    path: /orders\n    body: {quantity: 2}\n    status: 201\n"
        "    headers: {X-Trace: 7}\n"
        "  - path: /raw\n    method: PUT\n    body: 'a=1'\n    headers: ['X-A: b']\n    ignore_order: false\n"
    )
    suite = load_suite(path)
    assert suite.options == ParityOptions(("created_at",), True, ("location", "x-version"))
    create, raw = suite.cases
    assert create.name == "create" and create.expect_status == 201
    assert create.request == RequestSpec(
        "POST", "/orders", (("X-Trace", "7"), ("Content-Type", "application/json")), '{"quantity": 2}'
    )
    assert raw.name == "PUT /raw" and raw.request.body == "a=1" and raw.request.header("content-type") is None
    assert raw.options(suite.options).ignore_order is False


def test_json_file_is_a_plain_list(tmp_path: Path) -> None:
    path = tmp_path / "r.json"
    path.write_text(json.dumps([{"path": "/a"}, {"name": "b", "path": "/b", "body": [1, 2]}]))
    suite = load_suite(path)
    assert [c.name for c in suite.cases] == ["GET /a", "b"] and suite.cases[1].request.body == "[1, 2]"


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"requests": []}, "the requests list is empty"),
        ({"request": []}, "unknown top-level key 'request'"),
        ({"ignore_keys": ["a"]}, "no 'requests' list"),
        ([{"name": "a"}], "entry 1 ('a'): 'path' is missing"),
        ([{"path": "/a"}, {"name": "x", "path": "/b", "method": "FETCH"}], "entry 2 ('x'): unknown method 'FETCH'"),
        ([{"name": "x", "path": "http://example.com/"}], "entry 1 ('x'): only paths are accepted"),
        ([{"name": "x", "path": "/a", "headers": {"X-A": "1\r\nX-B: 2"}}], "header injection"),
        (
            [{"name": "x", "path": "/a", "headers": {"X-A": "caf\u00e9"}}],
            "entry 1 ('x'): the value of header X-A contains the non-ASCII",
        ),
        (
            [{"name": "x", "path": "/a", "headers": ["X-A: 1\u2028X-B: 2"]}],
            "U+2028 LINE SEPARATOR, a control character",
        ),
        ([{"name": "x", "path": "/a", "status": True}], "'status' must be an HTTP status"),
        ([{"name": "x", "path": "/a", "ignore_keys": [1]}], "ignore_keys: expected a list of names"),
        ([{"name": "x", "path": "/a", "ignore_order": "yes"}], "ignore_order: expected true or false"),
        (
            [{"name": "x", "path": "/a"}, {"name": "x", "path": "/b"}],
            "entry 2: the name 'x' is already used by entry 1",
        ),
        (["GET /a"], "entry 1: expected a mapping"),
    ],
)
def test_bad_entries_name_the_entry(document: object, message: str) -> None:
    with pytest.raises(ParityFileError, match=None) as info:
        parse_suite(document, "r.yaml")
    assert message in str(info.value) and str(info.value).startswith("r.yaml")


# --- comparing two answers -------------------------------------------------------------------------


def answer(framework: str, status: int, body: str, content_type: str = "application/json", **headers: str) -> Exchange:
    port = 1111 if framework == "flask" else 2222
    spec = RequestSpec("GET", "/x")
    return Exchange(
        framework,
        spec,
        SentRequest("GET", f"http://127.0.0.1:{port}/x", (), b""),
        status=status,
        headers=(("content-type", content_type), *headers.items()),
        body=body.encode(),
    )


SIDES = dict.fromkeys(("flask", "fastapi"), RequestTemplate("GET", "/x"))  # the same request to each app
CASE = ParityCase("x", SIDES)


def test_each_servers_own_base_url_is_not_a_difference() -> None:
    flask = answer("flask", 201, '{"next": "/x/2"}', location="/x/2")
    fastapi = answer("fastapi", 201, '{"next": "http://127.0.0.1:2222/x/2"}', location="http://127.0.0.1:2222/x/2")
    assert compare(CASE, flask, fastapi, ParityOptions()).differences == []


def test_status_content_type_header_and_body_each_reported() -> None:
    flask = answer("flask", 201, '{"a": 1}', location="/x/1")
    fastapi = answer("fastapi", 200, "<p>a</p>", "text/html", location="/x/2")
    found = compare(ParityCase("x", SIDES, expect_status=201), flask, fastapi, ParityOptions()).differences
    assert [d.line() for d in found] == [
        "status: Flask 201, FastAPI 200 (expected 201)",
        "content-type: Flask 'application/json', FastAPI 'text/html'",
        "header location: Flask '/x/1', FastAPI '/x/2'",
        "body: Flask '{\"a\": 1}', FastAPI '<p>a</p>' (JSON only from Flask)",
    ]


def test_both_away_from_the_expected_status_is_a_difference() -> None:
    found = compare(
        ParityCase("x", SIDES, expect_status=201),
        answer("flask", 200, "{}"),
        answer("fastapi", 200, "{}"),
        ParityOptions(),
    ).differences
    assert [d.note for d in found] == ["both differ from the expected 201"]


def test_text_bodies_show_the_first_differing_line_and_json_paths() -> None:
    found = compare(
        CASE,
        answer("flask", 200, "a\nb\nc", "text/plain"),
        answer("fastapi", 200, "a\nB\nc", "text/plain"),
        ParityOptions(),
    ).differences
    assert [(d.flask, d.fastapi, d.note) for d in found] == [("b", "B", "text differs from line 2")]
    found = compare(
        CASE, answer("flask", 200, '{"stock": 3}'), answer("fastapi", 200, "{}"), ParityOptions()
    ).differences
    assert [d.line() for d in found] == ["body stock: only in Flask (3)"]


def test_a_failed_request_is_an_error_difference() -> None:
    broken = Exchange("fastapi", RequestSpec(), error="connection refused")
    (difference,) = compare(CASE, answer("flask", 200, "{}"), broken, ParityOptions()).differences
    assert difference.aspect == "error" and difference.line() == "error: FastAPI: connection refused"


def test_answers_cut_at_the_cap_are_never_equal() -> None:
    flask, fastapi = answer("flask", 200, '{"a": [1, 2'), answer("fastapi", 200, '{"a": [1, 2')
    fastapi.truncated = True
    (difference,) = compare(CASE, flask, fastapi, ParityOptions()).differences
    assert difference.aspect == "error" and "cut at 16 MiB" in difference.line()
    flask.truncated = True
    other = answer("fastapi", 200, '{"a": [1, 3')
    other.truncated = True
    assert compare(CASE, flask, other, ParityOptions()).differences[0].aspect == "body"


def test_too_deep_answers_match_only_when_their_text_is_the_same() -> None:
    deep = "[" * 700 + "]" * 700
    assert compare(CASE, answer("flask", 200, deep), answer("fastapi", 200, deep), ParityOptions()).differences == []
    found = compare(CASE, answer("flask", 200, deep), answer("fastapi", 200, "[]"), ParityOptions()).differences
    assert [d.line() for d in found] == [
        "error: body could not be compared: Flask's answer is nested deeper than 500 levels"
    ]


def test_more_differences_are_counted_and_a_lone_surrogate_prints() -> None:
    many = compare(
        CASE, answer("flask", 200, json.dumps(list(range(80)))), answer("fastapi", 200, "[]"), ParityOptions()
    )
    assert len(many.differences) == 50 and many.more == 30
    (odd,) = compare(
        CASE, answer("flask", 200, '{"\\ud800": 1}'), answer("fastapi", 200, "{}"), ParityOptions()
    ).differences
    assert odd.line() == 'body ["\\ud800"]: only in Flask (1)'
    odd.line().encode()


# --- routes ---------------------------------------------------------------------------------------


def test_url_map_rules_become_templates_with_examples() -> None:
    rules = [
        {"rule": "/items/<int:item_id>/<name>", "methods": ["GET", "POST"], "endpoint": "item"},
        {"rule": "/files/<path:p>", "methods": ["GET"], "endpoint": "f"},
    ]
    templates = routes_from_url_map(rules)
    assert [(t.method, t.path, t.pattern) for t in templates] == [
        ("GET", "/items/1/example", "/items/{item_id}/{name}"),
        ("POST", "/items/1/example", "/items/{item_id}/{name}"),
        ("GET", "/files/example", "/files/{p}"),
    ]
    assert [p.type for p in templates[0].params] == ["int", "string"]


ITEM_REF = {"$ref": "#/components/schemas/Item"}


def test_openapi_operations_become_templates_with_query_and_body() -> None:
    schema = {
        "paths": {
            "/items/{item_id}": {
                "get": {
                    "summary": "Get",
                    "parameters": [
                        {"name": "item_id", "in": "path", "required": True, "schema": {"type": "integer"}},
                        {
                            "name": "q",
                            "in": "query",
                            "required": True,
                            "schema": {"type": "string", "enum": ["a b", "c"]},
                        },
                        {"name": "page", "in": "query", "schema": {"type": "integer", "default": 1}},
                    ],
                }
            },
            "/items": {"post": {"requestBody": {"content": {"application/json": {"schema": ITEM_REF}}}}},
        },
        "components": {
            "schemas": {
                "Item": {
                    "type": "object",
                    "properties": {
                        "name": {"type": "string"},
                        "price": {"type": "number", "exclusiveMinimum": 0},
                        "tags": {"type": "array", "items": {"type": "string"}},
                        "kind": {"anyOf": [{"type": "null"}, {"type": "boolean"}]},
                    },
                }
            }
        },
    }
    get, post = routes_from_openapi(schema)
    assert get.request() == RequestSpec("GET", "/items/1?q=a%20b") and get.name == "Get"
    assert json.loads(post.body or "") == {"name": "example", "price": 1, "tags": ["example"], "kind": True}
    assert post.request().header("content-type") == "application/json"
    flask = RouteListing(
        "flask", "url_map", tuple(routes_from_url_map([{"rule": "/items/<int:id>", "methods": ["GET"]}]))
    )
    rows = merge_routes([flask, RouteListing("fastapi", "openapi", (get, post))])
    assert [(r.method, r.frameworks) for r in rows] == [("GET", ("flask", "fastapi")), ("POST", ("fastapi",))]


# --- targets --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "shop",
        "shop:",
        ":app",
        "shop:app(x)",
        "shop:f(*a)",
        "1shop:app",
        "shop app:x",
        "a..b:app",
        "a:b[0]",
        "a:__import__('os').system('x')",
    ],
)
def test_targets_must_be_module_colon_attribute(text: str) -> None:
    with pytest.raises(TargetError):
        check_target(text)


@pytest.mark.parametrize("text", ["shop:app", "pkg.mod:obj.app", "blog:create_app()", "blog:make('testing', n=2)"])
def test_targets_may_be_dotted_or_a_factory_call_with_literals(text: str) -> None:
    assert check_target(text) == text


def test_specs_from_options(tmp_path: Path) -> None:
    assert [s.target for s in specs_from_options()] == ["demos.flask_app:app", "demos.fastapi_app:app"]
    (flask,) = specs_from_options(flask="pkg.web:app", app_dir=tmp_path, flask_server="gunicorn")
    assert (flask.kind, flask.app_dir) == ("gunicorn", tmp_path.resolve())
    kinds = [s.kind for s in specs_from_options("a:app", "b:app", tmp_path)]
    assert kinds == ["werkzeug", "uvicorn"]
    with pytest.raises(TargetError, match="--fastapi is missing"):
        specs_from_options(flask="a:app", require_both=True)
    with pytest.raises(TargetError, match="needs --flask or --fastapi"):
        specs_from_options(app_dir=tmp_path)


def test_import_error_line_is_the_last_line_of_the_traceback() -> None:
    log = [
        "[explorer] starting",
        "explorer: could not import x:app:",
        "Traceback (most recent call last):",
        '  File "x.py", line 1',
        "    import nope",
        "ModuleNotFoundError: No module named 'nope'",
        "[2024-01-01] [1] [ERROR] Worker failed to boot.",
        "[explorer] exited with code 3",
    ]
    assert import_error_line(log) == "ModuleNotFoundError: No module named 'nope'"
    assert import_error_line(["[explorer] exited with code 1"]) is None


# --- reports --------------------------------------------------------------------------------------


def test_markdown_escapes_what_servers_sent() -> None:
    exchange = {
        "request": {"method": "GET", "path": "/x"},
        "status": 200,
        "reason": "OK",
        "content_type": "text/plain",
        "headers": [],
        "body": "```\n# not a heading",
        "json": None,
    }
    report = Report(
        "test",
        "T | [x](y)",
        sections=(
            Section("S", table=Table(("a",), (("1 | 2",),))),
            Section("E", exchanges=(exchange_block("Flask", exchange, "curl -i http://127.0.0.1:1/x"),)),
        ),
    )
    markdown = report.to_markdown()
    assert "# T \\| \\[x\\](y)" in markdown and "| 1 \\| 2 |" in markdown
    assert "````\n```\n# not a heading\n````" in markdown  # a fence longer than any inside
    assert report_from_document(json.loads(json.dumps(report.to_dict()))).to_markdown() == markdown


def test_a_static_folder_mount_needs_no_note_and_another_mount_is_said_in_words() -> None:
    """`explorer routes` on the demos printed "could not use /static/{path:path} with methods other than GET (a
    mounted app without routes: listed as GET only)": a static folder answers GET and HEAD only, so GET is all
    there is. A mount whose routes cannot be read is still named, in words a user understands."""
    from explorer.apps.handlers import Endpoint
    from explorer.apps.routetree import routes_from_route_table

    every = ("DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT")
    static = Endpoint("/static/{path:path}", every, "static", "starlette.staticfiles", "__call__", None, None)
    other = Endpoint("/legacy/{path:path}", every, "legacy", "a2wsgi.wsgi", "__call__", None, None)
    templates, notes = routes_from_route_table([static])
    assert [t.method for t in templates] == ["GET"] and notes == []
    templates, notes = routes_from_route_table([other])
    assert [t.method for t in templates] == ["GET"]
    said = "it is an app mounted there whose own routes cannot be read, so it is listed as GET only"
    assert notes == [f"/legacy/{{path:path}} with methods other than GET: {said} (send it other methods by hand)"]
