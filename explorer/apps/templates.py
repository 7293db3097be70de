"""What a route is to the explorer: a request template, built from a Flask URL map or an OpenAPI document.

Pure functions of data that came from the user's app (no process, no network): placeholders are
filled with example values (``/products/<int:product_id>`` becomes ``/products/1``), required query
parameters are added, and a body is sketched from the OpenAPI schema (:mod:`explorer.apps.examples`).
:mod:`explorer.apps.routes` fetches the data and lists the routes of both apps.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from explorer.apps.examples import EXAMPLE_UUID, example_from_schema, resolve, type_of
from explorer.apps.openapi import Skipped, kind_name
from explorer.apps.requestparts import FORM_MEDIA, MULTIPART_MEDIA, credentials, form_body
from explorer.runtime.http.request import METHODS, RequestSpec
from explorer.runtime.userdata.bounded import printable

__all__ = [
    "WEBSOCKET",
    "OPENAPI_VAR",
    "RouteParam",
    "RouteTemplate",
    "openapi_routes",
    "fill",
    "routes_from_openapi",
    "routes_from_url_map",
]

_FLASK_VAR = re.compile(r"<(?:(?P<conv>[A-Za-z_]\w*)(?:\((?P<args>[^)]*)\))?:)?(?P<name>[A-Za-z_]\w*)>")
_OPENAPI_VAR = re.compile(r"\{(?P<name>[^}:]+)(?::[^}]*)?\}")
OPENAPI_VAR = _OPENAPI_VAR  # a path parameter as OpenAPI and Starlette write it: {name} or {name:converter}
WEBSOCKET = "WEBSOCKET"  # a WebSocket route's method in a listing (explorer.runtime.child.routetable)


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
        return EXAMPLE_UUID
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
        kind = type_of(resolve(sub, components)) or "string"
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
        schema = resolve(declared.get("schema") if isinstance(declared, dict) else None, components)
        fields = schema.get("properties") if isinstance(schema, dict) else None
        if not isinstance(fields, dict):
            skipped.add(at, "has no object of properties; no form example")
            return None
        examples = {
            name: example_from_schema(sub, components, 1, skipped, [*at, "properties", name])
            for name, sub in fields.items()
        }
        return form_body(media, {name: resolve(sub, components) for name, sub in fields.items()}, examples)
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
