"""The apps under test: which to run, the routes they offer, their handlers' source, FastAPI's schema.

Built on the runtime only. Public face (imported on first use):

- :func:`specs_from_options`, :func:`startup_problems`, :func:`import_error_line` (``targets``):
  the demos, or the user's own Flask app and its FastAPI port, and why one did not start.
- :func:`list_all_routes`, :func:`merge_routes`, :class:`RouteRow` (``routes``): both apps' routes as
  requests ready to send; Flask's URL map comes from a child started as ``python -m explorer.apps._routes``,
  and :class:`RouteTemplate`, :func:`openapi_routes`, :func:`routes_from_url_map` (``templates``) turn
  either source into requests with example values.
- :func:`find_handler`, :func:`module_file` (``source``): the handler that served a request, read from
  the source without importing it.
- :func:`outline` (``openapi``): an OpenAPI document as a list of operations.
"""

from __future__ import annotations

from explorer.runtime.faces import lazy_face

_WHERE = {
    "TargetError": "targets", "check_target": "targets", "import_error_line": "targets",
    "specs_from_options": "targets", "startup_problems": "targets",
    "RouteListing": "routes", "RouteRow": "routes", "list_all_routes": "routes", "list_routes": "routes",
    "merge_routes": "routes",
    "RouteTemplate": "templates", "openapi_routes": "templates", "routes_from_url_map": "templates",
    "HandlerLookup": "source", "find_handler": "source", "module_file": "source",
    "Operation": "openapi", "outline": "openapi",
}  # fmt: skip

__all__ = [
    "HandlerLookup", "Operation", "RouteListing", "RouteRow", "RouteTemplate", "TargetError", "check_target",
    "find_handler", "import_error_line", "list_all_routes", "list_routes", "merge_routes", "module_file",
    "openapi_routes", "outline", "routes_from_url_map", "specs_from_options", "startup_problems",
]  # fmt: skip

__getattr__, __dir__ = lazy_face(__name__, _WHERE, __all__)
