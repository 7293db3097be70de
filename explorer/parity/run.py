"""Running a suite against a started session: setup, every request in file order, teardown.

Requests are sent in file order, each to Flask then FastAPI, so a request that creates something
can be followed by one that reads it. Each app gets its own request: filled with the values
captured from its own earlier answers (:mod:`explorer.parity.template`) and its ``flask:`` /
``fastapi:`` overrides. With ``noise``, a safe request is sent a second time to each app and what
differs between an app's two answers is left out of the comparison (:mod:`explorer.parity.noise`).
"""

from __future__ import annotations

import asyncio
import functools
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from explorer.parity.compare import compare
from explorer.parity.declared import Expectation
from explorer.parity.differences import Difference
from explorer.parity.follow import follow
from explorer.parity.noise import SAFE_METHODS, find_noise
from explorer.parity.results import ParityReport, ParityResult
from explorer.parity.secrets import looks_secret
from explorer.parity.steps import CommandStep, StepResult, run_command
from explorer.parity.suite import ParityCase, ParityOptions, ParitySuite, Step
from explorer.parity.template import TemplateError, capture
from explorer.parity.tokens import Tokens, kind_of
from explorer.runtime.errors import RequestError
from explorer.runtime.frameworks import FRAMEWORKS, NAMES
from explorer.runtime.http.cookies import CookieJar

__all__ = ["RunState", "run_before_start", "run_case", "run_parity", "start_for_suite"]

ResultListener = Callable[[ParityResult], None]


@dataclass
class RunState:
    """What a run carries from one request to the next: each app's captured values and cookie jar.

    The jars are the run's own, empty at its start, as a CI run's are: a run in the app neither
    sends the cookies the user collected in the workbench nor changes them.
    """

    values: dict[str, dict[str, Any]] = field(default_factory=lambda: {fw: {} for fw in FRAMEWORKS})
    secret_names: set[str] = field(default_factory=set)
    jars: dict[str, CookieJar] = field(default_factory=lambda: {fw: CookieJar() for fw in FRAMEWORKS})
    tokens: Tokens = field(default_factory=Tokens)  # the port's captured values paired with Flask's, to read back

    def secrets(self) -> list[Any]:
        return [v[name] for v in self.values.values() for name in self.secret_names if name in v]


async def _exchanges(session: Any, case: ParityCase, state: RunState) -> dict[str, Any]:
    """Each app's filled request, sent; a request that cannot be filled is an exchange with an error."""
    from explorer.runtime.http.client import Exchange

    specs, problems = {}, {}
    for framework in FRAMEWORKS:
        try:
            specs[framework] = case.sides[framework].render(state.values[framework])
        except (TemplateError, RequestError) as exc:
            problems[framework] = f"not sent: {exc}"
    if problems:  # neither app gets it: the two must stay in step for the requests after this one
        return {
            fw: Exchange(
                fw,
                specs.get(fw, case.request),
                error=problems.get(fw, "not sent: the other app's request could not be filled"),
            )
            for fw in FRAMEWORKS
        }
    sent = {}
    for fw in FRAMEWORKS:
        sent[fw] = await session.send_one(fw, specs[fw], jar=state.jars[fw])
        if case.follow_redirects:  # curl -L: the final answer is compared
            sent[fw] = await follow(functools.partial(session.send_one, fw, jar=state.jars[fw]), sent[fw], specs[fw])
    return sent


