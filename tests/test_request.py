"""The request builder: what it accepts, what it refuses, and that it only ever raises RequestError."""

from __future__ import annotations

import re

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from explorer.runtime.errors import RequestError
from explorer.runtime.http.request import (
    MAX_BODY_BYTES,
    RequestSpec,
    check_json_text,
    curl_command,
    parse_header,
    parse_headers,
    parse_request_line,
    request_target,
)

pytestmark = pytest.mark.serverless  # no server, no process: `make test-fast` runs this file


def test_parse_request_line() -> None:
    assert parse_request_line("get /items/1?q=x") == RequestSpec("GET", "/items/1?q=x")
    assert parse_request_line("/docs") == RequestSpec("GET", "/docs")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("FETCH /x", "unknown method"),
        ("GET items/1", "must start with '/'"),
        ("GET http://example.com/", "never another host"),
        ("GET //example.com/x", "never another host"),
        ("GET /a#frag", "fragment"),
        ("GET", r"expected 'METHOD /path' or '/path' \(e.g. 'GET /items/1'\), got 'GET'"),
        ("items", "expected 'METHOD /path'"),
        ("GET /a /b", "expected 'METHOD /path'"),
        ("GET /./..//127.0.0.1:18999/x", "would be sent as '//127.0.0.1:18999/x', which names a host"),
        ("GET /a/../..//b?x=1", r"would be sent as '//b\?x=1'"),
        ("GET /.//x", "would be sent as '//x'"),
    ],
)
def test_bad_request_lines(text: str, message: str) -> None:
    with pytest.raises(RequestError, match=message):
        parse_request_line(text)


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("X-Test: a\r\nX-Injected: 1", "line break"),
        ("X-Test: a\nb", "line break"),
        ("Bad Name: 1", "invalid header name"),
        ("no colon", "Name: value"),
        ("Host: evil.example", "set by the client"),
        ("Content-Length: 5", "set by the client"),
    ],
)
def test_bad_headers(header: str, message: str) -> None:
    with pytest.raises(RequestError, match=message):
        parse_header(header)


@pytest.mark.parametrize(
    ("char", "message"),
    [
        ("\u2028", "U+2028 LINE SEPARATOR, a control character"),
        ("\x85", "U+0085, a control character"),
        ("\x0b", "U+000B, a control character"),
        ("\x0c", "U+000C, a control character"),
        ("\x1e", "U+001E, a control character"),
        ("\x01", "U+0001, a control character"),
        ("\x7f", "U+007F, a control character"),
        ("é", "non-ASCII character U+00E9"),
    ],
)
def test_header_values_are_printable_ascii(char: str, message: str) -> None:
    """Each of these passed the check, then failed while encoding ("'ascii' codec...") or split a header."""
    message = re.escape(message)
    with pytest.raises(RequestError, match=message):
        parse_header(f"X-A: caf{char}x")
    with pytest.raises(RequestError, match=message):
        RequestSpec("GET", "/", (("X-A", f"a{char}b"),)).checked()
    with pytest.raises(RequestError, match=message):  # one header, never split into two at the character
        parse_headers(f"X-A: 1{char}X-B: 2")
    assert parse_header("X-A: a\tb") == ("X-A", "a\tb")


def test_headers_block() -> None:
    assert parse_headers("# comment\nAccept: text/html\n\nX-A:  b ") == (("Accept", "text/html"), ("X-A", "b"))
    assert parse_headers("A: 1\r\nB: 2\r\n") == (("A", "1"), ("B", "2"))


def test_body_limit() -> None:
    RequestSpec("POST", "/items", body="x" * MAX_BODY_BYTES).checked()
    with pytest.raises(RequestError, match="KiB limit"):
        RequestSpec("POST", "/items", body="x" * (MAX_BODY_BYTES + 1)).checked()


def test_json_text() -> None:
    assert check_json_text('{"a": [1]}') == {"a": [1]}
    with pytest.raises(RequestError, match="line 1, column 2"):
        check_json_text("{bad")


def test_with_json_keeps_an_explicit_content_type() -> None:
    spec = RequestSpec("POST", "/items", (("content-type", "text/plain"),)).with_json({"a": 1})
    assert spec.headers == (("content-type", "text/plain"),) and spec.body == '{"a": 1}'


def test_curl_command_is_quoted() -> None:
    spec = RequestSpec("POST", "/items", (("Content-Type", "application/json"),), '{"name": "it\'s"}')
    assert curl_command(spec, "http://127.0.0.1:5000") == (
        "curl -i -X POST -H 'Content-Type: application/json' --data-raw '{\"name\": \"it'\"'\"'s\"}' "
        "http://127.0.0.1:5000/items"
    )


@pytest.mark.parametrize(
    "path", ["/a/./b/../c?x=/../..", "/x/..", "/..", "/%2e%2e//x", "/a/%2F/../x", "/items/1", "/a//b/.."]
)
def test_request_target_is_what_httpx_writes(path: str) -> None:
    assert RequestSpec("GET", path).checked().path == path  # accepted as typed; the target is what goes out
    assert request_target(path) == httpx.URL("http://127.0.0.1:5000" + path).raw_path.decode()


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from(["", ".", "..", "a", "127.0.0.1:1", "%2e"]), max_size=8), st.sampled_from(["", "?q=/../x"])
)
def test_request_target_matches_httpx_and_never_names_a_host(segments: list[str], query: str) -> None:
    path = "/" + "/".join(segments) + query
    assert request_target(path) == httpx.URL("http://127.0.0.1:5000" + path).raw_path.decode()
    try:
        RequestSpec("GET", path).checked()
    except RequestError:
        return
    assert not request_target(path).startswith("//")


@settings(max_examples=300, deadline=None)
@given(
    method=st.text(max_size=12),
    path=st.text(max_size=60),
    headers=st.lists(st.tuples(st.text(max_size=12), st.text(max_size=20)), max_size=3),
    body=st.none() | st.text(max_size=50),
)
def test_checked_raises_only_request_error(
    method: str, path: str, headers: list[tuple[str, str]], body: str | None
) -> None:
    try:
        spec = RequestSpec(method, path, tuple(headers), body).checked()
    except RequestError:
        return
    assert spec.path.startswith("/") and not spec.path.startswith("//")
    assert all("\n" not in v and "\r" not in v for _, v in spec.headers)
    httpx.Headers(list(spec.headers))  # what is accepted can be encoded (no "'ascii' codec" later)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=80))
def test_parsers_raise_only_request_error(text: str) -> None:
    for parse in (parse_request_line, parse_header, parse_headers, check_json_text):
        try:
            parse(text)
        except RequestError:
            pass
