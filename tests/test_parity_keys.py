"""The requests file's keys for flows and intent, without servers: captures and placeholders, per-framework
overrides, declared differences, ignore_regex, noise, null against missing, secrets, JUnit XML, imports."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from explorer.parity.compare import compare
from explorer.parity.differences import MISSING, Difference
from explorer.parity.entry import ParityFileError
from explorer.parity.imports import from_curl, from_har
from explorer.parity.noise import find_noise
from explorer.parity.secrets import REDACTED, Redactor
from explorer.parity.suite import ParityOptions, load_suite, parse_suite
from explorer.parity.template import Capture, TemplateError
from explorer.reports.junit import junit_xml
from explorer.runtime.errors import RequestError
from explorer.runtime.http.client import Exchange, SentRequest
from explorer.runtime.http.request import RequestSpec

pytestmark = pytest.mark.serverless  # no server, no process: `make test-fast` runs this file


def answer(framework: str, status: int, body: str, content_type: str = "application/json", **headers: str) -> Exchange:
    port = 1111 if framework == "flask" else 2222
    return Exchange(
        framework,
        RequestSpec("GET", "/x"),
        SentRequest("GET", f"http://127.0.0.1:{port}/x", (), b""),
        status=status,
        headers=(("content-type", content_type), *headers.items()),
        body=body.encode(),
    )


def suite_of(*entries: dict[str, Any], **top: Any) -> Any:
    return parse_suite({"requests": list(entries), **top}, "r.yaml")


# --- captures and placeholders -------------------------------------------------------------------------


def test_placeholders_fill_path_headers_and_body_with_each_apps_own_values() -> None:
    suite = suite_of(
        {
            "name": "login",
            "method": "POST",
            "path": "/login",
            "capture": {"token": "json.user.token", "uid": "json.id"},
        },
        {
            "name": "me",
            "method": "PUT",
            "path": "/users/{{uid}}",
            "headers": {"Authorization": "Bearer {{token}}"},
            "flask": {"headers": {"authorization": "Token {{token}}"}},
            "body": {"id": "{{uid}}", "note": "user {{uid}}"},
        },
    )
    me = suite.cases[1]
    flask = me.sides["flask"].render({"token": "t-f", "uid": 7})
    fastapi = me.sides["fastapi"].render({"token": "t-a", "uid": 8})
    assert (flask.path, flask.header("authorization")) == ("/users/7", "Token t-f")  # merged by name, any case
    assert (fastapi.path, fastapi.header("Authorization")) == ("/users/8", "Bearer t-a")
    assert json.loads(fastapi.body or "") == {"id": 8, "note": "user 8"}  # a whole placeholder keeps its JSON type
    assert [c.name for c in suite.cases[0].captures["flask"]] == ["token", "uid"]
    assert suite.cases[0].captures["flask"][0].secret and not suite.cases[0].captures["flask"][1].secret


def test_an_unknown_placeholder_names_the_request_before_anything_runs() -> None:
    with pytest.raises(ParityFileError) as info:
        suite_of(
            {"name": "login", "path": "/l", "capture": {"token": "json.t"}},
            {"name": "me", "path": "/me", "headers": {"Authorization": "Bearer {{tokn}}"}},
        )
    assert str(info.value) == (
        "r.yaml: entry 2 ('me'): unknown {{tokn}}; captured before it: token (write \\{{tokn}} to send it as text)"
    )
    with pytest.raises(ParityFileError, match=r"entry 1 \('me'\): unknown \{\{token\}\} \(fastapi side\)"):
        suite_of({"name": "me", "path": "/me", "fastapi": {"path": "/me/{{token}}"}})
    suite_of(
        {"name": "a", "path": "/a", "fastapi": {"capture": {"id": "json.id"}}},
        {"name": "b", "path": "/b", "fastapi": {"path": "/b/{{id}}"}},
    )  # captured for that side only: fine


def test_a_captured_value_is_checked_again_when_filled_in() -> None:
    suite = suite_of(
        {"name": "a", "path": "/a", "capture": {"v": "body"}}, {"name": "b", "path": "/b", "headers": {"X-V": "{{v}}"}}
    )
    with pytest.raises(RequestError, match="header injection"):
        suite.cases[1].sides["flask"].render({"v": "x\r\nX-Evil: 1"})
    with pytest.raises(TemplateError, match="has no value"):
        suite.cases[1].sides["flask"].render({})


def test_capture_sources() -> None:
    exchange = answer("flask", 201, '{"items": [{"id": 5}], "n": null}', location="/orders/5")
    assert Capture.parse("a", "json.items.0.id").take(exchange) == 5
    assert Capture.parse("b", "header.location").take(exchange) == "/orders/5"
    assert Capture.parse("c", "status").take(exchange) == 201
    assert Capture.parse("d", "json.n").take(exchange) is None
    with pytest.raises(Exception, match="is not in the answer"):
        Capture.parse("e", "json.items.3.id").take(exchange)
    with pytest.raises(Exception, match="unknown source"):
        Capture.parse("f", "cookies.sid")
    assert Capture.parse("session_id", {"from": "json.n", "secret": False}).secret is False


# --- declared differences, stale ones, regexes, null against missing -------------------------------------


def test_declared_differences_pass_and_undeclared_ones_fail() -> None:
    suite = suite_of(
        {
            "name": "bad",
            "path": "/x",
            "expect_differences": [
                {"aspect": "body", "where": ["error", "detail"], "reason": "HTTPException's shape"},
                {"aspect": "status", "flask": 400, "fastapi": 422, "reason": "Pydantic's status"},
                {"aspect": "header", "where": "X-Version", "reason": "never differs"},
            ],
        }
    )
    case = suite.cases[0]
    assert "x-version" in case.compare_headers  # a declared header is compared
    flask, fastapi = (
        answer("flask", 400, '{"error": "bad", "id": 1}'),
        answer("fastapi", 422, '{"detail": "bad", "id": 2}'),
    )
    found = compare(case, flask, fastapi, case.options(suite.options), case.expectations)
    assert [d.line() for d in found.differences] == ["body id: Flask 1, FastAPI 2"]
    assert [(d.aspect, d.where, e.reason) for d, e in found.declared] == [
        ("status", "", "Pydantic's status"),
        ("body", "error", "HTTPException's shape"),
        ("body", "detail", "HTTPException's shape"),
    ]
    assert {e.label for e in case.expectations if e not in found.used} == {"header x-version"}  # stale
    wrong = answer("fastapi", 500, '{"detail": "bad", "id": 1}')  # a declared status pins both values
    found = compare(case, flask, wrong, case.options(suite.options), case.expectations)
    assert [d.aspect for d in found.differences] == ["status"]


def test_a_declaration_never_hides_differences_beyond_the_listed_ones() -> None:
    suite = suite_of(
        {"name": "many", "path": "/x", "expect_differences": [{"aspect": "body", "where": "a", "reason": "renamed"}]}
    )
    case = suite.cases[0]
    left = {"a": list(range(80)), "b": list(range(10))}
    right = {"a": [-1] * 80, "b": [-1] * 10}
    found = compare(
        case,
        answer("flask", 200, json.dumps(left)),
        answer("fastapi", 200, json.dumps(right)),
        case.options(suite.options),
        case.expectations,
    )
    assert len(found.differences) == 10 and found.more == 0  # every difference under b, none under a
    assert all(d.where.startswith("b[") for d in found.differences)


def test_file_level_declarations_and_bad_entries() -> None:
    suite = suite_of({"path": "/x"}, expect_differences=[{"aspect": "content-type", "reason": "r"}])
    assert suite.expectations[0].scope == "file"
    for bad, message in [
        ({"aspect": "body"}, "needs a 'reason'"),
        ({"aspect": "timing", "reason": "r"}, "'aspect' must be one of"),
        ({"aspect": "status", "where": "x", "reason": "r"}, "'where' has no meaning for status"),
        ({"aspect": "body", "reason": "r", "why": 1}, "unknown key 'why'"),
    ]:
        with pytest.raises(ParityFileError, match=message):
            suite_of({"name": "n", "path": "/x", "expect_differences": [bad]})


def test_ignore_regex_blanks_text_bodies_and_header_values() -> None:
    suite = suite_of(
        {"path": "/metrics", "compare_headers": ["x-request-id"], "ignore_regex": [r"\d+\.\d+ seconds", r"[0-9a-f]{8}"]}
    )
    case = suite.cases[0]
    flask = answer("flask", 200, "up 1\nscrape 0.51 seconds\n", "text/plain", **{"x-request-id": "req-1a2b3c4d"})
    fastapi = answer("fastapi", 200, "up 1\nscrape 0.98 seconds\n", "text/plain", **{"x-request-id": "req-99aa88bb"})
    assert compare(case, flask, fastapi, case.options(suite.options)).differences == []
    other = answer("fastapi", 200, "up 0\nscrape 0.98 seconds\n", "text/plain", **{"x-request-id": "req-99aa88bb"})
    assert [d.note for d in compare(case, flask, other, case.options(suite.options)).differences] == [
        "text differs from line 1"
    ]
    with pytest.raises(ParityFileError, match=r"'\(' is not a regular expression"):
        suite_of({"path": "/x", "ignore_regex": ["("]})


def test_null_and_missing_stay_apart_in_lines_and_json() -> None:
    case = suite_of({"path": "/x"}).cases[0]
    found = compare(case, answer("flask", 200, '{"a": null}'), answer("fastapi", 200, '{"b": null}'), ParityOptions())
    removed, _added = found.differences
    assert removed.line() == "body a: only in Flask (null)" and removed.to_dict()["missing"] == ["fastapi"]
    assert "fastapi" not in removed.to_dict() and removed.to_dict()["flask"] is None
    changed = Difference("body", "c", None, MISSING)
    assert changed.line() == "body c: Flask null, FastAPI (missing)"
    header = compare(case, answer("flask", 200, "{}", location="/a"), answer("fastapi", 200, "{}"), ParityOptions())
    assert header.differences[0].line() == "header location: Flask '/a', FastAPI (missing)"


def test_bodies_that_differ_from_the_start_get_a_side_by_side_excerpt() -> None:
    case = suite_of({"path": "/x"}).cases[0]
    html = "<!doctype html>\n<title>404 Not Found</title>\n" + "<p>x</p>\n" * 20
    content_type, difference = compare(
        case,
        answer("flask", 404, html, "text/html"),
        answer("fastapi", 404, '{"detail": "Not Found"}'),
        ParityOptions(),
    ).differences
    assert content_type.aspect == "content-type" and content_type.excerpts is None
    assert difference.note == "JSON only from FastAPI" and difference.excerpts is not None
    flask, fastapi = difference.excerpts
    assert flask[:2] == ("<!doctype html>", "<title>404 Not Found</title>") and flask[-1] == "…"
    assert fastapi == ('{"detail": "Not Found"}',)
    assert difference.to_dict()["excerpt"]["flask"][0] == "<!doctype html>"


# --- noise ------------------------------------------------------------------------------------------


def test_noise_is_what_differs_between_two_answers_of_one_app() -> None:
    first = {
        "flask": answer("flask", 200, '{"id": 1, "at": "10:00:01", "items": [{"rid": "a"}]}'),
        "fastapi": answer("fastapi", 200, '{"id": 1, "at": "10:00:01.5", "items": [{"rid": "x"}]}'),
    }
    second = {
        "flask": answer("flask", 200, '{"id": 1, "at": "10:00:02", "items": [{"rid": "b"}]}'),
        "fastapi": answer("fastapi", 200, '{"id": 1, "at": "10:00:02.5", "items": [{"rid": "y"}]}'),
    }
    noise = find_noise({fw: (first[fw], second[fw]) for fw in first})
    assert {item.where for item in noise.listed()} == {"at", "items[0].rid"}
    case = suite_of({"path": "/x"}).cases[0]
    assert compare(case, first["flask"], first["fastapi"], ParityOptions(), noise=noise).differences == []
    changed = answer("fastapi", 200, '{"id": 2, "at": "10:00:01.5", "items": [{"rid": "x"}]}')
    assert [d.where for d in compare(case, first["flask"], changed, ParityOptions(), noise=noise).differences] == ["id"]


# --- secrets ----------------------------------------------------------------------------------------


def test_secrets_are_hidden_in_headers_text_and_documents() -> None:
    redactor = Redactor(["captured-token-123"])
    assert redactor.header("Authorization", "Bearer abcdef") == f"Bearer {REDACTED}"
    assert redactor.header("Set-Cookie", "sid=s3cr3t; Path=/; HttpOnly") == f"sid={REDACTED}; Path=/; HttpOnly"
    assert redactor.header("Cookie", "a=one1; b=two2") == f"a={REDACTED}; b={REDACTED}"
    document = {
        "curl": "curl -H 'Authorization: Token zzzz9999' http://x/",
        "exchange": {
            "headers": [["Set-Cookie", "sid=cookie-value-42; Path=/"]],
            "body": '{"token": "captured-token-123", "echo": "cookie-value-42"}',
        },
    }
    hidden = json.dumps(Redactor(["captured-token-123"]).document(document))
    for secret in ("captured-token-123", "cookie-value-42", "zzzz9999"):
        assert secret not in hidden
    assert Redactor(["captured-token-123"], enabled=False).document(document) == document
    ordered = {"b": 1, "a": {"z": 1, "y": [1, {"d": 1, "c": 2}]}}  # a report keeps its keys in their order
    assert json.dumps(Redactor().document(ordered)) == json.dumps(ordered)


# --- JUnit XML --------------------------------------------------------------------------------------


def _result(name: str, outcome: str, differences: list[str], **extra: Any) -> dict[str, Any]:
    return {
        "name": name,
        "line": "GET /x",
        "outcome": outcome,
        "differences": [{"line": d} for d in differences],
        "more_differences": 0,
        "exchanges": {"flask": {"elapsed_ms": 1.5}, "fastapi": {"elapsed_ms": 2.5}},
        **extra,
    }


def test_junit_xml_has_one_case_per_request_and_parses_whatever_the_answers_hold() -> None:
    hostile = "body: Flask '\x00\x1b[31m\ud800 ]]> <x>', FastAPI '&'"
    document = {
        "source": "examples/shop/requests.yaml",
        "started_at": "2026-11-28T00:00:00+00:00",
        "duration_ms": 12.0,
        "options": {"strict": False},
        "setup": [{"phase": "setup", "name": "reset", "framework": "flask", "ok": True, "line": "ok", "output": []}],
        "results": [
            _result("ok", "match", []),
            _result("bad", "differ", [hostile]),
            _result("gone", "error", ["error: FastAPI: connection refused"]),
            _result(
                "intended",
                "declared",
                [],
                declared=[{"line": "body error", "reason": "r"}],
                stale=[{"aspect": "header", "where": ["x"], "reason": "old"}],
            ),
        ],
        "stale": [{"aspect": "status", "where": [], "reason": "fixed"}],
    }
    root = ET.fromstring(junit_xml(document))
    suite = root.find("testsuite")
    assert root.tag == "testsuites" and suite is not None
    assert {k: suite.get(k) for k in ("tests", "failures", "errors", "skipped")} == {
        "tests": "6",
        "failures": "1",
        "errors": "1",
        "skipped": "0",
    }
    cases = {c.get("name"): c for c in suite.iter("testcase")}
    assert all(c.get("classname") and c.get("time") for c in cases.values())
    failure = cases["bad (GET /x)"].find("failure")
    assert failure is not None and "\\x00" in failure.get("message", "") and "\\ud800" in failure.get("message", "")
    assert cases["gone (GET /x)"].find("error") is not None
    assert "declared: body error (r)" in (cases["intended (GET /x)"].findtext("system-out") or "")
    assert cases["intended (GET /x)"].find("failure") is None  # stale is a warning without --strict
    strict = ET.fromstring(junit_xml({**document, "options": {"strict": True}})).find("testsuite")
    assert strict is not None and strict.get("failures") == "3"


# --- imports ----------------------------------------------------------------------------------------


def test_har_and_curl_files_become_entries(tmp_path: Path) -> None:
    har = tmp_path / "flow.har"
    har.write_text(
        json.dumps(
            {
                "log": {
                    "entries": [
                        {
                            "request": {
                                "method": "POST",
                                "url": "https://shop.example/orders?x=1",
                                "headers": [
                                    {"name": ":authority", "value": "shop.example"},
                                    {"name": "Cookie", "value": "a=b"},
                                    {"name": "Content-Type", "value": "application/json"},
                                ],
                                "postData": {"mimeType": "application/json", "text": '{"quantity": 2}'},
                            }
                        },
                        {"request": {"method": "GET", "url": "http://shop.example/health", "headers": []}},
                    ]
                }
            }
        )
    )
    entries = from_har(har)
    assert entries[0] == {
        "name": "1. POST /orders?x=1",
        "method": "POST",
        "path": "/orders?x=1",
        "headers": {"Content-Type": "application/json"},
        "body": '{"quantity": 2}',
    }
    assert parse_suite({"requests": entries}, "flow.har").cases[1].request.line == "GET /health"

    (tmp_path / "order.json").write_text('{"product_id": 1,\n "quantity": 2}')
    (tmp_path / "note.txt").write_text("hello")
    curl = tmp_path / "requests.sh"
    curl.write_text(
        "# recorded\ncurl -s http://localhost:5000/products?limit=2\n\n"
        "curl -X POST http://localhost:5000/orders \\\n  -H 'Content-Type: application/json' -d @order.json\n"
        "curl -u ada:pw -G http://x/search -d q=pen\n"
        "curl http://x/upload -F title=Notes -F file=@note.txt\n"
    )
    first, second, third, fourth = from_curl(curl)
    assert (first["method"], first["path"]) == ("GET", "/products?limit=2")
    assert second["body"] == '{"product_id": 1, "quantity": 2}' and second["method"] == "POST"
    assert third["path"] == "/search?q=pen" and third["headers"]["Authorization"].startswith("Basic ")
    assert fourth["form"] == {"title": "Notes"} and fourth["files"] == {"file": "note.txt"}
    upload = parse_suite({"requests": [fourth]}, "requests.sh", tmp_path).cases[0].request
    assert upload.files[0].content == b"hello" and upload.form == (("title", "Notes"),)

    for text, message in [
        ("curl --proxy http://p http://x/", "cannot be imported"),
        ("wget http://x/", "starting with 'curl'"),
        ("curl -d @missing.json http://x/", "no such file"),
        ("curl ftp://x/a", "only http"),
    ]:
        curl.write_text(text)
        with pytest.raises(ParityFileError, match=message):
            from_curl(curl)
    har.write_text('{"log": {}}')
    with pytest.raises(ParityFileError, match="not a HAR file"):
        from_har(har)


def test_form_and_files_keys(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_text("x,y\n1,2\n")
    path = tmp_path / "r.yaml"
    path.write_text(
        "requests:\n  - name: upload\n    method: POST\n    path: /form\n"
        "    form: {title: 'n {{id}}'}\n    files: {sheet: {path: a.csv, type: text/csv}}\n"
    )
    with pytest.raises(ParityFileError, match=r"unknown \{\{id\}\}"):
        load_suite(path)
    path.write_text(
        "requests:\n  - name: upload\n    method: POST\n    path: /form\n"
        "    form: {title: Notes}\n    files: {sheet: {path: a.csv, type: text/csv}}\n"
    )
    spec = load_suite(path).cases[0].sides["fastapi"].render({})
    assert spec.form == (("title", "Notes"),) and spec.files[0].content_type == "text/csv"
    wrong: list[tuple[dict[str, Any], str]] = [
        ({"form": {"a": "1"}, "body": "x"}, "either 'body' or 'form'"),
        ({"files": {"f": "nope.bin"}}, "no such file"),
        ({"form": ["a"]}, "'form' must be a mapping"),
        ({"files": {"f": {"path": "a.csv", "content": "x"}}}, r"or \{content: \.\.\., type"),
        ({"files": {"f": {"type": "text/plain"}}}, r"expected \{path: \.\.\."),
        ({"files": {"f": {"content": "x" * (1024 * 1024 + 1)}}}, r"file 'f': 'content' is larger than 1024 KiB"),
    ]
    for entry, message in wrong:
        with pytest.raises(ParityFileError, match=message):
            parse_suite([{"name": "n", "method": "POST", "path": "/x", **entry}], "r.yaml", tmp_path)
    inline = {"files": {"note": {"content": "example file content"}}}  # what --generate writes: no file to name
    (part,) = parse_suite([{"name": "n", "method": "POST", "path": "/x", **inline}], "r.yaml").cases[0].request.files
    assert (part.field, part.filename, part.content, part.content_type) == (
        "note",
        "note",
        b"example file content",
        "text/plain",
    )


def test_setup_and_teardown_steps_are_checked() -> None:
    suite = suite_of(
        {"path": "/x", "headers": {"Authorization": "Bearer {{token}}"}},
        setup=[
            {"command": "python reset.py --hard", "timeout": 5, "framework": "flask"},
            {"name": "login", "method": "POST", "path": "/login", "capture": {"token": "json.t"}},
        ],
        teardown=[{"command": ["python", "-c", "pass"]}],
    )
    command = suite.setup[0]
    assert command.argv == ("python", "reset.py", "--hard") and command.frameworks == ("flask",)
    for step, message in [
        ({"command": ""}, "must be a command line"),
        ({"command": "x", "timeout": 0}, "'timeout'"),
        ({"command": "x", "shell": True}, "unknown key 'shell'"),
        ({"command": "'x"}, "cannot be split"),
    ]:
        with pytest.raises(ParityFileError, match=message):
            suite_of({"path": "/x"}, setup=[step])
