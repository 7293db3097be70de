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
