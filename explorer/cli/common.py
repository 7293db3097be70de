"""What every command shares: one-line usage errors, the server options, and running a coroutine so
that Ctrl+C and SIGTERM stop the servers it started.

Every mistake in the arguments ends with one line on stderr and exit status 2.
"""

from __future__ import annotations

import asyncio
import json
import re
import signal
import sys
from collections.abc import Callable, Coroutine, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TextIO

from explorer.runtime.userdata.bounded import printable

if TYPE_CHECKING:
    import argparse

__all__ = [
    "DEFAULT_TIMEOUT",
    "EXIT_USAGE",
    "add_server_options",
    "bad_value",
    "check_outputs",
    "cli_console",
    "fail",
    "positive_int",
    "print_json",
    "run_async",
    "say",
    "seconds",
]

EXIT_USAGE = 2
_SLICE = 1 << 20  # a string this long is handed to stdout in slices of this many characters
_JOIN = 1 << 16  # small pieces are joined until they hold this many
_C1 = re.compile("[\x7f-\x9f]")


DEFAULT_TIMEOUT = 5.0  # --timeout left out


def bad_value(message: str) -> Exception:
    """argparse's error for a value an option's type refuses: one usage line. argparse is loaded with a parser
    (:mod:`explorer.cli.parser`), which ``explorer`` with no argument never builds (issue 24: the first paint)."""
    import argparse

    return argparse.ArgumentTypeError(message)


PIPED_WIDTH = 140  # a file or a pipe with no COLUMNS: wide enough for every table whole


def cli_console() -> Any:
    """A Rich console as wide as the terminal, or as ``COLUMNS`` says (piped too), else, piped, 140."""
    import os

    from rich.console import Console

    console = Console()
    if not console.is_terminal and not os.environ.get("COLUMNS", "").strip().isdigit():
        console = Console(width=max(console.width, PIPED_WIDTH))
    return console


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise bad_value(f"not a whole number: {text!r}") from None
    if value < 1 or value > 1000:
        raise bad_value(f"must be between 1 and 1000, got {value}")
    return value


def seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise bad_value(f"not a number of seconds: {text!r}") from None
    if not 0.1 <= value <= 300:
        raise bad_value("must be between 0.1 and 300 seconds")
    return value


def ready_seconds(text: str) -> float:
    """``--ready-timeout``: up to 600 s, for apps whose start waits on a database or a model."""
    try:
        value = float(text)
    except ValueError:
        raise bad_value(f"not a number of seconds: {text!r}") from None
    if not 0.1 <= value <= 600:
        raise bad_value("must be between 0.1 and 600 seconds")
    return value


def add_server_options(parser: argparse.ArgumentParser, sub: bool = True) -> None:
    """Options that choose which servers run: shared by the app and every headless command.

    On a subcommand the defaults are suppressed, so ``explorer --flask-server gunicorn send ...``
    keeps the value given before the subcommand instead of resetting it. ``--flask-server`` left out
    is None, so the config file's ``server`` can apply (then the default, dev).
    """
    import argparse

    parser.add_argument(
        "--flask-server",
        choices=("dev", "gunicorn"),
        default=argparse.SUPPRESS if sub else None,
        help="Werkzeug dev server (what `flask run` gives) or gunicorn gthread (default: dev)",
    )
    parser.add_argument(
        "--timeout",
        type=seconds,
        default=argparse.SUPPRESS if sub else DEFAULT_TIMEOUT,
        help="seconds to wait for an answer (default: 5)",
    )
    parser.add_argument(
        "--ready-timeout",
        type=ready_seconds,
        default=argparse.SUPPRESS if sub else None,
        metavar="SECONDS",
        help="seconds each app has to answer after its start (default: 30, or the config file's ready_timeout)",
    )


class _Chunked:
    """Gathers the encoder's many small pieces and hands them to ``stream`` 64 KiB at a time.

    Small pieces are joined (a write per piece made a 16 MiB JSON answer three times slower); a long
    one is cut, so it is encoded a MiB at a time rather than copied whole into bytes.
    """

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.pieces: list[str] = []
        self.held = 0

    def write(self, text: str) -> None:
        if _C1.search(text):  # only inside strings: JSON escapes C0 itself, but not DEL or C1 (U+009B, the CSI)
            text = _C1.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
        if len(text) >= _SLICE:  # never joined: that would be one more whole copy
            self.flush()
            for start in range(0, len(text), _SLICE):
                self.stream.write(text[start : start + _SLICE])
            return
        self.pieces.append(text)
        self.held += len(text)
        if self.held >= _JOIN:
            self.flush()

    def flush(self) -> None:
        self.stream.write("".join(self.pieces))
        self.pieces.clear()
        self.held = 0


def print_json(document: Any, stream: TextIO | None = None) -> None:
    """``print(json.dumps(document, indent=2, ensure_ascii=False))``, written as it is encoded.

    The same document, without holding it whole (DEL and C1 characters written as ``\\u009b``, so none
    reaches a terminal live): a 16 MiB answer's body (with its escapes) made a
    document string, its pieces and its UTF-8 bytes all at once before.
    """
    out = _Chunked(stream or sys.stdout)
    json.dump(document, out, indent=2, ensure_ascii=False)
    out.write("\n")
    out.flush()


def say(line: str) -> None:
    """A line on stderr (``explorer: note: ...``): the server or file text it often quotes is shown, never live."""
    print(printable(line, keep="\n\t"), file=sys.stderr)


def note(text: str) -> None:
    """A note on stderr in the CLI's voice, ``explorer: note:`` and one sentence, wrapped at 80 columns between
    words (a path or a schema location is never broken), the lines after the first indented."""
    from textwrap import fill

    say(fill(f"explorer: note: {text}", 80, subsequent_indent="  ", break_long_words=False, break_on_hyphens=False))


def check_outputs(
    outputs: Iterable[tuple[str, str | Path | None]], inputs: Iterable[str | Path | None], force: bool
) -> None:
    """Before anything runs: each ``(option, path)`` to write must be a regular file or none, never one of the
    run's ``inputs``, and new unless ``force`` (:mod:`explorer.runtime.userdata.outfile`); else one line, exit 2."""
    from explorer.runtime.errors import ExplorerError
    from explorer.runtime.userdata.outfile import check_output

    inputs = list(inputs)
    chosen: dict[Path, str] = {}
    for option, path in outputs:
        if path is not None:
            try:
                target = check_output(path, option, inputs, force).absolute()
            except ExplorerError as exc:
                fail(str(exc))
            if target in chosen:
                fail(f"{option} and {chosen[target]} would both write {str(path)!r}; give each its own file")
            chosen[target] = option


def fail(message: str) -> NoReturn:
    say(f"explorer: error: {message}")
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
