"""One mirrored request judged: Flask's answer against FastAPI's, with the second Flask's as noise.

Outcomes, in order of precedence: ``differ`` (a difference nobody declared, or a shadow with no
answer), ``declared`` (every difference declared), ``noise`` (the answers differ only where two
answers of the same Flask app differ too: a timestamp, a request id; Diffy's discount), ``match``.
Two Flask answers with different statuses are not noise: the two instances' states have parted (the
second never issued the token the client sends back), so nothing is discounted for that request.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from explorer.mirror.rules import RouteRule
from explorer.parity.compare import Comparison, compare
from explorer.parity.differences import Difference
from explorer.parity.noise import Noise, NoiseItem
from explorer.parity.suite import ParityCase
from explorer.parity.template import Capture

if TYPE_CHECKING:
    from explorer.runtime.http.client import Exchange

__all__ = ["OUTCOMES", "Verdict", "judge"]

OUTCOMES = ("match", "declared", "noise", "differ")
_CASE = ParityCase("mirrored request", {})  # compare() reads only what the file expects, and a mirror expects nothing


@dataclass
class Verdict:
    """The outcome of one mirrored request and what it rests on."""

    outcome: str
    differences: list[Difference] = field(default_factory=list)
    more: int = 0
    declared: list[tuple[Difference, Any]] = field(default_factory=list)
    noise: list[NoiseItem] = field(default_factory=list)


def judge(
    flask: Exchange, fastapi: Exchange, rule: RouteRule, second: Exchange | None = None, own: tuple[str, ...] = ()
) -> Verdict:
    """Compare the two apps' answers under ``rule``; ``second`` is the second Flask's answer (``--noise``).

    ``own`` are the places (``json.user.token``) where each app made up a value of its own (a token, a
    new id: :func:`explorer.parity.tokens.issued`), compared by presence and type as parity compares
    what it captures; the second Flask's are still measured as noise."""
    case = _CASE
    if own:
        case = ParityCase(_CASE.name, {}, captures={"fastapi": tuple(Capture("own", s, False) for s in own)})
    noise = Noise()
    if second is not None and second.status == flask.status:  # else their states parted (a token only one issued)
        noise.add("flask", flask, second, rule.options.compare_headers)
    found: Comparison = compare(case, flask, fastapi, rule.options, rule.expectations, noise if noise else None)
    listed = noise.listed()
    if found.differences:
        return Verdict("differ", found.differences, found.more, found.declared, listed)
    if found.declared:
        return Verdict("declared", [], 0, found.declared, listed)
    if noise:
        plain = compare(case, flask, fastapi, rule.options, rule.expectations)
        if plain.differences or plain.declared:
            return Verdict("noise", [], 0, [], listed)
    return Verdict("match", [], 0, [], listed)
