"""Ended at any point of its start, the explorer leaves no process behind; a quit during the start ends it at once.

``EXPLORER_TEST_PAUSE`` (:func:`explorer.runtime.servers.kept.pause_point`) stops the start at a named point and
says so on stderr, so each case ends the process exactly there, without sleeps: ``spawn`` (no keeper yet),
``spawned`` (a keeper runs, its answer not read: it may not have read its command yet), ``started`` (the server
process runs, importing its app) and ``ready`` (it answers). Endings: SIGKILL, ``os._exit`` at the point (as a
profiling harness ends the app), SIGTERM (the app's quit) and SIGHUP (the terminal gone). Every process the
explorer starts gets ``TMPDIR`` (one of the shell variables every child is given), set here to a folder of the
test's own: the processes carrying it are this run's, whoever their parent is now, and none may be left.

Cost: six starts, each ended before or just as its servers answer (~4 s of CPU in all, ~12 s of wall time).
The three app cases ended by SIGTERM or SIGHUP failed before the fix in :meth:`explorer.tui.lifecycle.Lifecycle.boot`
(the start went on after the quit, and the quit waited for it: for ever here, 5 s for a hang-up).
"""

from __future__ import annotations

import contextlib
import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from explorer.runtime.servers.kept import PAUSE
from tests.ptyapp import PtyApp

ENDED_WITHIN = 4.0  # seconds from the signal to the app's exit (a quit stops servers that have not even started)
GONE_WITHIN = 5.0  # seconds from the app's exit until nothing it started is left
CASES = [
    ("app", "spawn", "SIGTERM"),
    ("app", "spawned", "SIGTERM"),
    ("app", "started", "SIGHUP"),
    ("app", "ready", "exit"),
    ("send", "spawned", "SIGKILL"),
    ("send", "started", "SIGTERM"),
]


def marked(marker: str) -> list[str]:
    """The processes (PID and command line) whose environment holds ``TMPDIR=marker``."""
    wanted = f"TMPDIR={marker}".encode()
    found = []
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open(f"/proc/{name}/environ", "rb") as file:
                    if wanted not in file.read().split(b"\0"):
                        continue
                with open(f"/proc/{name}/cmdline", "rb") as file:
                    command = file.read().replace(b"\0", b" ").decode(errors="replace")
                found.append(f"{name} {command[:200]}")
            except OSError:  # gone, or not ours to read
                pass
    return found


def left_after(marker: str, timeout: float) -> list[str]:
    """What still carries ``marker`` once ``timeout`` seconds have passed with some of it left (polled)."""
    deadline = time.monotonic() + timeout
    while (left := marked(marker)) and time.monotonic() < deadline:
        time.sleep(0.05)
    return left


class Send:
    """``explorer send GET /`` (both demo servers), its stderr read for the pause marker."""

    def __init__(self, env: dict[str, str]) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "explorer", "send", "GET", "/"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env={**os.environ, **env},
        )
        self.output = b""

    def pump(self, seconds: float = 0.05) -> None:
        assert self.proc.stderr is not None
        if select.select([self.proc.stderr], [], [], seconds)[0]:
            self.output += os.read(self.proc.stderr.fileno(), 65536)

    def cleanup(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        assert self.proc.stderr is not None
        self.proc.stderr.close()


def wait_paused(run: PtyApp | Send, point: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while f"explorer-paused: {point}".encode() not in run.output:
        ended = run.proc.poll() is not None
        run.pump()
        assert not ended or f"explorer-paused: {point}".encode() in run.output, f"it ended before {point!r}"
        assert time.monotonic() < deadline, f"the start never reached {point!r}"


@pytest.mark.parametrize(("front", "point", "ending"), CASES)
def test_ended_at_a_point_of_its_start_the_explorer_leaves_nothing(
    tmp_path: Path, front: str, point: str, ending: str
) -> None:
    marker = str(tmp_path)
    env = {"TMPDIR": marker, PAUSE: point + (":exit" if ending == "exit" else "")}
    run: PtyApp | Send = PtyApp(env=env) if front == "app" else Send(env)
    try:
        wait_paused(run, point)
        if ending != "exit":
            run.proc.send_signal(getattr(signal, ending))
        deadline = time.monotonic() + ENDED_WITHIN
        while run.proc.poll() is None:  # the terminal read meanwhile: an app that cannot write cannot end either
            assert time.monotonic() < deadline, f"{front}: still running {ENDED_WITHIN} s after {ending} at {point!r}"
            run.pump()
    finally:
        run.cleanup()
    left = left_after(marker, GONE_WITHIN)
    for line in left:  # a failing run must not leave its servers to the next test
        with contextlib.suppress(psutil.Error):
            psutil.Process(int(line.split()[0])).kill()
    assert left == [], f"left {GONE_WITHIN} s after the end at {point!r} by {ending}"
