"""Find the handler that serves a request by reading an app's source, without importing the app.

The Code tab shows the function a framework would run for the request, read with :mod:`ast` from
the demo module (or a user's module) and the modules beside it that it imports (its blueprints and
routers). Route patterns become regular expressions the way each framework matches them: Flask's
converters (``<int:id>`` is digits only) and Starlette's ``{param}`` (any segment; the type check
comes later, as a 422).
"""

from __future__ import annotations

import ast
import importlib.util
import re
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Protocol, TypeVar

from explorer.runtime.userdata.datafile import DataFileError, read_text

# Flask's route/get/post/put/patch/delete; FastAPI's too, with head, options, trace and api_route (GET by default)
_ROUTE_DECORATORS = {
    "route": None,
    "api_route": None,
    "get": "GET",
    "post": "POST",
    "put": "PUT",
    "patch": "PATCH",
    "delete": "DELETE",
    "head": "HEAD",
    "options": "OPTIONS",
    "trace": "TRACE",
}
MAX_LISTED = 15  # routes named when none matches
_FLASK_CONVERTERS = {
    "int": r"\d+",
    "float": r"\d+\.\d+",
    "path": r".+",
    "string": r"[^/]+",
    "uuid": r"[0-9a-fA-F-]{36}",
}
_STARLETTE_CONVERTERS = {
    "str": r"[^/]+",
    "path": r".*",
    "int": r"[0-9]+",
    "float": r"[0-9]+(?:\.[0-9]+)?",
    "uuid": r"[0-9a-fA-F-]{36}",
}
MAX_SOURCE_BYTES = 4 << 20  # an app's module larger than this is not read


@dataclass(frozen=True)
class Route:
    """One decorated handler: the pattern as served (mount prefix included), its methods, and its source lines."""

    pattern: str
    methods: tuple[str, ...]
    function: str
    source: str
    line: int
    regex: re.Pattern[str]
    file: Path | None = None  # the module it is written in: the app's own, or one beside it

    def matches(self, path: str) -> bool:
        return self.regex.fullmatch(path) is not None


