"""The load process: ``python -m explorer.bench.loadprocess CONFIG_JSON`` streams JSON lines on stdout.

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
from typing import Any

from explorer.bench.engine import run_builtin
from explorer.bench.external import run_external
from explorer.bench.openloop import run_open
from explorer.runtime.child.procs import die_with_parent


def emit(event: dict[str, Any]) -> None:
    """One JSON line on stdout, flushed at once: the caller reads progress as it happens."""
    sys.stdout.write(json.dumps(event, separators=(",", ":")) + "\n")
    sys.stdout.flush()


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    config: dict[str, Any] = json.loads(args[0])
    die_with_parent(int(config["parent"]), signal.SIGTERM)  # SIGTERM: the handler also ends wrk/oha
    emit({"event": "started", "pid": os.getpid(), "engine": config["engine"]})
    try:
        if config["engine"] == "builtin" and config.get("rate"):
            result = asyncio.run(run_open(config, emit))
        elif config["engine"] == "builtin":
            result = run_builtin(config, emit)
        else:
            result = run_external(config, emit)
    except Exception as exc:  # noqa: BLE001 - reported to the caller as one line, never a traceback
        emit({"event": "error", "message": f"{type(exc).__name__}: {exc}"})
        return 1
    emit({"event": "result", **result})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
