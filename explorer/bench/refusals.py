"""When figures cannot carry a verdict, or carry one only with a caveat: the load client failed or was the
bottleneck, the window was shorter than a request, errors, or a rate above the physical bound.

Kept apart from the verdicts (:mod:`explorer.bench.results`) because it reads only the runs of a level,
never the report: every verdict asks it first, and it needs nothing a verdict knows.
"""

from __future__ import annotations

from explorer.bench.levels import LevelResult
from explorer.bench.saturation import client_behind
from explorer.bench.stats import CLIENT_ERRORS

__all__ = ["BOUND_SLACK", "MIN_ANSWERS", "caveats", "client_failure", "too_short"]

BOUND_SLACK = 1.02
MIN_ANSWERS = 2  # per connection in the window: fewer, and the window's edges set the count, not the server


def _allowed(result: LevelResult) -> float:
    """The bound plus the requests already in flight when the window opened, with a little slack."""
    assert result.bound_rps is not None
    in_flight = result.concurrency / result.load.window_s if result.load.window_s > 0 else 0.0
    return (result.bound_rps + in_flight) * BOUND_SLACK


def caveats(results: list[LevelResult]) -> list[str]:
    """What a verdict from these runs must add: errors (rates count only good answers), and any rate above
    the physical bound (the figures are then not to be trusted)."""
    notes = []
    errors: dict[str, int] = {}
    for r in results:
        if r.load.error_count:
            errors[r.target.key] = errors.get(r.target.key, 0) + r.load.error_count
    if errors:
        notes.append("Errors: " + ", ".join(f"{k} {v}" for k, v in errors.items()) + "; rates count only good answers.")
    over = list(dict.fromkeys(r.target.key for r in results if r.bound_rps and r.rps > _allowed(r)))
    if over:
        notes.append(f"Above the physical bound for {', '.join(over)}: do not trust these figures.")
    return notes


def client_failure(results: list[LevelResult]) -> str | None:
    """Why these runs measured the load client rather than the servers, or None when they did not.

    A load client that could not open its connections (out of file descriptors or local ports)
    never ran at the concurrency asked, and one that used a full core of CPU may have been slower
    than the servers; either way no comparison can be drawn from it, however many answers arrived.
    """
    failed = [r for r in results if r.load.client_errors]
    if failed:
        kinds = dict.fromkeys(kind for r in failed for kind in r.load.client_errors)
        counts = ", ".join(f"{sum(r.load.client_errors.values()):,} for {r.target.key}" for r in failed)
        limit = next((r.load.fd_limit for r in failed if r.load.fd_limit), None)
        now = f" (now {limit:,})" if limit and "emfile" in kinds else ""
        fix = f"raise `ulimit -n`{now} or lower the concurrency"
        return (
            f"the load client itself failed to connect: {'; '.join(CLIENT_ERRORS[k] for k in kinds)} "
            f"({counts}), so fewer connections than asked were open; {fix}"
        )
    bound = list(dict.fromkeys(r.target.key for r in results if r.load.client_bound))
    if bound:
        return (
            f"the load client used a full core of CPU for {', '.join(bound)}, so it may have been slower than "
            "the server: the rates measure the client; lower the load or use --engine wrk"
        )
    return client_behind(results)


def too_short(results: list[LevelResult]) -> str | None:
    """Why these closed-loop runs cannot be compared: a request took about as long as the window, so each
    connection got fewer than :data:`MIN_ANSWERS` answers in it (at c=100 on /cpu a request waits for the
    99 before it); or None."""
    short = list(
        dict.fromkeys(
            r.target.key for r in results if r.mode == "closed" and r.load.requests < MIN_ANSWERS * r.concurrency
        )
    )
    if not short:
        return None
    return (
        f"the window held fewer than {MIN_ANSWERS} answers per connection for {', '.join(short)}, so each request "
        "took about as long as the window and the count measures its edges; use a longer --duration or a "
        "lower concurrency"
    )
