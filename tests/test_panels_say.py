"""What the answer panels say matches what happened: who answered, which side holds a key, which send is shown."""

from __future__ import annotations

from explorer.content.explain import differences
from explorer.runtime.exchange import Exchange, RequestSpec


def _answer(framework: str, body: bytes) -> Exchange:
    headers = (("content-type", "application/json"),)
    return Exchange(framework, RequestSpec("GET", "/x"), status=401, reason="UNAUTHORIZED", headers=headers, body=body)


def test_a_key_on_one_side_only_is_named_by_the_side_that_has_it() -> None:
    """Before, ``$.error differs (30 ≠ 26 bytes)`` when FastAPI's body had no ``error`` key at all."""
    flask, fastapi = _answer("flask", b'{"error": "Invalid token"}'), _answer("fastapi", b'{"detail":"Invalid token"}')
    assert differences(flask, fastapi)[-1].shown() == "body: $.error only in Flask, missing in FastAPI (26 bytes each)"
    more = _answer("flask", b'{"a": [1]}'), _answer("fastapi", b'{"a": [1, 2]}')
    assert differences(*more)[-1].shown() == "body: $.a[1] only in FastAPI, missing in Flask (10 ≠ 13 bytes)"
    extra = _answer("flask", b'{"a": 1}'), _answer("fastapi", b'{"a": 1, "b": 2}')
    assert differences(*extra)[-1].shown() == "body: $.b only in FastAPI, missing in Flask (8 ≠ 16 bytes)"
