"""The JSON diff never calls two different values equal: wide, long, deep and unordered values.

Each of the first five cases, and lists that differ only in how often an item occurs under
``ignore_order``, were reported equal (or raised RecursionError) by the deepdiff-based
version: its ``max_diffs`` capped the comparisons, not the differences reported.
"""

from __future__ import annotations

import json
import random
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from explorer.parity.jsondiff import MAX_CHANGES, Change, DiffIncomplete, diff_json

pytestmark = pytest.mark.serverless  # no server, no process: `make test-fast` runs this file


def products(count: int) -> list[dict[str, Any]]:
    return [
        {"id": i, "name": f"product {i}", "price": 10 + i / 4, "tags": ["a", "b"], "stock": i % 7} for i in range(count)
    ]


def nested(depth: int, leaf: Any) -> Any:
    value = leaf
    for level in range(depth):
        value = {"child": value, "level": level} if level % 2 else [value]
    return value


def test_thirty_products_where_only_the_last_price_differs() -> None:
    left, right = products(30), products(30)
    right[-1]["price"] = 99.5
    found = diff_json(left, right)
    assert found.changes == (Change("[29].price", "changed", 17.25, 99.5),) and found.total == 1


@pytest.mark.parametrize("keys", [120, 5000])
def test_a_wide_object_with_one_changed_value(keys: int) -> None:
    left = {f"key_{i}": i for i in range(keys)}
    right = dict(left, **{f"key_{keys - 1}": -1})
    assert diff_json(left, right).changes == (Change(f"key_{keys - 1}", "changed", keys - 1, -1),)


@pytest.mark.parametrize("depth", [600, 1000, 50_000])
def test_deep_nesting_where_only_the_innermost_leaf_differs(depth: int) -> None:
    found = diff_json(nested(depth, "old"), nested(depth, "new"))
    assert found.total == 1 and found.changes[0].left == "old" and found.changes[0].right == "new"
    assert found.changes[0].path.count("[0]") + found.changes[0].path.count("child") == depth
    assert diff_json(nested(depth, 1), nested(depth, 1.0)).equal


def test_everything_differs_in_a_long_list_capped_listing_true_count_document_order() -> None:
    found = diff_json(list(range(5000)), [i + 1 for i in range(5000)])
    assert found.total == 5000 and len(found.changes) == MAX_CHANGES and found.more == 5000 - MAX_CHANGES
    assert [c.path for c in found.changes[:12]] == [f"[{i}]" for i in range(12)]  # [2] before [10]


def test_extra_items_and_keys_are_each_counted() -> None:
    found = diff_json({"a": [1, 2, 3], "z": 1}, {"a": [1], "b": 2, "c": 3}, limit=2)
    assert [c.path for c in found.changes] == ["a[1]", "a[2]"] and found.total == 5
    assert found.more == 3


def test_ignore_order_on_large_lists() -> None:
    left = products(8_000)
    right = [dict(p) for p in left]
    random.Random(7).shuffle(right)
    assert diff_json(left, right, ignore_order=True).equal
    assert not diff_json(left, right).equal
    changed = next(p for p in right if p["id"] == 6_543)
    changed["tags"] = ["b", "a"]  # the same tags in another order: still equal
    assert diff_json(left, right, ignore_order=True).equal
    changed["stock"] = 1000
    found = diff_json(left, right, ignore_order=True)
    assert found.changes == (Change("[6543].stock", "changed", 6_543 % 7, 1000),)


def test_ignore_order_is_a_multiset_and_keeps_json_types() -> None:
    assert not diff_json([1, 1, 2], [1, 2, 2], ignore_order=True).equal
    assert diff_json([1, 2.0, [3, 4]], [[4, 3.0], 2, 1], ignore_order=True).equal
    assert diff_json([True], [1], ignore_order=True).changes == (Change("[0]", "type", True, 1),)
    assert diff_json([None, "1"], [1, None], ignore_order=True).changes == (Change("[1]", "type", "1", 1),)
    found = diff_json([1, 2, 3], [3, 4], ignore_order=True)
    assert [(c.path, c.kind) for c in found.changes] == [("[0]", "changed"), ("[1]", "removed")]


def test_ignored_keys_apply_inside_unordered_lists() -> None:
    left = {"items": [{"id": 1, "sku": "a"}, {"id": 2, "sku": "b"}]}
    right = {"items": [{"id": 9, "sku": "b"}, {"id": 8, "sku": "a"}]}
    assert diff_json(left, right, ["items.*.id"], ignore_order=True).equal
    assert diff_json(left, right, ["id"], ignore_order=True).equal
    assert not diff_json(left, right, ["sku"], ignore_order=True).equal


def test_past_the_work_bound_the_comparison_is_incomplete_never_equal() -> None:
    same = list(range(1000))
    with pytest.raises(DiffIncomplete, match="too large to compare"):
        diff_json(same, list(same), budget=500)
    assert diff_json(same, list(same), budget=5000).equal


# --- any JSON: equal exactly when a plain recursive reference says so --------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 3) | st.sampled_from([0.0, 1.0, 1.5, -2.0]) | st.text("ab", max_size=2),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from(["a", "b", "id", "x.y"]), inner, max_size=3)
    ),
    max_leaves=12,
)


def reference_equal(a: Any, b: Any, unordered: bool) -> bool:
    """JSON equality written the obvious way: recursive, types first (bool is not a number)."""
    kinds: tuple[type | tuple[type, ...], ...] = (type(None), bool, (int, float), str, list, dict)

    def kind(v: Any) -> int:
        return next(i for i, k in enumerate(kinds) if isinstance(v, k) and not (i == 2 and isinstance(v, bool)))

    if kind(a) != kind(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(reference_equal(a[k], b[k], unordered) for k in a)
    if isinstance(a, list):
        if len(a) != len(b):
            return False
        if not unordered:
            return all(reference_equal(x, y, unordered) for x, y in zip(a, b, strict=True))
        rest = list(b)
        for x in a:
            match = next((i for i, y in enumerate(rest) if reference_equal(x, y, unordered)), None)
            if match is None:
                return False
            rest.pop(match)
        return True
    return bool(a == b)


@settings(max_examples=400, deadline=None)
@given(json_values, json_values, st.booleans())
def test_equal_exactly_when_the_reference_says_so(a: Any, b: Any, unordered: bool) -> None:
    found = diff_json(a, b, ignore_order=unordered)
    assert found.equal == reference_equal(a, b, unordered)
    assert found.total >= len(found.changes)
    assert diff_json(a, json.loads(json.dumps(a)), ignore_order=unordered).equal
