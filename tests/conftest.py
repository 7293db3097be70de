"""Shared fixtures: real demo servers on loopback, started once per test session.

The servers run in a background event loop on a thread that lives for the whole session (a
parent-death signal is tied to the spawning thread), and tests talk to them synchronously.

Tests marked ``serverless`` (``make test-fast`` runs them) start no server and no process: a test
so marked that asks for a server fixture is refused at collection, and one that listens on a socket
or starts a process fails, so the mark cannot drift from the truth.
"""

from __future__ import annotations

import asyncio
import gc
import os
import socket
import subprocess
import threading
import tracemalloc
import warnings
from collections.abc import Callable, Coroutine, Iterator
from typing import Any, TypeVar

import psutil
import pytest
from werkzeug.serving import make_server

from explorer.apps.bundled import demo_spec
from explorer.runtime.http.client import Exchange
from explorer.runtime.http.request import RequestSpec
from explorer.runtime.session import Session
from tests.apps.echo_app import app as echo_app
from tests.file_times import Recorder, file_times, slowest_first

T = TypeVar("T")

# Garbage collection in a test process: a young generation of 10,000 objects (Python's default is 700). A worker holds
# about a million objects (the modules, the apps a file starts), and each Textual app leaves enough behind that
# Python's full collection (150 ms at that size) ran every test or two: 38 full collections, 5.6 s of the 28.7 s of
# CPU that test_tab_row, test_tui and test_focus_keys took in one process; with this, one (0.4 s), and the three
# files took 23.7 s (2026-12-07, load 5-8). Full collections still come, every million objects made rather than
# every 70,000, so a worker's memory stays bounded (1.0 million objects after those files against 0.9). The app
# itself keeps Python's defaults: `explorer` is never run through this file.
gc.set_threshold(10_000, 10, 10)

SERVER_FIXTURES = {"live", "live_gunicorn", "echo_url", "loop_thread"}


def pytest_configure(config: pytest.Config) -> None:
    """``FILE_TIMES_WRITE=1``: the run's seconds per file written to tests/file_times.txt (in the controller, which
    sees every worker's reports)."""
    if os.environ.get("FILE_TIMES_WRITE") and not hasattr(config, "workerinput"):
        config.pluginmanager.register(Recorder(), "file-times")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    slowest_first(items, file_times())  # the order files reach xdist's workers (tests/file_times.py)
    wrong = [
        item.nodeid
        for item in items
        if item.get_closest_marker("serverless") and SERVER_FIXTURES & set(getattr(item, "fixturenames", ()))
    ]
    if wrong:
        raise pytest.UsageError(f"marked serverless but asks for a server: {', '.join(wrong)}")


