"""The mirror's pieces that need no server: which route a request hit, a requests file's rules by route,
what a recording keeps and captures."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from explorer.apps.templates import routes_from_url_map
from explorer.mirror.record import Recorder
from explorer.mirror.routes import NO_ROUTE, RouteMatcher
from explorer.mirror.rules import Rules
from explorer.parity.suite import parse_suite
from explorer.runtime.http.exchange import Exchange
from explorer.runtime.http.request import RequestSpec

pytestmark = pytest.mark.serverless

RULES = [
    {"rule": "/orders/<int:order_id>", "methods": ["GET", "HEAD"], "endpoint": "get_order"},
    {"rule": "/orders/latest", "methods": ["GET"], "endpoint": "latest"},
    {"rule": "/files/<path:name>", "methods": ["GET"], "endpoint": "files"},
    {"rule": "/login", "methods": ["POST"], "endpoint": "login"},
]


def test_requests_are_matched_to_the_flask_rule_they_hit() -> None:
    matcher = RouteMatcher(routes_from_url_map(RULES))
    assert matcher.match("GET", "/orders/12?x=1") == "/orders/{order_id}"
    assert matcher.match("GET", "/orders/latest") == "/orders/latest"  # fixed text before a variable
    assert matcher.match("GET", "/orders/abc") == NO_ROUTE  # an int converter takes digits only
    assert matcher.match("GET", "/files/a/b.txt") == "/files/{name}"
    assert matcher.match("DELETE", "/orders/1") == NO_ROUTE
    assert matcher.match("GET", "/orders/{{order_id}}") == "/orders/{order_id}"  # a requests file's placeholder


def test_a_head_request_is_counted_on_the_get_rule_flask_serves_it_with() -> None:
    """The route lister lists a rule's own methods (Werkzeug adds HEAD to every GET rule): HEAD /orders/latest was
    counted under "(no route)", a route Flask does serve, and a requests file's HEAD case found no rule."""
    matcher = RouteMatcher(routes_from_url_map(RULES))
    assert matcher.match("HEAD", "/orders/latest") == "/orders/latest"
    assert matcher.match("HEAD", "/login") == NO_ROUTE  # POST only: Flask answers 405


def test_an_options_request_is_counted_on_the_rule_flask_answers_it_for() -> None:
    """Flask 3.1 answers OPTIONS on every rule itself (200, ``Allow: OPTIONS, POST``; FastAPI 0.165 answers 405
    without CORS middleware): OPTIONS /login was counted under "(no route)", a route Flask does serve."""
    matcher = RouteMatcher(routes_from_url_map(RULES))
    assert matcher.match("OPTIONS", "/login") == "/login"
    assert matcher.match("OPTIONS", "/orders/7") == "/orders/{order_id}"
    assert matcher.match("OPTIONS", "/orders/latest") == "/orders/latest"
    assert matcher.match("OPTIONS", "/nowhere") == NO_ROUTE  # Flask answers 404


def test_a_requests_files_keys_apply_by_route() -> None:
    suite = parse_suite(
        {
            "ignore_keys": ["request_id"],
            "requests": [
                {
                    "name": "login",
                    "method": "POST",
                    "path": "/login",
                    "body": {"a": 1},
                    "ignore_keys": ["token"],
                    "expect_differences": [{"aspect": "body", "where": "detail", "reason": "HTTPException"}],
                },
                {"name": "order", "path": "/orders/1", "ignore_keys": ["created_at"]},
            ],
        }
    )
    rules = Rules(suite, RouteMatcher(routes_from_url_map(RULES)))
    login = rules.rule("POST", "/login")
    assert login.options.ignore_keys == ("request_id", "token") and [e.reason for e in login.expectations] == [
        "HTTPException"
    ]
    assert rules.rule("GET", "/orders/{order_id}").options.ignore_keys == ("request_id", "created_at")
    assert rules.rule("GET", "/orders/latest").options.ignore_keys == ("request_id",)  # the file's keys only


def _answer(method: str, path: str, status: int, body: bytes) -> Exchange:
    return Exchange(
        "flask", RequestSpec(method, path), status=status, body=body, headers=(("content-type", "application/json"),)
    )


def test_a_recording_keeps_one_entry_per_shape_and_captures_what_answers_gave() -> None:
    recorder = Recorder()
    token = "a1b2c3d4e5f6a7b8c9d0"
    json_type = (("Content-Type", "application/json"),)
    login = RequestSpec("POST", "/login", json_type)
    recorder.add(
        "/login",
        login,
        b'{"email": "x", "password": "y"}',
        _answer("POST", "/login", 200, b'{"token": "%s"}' % token.encode()),
    )
    recorder.add(
        "/login", login, b'{"email": "z", "password": "w"}', _answer("POST", "/login", 200, b'{"token": "other"}')
    )
    recorder.add(
        "/orders", RequestSpec("POST", "/orders", json_type), b'{"n": 1}', _answer("POST", "/orders", 201, b'{"id": 7}')
    )
    me = RequestSpec("GET", "/orders/7", (("Authorization", f"Bearer {token}"), ("Cookie", "session=s3cr3t-value")))
    recorder.add("/orders/{order_id}", me, None, _answer("GET", "/orders/7", 200, b"{}"))
    recorder.add(
        "/me",
        RequestSpec("GET", "/me", (("Authorization", "Bearer never-issued-by-an-answer"),)),
        None,
        _answer("GET", "/me", 401, b"{}"),
    )
    cart = RequestSpec("POST", "/carts", json_type)
    recorder.add("/carts", cart, b"{}", _answer("POST", "/carts", 201, b'{"id": 3}'))  # an id never sent back
    entries = recorder.document(Rules())["requests"]
    assert [e["name"] for e in entries][:4] == ["POST /login", "POST /orders", "GET /orders/{order_id}", "GET /me"]
    # captured all the same: parity compares it by presence and type, and reads the port's back, as the mirror does
    assert entries[4]["capture"] == {"carts_id": "json.id"}
    assert entries[0]["capture"] == {"token": "json.token"} and entries[1]["capture"] == {"orders_id": "json.id"}
    assert entries[2]["path"] == "/orders/{{orders_id}}" and entries[2]["headers"] == {
        "Authorization": "Bearer {{token}}"
    }
    assert entries[3]["headers"] == {"Authorization": "REDACTED"}  # a secret no answer gave: never written
    assert "s3cr3t" not in str(entries)  # cookies are each app's own jar in parity
    parse_suite(recorder.document(Rules()))  # a file parity accepts: every placeholder captured before its use


