"""A requests file's rules, applied to mirrored traffic by route.

Its file-level keys (``ignore_keys``, ``ignore_order``, ``compare_headers``, ``ignore_regex``,
``expect_differences``) apply to every request; each entry's own keys and declarations apply to
every request on the route its path goes to (``POST /login``'s ``expect_differences`` to every
mirrored login). An entry that sends a header differently to each app (``flask: {headers: ...}``:
the Flask service's ``Token {{token}}`` where its port wants ``Bearer {{token}}``) has the header
rewritten so for the FastAPI shadow on its route. Setup and teardown steps are not run: the traffic
is the user's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from explorer.mirror.routes import NO_ROUTE, RouteMatcher
from explorer.parity.declared import Expectation
from explorer.parity.suite import ParityCase, ParityOptions, ParitySuite
from explorer.parity.template import PLACEHOLDER, TemplateError, _fill
from explorer.runtime.http.request import RequestSpec

__all__ = ["RouteRule", "Rules"]


@dataclass(frozen=True)
class RouteRule:
    """How one route's answers are compared: the options in force and the declarations that apply."""

    options: ParityOptions = field(default_factory=ParityOptions)
    expectations: tuple[Expectation, ...] = ()
    headers: tuple[tuple[str, re.Pattern[str], str], ...] = ()  # name, Flask's value as written, FastAPI's

    def for_fastapi(self, spec: RequestSpec) -> RequestSpec:
        """``spec`` with each header the file writes differently for FastAPI rewritten as FastAPI's, the
        placeholders' values taken from Flask's (a header that does not fit Flask's form is left as sent)."""
        if not self.headers:
            return spec
        headers = []
        for name, value in spec.headers:
            for wanted, flask, fastapi in self.headers:
                found = flask.fullmatch(value) if name.lower() == wanted else None
                if found is not None:
                    try:
                        value = _fill(fastapi, found.groupdict(), f"{name} header")
                    except TemplateError:  # a placeholder Flask's form did not have: nothing to fill it with
                        continue
                    break
            headers.append((name, value))
        return replace(spec, headers=tuple(headers))


class Rules:
    """The rule for each ``(method, pattern)``, from a suite (or none: the defaults)."""

    def __init__(self, suite: ParitySuite | None = None, matcher: RouteMatcher | None = None) -> None:
        self.suite = suite
        self.base = RouteRule(suite.options, suite.expectations) if suite is not None else RouteRule()
        self.routes: dict[tuple[str, str], RouteRule] = {}
        if suite is None or matcher is None:
            return
        for case in suite.cases:
            side = case.sides["flask"]
            route = (side.method, matcher.match(side.method, side.path))
            if route[1] == NO_ROUTE:
                continue
            rule = self.routes.get(route, self.base)
            options = rule.options.merged(case.ignore_keys, case.ignore_order, case.compare_headers, case.ignore_regex)
            declared = tuple(dict.fromkeys((*rule.expectations, *case.expectations)))
            headers = tuple(dict.fromkeys((*rule.headers, *_rewrites(case))))
            self.routes[route] = RouteRule(options, declared, headers)

    def rule(self, method: str, pattern: str) -> RouteRule:
        return self.routes.get((method, pattern), self.base)


def _rewrites(case: ParityCase) -> list[tuple[str, re.Pattern[str], str]]:
    """The headers ``case`` sends each app differently: Flask's value as a pattern (a placeholder takes any
    text), FastAPI's as a template to fill."""
    if "fastapi" not in case.sides:
        return []
    theirs = {k.lower(): v for k, v in case.sides["fastapi"].headers}
    found = []
    for name, value in case.sides["flask"].headers:
        other = theirs.get(name.lower())
        if other is None or other == value:
            continue
        pattern, last = "", 0
        for match in PLACEHOLDER.finditer(value):
            pattern += re.escape(value[last : match.start()]) + f"(?P<{match.group(1)}>.+?)"
            last = match.end()
        try:
            found.append((name.lower(), re.compile(pattern + re.escape(value[last:])), other))
        except re.error:  # one name twice in Flask's value: no single value for it
            continue
    return found
