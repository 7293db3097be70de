"""Child-process entry point: print an app's route table as JSON, then exit.

``python .../explorer/runtime/child/bootstrap.py explorer.runtime.child.routetable TARGET [--framework flask|fastapi] [--parent PID]``
(``python -m explorer.runtime.child.routetable`` works too, where the explorer is installed).

Flask does not publish its routes over HTTP, and neither framework says where a handler is
written; the explorer never imports a user's app into its own process (a crash or a side effect
there would take the explorer down with it). So a short-lived child imports the app the way the
server does, under the app's own interpreter, and prints one marked line::

    EXPLORER-ROUTES {"rules": [{"rule": "/items/<int:item_id>", "methods": ["GET"], "endpoint": "get_item",
                                "module": "shop", "function": "get_item", "file": "/app/shop.py", "line": 12}]}

Flask's rules come from its URL map (blueprints and their prefixes included); FastAPI's and
Starlette's from the app's routes, routers' prefixes included, into mounted sub-apps; a mounted app
without routes (StaticFiles, a WSGI app) is one rule for every path below its prefix. Anything the
user's module prints on import comes before the marker and is ignored. An import failure ends with
exit code 3 and the traceback, exactly as in ``explorer.runtime.child.serve``. Standard library only
(plus the user's framework, already imported by the app), written for Python 3.8 and later.
"""

from __future__ import annotations

import argparse
import inspect
import json
import os
import sys
from typing import Any, Dict, List, Optional

from explorer.runtime.child.apptarget import load_app
from explorer.runtime.child.procs import die_with_parent

MARKER = "EXPLORER-ROUTES "
NOT_FLASK = 4
MAX_RULES = 5000
WEBSOCKET = "WEBSOCKET"  # a WebSocket route's "method": it takes an upgrade, not a request
ANY_METHOD = (
    "DELETE",
    "GET",
    "HEAD",
    "OPTIONS",
    "PATCH",
    "POST",
    "PUT",
)  # a mounted app (StaticFiles, a WSGI app) sees all


def where(handler: Any) -> Dict[str, Any]:
    """Module, function name, file and first line (the first decorator's) of a handler, as far as known."""
    target = getattr(handler, "view_class", None) or handler  # Flask's class-based views
    try:
        target = inspect.unwrap(target)
    except ValueError:
        pass
    name = getattr(target, "__qualname__", None) or getattr(target, "__name__", "") or ""
    found: Dict[str, Any] = {"module": getattr(target, "__module__", None) or "", "function": name}
    try:
        found["file"] = inspect.getsourcefile(target)
        found["line"] = inspect.getsourcelines(target)[1] if inspect.isclass(target) else target.__code__.co_firstlineno
    except (TypeError, OSError, AttributeError):
        found["file"], found["line"] = None, None
    return found


def url_map(app: Any) -> List[Dict[str, Any]]:
    """A Flask app's rules in registration order, without what Flask adds itself.

    HEAD and OPTIONS are answered automatically; the ``static`` rule exists in every app, so it is
    only listed when the app really has a static folder, and as ``send_static_file`` (its view is a lambda).
    """
    folder = getattr(app, "static_folder", None)
    has_static = bool(folder) and folder is not None and os.path.isdir(folder)
    rules = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" and not has_static:
            continue
        methods = sorted(rule.methods or ())
        explicit = [m for m in methods if m not in ("HEAD", "OPTIONS")] or methods
        handler = app.view_functions.get(rule.endpoint)
        if _flask_sock(handler):
            explicit = [WEBSOCKET]  # a GET rule on the map, answered only with an upgrade
        entry = {"rule": rule.rule, "methods": explicit, "endpoint": rule.endpoint}
        if rule.endpoint == "static" and handler is not None:  # a lambda that calls this, which can be shown
            handler = getattr(app, "send_static_file", handler)
        rules.append({**entry, **(where(handler) if handler is not None else {})})
    return rules


