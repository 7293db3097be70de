"""What every command shares: one-line usage errors, the server options, and running a coroutine so
that Ctrl+C and SIGTERM stop the servers it started.

Every mistake in the arguments ends with one line on stderr and exit status 2.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from collections.abc import Callable, Coroutine
from typing import Any, NoReturn

__all__ = ["EXIT_USAGE", "OneLineParser", "add_server_options", "fail", "positive_int", "run_async", "seconds"]

EXIT_USAGE = 2


class OneLineParser(argparse.ArgumentParser):
    """argparse, but a usage mistake is one line on stderr, not a usage block."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see --help)\n")


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1 or value > 1000:
        raise argparse.ArgumentTypeError(f"must be between 1 and 1000, got {value}")
    return value


def seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not 0.1 <= value <= 300:
        raise argparse.ArgumentTypeError("must be between 0.1 and 300 seconds")
    return value


def add_server_options(parser: argparse.ArgumentParser, sub: bool = True) -> None:
    """Options that choose which servers run: shared by the app and every headless command.

    On a subcommand the defaults are suppressed, so ``explorer --flask-server gunicorn send ...``
    keeps the value given before the subcommand instead of resetting it. ``--flask-server`` left out
    is None, so the config file's ``server`` can apply (then the default, dev).
    """
    parser.add_argument("--flask-server", choices=("dev", "gunicorn"), default=argparse.SUPPRESS if sub else None,
                        help="Werkzeug dev server (what `flask run` gives) or gunicorn gthread (default: dev)")
    parser.add_argument("--timeout", type=seconds, default=argparse.SUPPRESS if sub else 5.0,
                        help="seconds to wait for an answer (default: 5)")


def fail(message: str) -> NoReturn:
    print(f"explorer: error: {message}", file=sys.stderr)
    raise SystemExit(EXIT_USAGE)


def run_async(make: Callable[[], Coroutine[Any, Any, int]]) -> int:
    """Run a coroutine so that Ctrl+C and SIGTERM cancel it (and its ``finally`` blocks stop servers)."""

    async def main() -> int:
        task = asyncio.current_task()
        loop = asyncio.get_running_loop()
        assert task is not None
        for sig in (signal.SIGTERM, signal.SIGHUP):
            loop.add_signal_handler(sig, task.cancel)
        return await make()

    try:
        return asyncio.run(main())
    except (KeyboardInterrupt, asyncio.CancelledError):
        print("explorer: interrupted; servers stopped", file=sys.stderr)
        return 130
