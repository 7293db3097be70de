"""What a route is to the explorer: a request template, built from a Flask URL map or an OpenAPI document.

Pure functions of data that came from the user's app (no process, no network): placeholders are
filled with example values (``/products/<int:product_id>`` becomes ``/products/1``), required query
parameters are added, and a JSON body is sketched from the OpenAPI schema. :mod:`explorer.apps.routes`
fetches the data and lists the routes of both apps.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, TypeGuard
from urllib.parse import quote

from explorer.apps.openapi import Skipped, kind_name
from explorer.apps.requestparts import FORM_MEDIA, MULTIPART_MEDIA, credentials, form_body
from explorer.runtime.http.request import METHODS, RequestSpec
from explorer.runtime.userdata.bounded import printable

__all__ = [
    "WEBSOCKET",
    "OPENAPI_VAR",
    "RouteParam",
    "RouteTemplate",
    "example_from_schema",
    "openapi_routes",
    "fill",
    "routes_from_openapi",
    "routes_from_url_map",
]

_FLASK_VAR = re.compile(r"<(?:(?P<conv>[A-Za-z_]\w*)(?:\((?P<args>[^)]*)\))?:)?(?P<name>[A-Za-z_]\w*)>")
_OPENAPI_VAR = re.compile(r"\{(?P<name>[^}:]+)(?::[^}]*)?\}")
OPENAPI_VAR = _OPENAPI_VAR  # a path parameter as OpenAPI and Starlette write it: {name} or {name:converter}
WEBSOCKET = "WEBSOCKET"  # a WebSocket route's method in a listing (explorer.runtime.child.routetable)
_EXAMPLE_UUID = "00000000-0000-0000-0000-000000000001"
_MAX_DEPTH = 5
_MAX_VALUES = (
    1000  # in one example: a schema whose objects refer to themselves many times over fans out past any depth bound
)


@dataclass(frozen=True)
class RouteParam:
    """One parameter of a route: where it goes, its type as the framework names it, the example used."""

    name: str
    location: str  # path | query
    type: str
    required: bool
    example: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "in": self.location,
            "type": self.type,
            "required": self.required,
            "example": self.example,
        }


@dataclass(frozen=True)
class RouteTemplate:
    """A route of one app, ready to send: ``path`` and ``body`` are filled with example values."""

    framework: str
    method: str
    template: str  # as the framework writes it: /items/<int:item_id> or /items/{item_id}
    pattern: str  # the same in both frameworks' terms: /items/{item_id}
    path: str  # an example path to send, e.g. /items/1 (with required query parameters)
    params: tuple[RouteParam, ...] = ()
    body: str | None = None  # an example body (from the OpenAPI schema): JSON unless ``headers`` say otherwise
    name: str = ""  # Flask's endpoint, or the operation's summary / id
    headers: tuple[tuple[str, str], ...] = ()  # declared credentials as placeholders, a form's Content-Type

    @property
    def key(self) -> tuple[str, str]:
        """Method and pattern with parameter names erased: equal for the same route in both apps."""
        return self.method, _OPENAPI_VAR.sub("{}", self.pattern)

    def request(self) -> RequestSpec:
        """The template as a request for the editor or for :meth:`Session.send`."""
        headers = self.headers
        if self.body is not None and not any(name.lower() == "content-type" for name, _ in headers):
            headers = (("Content-Type", "application/json"), *headers)
        return RequestSpec(self.method, self.path, headers, self.body)

    def to_dict(self) -> dict[str, Any]:
        return {
            "framework": self.framework,
            "method": self.method,
            "template": self.template,
            "pattern": self.pattern,
            "path": self.path,
            "line": f"{self.method} {self.path}",
            "params": [p.to_dict() for p in self.params],
            "body": self.body,
            "name": self.name,
            "headers": [list(header) for header in self.headers],
            "request": self.request().to_dict(),
        }


# --- Flask: the URL map --------------------------------------------------------------------------


def fill(variable: re.Pattern[str], template: str, examples: dict[str, str], safe: str = "") -> str:
    """``template`` with each variable replaced by its percent-encoded example value."""
    return variable.sub(lambda m: quote(examples.get(m["name"], "example"), safe=safe), template)


def _flask_example(converter: str | None, args: str | None) -> str:
    if converter == "int":
        return "1"
    if converter == "float":
        return "1.5"
    if converter == "uuid":
        return _EXAMPLE_UUID
    if converter == "any" and args:
        first = args.split(",")[0].strip().strip("'\"")
        return first or "example"
    return "example"


def routes_from_url_map(rules: Iterable[dict[str, Any]], framework: str = "flask") -> list[RouteTemplate]:
    """Templates from ``explorer.runtime.child.routetable`` output: one per rule and method."""
    templates = []
    for rule in rules:
        text = str(rule.get("rule", ""))
        params = []
        for match in _FLASK_VAR.finditer(text):
            example = _flask_example(match["conv"], match["args"])
            params.append(RouteParam(match["name"], "path", match["conv"] or "string", True, example))
        path = fill(_FLASK_VAR, text, {p.name: p.example for p in params}, safe="/")
        pattern = _FLASK_VAR.sub(lambda m: "{" + m["name"] + "}", text)
        for method in rule.get("methods", []):
            if method in METHODS or method == WEBSOCKET:
                templates.append(
                    RouteTemplate(
                        framework, method, text, pattern, path, tuple(params), name=str(rule.get("endpoint", ""))
                    )
                )
    return templates


# --- FastAPI: the OpenAPI schema -------------------------------------------------------------------
#
# The schema comes from the user's app, so it is data: any JSON at all must give a listing (maybe
# empty) and the list of parts that could not be used, never an exception. Every access below
# checks the type it needs; a part of the wrong type is named in ``skipped`` and left out.


def _resolve(schema: Any, components: dict[str, Any]) -> Any:
    ref = schema.get("$ref") if isinstance(schema, dict) else None
    if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
        return components.get(ref.rsplit("/", 1)[-1], {})
    return schema


def _type_of(schema: Any) -> str | None:
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

    schema = _resolve(schema, components)
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
        options = (
            [s for s in choices if _type_of(_resolve(s, components)) != "null"] if isinstance(choices, list) else []
        )
        if options:
            return example_from_schema(options[0], components, depth + 1, skipped, [*here, key, 0], budget)
    kind = _type_of(schema)
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
            "uuid": _EXAMPLE_UUID,
            "email": "user@example.com",
            "date": "2024-01-01",
            "date-time": "2024-01-01T00:00:00Z",
        }
        fmt = schema.get("format")
        return formats.get(fmt, "example") if isinstance(fmt, str) else "example"
    return None


def _param_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "example"
    text = value if isinstance(value, str) else json.dumps(value) if isinstance(value, (dict, list)) else str(value)
    return printable(text[:200])


def _components(document: dict[str, Any], skipped: Skipped) -> dict[str, Any]:
    components = document.get("components", {})
    if not isinstance(components, dict):
        skipped.add(["components"], f"is {kind_name(components)}, not an object; references are not followed")
        return {}
    schemas = components.get("schemas", {})
    if not isinstance(schemas, dict):
        skipped.add(["components", "schemas"], f"is {kind_name(schemas)}, not an object; references are not followed")
        return {}
    return schemas


def _listed(container: dict[str, Any], key: str, where: list[Any], skipped: Skipped) -> list[Any]:
    value = container.get(key, [])
    if isinstance(value, list):
        return value
    skipped.add([*where, key], f"is {kind_name(value)}, not a list")
    return []


def _params(raws: list[tuple[list[Any], Any]], components: dict[str, Any], skipped: Skipped) -> list[RouteParam]:
    params = []
    for where, raw in raws:
        if not isinstance(raw, dict):
            skipped.add(where, f"a parameter is {kind_name(raw)}, not an object")
            continue
        location, name = raw.get("in"), raw.get("name")
        if location not in ("path", "query"):
            continue  # header and cookie parameters are valid, just not part of a path
        if not isinstance(name, str) or not name or printable(name) != name:
            skipped.add(
                [*where, "name"],
                f"is {kind_name(name)}, not a name" if not isinstance(name, str) else "is not a usable name",
            )
            continue
        sub = raw.get("schema", {})
        value = (
            raw["example"] if "example" in raw else example_from_schema(sub, components, 0, skipped, [*where, "schema"])
        )
        kind = _type_of(_resolve(sub, components)) or "string"
        required = bool(raw.get("required")) or location == "path"
        params.append(RouteParam(name, location, kind, required, _param_text(value)))
    return params


def _json_body(operation: dict[str, Any], where: list[Any], components: dict[str, Any], skipped: Skipped) -> str | None:
    body = operation.get("requestBody")
    if body is None:
        return None
    if not isinstance(body, dict):
        skipped.add([*where, "requestBody"], f"is {kind_name(body)}, not an object; no body example")
        return None
    content = body.get("content", {})
    if not isinstance(content, dict):
        skipped.add([*where, "requestBody", "content"], f"is {kind_name(content)}, not an object; no body example")
        return None
    media = content.get("application/json")
    if media is None:
        return None
    if not isinstance(media, dict):
        skipped.add([*where, "requestBody", "content", "application/json"], f"is {kind_name(media)}, not an object")
        return None
    try:
        at = [*where, "requestBody", "content", "application/json", "schema"]
        return json.dumps(example_from_schema(media.get("schema", {}), components, 0, skipped, at), allow_nan=False)
    except (TypeError, ValueError):
        skipped.add([*where, "requestBody"], "its example cannot be written as JSON; no body example")
        return None


def _form_body(
    operation: dict[str, Any], where: list[Any], components: dict[str, Any], skipped: Skipped
) -> tuple[str, str] | None:
    """(Content-Type, body) when the operation takes a form (multipart or urlencoded) and no JSON."""
    body = operation.get("requestBody")
    content = body.get("content") if isinstance(body, dict) else None
    if not isinstance(content, dict):
        return None
    for media in (MULTIPART_MEDIA, FORM_MEDIA):
        declared = content.get(media)
        if declared is None:
            continue
        at = [*where, "requestBody", "content", media, "schema"]
        schema = _resolve(declared.get("schema") if isinstance(declared, dict) else None, components)
        fields = schema.get("properties") if isinstance(schema, dict) else None
        if not isinstance(fields, dict):
            skipped.add(at, "has no object of properties; no form example")
            return None
        examples = {
            name: example_from_schema(sub, components, 1, skipped, [*at, "properties", name])
            for name, sub in fields.items()
        }
        return form_body(media, {name: _resolve(sub, components) for name, sub in fields.items()}, examples)
    return None


def openapi_routes(document: Any, framework: str = "fastapi") -> tuple[list[RouteTemplate], tuple[str, ...]]:
    """Templates from an OpenAPI 3 document, and what could not be used (``path: why``), for any JSON."""
    skipped = Skipped()
    if not isinstance(document, dict):
        skipped.add([], f"is {kind_name(document)}, not an OpenAPI object")
        return [], skipped.lines()
    components = _components(document, skipped)
    paths = document.get("paths", {})
    if not isinstance(paths, dict):
        skipped.add(["paths"], f"is {kind_name(paths)}, not an object")
        paths = {}
    templates = []
    for template, item in paths.items():
        where: list[Any] = ["paths", template]
        if not isinstance(template, str) or not template.startswith("/") or printable(template) != template:
            skipped.add(where, "not a path: it must start with '/' and be valid Unicode")
            continue
        if not isinstance(item, dict):
            skipped.add(where, f"is {kind_name(item)}, not an object")
            continue
        shared = [([*where, "parameters", i], p) for i, p in enumerate(_listed(item, "parameters", where, skipped))]
        for method, operation in item.items():
            if not isinstance(method, str) or method.upper() not in METHODS:
                continue
            op_where = [*where, method]
            if not isinstance(operation, dict):
                skipped.add(op_where, f"is {kind_name(operation)}, not an object")
                continue
            own = _listed(operation, "parameters", op_where, skipped)
            params = _params(
                [*shared, *(([*op_where, "parameters", i], p) for i, p in enumerate(own))], components, skipped
            )
            path = fill(_OPENAPI_VAR, template, {p.name: p.example for p in params if p.location == "path"})
            query = [f"{quote(p.name)}={quote(p.example)}" for p in params if p.location == "query" and p.required]
            if query:
                path += "?" + "&".join(query)
            body = _json_body(operation, op_where, components, skipped)
            headers: list[tuple[str, str]] = []
            if body is None and (form := _form_body(operation, op_where, components, skipped)) is not None:
                headers.append(("Content-Type", form[0]))
                body = form[1]
            for where_to, key, placeholder in credentials(document, operation, op_where, skipped):
                if where_to == "query":
                    path += ("&" if "?" in path else "?") + f"{quote(key)}={quote(placeholder)}"
                else:
                    headers.append(("Cookie", f"{key}={placeholder}") if where_to == "cookie" else (key, placeholder))
            label = operation.get("summary") or operation.get("operationId") or ""
            name = printable(label) if isinstance(label, str) else ""
            pattern = _OPENAPI_VAR.sub(lambda m: "{" + m["name"] + "}", template)
            templates.append(
                RouteTemplate(
                    framework, method.upper(), template, pattern, path, tuple(params), body, name, tuple(headers)
                )
            )
    return templates, skipped.lines()


def routes_from_openapi(schema: Any, framework: str = "fastapi") -> list[RouteTemplate]:
    """Templates from an OpenAPI 3 document: one per path and method, in the schema's order."""
    return openapi_routes(schema, framework)[0]
