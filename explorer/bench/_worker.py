"""The load process: ``python -m explorer.bench._worker CONFIG_JSON`` streams JSON lines on stdout.

It runs in a process (and session) of its own so that generating load never competes with the
caller's event loop, and so that one ``killpg`` ends it together with a ``wrk`` or ``oha`` child.
It dies with its parent: a parent-death SIGTERM (Linux) whose handler kills the whole group, and a
watchdog thread for when that signal is not available.

Lines written, one JSON object each: ``{"event": "started", ...}``, ``{"event": "progress", ...}``
every ``interval`` seconds, then ``{"event": "result", ...}`` or ``{"event": "error", "message"}``.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
import threading
import time
from typing import Any

from explorer.bench.engine import run_builtin
from explorer.bench.external import run_external

_PR_SET_PDEATHSIG = 1


def _kill_group(*_: object) -> None:
    """End this process and everything it started (wrk, oha) at once."""
    try:
        os.killpg(os.getpgid(0), signal.SIGKILL)
    finally:
        os._exit(70)


def die_with_parent(parent: int) -> None:
    """SIGTERM us when the spawning thread dies; the handler takes our whole group down."""
    signal.signal(signal.SIGTERM, _kill_group)
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:
        _kill_group()

    def watch() -> None:
        while True:
            time.sleep(0.5)
            if os.getppid() != parent:
                _kill_group()

    threading.Thread(target=watch, name="parent-watchdog", daemon=True).start()


def emit(event: dict[str, Any]) -> None:
    """One JSON line on stdout, flushed at once: the caller reads progress as it happens."""
    sys.stdout.write(json.dumps(event, separators=(",", ":")) + "\n")
    sys.stdout.flush()


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    config: dict[str, Any] = json.loads(args[0])
    die_with_parent(int(config["parent"]))
    emit({"event": "started", "pid": os.getpid(), "engine": config["engine"]})
    try:
        if config["engine"] == "builtin":
            result = asyncio.run(run_builtin(config, emit))
        else:
            result = run_external(config, emit)
    except Exception as exc:  # noqa: BLE001 - reported to the caller as one line, never a traceback
        emit({"event": "error", "message": f"{type(exc).__name__}: {exc}"})
        return 1
    emit({"event": "result", **result})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
