"""An outline of an OpenAPI document: paths, methods, parameters and body fields, as plain tuples.

The document comes from the user's app, so it is data: any JSON gives an outline (maybe empty) and
the list of parts that could not be used (:class:`Skipped`), never an exception. Every access checks
the type it needs first; a part of the wrong type is named and left out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from explorer.runtime.userdata.bounded import format_path, printable

__all__ = ["OperationOutline", "Skipped", "kind_name", "outline", "outline_skipped"]

MAX_SKIPPED = 50  # notes kept; the rest are counted
_MAX_SCHEMA_DEPTH = 8
_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


class Skipped:
    """The parts of a document that could not be used: the first few named (``where: why``), all counted."""

    def __init__(self) -> None:
        self.notes: list[str] = []
        self.count = 0

    def add(self, where: list[Any], why: str) -> None:
        self.count += 1
        if len(self.notes) < MAX_SKIPPED:
            self.notes.append(printable(f"{format_path(where) or 'the document'}: {why}"))

    def lines(self) -> tuple[str, ...]:
        extra = self.count - len(self.notes)
        return (*self.notes, f"… and {extra:,} more") if extra > 0 else tuple(self.notes)


def kind_name(value: Any) -> str:
    """A JSON value's type in words: ``an object``, ``a list``, ``text``..."""
    names = {dict: "an object", list: "a list", str: "text", bool: "a boolean", type(None): "null"}
    if type(value) in names:
        return names[type(value)]
    return "a number" if isinstance(value, (int, float)) else type(value).__name__


@dataclass
class OperationOutline:
    """One operation of the document as the Docs screen lists it, every part already made printable
    (parity's :class:`~explorer.parity.generate.Operation` is another thing: a request to send)."""

    method: str
    path: str
    summary: str
    parameters: list[str] = field(default_factory=list)  # "item_id (path, integer, required)"
    body: list[str] = field(default_factory=list)  # "price: number (required)"
    responses: list[str] = field(default_factory=list)  # "200", "422"


def _schema_type(schema: Any, depth: int = 0) -> str:
    if not isinstance(schema, dict) or depth > _MAX_SCHEMA_DEPTH:
        return "?"
    if "$ref" in schema:
        return printable(str(schema["$ref"]).rsplit("/", 1)[-1])
    if isinstance(schema.get("anyOf"), list):
        return " | ".join(_schema_type(s, depth + 1) for s in schema["anyOf"])
    kind = schema.get("type", "any")
    if kind == "array":
        return f"list[{_schema_type(schema.get('items'), depth + 1)}]"
    if isinstance(kind, list):
        return " | ".join(str(k) for k in kind if isinstance(k, str)) or "?"
    return kind if isinstance(kind, str) else "?"


def _text(value: Any) -> str:
    return printable(value) if isinstance(value, str) else ""


def _body_fields(op: dict[str, Any], where: list[Any], components: dict[str, Any], skipped: Skipped) -> list[str]:
    body = op.get("requestBody", {})
    content = body.get("content", {}) if isinstance(body, dict) else None
    if not isinstance(content, dict):
        skipped.add([*where, "requestBody"], "has no content object; body fields not shown")
        return []
    media: object = next(iter(content.values()), {}) if content else {}
    schema = media.get("schema", {}) if isinstance(media, dict) else None
    if isinstance(schema, dict) and isinstance(schema.get("$ref"), str):
        schema = components.get(schema["$ref"].rsplit("/", 1)[-1], {})
    if not isinstance(schema, dict):
        skipped.add([*where, "requestBody", "content"], "holds no schema object; body fields not shown")
        return []
    required = schema.get("required", [])
    required = {r for r in required if isinstance(r, str)} if isinstance(required, list) else set()
    props = schema.get("properties") or {}
    if not isinstance(props, dict):
        skipped.add([*where, "requestBody", "schema", "properties"], f"is {kind_name(props)}, not an object")
        return []
    fields = []
    for name, prop in props.items():
        if not isinstance(prop, dict):
            skipped.add([*where, "requestBody", "schema", "properties", name], f"is {kind_name(prop)}, not an object")
            continue
        flag = (
            "required" if name in required else f"default {prop.get('default')!r}" if "default" in prop else "optional"
        )
        fields.append(printable(f"{name}: {_schema_type(prop)} ({flag})"[:300]))
    return fields


def _parameters(op: dict[str, Any], where: list[Any], skipped: Skipped) -> list[str]:
    raw = op.get("parameters", [])
    if not isinstance(raw, list):
        skipped.add([*where, "parameters"], f"is {kind_name(raw)}, not a list")
        return []
    params = []
    for index, p in enumerate(raw):
        if not isinstance(p, dict):
            skipped.add([*where, "parameters", index], f"is {kind_name(p)}, not an object")
            continue
        required = ", required" if p.get("required") is True else ""
        params.append(
            f"{_text(p.get('name')) or '?'} ({_text(p.get('in')) or '?'}, {_schema_type(p.get('schema'))}{required})"
        )
    return params


def outline_skipped(document: Any) -> tuple[list[OperationOutline], tuple[str, ...]]:
    """Every operation in ``document`` and what could not be used, for any JSON value."""
    skipped = Skipped()
    if not isinstance(document, dict):
        skipped.add([], f"is {kind_name(document)}, not an OpenAPI object")
        return [], skipped.lines()
    paths = document.get("paths")
    if not isinstance(paths, dict):
        skipped.add(["paths"], f"is {kind_name(paths)}, not an object")
        return [], skipped.lines()
    found = document.get("components")
    components = found if isinstance(found, dict) else {}
    schemas = components.get("schemas")
    if not isinstance(schemas, dict):
        if "schemas" in components:
            skipped.add(["components", "schemas"], f"is {kind_name(schemas)}, not an object")
        schemas = {}
    operations = []
    for path, methods in paths.items():
        if not isinstance(methods, dict):
            skipped.add(["paths", path], f"is {kind_name(methods)}, not an object")
            continue
        for method, op in methods.items():
            if not isinstance(method, str) or method.lower() not in _METHODS:
                continue
            where = ["paths", path, method]
            if not isinstance(op, dict):
                skipped.add(where, f"is {kind_name(op)}, not an object")
                continue
            responses = op.get("responses", {})
            codes = [printable(str(code)) for code in responses] if isinstance(responses, dict) else []
            operations.append(
                OperationOutline(
                    method.upper(),
                    printable(str(path)),
                    _text(op.get("summary")),
                    _parameters(op, where, skipped),
                    _body_fields(op, where, schemas, skipped),
                    codes,
                )
            )
    return operations, skipped.lines()


def outline(document: Any) -> list[OperationOutline]:
    """Every operation in ``document``; anything malformed is skipped, never raised."""
    return outline_skipped(document)[0]