def pattern_regex(pattern: str) -> re.Pattern[str]:
    """A regex that matches the paths a Flask or Starlette route pattern matches."""
    out, pos = [], 0
    for match in re.finditer(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>|\{(\w+)(?::(\w+))?\}", pattern):
        out.append(re.escape(pattern[pos : match.start()]))
        if match.group(2):  # Flask <converter:name>
            out.append(f"(?:{_FLASK_CONVERTERS.get(match.group(1) or 'string', '[^/]+')})")
        else:  # Starlette {name} or {name:converter}
            out.append(_STARLETTE_CONVERTERS.get(match.group(4) or "str", "[^/]+"))
        pos = match.end()
    out.append(re.escape(pattern[pos:]))
    return re.compile("".join(out))


def _name(node: ast.expr) -> str | None:
    """``bp`` for ``bp`` and for ``module.bp``: objects are matched by their last name."""
    if isinstance(node, ast.Name):
        return node.id
    return node.attr if isinstance(node, ast.Attribute) else None


def _decorator_route(decorator: ast.expr) -> tuple[str, tuple[str, ...], str | None] | None:
    if not (isinstance(decorator, ast.Call) and isinstance(decorator.func, ast.Attribute)):
        return None
    name = decorator.func.attr
    if name not in _ROUTE_DECORATORS or not decorator.args:
        return None
    first = decorator.args[0]
    if not (isinstance(first, ast.Constant) and isinstance(first.value, str)):
        return None
    method = _ROUTE_DECORATORS[name]
    methods: tuple[str, ...] = (method,) if method else ("GET",)
    for keyword in decorator.keywords:
        if keyword.arg == "methods" and isinstance(keyword.value, (ast.List, ast.Tuple)):
            methods = tuple(str(e.value).upper() for e in keyword.value.elts if isinstance(e, ast.Constant))
    return first.value, methods, _name(decorator.func.value)


def with_comments(lines: list[str], first: int, last: int) -> tuple[int, str]:
    """Lines ``first`` to ``last`` (1-based) with the comment lines right above them: (start line, text)."""
    comment = first - 1
    while comment > 0 and lines[comment - 1].lstrip().startswith("#"):
        comment -= 1
    return comment + 1, "\n".join(lines[comment:last])


def with_test(source: str, test: str | None) -> str:
    """A handler's source followed by its test, when one is written beside it (``test_<handler>`` in the
    same module): the Code tab shows how the handler is tested, e.g. which dependency the test replaces."""
    return f"{source}\n\n\n{test}" if test else source


def _prefixes(tree: ast.Module) -> dict[str, str]:
    """Where sub-apps, routers and blueprints are attached: ``app.mount("/p", sub)``,
    ``app.include_router(router, prefix="/p")``, ``app.register_blueprint(bp, url_prefix="/p")``."""
    found: dict[str, str] = {}
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        args, method = node.args, node.func.attr
        prefix: object = None
        if method == "mount" and len(args) >= 2 and isinstance(args[0], ast.Constant):
            target, prefix = args[1], args[0].value
        elif method in ("include_router", "register_blueprint") and args:
            target = args[0]
            keyword = "prefix" if method == "include_router" else "url_prefix"
            given = [k.value for k in node.keywords if k.arg == keyword and isinstance(k.value, ast.Constant)]
            prefix = given[0].value if given else None
        if isinstance(prefix, str) and (name := _name(target)):
            found[name] = prefix.rstrip("/")
    return found


def _siblings(tree: ast.Module, path: Path) -> list[Path]:
    """Modules in the same folder that the app imports (its blueprints and routers), never the frameworks'."""
    names: list[str] = []
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.module:
            names += [node.module.rsplit(".", 1)[-1]] + [alias.name for alias in node.names]
        elif isinstance(node, ast.Import):
            names += [alias.name.rsplit(".", 1)[-1] for alias in node.names]
    files = [path.parent / f"{name}.py" for name in dict.fromkeys(names)]
    return [f for f in files if f != path and f.is_file()]


def _routes(path: Path, prefixes: dict[str, str]) -> list[Route]:
    text = read_text(path, MAX_SOURCE_BYTES)  # the user's file: read within bounds
    tree = ast.parse(text)
    lines = text.splitlines()
    prefixes = {**_prefixes(tree), **prefixes}
    tests = {
        node.name: with_comments(
            lines, min([node.lineno, *(d.lineno for d in node.decorator_list)]), node.end_lineno or node.lineno
        )[1]
        for node in tree.body
        if isinstance(node, ast.FunctionDef) and node.name.startswith("test_")
    }
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        for decorator in node.decorator_list:
            route = _decorator_route(decorator)
            if route:
                start, source = with_comments(lines, min(d.lineno for d in node.decorator_list), node.end_lineno or 0)
                pattern = prefixes.get(route[2] or "", "") + route[0]
                source = with_test(source, tests.get(f"test_{node.name}"))
                found.append(Route(pattern, route[1], node.name, source, start, pattern_regex(pattern), path))
    return sorted(found, key=lambda r: r.line)


@lru_cache(maxsize=16)
def routes_in(path: Path) -> tuple[Route, ...]:
    """Every route-decorated function in a Python file and in the modules beside it that it imports.

    Routes come in the order they are matched: the app module's own first, then each imported
    module's. A prefix given where a sub-app, router or blueprint is attached is added to its
    routes' patterns, so ``/hooks`` + ``/ping`` is found as ``/hooks/ping``.
    """
    tree = ast.parse(read_text(path, MAX_SOURCE_BYTES))
    prefixes = _prefixes(tree)
    found = _routes(path, prefixes)
    for sibling in _siblings(tree, path):
        found += _routes(sibling, prefixes)
    return tuple(found)


def module_file(target: str, app_dir: Path | None = None) -> Path | None:
    """The source file of ``module:attr``, found by looking at files: the app is never imported here.

    The app's folder comes first, as on the server's ``PYTHONPATH``. Then the top-level package is
    located the way Python would locate it, through every finder on ``sys.meta_path``, without
    running it: an editable install (what ``make run`` sets up) reaches its packages through an
    import hook, not through a folder on ``sys.path``, and a wheel through site-packages. Only the
    top-level name is looked up; the rest of the dotted path is followed as folders, so no
    ``__init__.py`` of the user's runs in the explorer's process.
    """
    parts = target.partition(":")[0].split(".")
    if not all(part.isidentifier() for part in parts):
        return None
    roots = ([app_dir] if app_dir is not None else []) + [Path(entry or ".") for entry in sys.path]
    for root in roots:
        found = _file_below(root, parts)
        if found is not None:
            return found
    return _file_from_spec(parts)


def _file_below(root: Path, parts: list[str]) -> Path | None:
    for candidate in (root.joinpath(*parts).with_suffix(".py"), root.joinpath(*parts, "__init__.py")):
        if candidate.is_file():
            return candidate
    return None


def _file_from_spec(parts: list[str]) -> Path | None:
    """Where the import system would find ``parts[0]`` (a finder's answer, nothing executed), then the rest as files."""
    try:
        spec = importlib.util.find_spec(parts[0])
    except (ImportError, ValueError):
        return None
    if spec is None:
        return None
    if len(parts) == 1:
        return (
            Path(spec.origin) if spec.origin and spec.origin.endswith(".py") and Path(spec.origin).is_file() else None
        )
    for location in spec.submodule_search_locations or ():
        found = _file_below(Path(location), parts[1:])
        if found is not None:
            return found
    return None


class _Routed(Protocol):
    @property
    def methods(self) -> tuple[str, ...]: ...


_R = TypeVar("_R", bound=_Routed)


def pick(matching: list[_R], method: str, framework: str) -> tuple[_R, str, bool | None] | None:
    """Of the routes that match a path (in the order the framework tries them), the one that serves
    ``method``, the note the Code tab adds and whether a handler ran; the first one, with the methods it
    allows, when none accepts ``method``; None when none matches. Flask answers HEAD and OPTIONS for a
    GET route itself. One rule for both ways of finding a handler: the route table and the source."""
    implicit = ("HEAD", "OPTIONS") if framework == "flask" else ()
    for route in matching:
        if method in route.methods or (method in implicit and "GET" in route.methods):
            note = ""
            if method in implicit and method not in route.methods:
                note = f"Flask answers {method} for this GET route by itself; the view runs for HEAD, not for OPTIONS."
            return route, note, True
    if matching:
        allowed = ", ".join(sorted({m for r in matching for m in r.methods}))
        return matching[0], f"The path matches, but no handler accepts {method} (allowed: {allowed}).", None
    return None


@dataclass(frozen=True)
class HandlerLookup:
    """What the Code tab shows: the matched handler, or why none ran and which routes exist."""

    route: Route | None
    note: str
    file: Path | None
    label: str = ""  # the file as shown, e.g. blog/routers/auth.py (default: its name)
    ran: bool | None = None  # a handler accepts the method and path (True), no route matches (False), not known (None)

    @property
    def where(self) -> str:
        return self.label or (self.file.name if self.file is not None else "")


def find_handler(file: Path | None, method: str, path: str, framework: str) -> HandlerLookup:
    """The route that would serve ``method path``; Flask answers HEAD and OPTIONS for GET routes itself."""
    if file is None:
        return HandlerLookup(None, "The app's source file could not be found.", None)
    try:
        routes = routes_in(file)
    except (OSError, SyntaxError, ValueError, RecursionError, DataFileError) as exc:
        return HandlerLookup(None, f"Could not read {file.name}: {exc}", file)
    bare = path.split("?", 1)[0]
    matching = [r for r in routes if r.matches(bare)]
    if picked := pick(matching, method, framework):
        route, note, ran = picked
        return HandlerLookup(route, note, route.file or file, ran=ran)
    slashed = bare[:-1] if bare.endswith("/") else bare + "/"
    if bare != "/" and any(r.matches(slashed) for r in routes) and (framework == "fastapi" or slashed.endswith("/")):
        server = "Werkzeug redirects it with a 308" if framework == "flask" else "Starlette redirects it with a 307"
        return HandlerLookup(
            None, f"No route matches {bare}, but {slashed} does: {server}, and no handler runs.", file, ran=False
        )
    listing = ", ".join(f"{'/'.join(r.methods)} {r.pattern}" for r in routes[:MAX_LISTED])
    more = f" and {len(routes) - MAX_LISTED} more" if len(routes) > MAX_LISTED else ""
    note = f"No route in {file.name} matches {bare}, so no handler ran. Routes: {listing}{more}"
    return HandlerLookup(None, note, file, ran=False)
