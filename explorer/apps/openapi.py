"""An outline of an OpenAPI document: paths, methods, parameters and body fields, as plain tuples."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Operation:
    method: str
    path: str
    summary: str
    parameters: list[str] = field(default_factory=list)  # "item_id (path, integer, required)"
    body: list[str] = field(default_factory=list)  # "price: number (required)"
    responses: list[str] = field(default_factory=list)  # "200", "422"


def _schema_type(schema: Any, components: dict[str, Any]) -> str:
    if not isinstance(schema, dict):
        return "?"
    if "$ref" in schema:
        return str(schema["$ref"]).rsplit("/", 1)[-1]
    if "anyOf" in schema and isinstance(schema["anyOf"], list):
        return " | ".join(_schema_type(s, components) for s in schema["anyOf"])
    kind = schema.get("type", "any")
    if kind == "array":
        return f"list[{_schema_type(schema.get('items'), components)}]"
    return str(kind)


def _body_fields(operation: dict[str, Any], components: dict[str, Any]) -> list[str]:
    content = operation.get("requestBody", {}).get("content", {})
    schema = next(iter(content.values()), {}).get("schema", {}) if isinstance(content, dict) and content else {}
    if isinstance(schema, dict) and "$ref" in schema:
        schema = components.get(str(schema["$ref"]).rsplit("/", 1)[-1], {})
    if not isinstance(schema, dict):
        return []
    required = set(schema.get("required", []))
    fields = []
    for name, prop in (schema.get("properties") or {}).items():
        flag = "required" if name in required else f"default {prop.get('default')!r}" if "default" in prop else "optional"
        fields.append(f"{name}: {_schema_type(prop, components)} ({flag})")
    return fields


def outline(document: Any) -> list[Operation]:
    """Every operation in ``document``; anything malformed is skipped, never raised."""
    if not isinstance(document, dict) or not isinstance(document.get("paths"), dict):
        return []
    components = document.get("components") if isinstance(document.get("components"), dict) else {}
    components = components.get("schemas") if isinstance(components.get("schemas"), dict) else {}
    operations = []
    for path, methods in document["paths"].items():
        for method, op in (methods.items() if isinstance(methods, dict) else ()):
            try:
                operations.append(_operation(str(path), str(method), op, components))
            except (AttributeError, TypeError, ValueError):
                continue  # a malformed operation is left out of the outline, not raised
    return operations


def _operation(path: str, method: str, op: Any, components: dict[str, Any]) -> Operation:
    """One operation of the outline; raises AttributeError/TypeError on malformed parts."""
    params = [
        f"{p.get('name')} ({p.get('in')}, {_schema_type(p.get('schema'), components)}"
        f"{', required' if p.get('required') else ''})"
        for p in op.get("parameters", []) if isinstance(p, dict)
    ]  # fmt: skip
    responses = [str(code) for code in op.get("responses", {})]
    return Operation(method.upper(), path, str(op.get("summary", "")), params, _body_fields(op, components), responses)
