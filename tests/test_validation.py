"""The validation-error normaliser: both frameworks' shapes, and no input can make it raise."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from explorer.runtime.http.validation import ValidationIssue, normalise

pytestmark = pytest.mark.serverless  # no server, no process: `make test-fast` runs this file


def test_fastapi_shape() -> None:
    body = {"detail": [{"type": "int_parsing", "loc": ["path", "item_id"], "msg": "bad", "input": "abc"}]}
    assert normalise(body) == [ValidationIssue("path.item_id", "bad", "int_parsing")]


def test_flask_shape() -> None:
    body = {
        "errors": [
            {"field": "price", "message": "must be a number", "type": "number_type"},
            {"field": "", "message": "x"},
        ]
    }
    assert normalise(body) == [
        ValidationIssue("body.price", "must be a number", "number_type"),
        ValidationIssue("body", "x", ""),
    ]


def test_marshmallow_shape() -> None:
    body = {"errors": {"colour": ["Unknown field."], "tags": {"0": ["Not a valid string."]}}}
    assert [i.location for i in normalise(body)] == ["body.colour", "body.tags.0"]


def test_not_validation() -> None:
    assert normalise({"detail": "Not Found"}) == []
    assert normalise(None) == [] and normalise([1]) == [] and normalise("x") == []


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=10),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4),
    max_leaves=30,
)
keyed = st.fixed_dictionaries({"detail": json_values}) | st.fixed_dictionaries({"errors": json_values})


@settings(max_examples=400, deadline=None)
@given(json_values | keyed)
def test_any_json_gives_a_list(body: object) -> None:
    issues = normalise(body)
    assert isinstance(issues, list)
    assert all(isinstance(i.location, str) and isinstance(i.message, str) for i in issues)
