"""Which route of the Flask app a request hit: the key every mirror count and rule is kept under.

The Flask app's URL map (listed in a child process, :func:`explorer.apps.routes.flask_listing`) gives
each rule as a pattern such as ``/products/{product_id}``; a request is matched against them as
Werkzeug would roughly match it (an ``int`` converter takes digits, ``path`` takes slashes), the rule
with the most fixed text first; a HEAD request takes a GET rule, as Werkzeug serves it (the lister lists
a rule's own methods), and an OPTIONS request any rule, as Flask answers it (FastAPI answers 405 without
CORS middleware: the comparison shows it). A request no rule takes for its method is counted under
:data:`NO_ROUTE` (Flask answered 404, or 405 where the path has a rule for other methods), so a scan of
unknown paths adds one row, not one per path; the comparison still runs, so a route only the port has
counts as ``differ`` there.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from explorer.apps.templates import RouteTemplate

__all__ = ["NO_ROUTE", "RouteMatcher"]

NO_ROUTE = "(no route)"
_VARIABLE = re.compile(r"\{([^}]+)\}")
_PLACEHOLDER = re.compile(r"\{\{[^}]*\}\}")
_CONVERTERS = {"int": r"\d+", "float": r"\d+(?:\.\d+)?", "path": r".+", "uuid": r"[0-9A-Fa-f-]{32,36}"}


@dataclass(frozen=True)
class _Route:
    method: str
    pattern: str
    regex: re.Pattern[str]
    fixed: int  # characters outside the variables: the more, the more specific


def _regex(template: RouteTemplate) -> re.Pattern[str]:
    kinds = {p.name: p.type for p in template.params}
    out, last = "", 0
    for match in _VARIABLE.finditer(template.pattern):
        out += re.escape(template.pattern[last : match.start()])
        out += f"({_CONVERTERS.get(kinds.get(match.group(1), ''), '[^/]+')})"
        last = match.end()
    return re.compile(out + re.escape(template.pattern[last:]))


class RouteMatcher:
    """Method and path to the Flask app's route pattern, or :data:`NO_ROUTE`."""

    def __init__(self, templates: Iterable[RouteTemplate]) -> None:
        routes = [_Route(t.method, t.pattern, _regex(t), len(_VARIABLE.sub("", t.pattern))) for t in templates]
        self._routes = sorted(routes, key=lambda r: -r.fixed)
        self._cache: dict[tuple[str, str], str] = {}

    def match(self, method: str, path: str) -> str:
        """The pattern for ``method`` and ``path`` (its query ignored; ``{{name}}`` placeholders taken as values)."""
        path = _PLACEHOLDER.sub("1", path.split("?", 1)[0])
        key = (method, path)
        found = self._cache.get(key)
        if found is None:
            found = next((r.pattern for r in self._routes if _takes(r, method) and r.regex.fullmatch(path)), NO_ROUTE)
            if len(self._cache) < 4096:  # bounded: a client scanning paths must not grow it for ever
                self._cache[key] = found
        return found


def _takes(route: _Route, method: str) -> bool:
    """Whether Flask serves ``method`` with ``route``: its own method, HEAD on a GET rule (Werkzeug adds it), and
    OPTIONS on any rule (Flask answers it itself, 200 with an Allow header, unless a view sets
    ``provide_automatic_options = False``, which the lister cannot see: then Flask's 405 is counted on the route)."""
    return route.method == method or method == "OPTIONS" or (method == "HEAD" and route.method == "GET")
