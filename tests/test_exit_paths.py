"""However the app ends, no server survives it: every exit path, run repeatedly, counted by PID.

EXIT_RUNS sets the number of runs per path (default 2 in the suite; the README quotes 20).
"""

from __future__ import annotations

import os
import signal
from collections.abc import Callable

import pytest

from tests.conftest import wait_gone
from tests.ptyapp import PtyApp

RUNS = int(os.environ.get("EXIT_RUNS", "2"))

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
        app = PtyApp("--flask-server", flask_server, env=env)
        try:
            pids = app.server_pids()
            assert len(pids) >= 2
            PATHS[path](app)
            assert app.wait_exit() is not None, "the app did not exit"
            survivors += len(wait_gone(pids, timeout=5))
        finally:
            app.cleanup()
    assert survivors == 0
