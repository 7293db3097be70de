"""What a team porting real apps hit (issue 23), without servers: captured values each app makes up, one
inserted list item, percent-encoded self-URLs, a declared missing Content-Type, two redirects compared
by where they lead."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from explorer.parity.compare import compare
from explorer.parity.entry import ParityFileError
from explorer.parity.imports import from_curl
from explorer.parity.jsondiff import MAX_ALIGN, diff_json
from explorer.parity.suite import parse_suite
from explorer.runtime.http.client import Exchange, SentRequest
from explorer.runtime.http.request import RequestSpec

pytestmark = pytest.mark.serverless  # no server, no process: `make test-fast` runs this file


def answer(
    framework: str, status: int, body: str, content_type: str | None = "application/json", **headers: str
) -> Exchange:
    port = 42705 if framework == "flask" else 35913
    sent = (("content-type", content_type),) if content_type else ()
    return Exchange(
        framework,
        RequestSpec("GET", "/x"),
        SentRequest("GET", f"http://127.0.0.1:{port}/x", (), b""),
        status=status,
        headers=(*sent, *headers.items()),
        body=body.encode(),
    )


def run(suite: Any, flask: Exchange, fastapi: Exchange, number: int = 0) -> Any:
    case = suite.cases[number]
    return compare(case, flask, fastapi, case.options(suite.options), (*case.expectations, *suite.expectations))


def lines(comparison: Any) -> list[str]:
    return [d.line() for d in comparison.differences]


# --- 10. a captured value is each app's own ------------------------------------------------------------


def test_a_random_token_captured_at_login_is_compared_by_presence_and_type() -> None:
    suite = parse_suite(
        {
            "requests": [
                {
                    "name": "login",
                    "method": "POST",
                    "path": "/login",
                    "capture": {"token": "json.token", "sid": "header.x-session"},
                    "compare_headers": ["x-session"],
                }
            ]
        }
    )
    flask = answer("flask", 200, '{"token": "f-8c1d", "user": "ann"}', **{"x-session": "a1"})
    fastapi = answer("fastapi", 200, '{"token": "a-77e0", "user": "ann"}', **{"x-session": "b2"})
    assert lines(run(suite, flask, fastapi)) == []
    other_user = answer("fastapi", 200, '{"token": "a-77e0", "user": "bob"}', **{"x-session": "b2"})
    assert lines(run(suite, flask, other_user)) == ["body user: Flask 'ann', FastAPI 'bob'"]
    not_text = answer("fastapi", 200, '{"token": 7, "user": "ann"}')
    assert lines(run(suite, flask, not_text)) == [
        "header x-session: Flask 'a1', FastAPI (missing)",
        "body token: Flask 'f-8c1d', FastAPI 7 (types differ)",
    ]
    absent = answer("fastapi", 200, '{"user": "ann"}', **{"x-session": "b2"})
    assert lines(run(suite, flask, absent)) == ["body token: only in Flask ('f-8c1d')"]


def test_compare_captured_asks_for_the_values_too() -> None:
    entry = {"name": "login", "path": "/login", "capture": {"token": "json.token"}}
    flask, fastapi = answer("flask", 200, '{"token": "f"}'), answer("fastapi", 200, '{"token": "a"}')
    for suite in (
        parse_suite({"requests": [entry], "compare_captured": True}),
        parse_suite({"requests": [{**entry, "compare_captured": True}]}),
    ):
        assert lines(run(suite, flask, fastapi)) == ["body token: Flask 'f', FastAPI 'a'"]


# --- 11. list items paired by a key or aligned ---------------------------------------------------------


def test_one_inserted_item_is_reported_once() -> None:
    books = [{"id": n, "title": f"book {n}"} for n in range(1, 31)]
    inserted = [*books[:4], {"id": 99, "title": "new"}, *books[4:]]
    found = diff_json(books, inserted)
    assert [(c.path, c.kind) for c in found.changes] == [("[4]", "added")] and found.total == 1
    inserted[20] = {"id": 20, "title": "changed"}  # Flask's item 19, FastAPI's 20
    found = diff_json(books, inserted)
    assert [(c.path, c.kind, c.right) for c in found.changes] == [
        ("[4]", "added", {"id": 99, "title": "new"}),
        ("[19].title", "changed", "changed"),
    ]
    removed = diff_json(books, books[:10] + books[11:])
    assert [(c.path, c.kind) for c in removed.changes] == [("[10]", "removed")]


def test_match_lists_by_pairs_items_by_their_key() -> None:
    flask = [{"id": 1, "n": "a"}, {"id": 2, "n": "b"}, {"id": 3, "n": "c"}]
    fastapi = [{"id": 3, "n": "c"}, {"id": 1, "n": "A"}, {"id": 2, "n": "b"}, {"id": 4, "n": "d"}]
    found = diff_json(flask, fastapi, match_lists_by=["id"])
    assert [(c.path, c.kind) for c in found.changes] == [("[0].n", "changed"), ("[3]", "added")]
    same_length = diff_json(flask, [flask[2], flask[0], flask[1]], match_lists_by=["id"])
    assert same_length.equal  # by key, order does not matter
    suite = parse_suite({"requests": [{"path": "/books"}], "match_lists_by": "id"})
    result = run(
        suite,
        answer("flask", 200, '{"items": [{"id": 1}, {"id": 2}]}'),
        answer("fastapi", 200, '{"items": [{"id": 2}, {"id": 1}, {"id": 3}]}'),
    )
    assert lines(result) == ['body items[2]: inserted item, only in FastAPI ({"id": 3})']


def test_an_alignment_too_large_falls_back_to_position_within_the_budget() -> None:
    side = int(MAX_ALIGN**0.5) + 2
    left = [*range(side), "x"]
    right = ["y", *range(side), "z", "w"]  # the common head and tail are empty, the middle too large to align
    found = diff_json(left, right)
    assert found.total == len(right)  # by position: every item moved one place, and two more


def test_nested_lists_are_aligned_in_order_not_as_multisets() -> None:
    found = diff_json([[1, 2], [3]], [[2, 1], [3], [4]])
    assert [(c.path, c.kind) for c in found.changes] == [("[0][0]", "changed"), ("[0][1]", "changed"), ("[2]", "added")]


# --- 5. percent-encoded self-URLs -----------------------------------------------------------------------


def test_a_percent_encoded_self_url_is_not_a_difference() -> None:
    suite = parse_suite([{"path": "/login"}])
    flask = answer("flask", 302, "", None, location="/auth?returnTo=http%3A%2F%2F127.0.0.1%3A42705%2Fme")
    fastapi = answer("fastapi", 302, "", None, location="/auth?returnTo=http%3a%2f%2f127.0.0.1%3a35913%2fme")
    assert lines(run(suite, flask, fastapi)) == [
        "header location: Flask '/auth?returnTo=%2Fme', FastAPI '/auth?returnTo=%2fme'"
    ]
    fastapi = answer("fastapi", 302, "", None, location="/auth?returnTo=http%3A%2F%2F127.0.0.1%3A35913%2Fme")
    assert lines(run(suite, flask, fastapi)) == []
    elsewhere = answer("fastapi", 302, "", None, location="/auth?returnTo=http%3A%2F%2F127.0.0.1%3A9%2Fme")
    assert len(lines(run(suite, flask, elsewhere))) == 1


# --- 7. a declared missing value, redirects compared by where they lead ---------------------------------


def test_a_declaration_names_a_missing_content_type_with_null() -> None:
    declared = {"aspect": "content-type", "flask": "text/html", "fastapi": None, "reason": "no body"}
    suite = parse_suite({"requests": [{"path": "/go"}], "expect_differences": [declared]})
    flask = answer("flask", 302, "", "text/html; charset=utf-8", location="/there")
    redirect = answer("fastapi", 307, "", None, location="/there")
    result = run(suite, flask, redirect)
    assert lines(result) == ["status: Flask 302, FastAPI 307"] and len(result.declared) == 1
    json_error = answer("fastapi", 302, "", "application/json", location="/there")
    assert lines(run(suite, flask, json_error)) == ["content-type: Flask 'text/html', FastAPI 'application/json'"]


def test_redirects_location_compares_status_class_and_location_only() -> None:
    flask = answer("flask", 302, "<a href='/there'>", "text/html; charset=utf-8", location="/there")
    fastapi = answer("fastapi", 307, "", None, location="http://127.0.0.1:35913/there")
    assert len(lines(run(parse_suite([{"path": "/go"}]), flask, fastapi))) == 3  # status, content-type, body
    for suite in (
        parse_suite({"requests": [{"path": "/go"}], "redirects": "location"}),
        parse_suite([{"path": "/go", "redirects": "location"}]),
    ):
        assert lines(run(suite, flask, fastapi)) == []
        elsewhere = answer("fastapi", 307, "", None, location="/else")
        assert lines(run(suite, flask, elsewhere)) == ["header location: Flask '/there', FastAPI '/else'"]
        not_redirected = answer("fastapi", 200, "<a>", "text/html; charset=utf-8")
        assert lines(run(suite, flask, not_redirected))[0] == "status: Flask 302, FastAPI 200"
    with pytest.raises(ParityFileError, match=r"redirects: expected full or location, got 'follow'"):
        parse_suite({"requests": [{"path": "/go"}], "redirects": "follow"})


# --- 8. curl options curl users use ---------------------------------------------------------------------


def test_curl_data_urlencode_in_each_of_curls_forms(tmp_path: Path) -> None:
    (tmp_path / "q.txt").write_text("a&b c\n")
    curl = tmp_path / "requests.sh"
    curl.write_text(
        "curl http://x/search --data-urlencode 'q=a&b c' --data-urlencode '=x/y' "
        "--data-urlencode 'plain text' --data-urlencode @q.txt --data-urlencode 'f@q.txt' -G\n"
        "curl -sL -A 'agent/1.0' -s http://x/login --data-urlencode 'next=/me?a=1'\n"
    )
    notes: list[str] = []
    search, login = from_curl(curl, notes)
    assert search["path"] == "/search?q=a%26b%20c&x%2Fy&plain%20text&a%26b%20c%0A&f=a%26b%20c%0A"
    assert login["body"] == "next=%2Fme%3Fa%3D1" and login["method"] == "POST"
    assert login["headers"] == {"User-Agent": "agent/1.0", "Content-Type": "application/x-www-form-urlencoded"}
    assert login["follow_redirects"] is True and "follow_redirects" not in search
    assert notes == ["requests.sh: line 2: ignored -s (they change what curl prints, not the request)"]
    case = parse_suite({"requests": [login]}, "requests.sh").cases[0]
    assert case.follow_redirects and case.request.body == "next=%2Fme%3Fa%3D1"
    for option in ("--proxy http://p", "-b a=b", "-e http://ref", "-sz", "--data-urlencode"):
        curl.write_text(f"curl http://x/ {option}")
        with pytest.raises(ParityFileError, match=r"cannot be imported|needs a value"):
            from_curl(curl)


def test_curl_options_with_an_argument_take_it_in_an_import(tmp_path: Path) -> None:
    """The import reads curl as the paste does: `-F 'name=<file'` sends the file's text as the field, `-T FILE`
    is refused by name (it once left FILE to be read as the URL), --url-query and repeated --json as curl joins them."""
    (tmp_path / "note.txt").write_text("hello")
    curl = tmp_path / "requests.sh"
    curl.write_text(
        "curl http://x/notes -F 'text=<note.txt' -F title=T\n"
        "curl --url-query 'q=a b' http://x/s?n=1 --json '{\"a\":' --json ' 1}'\n"
    )
    form, search = from_curl(curl)
    assert form["form"] == {"text": "hello", "title": "T"} and form["method"] == "POST"
    assert search["path"] == "/s?n=1&q=a%20b" and search["body"] == '{"a": 1}'
    assert search["headers"] == {"Content-Type": "application/json", "Accept": "application/json"}
    curl.write_text("curl -T note.txt http://x/notes\n")
    with pytest.raises(ParityFileError, match="'-T' cannot be imported"):
        from_curl(curl)


# --- 9. generated requests: sign-up and login first, their token carried ---------------------------------


def test_generated_requests_log_in_first_and_send_the_captured_token() -> None:
    from explorer.parity.generate import Operation, entries_for, token_source

    document = {
        "paths": {
            "/users/login": {
                "post": {
                    "responses": {
                        "200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/UserOut"}}}}
                    }
                }
            }
        },
        "components": {
            "schemas": {
                "UserOut": {"properties": {"user": {"$ref": "#/components/schemas/User"}}},
                "User": {"properties": {"token": {"type": "string"}}},
            }
        },
    }
    assert token_source(document, "/users/login", "POST") == "json.user.token"
    oauth = {"paths": {"/token": {"post": {}}}, "components": {"securitySchemes": {"o": {"type": "oauth2"}}}}
    assert token_source(oauth, "/token", "POST") == "json.access_token" and token_source({}, "/x", "GET") is None
    bearer = (("Authorization", "Bearer <token>"),)
    entries = entries_for(
        [
            Operation("GET", "/articles/feed", "/articles/feed", headers=bearer),
            Operation("POST", "/articles", "/articles", '{"title": "t"}', headers=bearer),
            Operation("POST", "/users/login", "/users/login", '{"email": "a@b.c"}', token_from="json.user.token"),
            Operation("POST", "/users", "/users", '{"email": "a@b.c"}'),
            Operation("GET", "/tags", "/tags"),
        ]
    )
    assert [e["name"] for e in entries] == [
        "POST /users",
        "POST /users/login",
        "POST /articles",
        "GET /articles/feed",
        "GET /tags",
    ]
    assert entries[1]["capture"] == {"token": "json.user.token"}
    assert entries[2]["headers"] == {"Authorization": "Bearer {{token}}"} == entries[3]["headers"]
    suite = parse_suite({"requests": entries})  # the placeholders are captured before they are used
    assert [c.name for c in suite.cases[1].captures["flask"]] == ["token"]
    unsigned = entries_for([Operation("GET", "/me", "/me", headers=bearer)])  # no login: the placeholder stays, as text
    assert unsigned[0]["headers"] == {"Authorization": "Bearer <token>"}