def _flask_sock(handler: Any) -> bool:
    """Whether a Flask view is flask-sock's wrapper around a WebSocket handler (``@sock.route``)."""
    code = getattr(handler, "__code__", None)
    filename = getattr(code, "co_filename", "") or ""
    return "flask_sock" in filename.replace(os.sep, "/").split("/")


def _websocket(route: Any) -> bool:
    """A Starlette WebSocket route (FastAPI's ``@app.websocket``), itself or inside FastAPI's route context."""
    for candidate in (route, getattr(route, "route", None), getattr(route, "original_route", None)):
        if candidate is not None and any(c.__name__ == "WebSocketRoute" for c in type(candidate).__mro__):
            return True
    return False


def _flat(routes: List[Any]) -> List[Any]:
    """Routes with included routers opened: newer FastAPI keeps each ``include_router`` as one entry and
    publishes ``fastapi.routing.iter_route_contexts`` to walk them; older ones list every route already."""
    walk = getattr(sys.modules.get("fastapi.routing"), "iter_route_contexts", None)
    if walk is None:
        return routes
    try:
        return list(walk(routes))
    except Exception:  # noqa: BLE001 - an internal change must not cost the listing
        return routes


def asgi_routes(app: Any, prefix: str = "", depth: int = 0) -> List[Dict[str, Any]]:
    """A Starlette or FastAPI app's HTTP routes, with the paths of mounted sub-apps and routers joined."""
    rules: List[Dict[str, Any]] = []
    for route in _flat(list(getattr(app, "routes", None) or ())):
        path = prefix + str(getattr(route, "path", ""))
        endpoint = getattr(route, "endpoint", None)
        methods = getattr(route, "methods", None)
        if endpoint is not None and methods:
            rules.append(
                {
                    "rule": path,
                    "methods": sorted(methods),
                    "endpoint": getattr(route, "name", "") or "",
                    **where(endpoint),
                }
            )
        elif endpoint is not None and _websocket(route):
            rules.append(
                {"rule": path, "methods": [WEBSOCKET], "endpoint": getattr(route, "name", "") or "", **where(endpoint)}
            )
        elif depth < 8 and (getattr(route, "routes", None) or getattr(getattr(route, "app", None), "routes", None)):
            inner = route if getattr(route, "routes", None) else route.app
            rules += asgi_routes(inner, path.rstrip("/"), depth + 1)
        elif hasattr(getattr(getattr(route, "app", None), "app", None), "url_map"):  # a Flask app behind a2wsgi
            rules += [{**rule, "rule": path.rstrip("/") + rule["rule"]} for rule in url_map(route.app.app)]
        elif callable(getattr(route, "app", None)) and path.startswith("/"):  # a mounted ASGI app without routes
            rules.append(
                {
                    "rule": path.rstrip("/") + "/{path:path}",
                    "methods": list(ANY_METHOD),
                    "endpoint": getattr(route, "name", "") or "",
                    **where(type(route.app).__call__),
                }
            )
    return rules


def main(argv: Optional[List[str]] = None) -> None:
    parser = argparse.ArgumentParser(prog="explorer.runtime.child.routetable")
    parser.add_argument("target")
    parser.add_argument("--framework", choices=("flask", "fastapi"), default="flask")
    parser.add_argument("--parent", type=int, default=os.getppid())
    args = parser.parse_args(argv)
    die_with_parent(args.parent)
    app = load_app(args.target, args.framework)
    if args.framework == "flask" and not hasattr(app, "url_map"):
        print(f"explorer: {args.target} is not a Flask app (it has no url_map)", flush=True)
        sys.exit(NOT_FLASK)
    rules = url_map(app) if args.framework == "flask" else asgi_routes(app)
    print(MARKER + json.dumps({"rules": rules[:MAX_RULES], "more": max(0, len(rules) - MAX_RULES)}), flush=True)


if __name__ == "__main__":
    main()
