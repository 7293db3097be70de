"""However the app ends, no server survives it: every exit path, counted by PID (EXIT_RUNS repeats each).

EXIT_RUNS sets the number of runs per path (default 1 in the suite, which keeps it under its time budget;
docs/reliability.md quotes 20).

What ends the servers is the app's and the keepers' doing, whatever the servers run: the usual quit (ctrl+q) runs the
demos, on each Flask server; the other paths run the small pair of tests/apps/parity_{flask,fastapi}.py (the same
servers, Werkzeug or gunicorn and uvicorn, each under its keeper): ~0.7 s of CPU less a start than the demos, the
whole process tree counted.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable
from pathlib import Path

import psutil
import pytest

from tests.conftest import wait_gone
from tests.ptyapp import PtyApp

SMALL_PAIR = (
    "--app-dir",
    str(Path(__file__).parent / "apps"),
    "--flask",
    "parity_flask:app",
    "--fastapi",
    "parity_fastapi:app",
)
RUNS = int(os.environ.get("EXIT_RUNS", "1"))

PATHS: dict[str, Callable[[PtyApp], None]] = {
    "ctrl+q": lambda app: app.write(b"\x11"),
    "ctrl+c": lambda app: app.write(b"\x03"),
    "SIGTERM": lambda app: app.proc.send_signal(signal.SIGTERM),
    "SIGINT": lambda app: app.proc.send_signal(signal.SIGINT),
    "SIGHUP": lambda app: app.proc.send_signal(signal.SIGHUP),
    "terminal closed": lambda app: app.close_terminal(),
    "SIGKILL": lambda app: app.proc.send_signal(signal.SIGKILL),
    "exception in the app": lambda app: None,  # EXPLORER_TEST_CRASH makes the app raise once ready
}


# Every path with the dev server; with gunicorn (master plus workers) the paths whose mechanism differs.
CASES = [("dev", path) for path in PATHS] + [("gunicorn", path) for path in ("ctrl+q", "SIGKILL", "terminal closed")]


@pytest.mark.parametrize(("flask_server", "path"), CASES)
def test_no_server_survives(flask_server: str, path: str) -> None:
    survivors = 0
    env = {"EXPLORER_TEST_CRASH": "1"} if path == "exception in the app" else None
    for _ in range(RUNS):
        apps = () if path == "ctrl+q" else SMALL_PAIR
        app = PtyApp("--flask-server", flask_server, *apps, env=env)
        try:
            pids = app.server_pids()
            assert len(pids) >= 2
            PATHS[path](app)
            assert app.wait_exit() is not None, "the app did not exit"
            survivors += len(wait_gone(pids, timeout=5))
        finally:
            app.cleanup()
    assert survivors == 0


def test_a_closed_terminal_ends_the_app_even_without_sighup() -> None:
    """Under `make run` make leads the session and waits: closing the terminal signals nobody else.

    Before, the app and both servers ran on for ever after the terminal window was closed (the input
    thread spinning on end-of-file); now the app notices its terminal is gone and stops everything.
    """
    app = PtyApp(*SMALL_PAIR, under_make=True)
    try:
        pids = app.server_pids()
        app.close_terminal()
        assert app.wait_exit(10) is not None, "the app ran on after its terminal closed"
        assert wait_gone(pids, timeout=5) == []
    finally:
        app.cleanup()


def settled_threads(app: PtyApp, quiet: float = 0.6, timeout: float = 10.0) -> int:
    """The app's thread count once it has not changed for ``quiet`` seconds: just after the servers are up, short-lived
    threads come and go for about half a second (6, 7, 8, then 6 again), and a count taken among them proves nothing."""
    process = psutil.Process(app.proc.pid)
    count, since, deadline = process.num_threads(), time.monotonic(), time.monotonic() + timeout
    while time.monotonic() - since < quiet and time.monotonic() < deadline:
        app.pump(0.05)
        now = process.num_threads()
        if now != count:
            count, since = now, time.monotonic()
    return count


def test_ctrl_q_quits_after_sigstop_and_sigcont() -> None:
    """Stopped and continued from outside, the app keeps one input thread and still quits at once.

    Textual 8.2.8 started a second input thread (and writer) on every SIGCONT; the two raced for
    stdin and quitting waited for the one blocked in a read: ctrl+q hung in 2 of 8 trials here.
    """
    for _ in range(RUNS):
        app = PtyApp(*SMALL_PAIR)
        try:
            pids = app.server_pids()
            threads = settled_threads(app)
            app.proc.send_signal(signal.SIGSTOP)
            app.proc.send_signal(signal.SIGCONT)
            for key in (b"\x1b[B", b"\x1b[A", b"\x1b[B"):  # keys after the SIGCONT, as a user would type
                app.write(key)
                app.pump(0.15)
            assert settled_threads(app) <= threads  # no second input thread
            app.write(b"\x11")
            assert app.wait_exit(5) == 0, "ctrl+q did not quit after SIGSTOP and SIGCONT"
            assert b"Event loop is closed" not in app.output
            assert wait_gone(pids, timeout=5) == []
        finally:
            app.cleanup()
