"""Comparing two answers to the same request: every difference, then which of them were declared.

A case matches when both answers have the same status (and the expected one, if the file gives
it), the same media type, the same selected headers and the same body: JSON compared structurally,
text compared as text, and always in full: a comparison that could not be completed is an error.
Each server's own base URL is removed before comparing, so an absolute
``Location: http://127.0.0.1:41234/orders/1`` equals a relative ``/orders/1``: the two servers
necessarily listen on different ports. ``ignore_regex`` patterns are blanked out of text bodies and
compared header values on both sides; noise (:mod:`explorer.parity.noise`) is left out.
"""

from __future__ import annotations

import functools
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from explorer.parity.declared import Expectation, body_patterns, split_declared
from explorer.parity.differences import MISSING, Difference, cut, excerpt
from explorer.parity.jsondiff import DiffIncomplete, diff_json
from explorer.parity.noise import Noise
from explorer.parity.suite import ParityCase, ParityOptions
from explorer.runtime.frameworks import FRAMEWORKS, NAMES
from explorer.runtime.userdata.bounded import MAX_ANSWER_DEPTH, DataLimitError, loads_json

if TYPE_CHECKING:
    from explorer.runtime.http.client import Exchange

__all__ = ["REGEX_SECONDS", "Comparison", "base_url", "compare"]

_BASE = re.compile(r"^https?://[^/]+")
_BLANK = "‹ignored›"
REGEX_SECONDS = 2.0  # for all of one request's ignore_regex work: past it, the request is not compared


@dataclass
class Comparison:
    """Undeclared differences (the first ones listed, ``more`` counted), declared ones, entries used."""

    differences: list[Difference] = field(default_factory=list)
    more: int = 0
    declared: list[tuple[Difference, Expectation]] = field(default_factory=list)
    used: set[Expectation] = field(default_factory=set)


def base_url(exchange: Exchange | None) -> str | None:
    if exchange is None or exchange.request is None:
        return None
    match = _BASE.match(exchange.request.url)
    return match.group(0) if match else None


def _local(text: str, exchange: Exchange) -> str:
    """``text`` with this server's own base URL removed, so the two ports never count as a difference;
    percent-encoded too (``returnTo=http%3A%2F%2F127.0.0.1%3A42705%2F``), in either case of hex digit."""
    base = base_url(exchange)
    if not base:
        return text
    text = text.replace(base, "")
    if "%" not in text:
        return text
    encoded = quote(base, safe="")
    return re.sub(re.escape(encoded), "", text, flags=re.IGNORECASE)


class _RegexTimeout(Exception):
    """An ``ignore_regex`` pattern ran past the request's time budget (catastrophic backtracking, say)."""


@functools.lru_cache(maxsize=256)
def _compiled(patterns: tuple[str, ...]) -> tuple[Any, ...]:
    import regex  # the re syntax (VERSION0), with a time-out: a user's pattern can backtrack for ever

    return tuple(regex.compile(p, flags=regex.VERSION0) for p in patterns)


def _blank(text: str, patterns: tuple[str, ...], deadline: float) -> str:
    """``text`` with every match blanked; :class:`_RegexTimeout` once ``deadline`` (monotonic) has passed."""
    for pattern in _compiled(patterns):
        try:
            text = pattern.sub(_BLANK, text, timeout=max(deadline - time.monotonic(), 0.001))
        except TimeoutError:
            shown = pattern.pattern if len(pattern.pattern) <= 60 else pattern.pattern[:60] + "…"
            raise _RegexTimeout(
                f"ignore_regex {shown!r} took over {REGEX_SECONDS:g} s (it backtracks "
                "catastrophically on this answer), so the answers were not compared"
            ) from None
    return text


def compare(
    case: ParityCase,
    flask: Exchange,
    fastapi: Exchange,
    options: ParityOptions,
    expectations: Sequence[Expectation] = (),
    noise: Noise | None = None,
) -> Comparison:
    """Every difference between the two answers to ``case``, under ``options`` (already merged for it).

    Two answers are only ever found equal when they were compared in full; a comparison that could
    not be completed (an answer cut at 16 MiB, JSON nested too deep, a diff past its work bound) is
    an ``error`` difference naming the reason, and is never declared away.
    """
    if flask.error or fastapi.error:
        return Comparison([Difference("error", "", flask.error, fastapi.error)])
    try:
        return _compare(case, flask, fastapi, options, expectations, noise or Noise())
    except _RegexTimeout as exc:
        return Comparison([_incomplete(str(exc))])


