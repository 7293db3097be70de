"""The apps under test: which to run, the routes they offer, their handlers' source, FastAPI's schema.

Built on the runtime, and on ``demos`` (to find where the bundled apps lie). Public face (imported on first use):

- :func:`specs_from_options`, :func:`startup_problems`, :func:`import_error_line`, :func:`failure_detail`
  (``targets``): the demos, or the user's own Flask app and its FastAPI port, and why one did not start;
  :class:`AppSettings` (``settings``) and :func:`find_config`, :func:`load_config` (``config``): each
  app's folder, interpreter, environment and set-up, from the command line and ``explorer.toml``.
- :func:`list_all_routes`, :func:`merge_routes`, :class:`RouteRow` (``routes``): both apps' routes as
  requests ready to send; each app's route table (:func:`route_table`) comes from a child
  (``explorer.runtime.child.routetable``) under the app's own interpreter,
  and :class:`RouteTemplate`, :func:`openapi_routes`, :func:`routes_from_url_map` (``templates``) turn
  either source into requests with example values (a JSON schema's by ``examples``).
- :func:`find_in_table`, :class:`Endpoint` (``handlers``): the handler that served a request, found in
  the route table wherever the app defines it; :func:`find_handler`, :func:`module_file` (``source``):
  the same from the target's own module (the demos), read without importing it.
- :func:`outline` (``openapi``): an OpenAPI document as a list of operations.
- :class:`Answer` (``answer``): one app's answer to one send, the one value its response panel draws.
- :func:`demo_spec`, :func:`demo_requests_file` (``bundled``): the bundled demos under each server offered.
"""

from __future__ import annotations

from explorer.runtime.faces import lazy_face

_WHERE = {
    "TargetError": "targets",
    "check_target": "targets",
    "import_error_line": "targets",
    "specs_from_options": "targets",
    "startup_problems": "targets",
    "RouteListing": "routes",
    "RouteRow": "routes",
    "list_all_routes": "routes",
    "list_routes": "routes",
    "merge_routes": "routes",
    "RouteTemplate": "templates",
    "openapi_routes": "templates",
    "routes_from_url_map": "templates",
    "HandlerLookup": "source",
    "Answer": "answer",
    "find_handler": "source",
    "module_file": "source",
    "Endpoint": "handlers",
    "find_in_table": "handlers",
    "failure_detail": "targets",
    "route_table": "routes",
    "AppSettings": "settings",
    "find_config": "config",
    "load_config": "config",
    "OperationOutline": "openapi",
    "outline": "openapi",
    "FASTAPI_SERVERS": "bundled",
    "FLASK_SERVERS": "bundled",
    "demo_requests_file": "bundled",
    "demo_spec": "bundled",
}

__all__ = [
    "Answer",
    "FASTAPI_SERVERS",
    "FLASK_SERVERS",
    "demo_requests_file",
    "demo_spec",
    "AppSettings",
    "Endpoint",
    "failure_detail",
    "find_config",
    "find_in_table",
    "load_config",
    "route_table",
    "HandlerLookup",
    "OperationOutline",
    "RouteListing",
    "RouteRow",
    "RouteTemplate",
    "TargetError",
    "check_target",
    "find_handler",
    "import_error_line",
    "list_all_routes",
    "list_routes",
    "merge_routes",
    "module_file",
    "openapi_routes",
    "outline",
    "routes_from_url_map",
    "specs_from_options",
    "startup_problems",
]

__getattr__, __dir__ = lazy_face(__name__, _WHERE, __all__)
