"""What an ASGI app's route tree has beyond its OpenAPI schema, as route templates.

FastAPI's schema leaves out a ``StaticFiles`` mount, a mounted WSGI app, a route with
``include_in_schema=False`` and WebSocket routes; the route table read in a child process
(:mod:`explorer.runtime.child.routetable`) has them all.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from explorer.apps.templates import OPENAPI_VAR, WEBSOCKET, RouteParam, RouteTemplate, fill, routes_from_url_map
from explorer.runtime.http.request import METHODS

__all__ = ["routes_from_route_table"]

_MOUNT_METHODS = 7  # a mounted app without routes is listed with every method (explorer.runtime.child.routetable)


def routes_from_route_table(rules: Iterable[Any], framework: str = "fastapi") -> tuple[list[RouteTemplate], list[str]]:
    """Templates for an ASGI app's route table (read in a child process): what its OpenAPI schema
    leaves out (a StaticFiles mount, a route outside the schema, a WebSocket route), and notes.

    A mounted app without routes takes every method: it is listed as ``GET`` (what a static
    folder answers), with a note unless it is a static folder (which answers GET and HEAD only). Rules of a mounted Flask app are Flask's (``<int:id>``).
    """
    templates: list[RouteTemplate] = []
    notes: list[str] = []
    for endpoint in rules:
        text, methods = endpoint.rule, list(endpoint.methods)
        if "<" in text:
            templates += routes_from_url_map(
                [{"rule": text, "methods": methods, "endpoint": endpoint.endpoint}], framework
            )
            continue
        if len(methods) >= _MOUNT_METHODS:
            if not endpoint.module.startswith("starlette.staticfiles"):  # a static folder answers GET and HEAD only
                notes.append(
                    f"{text} with methods other than GET: it is an app mounted there whose own routes cannot be read, "
                    "so it is listed as GET only (send it other methods by hand)"
                )
            methods = ["GET"]
        examples = {m["name"]: "1" if m.group(0).endswith(":int}") else "example" for m in OPENAPI_VAR.finditer(text)}
        pattern = OPENAPI_VAR.sub(lambda m: "{" + m["name"] + "}", text)
        path = fill(OPENAPI_VAR, text, examples, safe="/")
        params = tuple(RouteParam(name, "path", "string", True, value) for name, value in examples.items())
        for method in methods:
            if (method in METHODS and (method != "HEAD" or methods == ["HEAD"])) or method == WEBSOCKET:
                templates.append(RouteTemplate(framework, method, text, pattern, path, params, name=endpoint.endpoint))
    return templates, notes