def test_a_shadow_gets_flasks_tokens_and_ids_as_its_own_and_its_answer_reads_as_flasks() -> None:
    """Learnt from the answers to a login and an order, as parity's captures take them; put in a later request
    where they stand (an id only where it names its kind), and the shadow's answer read back as Flask's."""
    from explorer.parity.tokens import Tokens

    flask_token, their_token = "f1f2f3f4f5f6f7f8f9f0", "a9a8a7a6a5a4a3a2a1a0"
    tokens = Tokens()
    login = b'{"user": {"email": "ada@example.com", "token": "%s"}}'
    tokens.learn(
        "fastapi",
        _answer("POST", "/login", 200, login % flask_token.encode()),
        _answer("POST", "/login", 200, login % their_token.encode()),
    )
    tokens.learn(
        "fastapi", _answer("POST", "/orders", 201, b'{"id": 1, "n": 1}'), _answer("POST", "/orders", 201, b'{"id": 7}')
    )
    spec = RequestSpec(
        "PATCH",
        f"/orders/1?order_id=1&page=1&t={flask_token}",
        (
            ("Authorization", f"Token {flask_token}"),
            ("Cookie", f"session=flask-set; remember={flask_token}"),
            ("Content-Type", "application/json"),
        ),
    )
    body = b'{"order_id": 1, "product_id": 1, "quantity": 1, "note": "by %s"}' % flask_token.encode()
    sent, content = tokens.translate("fastapi", spec, body)
    assert sent.path == f"/orders/7?order_id=7&page=1&t={their_token}"
    assert sent.header("authorization") == f"Token {their_token}"
    assert sent.header("cookie") == f"session=flask-set; remember={their_token}"  # no app set either: the client did
    assert content is not None and json.loads(content) == {
        "order_id": 7,
        "product_id": 1,  # a product's id 1 is not order 1
        "quantity": 1,
        "note": f"by {their_token}",
    }
    assert tokens.translate("fastapi", RequestSpec("GET", "/products/1"), None)[0].path == "/products/1"
    untouched, same = tokens.translate("second", spec, body)  # pairs are per shadow
    assert (untouched.path, dict(untouched.headers), same) == (spec.path, dict(spec.headers), body)
    theirs = _answer("GET", "/orders/7", 200, b'{"id": 7, "product_id": 7, "by": "%s"}' % their_token.encode())
    back = tokens.back("fastapi", replace(theirs, headers=(*theirs.headers, ("Location", "/orders/7"))))
    assert back.json == {"id": 1, "product_id": 7, "by": flask_token} and back.header("location") == "/orders/1"
    assert json.loads(back.body) == back.json
    # a cookie Flask set comes from the shadow's own jar, never as Flask's value
    tokens.learn(
        "fastapi",
        replace(_answer("GET", "/", 200, b"{}"), headers=(("Set-Cookie", "session=flask-set; Path=/"),)),
        _answer("GET", "/", 200, b"{}"),
    )
    assert tokens.translate("fastapi", spec, body)[0].header("cookie") == f"remember={their_token}"
    tokens.saw(replace(_answer("GET", "/", 200, b"{}"), headers=(("Set-Cookie", "remember=x"),)))  # no shadow got it
    assert tokens.translate("fastapi", spec, body)[0].header("cookie") is None


def test_an_id_pair_ends_once_both_apps_number_from_the_same_value_again() -> None:
    """After a restart both in-memory apps number orders from 1 again: Flask's order 1 is the port's order 1 now,
    so the pair learnt before (Flask's 1 was the port's 7) no longer rewrites a request to /orders/1."""
    from explorer.parity.tokens import Tokens

    tokens = Tokens()
    created = _answer("POST", "/orders", 201, b'{"id": 1}')
    tokens.learn("fastapi", created, _answer("POST", "/orders", 201, b'{"id": 7}'))
    assert tokens.translate("fastapi", RequestSpec("GET", "/orders/1"), None)[0].path == "/orders/7"
    tokens.learn("fastapi", created, _answer("POST", "/orders", 201, b'{"id": 1}'))  # both restarted, both made 1
    assert tokens.translate("fastapi", RequestSpec("GET", "/orders/1"), None)[0].path == "/orders/1"