async def run_case(
    session: Any,
    case: ParityCase,
    state: RunState,
    base: ParityOptions,
    file_expectations: Sequence[Expectation] = (),
    noise: bool = False,
) -> tuple[ParityResult, set[Expectation]]:
    """Send one case to both apps and compare; returns the result and the declarations it used.

    An app that answers 5xx (or not at all) says why in its log: the lines it printed meanwhile are kept.
    """
    marks = {fw: session.log_mark(fw) for fw in FRAMEWORKS}
    exchanges = await _exchanges(session, case, state)
    options = case.options(base)
    found_noise = None
    if noise and case.sides["flask"].method in SAFE_METHODS and not any(e.error for e in exchanges.values()):
        again = {fw: await session.send_one(fw, exchanges[fw].spec, jar=state.jars[fw]) for fw in FRAMEWORKS}
        found_noise = find_noise({fw: (exchanges[fw], again[fw]) for fw in FRAMEWORKS}, options.compare_headers)
    expectations = (*case.expectations, *file_expectations)
    captured, problems = _capture(case, exchanges, state)
    fastapi = exchanges["fastapi"] if options.compare_captured else state.tokens.back("fastapi", exchanges["fastapi"])
    # Off the event loop: a large answer takes a while to compare, and the app must keep drawing.
    found = await asyncio.to_thread(compare, case, exchanges["flask"], fastapi, options, expectations, found_noise)
    result = ParityResult(case, exchanges, found.differences, found.more, found.declared)
    result.noise = found_noise.listed() if found_noise else []
    result.captures = captured
    for framework, exchange in exchanges.items():
        if (exchange.status or 0) >= 500 or (exchange.error and not exchange.error.startswith("not sent")):
            result.logs[framework] = await session.log_since(framework, marks[framework])
    if problems:
        result.capture_problems = [f"{NAMES[fw]}: {p}" for fw, p in problems.items()]
        result.differences.append(Difference("error", "", problems.get("flask"), problems.get("fastapi")))
    result.secret_names = {c.name for caps in case.captures.values() for c in caps if c.secret}
    for framework, jar in state.jars.items():  # each app's cookies after this request
        if len(jar):
            result.cookies[framework] = [f"{c.name}={c.value}" for c in jar.cookies()]
    if result.outcome != "error":
        result.stale = [e for e in case.expectations if e not in found.used]
    return result, found.used


def _capture(
    case: ParityCase, exchanges: dict[str, Any], state: RunState
) -> tuple[dict[str, dict[str, Any]], dict[str, str]]:
    """Each app's captured values, kept for the requests after this one, and what could not be captured. A
    value both apps gave under one name (an id, a token) is paired, so that the port's answers are compared
    with its own values read back as Flask's (:meth:`Tokens.back`, as the mirror compares): its order 7 is
    Flask's order 1 in this answer's Location header and in every answer after it."""
    captured: dict[str, dict[str, Any]] = {}
    problems: dict[str, str] = {}
    for framework in FRAMEWORKS:
        if exchanges[framework].error:
            continue
        values, failed = capture(case.captures.get(framework, ()), exchanges[framework])
        state.values[framework].update(values)
        state.secret_names.update(c.name for c in case.captures.get(framework, ()) if c.secret)
        if values:
            captured[framework] = values
        if failed:
            problems[framework] = "capture " + "; ".join(failed)
    _pair(state, exchanges["flask"].spec.path, captured.get("flask", {}), captured.get("fastapi", {}))
    return captured, problems


def _pair(state: RunState, path: str, ours: dict[str, Any], theirs: dict[str, Any]) -> None:
    """Pair the values both apps gave under one name, from a request to ``path``: ids, and texts that look
    like tokens (a short text, "ok", is never swapped wherever it appears)."""
    for name in ours.keys() & theirs.keys():
        value, their = ours[name], theirs[name]
        if not isinstance(value, str) or (looks_secret(value) and isinstance(their, str) and looks_secret(their)):
            state.tokens.pair("fastapi", kind_of(path), value, their)


async def _step(session: Any, step: Step, phase: str, state: RunState) -> list[StepResult]:
    """One setup or teardown step, for each app it concerns."""
    if isinstance(step, CommandStep):
        servers = [session.server(fw) for fw in step.frameworks]  # each app's folder, interpreter and environment
        return [await run_command(step, server.spec, phase, server.log) for server in servers]
    exchanges = await _exchanges(session, step, state)
    results = []
    given: dict[str, dict[str, Any]] = {}
    for framework in FRAMEWORKS:
        exchange = exchanges[framework]
        if exchange.error:
            results.append(StepResult(phase, step.name, framework, False, exchange.error))
            continue
        values, failed = capture(step.captures.get(framework, ()), exchange)
        state.values[framework].update(values)
        given[framework] = values
        state.secret_names.update(c.name for c in step.captures.get(framework, ()) if c.secret)
        ok = not failed and (step.expect_status is None or exchange.status == step.expect_status)
        detail = f"{exchange.status} {exchange.reason}".strip()
        if step.expect_status is not None and exchange.status != step.expect_status:
            detail += f" (expected {step.expect_status})"
        if failed:
            detail += "; capture " + "; ".join(failed)
        results.append(StepResult(phase, step.name, framework, ok, detail))
    _pair(state, exchanges["flask"].spec.path, given.get("flask", {}), given.get("fastapi", {}))
    return results


async def run_steps(session: Any, steps: Sequence[Step], phase: str, state: RunState) -> list[StepResult]:
    """Steps in order; after a failed one the rest are not run (their state would be unknown)."""
    done: list[StepResult] = []
    for step in steps:
        outcome = await _step(session, step, phase, state)
        done += outcome
        if not all(s.ok for s in outcome):
            break
    return done


