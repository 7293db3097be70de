"""What a parity run found, as plain data with ``to_dict()`` for the CLI, the reports and the Parity screen.

A request passes when every difference between the two answers was declared; it fails on any other
difference and on an error (no answer, or a comparison that could not be completed). A declared
difference that no longer happens is stale: a warning, or a failure with ``strict``. The JSON
document hides secrets unless asked (:mod:`explorer.parity.secrets`).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from explorer.parity.compare import base_url
from explorer.parity.declared import Expectation
from explorer.parity.differences import Difference
from explorer.parity.noise import NoiseItem
from explorer.parity.secrets import REDACTED, Redactor
from explorer.parity.steps import StepResult
from explorer.parity.suite import ParityCase, ParityOptions
from explorer.runtime.http.request import curl_command

if TYPE_CHECKING:
    from explorer.runtime.http.client import Exchange

__all__ = ["ParityReport", "ParityResult"]


@dataclass
class ParityResult:
    """One case: both exchanges, the undeclared and declared differences, noise, captures.

    ``more`` counts the undeclared body differences found beyond the ones listed (at most
    :data:`~explorer.parity.jsondiff.MAX_CHANGES`): the case differs all the same.
    """

    case: ParityCase
    exchanges: dict[str, Exchange]
    differences: list[Difference] = field(default_factory=list)
    more: int = 0
    declared: list[tuple[Difference, Expectation]] = field(default_factory=list)
    noise: list[NoiseItem] = field(default_factory=list)
    stale: list[Expectation] = field(default_factory=list)
    captures: dict[str, dict[str, Any]] = field(default_factory=dict)
    capture_problems: list[str] = field(default_factory=list)
    cookies: dict[str, list[str]] = field(default_factory=dict)
    secret_names: set[str] = field(default_factory=set)  # captures whose values are hidden in reports
    logs: dict[str, list[str]] = field(default_factory=dict)  # what a server printed while it answered 5xx

    @property
    def outcome(self) -> str:
        """``match``, ``declared`` (only declared differences), ``differ``, or ``error`` (no answer,
        a comparison not completed, a failed capture)."""
        if any(d.aspect == "error" for d in self.differences):
            return "error"
        if not self.matched:
            return "differ"
        return "declared" if self.declared else "match"

    @property
    def matched(self) -> bool:
        """No undeclared difference (declared ones allowed)."""
        return not self.differences and not self.more

    def more_line(self) -> str:
        """``… and 1,234 more differences``, or "" when every difference is listed."""
        if not self.more:
            return ""
        return f"… and {self.more:,} more difference{'s' if self.more != 1 else ''}"

    def curl(self, framework: str, redactor: Redactor | None = None) -> str | None:
        """The request, as sent to that server, as a curl command (secret headers hidden by ``redactor``):
        the headers the client added (the run's Cookie) included, as the session export writes them."""
        exchange = self.exchanges.get(framework)
        base = base_url(exchange)
        if not base or exchange is None:
            return None
        spec, sent = exchange.spec, exchange.request.headers if exchange.request is not None else None
        if redactor is not None:
            spec = replace(spec, headers=tuple((k, redactor.header(k, v)) for k, v in spec.headers))
            sent = tuple((k, redactor.header(k, v)) for k, v in sent) if sent is not None else None
            return redactor.text(curl_command(spec, base, sent))
        return curl_command(spec, base, sent)

    def learn_secrets(self, redactor: Redactor) -> None:
        """Teach ``redactor`` this result's secrets: captured values marked secret, the secret headers sent
        and received (those an app echoes in a body are then hidden there too), each app's cookies."""
        for values in self.captures.values():
            for name in self.secret_names & set(values):
                redactor.learn(values[name])
        for exchange in self.exchanges.values():
            redactor.headers(exchange.spec.headers)
            redactor.headers(exchange.headers)
            if exchange.request is not None:
                redactor.headers(exchange.request.headers)
            for cookie in exchange.cookie_jar or ():
                redactor.learn_cookie(cookie.name, cookie.value)
        for cookies in self.cookies.values():
            for line in cookies:
                name, _, value = line.partition("=")
                redactor.learn_cookie(name, value)

    def to_dict(self, redactor: Redactor | None = None) -> dict[str, Any]:
        """The result as JSON; with ``redactor`` (taught every secret of the run), the difference lines
        and curl commands are made with secrets hidden before anything is cut."""
        first = next(iter(self.exchanges.values()), None)
        return {
            "name": self.case.name,
            "line": first.spec.line if first is not None else self.case.request.line,
            "request": self.case.request.to_dict(),
            "sent": {fw: e.spec.to_dict() for fw, e in self.exchanges.items()},
            "expect_status": self.case.expect_status,
            "outcome": self.outcome,
            "differences": [d.to_dict(redactor) for d in self.differences],
            "more_differences": self.more,
            "declared": [{**d.to_dict(redactor), "reason": e.reason, "scope": e.scope} for d, e in self.declared],
            "noise": [n.to_dict() for n in self.noise],
            "stale": [e.to_dict() for e in self.stale],
            "captures": self.captures,
            "capture_problems": list(self.capture_problems),
            "cookies": self.cookies,
            "exchanges": {fw: e.to_dict() for fw, e in self.exchanges.items()},
            "curl": {fw: self.curl(fw, redactor) for fw in self.exchanges},
            "log_tail": {fw: list(lines) for fw, lines in self.logs.items()},
        }


@dataclass
class ParityReport:
    """A whole run: the servers, the options, the steps, and one result per case in file order."""

    source: str
    options: ParityOptions
    servers: dict[str, dict[str, Any]]
    results: list[ParityResult] = field(default_factory=list)
    started_at: str = ""
    duration_ms: float = 0.0
    setup: list[StepResult] = field(default_factory=list)
    teardown: list[StepResult] = field(default_factory=list)
    stale: list[Expectation] = field(default_factory=list)  # file-level declarations nothing matched
    noise: bool = False
    strict: bool = False
    secrets: list[Any] = field(default_factory=list)  # captured values marked secret
    extra: dict[str, Any] = field(default_factory=dict)  # e.g. the generated or fuzzed operations
    state: Any = field(default=None, repr=False)  # the run's captured values, to re-send one request

    def count(self, outcome: str) -> int:
        return sum(1 for r in self.results if r.outcome == outcome)

    @property
    def all_match(self) -> bool:
        """Every request matched or differed only as declared."""
        return all(r.matched for r in self.results)

    @property
    def stale_count(self) -> int:
        return len(self.stale) + sum(len(r.stale) for r in self.results)

    @property
    def steps_ok(self) -> bool:
        return all(s.ok for s in self.setup + self.teardown)

    @property
    def passed(self) -> bool:
        """What the exit status says: 0 only when this is true."""
        return self.all_match and self.steps_ok and not (self.strict and self.stale_count)

    def redactor(self, show_secrets: bool = False) -> Redactor:
        """The one redactor of every output of this run (text, JSON, reports, JUnit), taught all its secrets."""
        redactor = Redactor(self.secrets, enabled=not show_secrets)
        for result in self.results:
            result.learn_secrets(redactor)
        return redactor

    def to_dict(self, show_secrets: bool = False) -> dict[str, Any]:
        """The ``parity --json`` document; ``explorer report --from`` reads it back."""
        redactor = self.redactor(show_secrets)
        document = {
            "kind": "parity",
            "version": 2,
            "source": self.source,
            "started_at": self.started_at,
            "duration_ms": round(self.duration_ms, 3),
            "servers": self.servers,
            "options": {**self.options.to_dict(), "noise": self.noise, "strict": self.strict},
            "summary": {
                "cases": len(self.results),
                "matched": self.count("match"),
                "declared": self.count("declared"),
                "differ": self.count("differ"),
                "errors": self.count("error"),
                "stale": self.stale_count,
                "steps_failed": sum(1 for s in self.setup + self.teardown if not s.ok),
                "all_match": self.all_match,
                "passed": self.passed,
            },
            "setup": [s.to_dict() for s in self.setup],
            "results": [self._result(r, redactor) for r in self.results],
            "teardown": [s.to_dict() for s in self.teardown],
            "stale": [e.to_dict() for e in self.stale],
            "secrets_shown": show_secrets,
            **self.extra,
        }
        return redactor.document(document)

    @staticmethod
    def _result(result: ParityResult, redactor: Redactor) -> dict[str, Any]:
        data = result.to_dict(redactor)
        if redactor.enabled:
            data["captures"] = {
                fw: {k: REDACTED if k in result.secret_names else v for k, v in values.items()}
                for fw, values in result.captures.items()
            }
            data["cookies"] = {
                fw: [f"{c.partition('=')[0]}={REDACTED}" for c in cookies] for fw, cookies in result.cookies.items()
            }
        return data
