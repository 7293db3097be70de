"""An example value for a JSON schema: what the explorer sends where the user's app asks for a value.

The schema comes from the user's app (an OpenAPI document), so it is data: any JSON gives a value or
``None``, never an exception; a part of the wrong type is named in ``skipped``. Depth and size are
bounded, since a schema may refer to itself. :mod:`explorer.apps.templates` uses it for path and query
parameters and for JSON and form bodies.
"""

from __future__ import annotations

import math
from typing import Any, TypeGuard

from explorer.apps.openapi import Skipped, kind_name

__all__ = ["EXAMPLE_UUID", "example_from_schema", "resolve", "type_of"]

EXAMPLE_UUID = "00000000-0000-0000-0000-000000000001"
_MAX_DEPTH = 5
# Values in one example: a schema whose objects refer to themselves many times over fans out past any depth bound.
_MAX_VALUES = 1000


def resolve(schema: Any, components: dict[str, Any]) -> Any:
    """``schema``, or the component it names with ``$ref`` (``{}`` when there is none by that name)."""
    ref = schema.get("$ref") if isinstance(schema, dict) else None
    if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
        return components.get(ref.rsplit("/", 1)[-1], {})
    return schema


def type_of(schema: Any) -> str | None:
    """``type`` as one name: OpenAPI 3.1 allows a list (``["string", "null"]``): its first non-null entry."""
    kind = schema.get("type") if isinstance(schema, dict) else None
    if isinstance(kind, list):
        kind = next((k for k in kind if isinstance(k, str) and k != "null"), None)
    return kind if isinstance(kind, str) else None


def _finite(value: Any) -> TypeGuard[float]:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def example_from_schema(
    schema: Any,
    components: dict[str, Any],
    depth: int = 0,
    skipped: Skipped | None = None,
    where: list[Any] | None = None,
    budget: list[int] | None = None,
) -> Any:
    """A plausible value for a JSON schema: its example, default or first enum value, else one by type.

    Any JSON is accepted: a part of the wrong type is named in ``skipped`` (at ``where``) and gives
    no example rather than an error. One example holds at most :data:`_MAX_VALUES` values
    (``budget``, shared by the recursion): an object of twelve properties that each refer back to
    it reached 38 MB and three seconds at depth five, and twenty would take gigabytes.
    """
    here: list[Any] = where if where is not None else []
    budget = budget if budget is not None else [_MAX_VALUES]
    if budget[0] <= 0:
        return None
    budget[0] -= 1

    def skip(key: str, value: Any, wanted: str) -> None:
        if skipped is not None:
            skipped.add([*here, key], f"is {kind_name(value)}, not {wanted}")

    schema = resolve(schema, components)
    if not isinstance(schema, dict) or depth > _MAX_DEPTH:
        return None
    for key in ("example", "default", "const"):
        if schema.get(key) is not None:
            return schema[key]
    for key in ("examples", "enum"):
        if isinstance(schema.get(key), list) and schema[key]:
            return schema[key][0]
    for key in ("anyOf", "oneOf", "allOf"):
        choices = schema.get(key)
        if choices is not None and not isinstance(choices, list):
            skip(key, choices, "a list")
        options = [s for s in choices if type_of(resolve(s, components)) != "null"] if isinstance(choices, list) else []
        if options:
            return example_from_schema(options[0], components, depth + 1, skipped, [*here, key, 0], budget)
    kind = type_of(schema)
    if kind == "object" or "properties" in schema:
        props = schema.get("properties", {})
        if not isinstance(props, dict):
            skip("properties", props, "an object")
            return {}
        example: dict[str, Any] = {}
        for name, sub in props.items():
            if budget[0] <= 0:
                if skipped is not None:
                    skipped.add(here, f"makes an example of over {_MAX_VALUES:,} values: it stops there")
                break
            example[str(name)] = example_from_schema(
                sub, components, depth + 1, skipped, [*here, "properties", name], budget
            )
        return example
    if kind == "array":
        return [example_from_schema(schema.get("items"), components, depth + 1, skipped, [*here, "items"], budget)]
    if kind in ("integer", "number"):
        low, above = schema.get("minimum"), schema.get("exclusiveMinimum")
        if _finite(low) and low > 1:
            return int(low) if kind == "integer" else low
        if _finite(above) and above >= 1:
            return int(above) + 1
        return 1
    if kind == "boolean":
        return True
    if kind == "string":
        formats = {
            "uuid": EXAMPLE_UUID,
            "email": "user@example.com",
            "date": "2024-01-01",
            "date-time": "2024-01-01T00:00:00Z",
        }
        fmt = schema.get("format")
        return formats.get(fmt, "example") if isinstance(fmt, str) else "example"
    return None