def _before_start(suite: ParitySuite, reset: bool) -> tuple[list[tuple[str, Step]], int, bool]:
    """The steps that run before the servers start, like ``--flask-setup``: the set-up commands before its
    first request (and, on ``reset``, the teardown first when it is only commands). Also how many set-up
    steps and whether the teardown that makes."""
    teardown = reset and all(isinstance(step, CommandStep) for step in suite.teardown)
    steps = [("reset", step) for step in suite.teardown] if teardown else []
    leading = 0
    while leading < len(suite.setup) and isinstance(suite.setup[leading], CommandStep):
        leading += 1
    return steps + [("setup", step) for step in suite.setup[:leading]], leading, teardown


async def run_before_start(session: Any, suite: ParitySuite, reset: bool = False) -> list[StepResult]:
    """Run the file's set-up commands where ``--*-setup`` runs, before the servers start (an app that makes
    its schema at import then finds the database the set-up left); hand the results to :func:`run_parity`."""
    done: list[StepResult] = []
    for phase, step in _before_start(suite, reset)[0]:
        outcome = await _step(session, step, phase, RunState())
        done += outcome
        if not all(s.ok for s in outcome):
            break
    return done


async def start_for_suite(session: Any, suite: ParitySuite | None, reset: bool = False) -> list[StepResult] | None:
    """Start the session's servers with the file's set-up commands run first, as ``--*-setup`` is: the one
    path of every front end. The command line's servers have not started yet; the app's are running, so
    those are stopped and started again as a restart does (their own set-up runs again, after the file's,
    as in a fresh run). With no command to run first, running servers are left as they are. Returns what
    ran before the start, for :func:`run_parity` (None: no file, so nothing ran)."""
    if suite is None:
        await session.start()
        return None
    if _before_start(suite, reset)[0]:
        running = [server for server in session.supervisor if server.status.state.running]
        await asyncio.gather(*(server.stop(fresh=True) for server in running))
    done = await run_before_start(session, suite, reset)
    await session.start()
    return done


async def run_parity(
    session: Any,
    suite: ParitySuite,
    options: ParityOptions | None = None,
    on_result: ResultListener | None = None,
    *,
    noise: bool = False,
    strict: bool = False,
    reset: bool = False,
    state: RunState | None = None,
    before_start: Sequence[StepResult] | None = None,
) -> ParityReport:
    """Send every case to both servers of a started :class:`~explorer.runtime.session.Session`.

    ``options`` (e.g. from the command line) are added to the file's own; ``on_result`` is called
    after each case, so a UI can show progress. ``reset`` runs the teardown steps before the setup
    ones, so a re-run against persistent state starts clean. The teardown runs after the suite
    even when the setup failed (the suite itself is then not run). ``before_start``:
    what :func:`run_before_start` did before the servers started (those steps are not run again).
    """
    base = (
        suite.options
        if options is None
        else suite.options.merged(
            options.ignore_keys, options.ignore_order or None, options.compare_headers, options.ignore_regex
        )
    )
    servers = {}
    for framework in FRAMEWORKS:
        server = session.server(framework)
        servers[framework] = {
            **server.spec.to_dict(),
            "base_url": server.status.base_url,
            "spawn_to_ready_ms": server.status.spawn_to_ready_ms,
        }
    report = ParityReport(
        suite.source,
        base,
        servers,
        started_at=datetime.now(UTC).isoformat(timespec="seconds"),
        noise=noise,
        strict=strict,
    )
    state = state if state is not None else RunState()
    report.state = state  # kept for re-sending one request later
    started = time.perf_counter()
    setup, teardown_done = suite.setup, False
    if before_start is not None:
        report.setup += before_start
        _, leading, teardown_done = _before_start(suite, reset)
        setup = suite.setup[leading:]
    if reset and not teardown_done and report.steps_ok:
        report.setup += await run_steps(session, suite.teardown, "reset", state)
    if report.steps_ok:
        report.setup += await run_steps(session, setup, "setup", state)
    used: set[Expectation] = set()
    if report.steps_ok:
        for case in suite.cases:
            result, case_used = await run_case(session, case, state, base, suite.expectations, noise)
            used |= case_used
            report.results.append(result)
            if on_result is not None:
                on_result(result)
        report.stale = [e for e in suite.expectations if e not in used]
    report.teardown += await run_steps(session, suite.teardown, "teardown", state)
    report.secrets = state.secrets()
    report.duration_ms = (time.perf_counter() - started) * 1000
    return report
