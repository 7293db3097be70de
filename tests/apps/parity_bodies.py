"""The answers of the parity test pair: each name gives Flask's JSON text and FastAPI's.

Built as text, not with ``json.dumps``: the deep ones are deeper than the standard encoder goes.
"""

from __future__ import annotations

import json
import random


def _products(count: int, last_price: float) -> list[dict[str, object]]:
    items: list[dict[str, object]] = [
        {"id": i, "name": f"product {i}", "price": 10 + i / 4, "tags": ["a", "b"]} for i in range(count)
    ]
    items[-1]["price"] = last_price
    return items


def _deep(depth: int, leaf: str) -> str:
    return '{"a": ' * depth + json.dumps(leaf) + "}" * depth


def _bag(changed: bool) -> tuple[list[int], list[int]]:
    left = list(range(5000))
    right = list(left)
    random.Random(3).shuffle(right)
    if changed:
        right[right.index(4321)] = -1
    return left, right


def bodies(name: str) -> tuple[str, str]:
    """(Flask's body, FastAPI's body) for the route ``/body/<name>``."""
    if name == "products":
        return json.dumps(_products(30, 17.25)), json.dumps(_products(30, 99.5))
    if name == "same":
        return json.dumps(_products(30, 1.0)), json.dumps(_products(30, 1.0))
    if name in ("flat", "wide"):
        keys = 120 if name == "flat" else 5000
        flat = {f"key_{i}": i for i in range(keys)}
        return json.dumps(flat), json.dumps(dict(flat, **{f"key_{keys - 1}": -1}))

    if name == "deep":
        return _deep(450, "old"), _deep(450, "new")
    if name == "too-deep":
        return _deep(800, "old"), _deep(800, "new")
    if name == "too-deep-same":
        return _deep(800, "same"), _deep(800, "same")
    if name == "many":
        return json.dumps(list(range(5000))), json.dumps([i + 1 for i in range(5000)])
    if name in ("bag", "bag-changed"):
        left, right = _bag(name == "bag-changed")
        return json.dumps(left), json.dumps(right)
    if name == "surrogate":  # a lone surrogate, escaped as JSON allows: parses, but cannot be encoded
        return '{"name": "\\ud800"}', '{"name": "\\udc00"}'
    return "{}", "{}"