def _compare(
    case: ParityCase,
    flask: Exchange,
    fastapi: Exchange,
    options: ParityOptions,
    expectations: Sequence[Expectation],
    noise: Noise,
) -> Comparison:
    deadline = time.monotonic() + REGEX_SECONDS  # every ignore_regex of this request, on both sides, together
    found: list[Difference] = []
    expected = case.expect_status
    redirects = options.redirects == "location" and all(_is_redirect(e.status) for e in (flask, fastapi))
    loose, captured_headers = ((), set()) if options.compare_captured else _captured(case)
    if redirects and (expected is None or flask.status == fastapi.status == expected):
        pass  # two redirects: the status class matches; Location is compared below
    elif flask.status != fastapi.status:
        note = f"expected {expected}" if expected is not None else ""
        found.append(Difference("status", "", flask.status, fastapi.status, note))
    elif expected is not None and flask.status != expected:
        found.append(
            Difference("status", "", flask.status, fastapi.status, f"both differ from the expected {expected}")
        )
    if flask.content_type != fastapi.content_type and not redirects:
        found.append(Difference("content-type", "", flask.content_type or MISSING, fastapi.content_type or MISSING))
    for name in options.compare_headers:
        if name in noise.headers:
            continue
        values = [_header(e, name, options.ignore_regex, deadline) for e in (flask, fastapi)]
        if name in captured_headers and MISSING not in values:
            continue  # captured: each app's own value, compared by presence only
        if values[0] != values[1]:
            found.append(Difference("header", name, values[0], values[1]))
    body: list[Difference] = []
    more = 0
    if not noise.whole_body and not redirects:  # a body that differs between two answers of one app cannot be compared
        body, more = _body_differences(flask, fastapi, options, noise, deadline, loose)
    undeclared, declared, used = split_declared(found + body, expectations)
    if more:
        undeclared, more = _undeclared_beyond(
            case, flask, fastapi, options, noise, expectations, undeclared, more, deadline
        )
    return Comparison(undeclared, more, declared, used)


def _undeclared_beyond(
    case: ParityCase,
    flask: Exchange,
    fastapi: Exchange,
    options: ParityOptions,
    noise: Noise,
    expectations: Sequence[Expectation],
    undeclared: list[Difference],
    more: int,
    deadline: float,
) -> tuple[list[Difference], int]:
    """With body differences beyond those listed, which of them are undeclared: compared again with
    the declared paths left out, so a declaration never hides a difference nobody looked at."""
    patterns = body_patterns(e for e in expectations if e.aspect == "body")
    if patterns is None:
        return undeclared, 0
    if not patterns:
        return undeclared, more
    narrowed = options.merged(ignore_keys=patterns)
    loose = () if options.compare_captured else _captured(case)[0]
    body, again = _body_differences(flask, fastapi, narrowed, noise, deadline, loose)
    rest, _, _ = split_declared(body, expectations)
    return [d for d in undeclared if d.aspect != "body"] + rest, again


def _header(exchange: Exchange, name: str, patterns: tuple[str, ...], deadline: float) -> Any:
    values = [v for k, v in exchange.headers if k.lower() == name.lower()]
    return _blank(_local(", ".join(values), exchange), patterns, deadline) if values else MISSING


class _NotJson:
    """A body that is not compared as JSON: not declared as JSON, malformed, or (``reason``) too deep."""

    def __init__(self, reason: str = "") -> None:
        self.reason = reason


def _parsed(exchange: Exchange, text: str) -> Any:
    if not exchange.is_json:
        return _NotJson()
    try:
        return loads_json(text, MAX_ANSWER_DEPTH)
    except DataLimitError as exc:
        return _NotJson(str(exc))
    except ValueError:
        return _NotJson()


def _is_redirect(status: int | None) -> bool:
    return status is not None and 300 <= status < 400


def _captured(case: ParityCase) -> tuple[tuple[tuple[str, ...], ...], set[str]]:
    """The body paths (``json.a.0.b`` as ``("a", "0", "b")``) and header names ``case`` captures on
    either side: values each app makes up (a token, an id), compared by presence and type only."""
    paths: dict[tuple[str, ...], None] = {}
    headers: set[str] = set()
    for captures in case.captures.values():
        for item in captures:
            head, _, rest = item.source.partition(".")
            if head == "json":
                paths[tuple(rest.split(".")) if rest else ()] = None
            elif head == "header" and rest:
                headers.add(rest.lower())
    return tuple(paths), headers