@pytest.fixture(autouse=True)
def _serverless_starts_nothing(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """A test marked ``serverless`` fails if it listens on a socket or starts a process."""
    if request.node.get_closest_marker("serverless") is None:
        return

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("this test is marked serverless but starts a server or a process")

    monkeypatch.setattr(socket.socket, "listen", refuse)
    monkeypatch.setattr(subprocess.Popen, "__init__", refuse)


def _collected_warnings(generation: int) -> list[str]:
    """What the collector's finalizers warned while freeing garbage (an unclosed socket, file, transport, event loop,
    a coroutine never awaited), one text each, with where the object was made when tracemalloc runs.

    ``warnings.catch_warnings`` is process-wide before Python 3.14: it recorded every thread's warnings, so one from
    a server's or a loop's thread during the collection failed the test being checked. Only this thread's count
    (the collection runs the finalizers in the thread that calls it)."""
    caught: list[warnings.WarningMessage] = []
    collector = threading.get_ident()
    elsewhere = warnings._showwarnmsg_impl  # type: ignore[attr-defined]  # CPython's, not in typeshed

    def show(message: warnings.WarningMessage) -> None:
        """A finalizer's warning, run in this thread; another thread's goes where it went before (pytest's record
        of the test, stderr). The filters are the process's: that thread's warnings are shown always meanwhile."""
        (caught.append if threading.get_ident() == collector else elsewhere)(message)

    with warnings.catch_warnings(record=True):  # the filters, showwarning and this hook put back on exit
        warnings.simplefilter("always")
        warnings._showwarnmsg_impl = show  # type: ignore[attr-defined]  # what record=True sets, per thread here
        gc.collect(generation)
    found = []
    for warning in caught:
        made = tracemalloc.get_object_traceback(warning.source) if warning.source is not None else None
        where = "\n".join(made.format()) if made else "(run with PYTHONTRACEMALLOC=25 to see where it was made)"
        found.append(f"{warning.category.__name__}: {warning.message}\n{where}")
    return found


_LEAK_GENERATION = 2 if os.environ.get("LEAK_CHECK") == "full" else 1


@pytest.fixture(autouse=True)
def _a_leak_fails_the_test_that_made_it() -> Iterator[None]:
    """An unclosed socket freed by the garbage collector warns (an error here) in whatever test runs when the
    collector comes, in this worker's order: an innocent test failed so. After each test the young generations are
    collected, where a short test's garbage still is: a leak there fails its own test, for a few ms a test (0.2 s of
    CPU over 42 tests of app runs, against 19-20 s for those tests, load 4, 2026-12-07). What a long test left has
    moved on to the old generation, which only a full collection walks: 0.28 s at a worker's 440,000 objects, even
    with no garbage, a minute of CPU over the suite's 1,165 tests (per file, 97 files: 27 s, 6% of the suite's CPU).
    ``LEAK_CHECK=full`` asks for that full collection after each test, to find which test left what (with
    ``PYTHONTRACEMALLOC=25``, where it was made)."""
    yield
    found = _collected_warnings(_LEAK_GENERATION)
    if found:
        pytest.fail("this test left unclosed (freed by the garbage collector):\n" + "\n".join(found), pytrace=False)


class LoopThread:
    """An event loop on its own thread; :meth:`run` waits for a coroutine from sync test code."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="test-loop", daemon=True)
        self.thread.start()

    def run(self, coro: Coroutine[Any, Any, T], timeout: float = 60) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)
        self.loop.close()


class LiveServers:
    """A started :class:`Session` driven from synchronous tests."""

    def __init__(self, loop: LoopThread, session: Session) -> None:
        self.loop = loop
        self.session = session

    def send(self, spec: RequestSpec, frameworks: list[str] | None = None, burst: int = 1) -> dict[str, Exchange]:
        return self.loop.run(self.session.send(spec, frameworks, burst))

    def pids(self) -> list[int]:
        return [s.status.pid for s in self.session.supervisor if s.status.pid]


@pytest.fixture(scope="session")
def loop_thread() -> Iterator[LoopThread]:
    loop = LoopThread()
    yield loop
    loop.close()


@pytest.fixture(scope="session")
def echo_url() -> Iterator[str]:
    """The echo app (``tests/apps/echo_app.py``) on Werkzeug in a thread of this process: what its parsers found."""
    server = make_server("127.0.0.1", 0, echo_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(5)


# The session's servers answer health probes for the whole run; at the app's pace (every 0.5 s, to notice a hang
# within 3 s) an idle pair cost ~9 ms of CPU a second, servers and this process, against ~4.4 probed every 5 s
# (20 s idle each way, load 10, 2026-12-07): a few seconds of a worker's run. No test of these servers times a hang
# (test_faults.py starts its own), and the probe still runs (test_bench.py checks it resumes after a lab run).
SHARED_PROBE_INTERVAL = 5.0


def _live(loop_thread: LoopThread, flask_server: str) -> Iterator[LiveServers]:
    session = Session([demo_spec("flask", flask_server), demo_spec("fastapi")], timeout=10)
    loop_thread.run(session.start())
    for server in session.supervisor:
        server.probe_interval = SHARED_PROBE_INTERVAL
    try:
        yield LiveServers(loop_thread, session)
    finally:
        loop_thread.run(session.stop())


@pytest.fixture(scope="session")
def live(loop_thread: LoopThread) -> Iterator[LiveServers]:
    """Flask on the Werkzeug dev server and FastAPI on uvicorn."""
    yield from _live(loop_thread, "dev")


@pytest.fixture(scope="session")
def live_gunicorn(loop_thread: LoopThread) -> Iterator[LiveServers]:
    """Flask on gunicorn (gthread) and FastAPI on uvicorn."""
    yield from _live(loop_thread, "gunicorn")


async def until(predicate: Callable[[], bool], timeout: float = 5.0, every: float = 0.01) -> None:
    """Poll a condition until it holds; fails the test if it never does. A readiness check, not a sleep."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"condition not met within {timeout} s")
        await asyncio.sleep(every)


def alive(pids: list[int]) -> list[int]:
    """Those of ``pids`` that still run (zombies count as gone)."""
    result = []
    for pid in pids:
        try:
            if psutil.Process(pid).status() != psutil.STATUS_ZOMBIE:
                result.append(pid)
        except psutil.NoSuchProcess:
            pass
    return result


def family(pid: int) -> list[int]:
    """A process and all its descendants, e.g. a gunicorn master and its workers."""
    try:
        proc = psutil.Process(pid)
        return [pid, *(child.pid for child in proc.children(recursive=True))]
    except psutil.NoSuchProcess:
        return []


def wait_gone(pids: list[int], timeout: float = 10) -> list[int]:
    """Wait (by polling process state, not sleeping blindly) until none of ``pids`` runs."""
    procs = []
    for pid in pids:
        try:
            procs.append(psutil.Process(pid))
        except psutil.NoSuchProcess:
            pass
    _, still = psutil.wait_procs(procs, timeout=timeout)
    return alive([p.pid for p in still])
