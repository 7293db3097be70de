"""A requests file's rules, applied to mirrored traffic by route.

Its file-level keys (``ignore_keys``, ``ignore_order``, ``compare_headers``, ``ignore_regex``,
``expect_differences``) apply to every request; each entry's own keys and declarations apply to
every request on the route its path goes to (``POST /login``'s ``expect_differences`` to every
mirrored login). Setup and teardown steps are not run: the traffic is the user's.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from explorer.mirror.routes import NO_ROUTE, RouteMatcher
from explorer.parity.declared import Expectation
from explorer.parity.suite import ParityOptions, ParitySuite

__all__ = ["RouteRule", "Rules"]


@dataclass(frozen=True)
class RouteRule:
    """How one route's answers are compared: the options in force and the declarations that apply."""

    options: ParityOptions = field(default_factory=ParityOptions)
    expectations: tuple[Expectation, ...] = ()


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
            self.routes[route] = RouteRule(options, declared)

    def rule(self, method: str, pattern: str) -> RouteRule:
        return self.routes.get((method, pattern), self.base)
