"""Hostile input from files and answers: a recording, an env file, a HAR, a report, a cookie, a path.

Each test hands over what a hostile server or file could (issue 19) and checks the promise: the
value is taken as data, or refused with one clear line (exit 2), never a traceback.
"""

from __future__ import annotations

import pytest

from explorer.parity.entry import ParityFileError, parse_case
from explorer.runtime.errors import RequestError


def test_a_path_that_is_one_placeholder_is_checked_once_filled() -> None:
    """The README's `path: "{{order}}"` (from `capture: {order: header.location}`) was refused at load."""
    case = parse_case({"path": "{{order}}"}, "test")
    assert case.sides["flask"].render({"order": "/orders/7"}).path == "/orders/7"
    assert parse_case({"path": "{{base}}/items?x=1"}, "test").sides["fastapi"].render({"base": "/v2"}).path == "/v2/items?x=1"
    with pytest.raises(RequestError, match="must start with '/'"):
        case.sides["flask"].render({"order": "orders/7"})
    with pytest.raises(RequestError, match="never another host"):
        case.sides["flask"].render({"order": "http://example.com/x"})
    with pytest.raises(ParityFileError, match="must start with '/'"):
        parse_case({"path": "items/{{id}}"}, "test")


def test_a_cookie_that_cannot_be_sent_back_is_refused_with_a_note() -> None:
    """After `Set-Cookie: lat=caf\\xe9` every later request failed with "'ascii' codec can't encode"."""
    import httpx

    from explorer.runtime.cookies import CookieJar

    jar = CookieJar()
    notes = jar.update(["lat=caf\xe9; Path=/", "ok=1", "t\xe9=x", "bell=a\x07b", "tab=a\tb"], "/")
    assert [c.name for c in jar.cookies()] == ["ok", "tab"]  # RFC 6265bis keeps a tab, refuses other controls
    assert len(notes) == 3 and all(n.startswith("cookie not stored: ") for n in notes)
    assert "'lat'" in notes[0] and "ASCII" in notes[0]
    header = jar.header_for("/next")
    assert header == "ok=1; tab=a\tb"
    httpx.Client().build_request("GET", "http://127.0.0.1/next", headers={"Cookie": header})  # sendable


def test_fuzzed_path_parameters_are_encoded_once() -> None:
    """Schemathesis percent-encodes path parameters already; `--fuzz` encoded them again (`%252F` in `--write`)."""
    pytest.importorskip("schemathesis")
    from hypothesis import HealthCheck, given, settings
    from schemathesis import openapi

    from explorer.parity.fuzz import _entry
    from explorer.parity.generate import Operation

    document = {"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {"/files/{name}": {"get": {
        "parameters": [{"name": "name", "in": "path", "required": True, "schema": {"type": "string"}}],
        "responses": {"200": {"description": "ok"}}}}}}  # fmt: skip
    strategy = openapi.from_dict(document)["/files/{name}"]["GET"].as_strategy(path_parameters={"name": "a/b c%"})
    op = Operation("GET", "/files/<name>", "/files/x", openapi_path="/files/{name}")
    paths: list[str] = []
    settings(max_examples=1, database=None, suppress_health_check=list(HealthCheck))(
        given(strategy)(lambda case: paths.append(_entry(op, case)["path"])))()
    assert "/files/a%2Fb%20c%25" in paths, paths


def test_an_env_file_breaks_lines_only_at_newlines() -> None:
    """`str.splitlines()` broke at U+2028, form feeds and the like: `A=one<U+2028>B=injected` gave the app a `B`."""
    from explorer.runtime.envfile import parse_dotenv

    text = 'A=one\u2028B=injected\nC="two\x0cthree"\r\nD=x\x1cE=y\x85F=z\x0bG=w\r\nH="a\r\nb"\n'
    assert parse_dotenv(text) == [("A", "one\u2028B=injected"), ("C", "two\x0cthree"),
                                  ("D", "x\x1cE=y\x85F=z\x0bG=w"), ("H", "a\nb")]  # fmt: skip