def _body_differences(
    flask: Exchange,
    fastapi: Exchange,
    options: ParityOptions,
    noise: Noise,
    deadline: float,
    loose: Sequence[tuple[str, ...]] = (),
) -> tuple[list[Difference], int]:
    """The body's differences and how many more were found than listed."""
    pair = (flask, fastapi)
    texts = [_local(e.text, e) for e in pair]
    cut = [NAMES[fw] for fw, e in zip(FRAMEWORKS, pair, strict=True) if e.truncated]
    if cut:
        if texts[0] != texts[1]:
            return [_text_difference(texts[0], texts[1])], 0
        who = " and ".join(cut)
        return [_incomplete(f"{who}'s answer was cut at 16 MiB or at the time-out, and the parts kept are equal")], 0
    values = [_parsed(e, t) for e, t in zip(pair, texts, strict=True)]
    if not isinstance(values[0], _NotJson) and not isinstance(values[1], _NotJson):
        try:
            ignored: tuple[str | tuple[Any, ...], ...] = (*options.ignore_keys, *noise.paths)
            found = diff_json(
                values[0], values[1], ignored, options.ignore_order, match_lists_by=options.match_lists_by, loose=loose
            )
        except DiffIncomplete as exc:
            return [_incomplete(str(exc))], 0
        differences = []
        for c in found.changes:
            left = MISSING if c.kind == "added" else c.left
            right = MISSING if c.kind == "removed" else c.right
            note = {"removed": "only in Flask", "added": "only in FastAPI", "type": "types differ"}.get(c.kind, "")
            if c.kind in ("removed", "added") and c.parts and isinstance(c.parts[-1], int):
                note = "removed item, only in Flask" if c.kind == "removed" else "inserted item, only in FastAPI"
            differences.append(Difference("body", c.path, left, right, note, c.parts))
        return differences, found.more
    if texts[0] == texts[1]:
        return [], 0  # the same text, compared in full
    deep = [
        f"{NAMES[fw]}'s answer is {v.reason}"
        for fw, v in zip(FRAMEWORKS, values, strict=True)
        if isinstance(v, _NotJson) and v.reason
    ]
    if deep:
        return [_incomplete("; ".join(deep))], 0
    if isinstance(values[0], _NotJson) != isinstance(values[1], _NotJson):
        side = "Flask" if not isinstance(values[0], _NotJson) else "FastAPI"
        return [_whole(texts[0], texts[1], f"JSON only from {side}")], 0
    shown = [_without_lines(t, noise.lines.get(fw, set())) for fw, t in zip(FRAMEWORKS, texts, strict=True)]
    shown = [_blank(t, options.ignore_regex, deadline) for t in shown]
    if shown[0] == shown[1]:
        return [], 0
    return [_text_difference(shown[0], shown[1])], 0


def _without_lines(text: str, noisy: set[int]) -> str:
    if not noisy:
        return text
    return "\n".join(line for i, line in enumerate(text.splitlines()) if i not in noisy)


def _incomplete(reason: str) -> Difference:
    return Difference("error", "body", None, None, reason)


def _whole(a: str, b: str, note: str) -> Difference:
    """Bodies that differ from the start: the first lines of each, for a side-by-side excerpt."""
    return Difference("body", "", _cut(a), _cut(b), note, excerpts=(tuple(excerpt(a)), tuple(excerpt(b))))


def _text_difference(a: str, b: str) -> Difference:
    """Where two text bodies part: the first differing line of each (linear, whatever the size)."""
    a_lines, b_lines = a.splitlines(), b.splitlines()
    for number, (left, right) in enumerate(zip(a_lines, b_lines, strict=False), start=1):
        if left != right:
            if number == 1:
                return _whole(a, b, "text differs from line 1")
            return Difference("body", "", _cut(left), _cut(right), f"text differs from line {number}")
    common = min(len(a_lines), len(b_lines))
    if len(a_lines) != len(b_lines):
        if common == 0:
            return _whole(a, b, "text differs from line 1")
        left = a_lines[common] if common < len(a_lines) else MISSING
        right = b_lines[common] if common < len(b_lines) else MISSING
        return Difference("body", "", _cut(left), _cut(right), f"text differs from line {common + 1}")
    return Difference("body", "", _cut(a), _cut(b), "text differs in whitespace")


def _cut(text: Any) -> Any:
    """A line kept long enough for a secret in it to be found whole (cut to the line's width when shown)."""
    return cut(text)
