"""How long each key the README and the docs name takes to a settled screen, in the real app in a pty.

The real app runs in a pseudo-terminal (80x24 unless ``--size``), as a user runs it. Once its servers
answer, Enter sends the first sample (the keyboard goes to the answers), then each key is pressed in turn:
the tab keys 1-5, ``a`` (the other answer: at 80 columns one answer shows at a time), ``z`` (zoom, and again
to restore), each screen's key (``t g d p c w m`` and ``f1``: every screen f1 lists) and Escape back from it,
Escape from the answers to the list, and last ctrl+q. Not timed: the keys that only toggle what the answers show
(``f b l``, ctrl+f, ctrl+b, ``/``), say something (``k x y``), restart a server (f5, ctrl+g: their time is the
server's start), write a file (ctrl+s) or open the palette (ctrl+p). A key's time runs from writing it to the pty to the last byte the app draws
before ``--quiet`` seconds without a byte (the screen has settled), with the CPU time the app spent
meanwhile (what a busy machine disturbs least, read in nanoseconds from ``/proc/<pid>/task/*/schedstat``);
a key that draws nothing within 5 s fails the run, as a key that does nothing would. The first round is also
reported on its own (``first``): it is the first opening of each screen, what a user meets first (the screens
are kept, so later rounds only show them again); a key is over target when its first or its median is. A cursor's blink is not
the key's work: a draw of one row that the same row, drawn again half a second before or after, shows to be
a blink (Textual's cursors blink every 0.5 s) does not end the key. Quitting is timed to the process's exit.

    .venv/bin/python benchmarks/keys.py [--rounds 3] [--size 80x24] [--quiet 0.15]

Target: each key at most 100 ms on an idle machine, quitting at most 0.5 s. Escape has a floor of 25 ms:
the app waits that long (``ESCDELAY``, Textual's 100 ms unless the app sets it) to tell the Escape key from the
start of an escape sequence.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.ptyapp import PtyApp

ENTER, ESCAPE, F1, CTRL_Q = b"\r", b"\x1b", b"\x1bOP", b"\x11"
KEY_TARGET_MS, QUIT_TARGET_MS = 100, 500
# Each screen's key, its name, a piece of text it draws at 80x24 (the key is timed until that text is in),
# and whether a field has the keyboard there (the first Escape leaves the field, the second the screen).
SCREENS = {
    "t": ("table", b"what each gives you", False),
    "g": ("which first?", b"Which should you learn first", False),
    "d": ("docs", b"generated from type hints", False),
    "p": ("lab", b"warm-up", False),
    "c": ("parity", b"Each request goes to both apps", False),
    "w": ("WebSockets", b"Enter sends it on both sockets", False),
    "m": ("mirror", b"mirror is stopped", False),
    "f1": ("help", b"Help: Main view", False),
}
_CSI = re.compile(rb"\x1b\[[0-9;?]*[A-Za-z]")  # cursor moves and colours, between the words a screen draws


_MOVE = re.compile(rb"\x1b\[(\d+);(\d+)H")  # a cursor move to a row and column
BLINK_S, BLINK_SLACK_S = 0.5, 0.06  # Textual's cursor blink period, and how late a loaded machine may draw it


def cpu_ms(app: PtyApp) -> float:
    """CPU milliseconds the app's threads have run, in nanoseconds (psutil's clock ticks are 10 ms)."""
    total = 0
    for stat in Path(f"/proc/{app.proc.pid}/task").glob("*/schedstat"):
        try:
            total += int(stat.read_text().split()[0])
        except (OSError, ValueError, IndexError):
            pass  # a thread that ended meanwhile
    return total / 1e6


def _one_row(burst: bytes) -> bytes | None:
    """The first cursor move of a small draw confined to one row (a blink's shape), else None; the last move
    is where the terminal's cursor rests, not a row drawn."""
    moves = _MOVE.findall(burst)
    return (
        moves[0][0] + b";" + moves[0][1]
        if moves and len(burst) < 400 and len({m[0] for m in moves[:-1]}) <= 1
        else None
    )


def _blinks(bursts: list[tuple[float, bytes]]) -> set[int]:
    """Indexes of the draws that are a cursor's blink: one row, drawn at the same place half a second apart."""
    places = [_one_row(burst) for _, burst in bursts]
    return {
        i
        for i, (at, _) in enumerate(bursts)
        if places[i] is not None
        and any(
            places[j] == places[i] and abs(abs(bursts[j][0] - at) - BLINK_S) < BLINK_SLACK_S for j in range(len(bursts))
        )
    }


def settled(
    app: PtyApp,
    key: bytes,
    quiet: float,
    cpu: dict[str, float] | None = None,
    name: str = "",
    marker: bytes = b"",
) -> float:
    """Write ``key``; milliseconds until the last byte drawn before ``quiet`` seconds of silence, and after
    ``marker`` (a screen that fetches before it opens draws a notice first).

    ``cpu[name]`` gets the CPU milliseconds the app spent meanwhile: the figure a busy machine disturbs least.
    """
    app.pump(0)  # whatever was still on its way belongs to the key before
    app.output = app.output[-1000:]
    before = len(app.output)
    started = cpu_ms(app)
    pressed = time.monotonic()
    app.write(key)
    deadline = pressed + 10
    while len(app.output) == before or marker not in _CSI.sub(b"", app.output[before:]):
        if time.monotonic() > deadline:
            shown = _CSI.sub(b"", app.output[before:])[-400:]
            raise SystemExit(f"key {key!r}: within 10 s the app drew {shown!r}, without {marker!r}")
        app.pump(0.005)
    bursts = [(time.monotonic(), app.output[before:])]  # each draw: when it came, its bytes
    last, drawn = bursts[0][0], len(app.output)
    while time.monotonic() - last < quiet:
        app.pump(0.005)
        if len(app.output) != drawn:
            last = time.monotonic()
            bursts.append((last, app.output[drawn:]))
            drawn = len(app.output)
    if cpu is not None:
        cpu[name] = cpu_ms(app) - started
    ended = len(bursts)
    if _one_row(bursts[-1][1]) is not None:  # perhaps a blink: its next one comes half a second later
        while time.monotonic() - last < BLINK_S + BLINK_SLACK_S:
            app.pump(0.005)
            if len(app.output) != drawn:
                bursts.append((time.monotonic(), app.output[drawn:]))
                drawn = len(app.output)
    blinks = _blinks(bursts)
    key_draws = [at for i, (at, _) in enumerate(bursts[:ended]) if i not in blinks or i == 0]
    return (key_draws[-1] - pressed) * 1000


def quiet_down(app: PtyApp, quiet: float) -> None:
    """Let the app finish whatever it was drawing (a send, a server's start) before the next key."""
    last, drawn = time.monotonic(), len(app.output)
    while time.monotonic() - last < quiet:
        app.pump(0.01)
        if len(app.output) != drawn:
            last, drawn = time.monotonic(), len(app.output)


def one_round(app: PtyApp, quiet: float) -> tuple[dict[str, float], dict[str, float]]:
    """Every key once, from the main view with the keyboard in the answers; wall and CPU times by row name."""
    times: dict[str, float] = {}
    cpu: dict[str, float] = {}

    def press(name: str, key: bytes, marker: bytes = b"") -> None:
        times[name] = settled(app, key, quiet, cpu, name, marker)

    for tab in "23451":
        press(f"{tab}  {('Body', 'Headers', 'Validation', 'Code', 'Log')[int(tab) - 1]} tab", tab.encode())
    press("a  other answer", b"a")
    settled(app, b"a", quiet)
    press("z  zoom", b"z")
    press("z  restore", b"z")
    for key, (name, marker, field) in SCREENS.items():
        press(f"{key:2} {name}", F1 if key == "f1" else key.encode(), marker)
        if field:
            press(f"esc from {name}'s field", ESCAPE)
        press(f"esc from {name}", ESCAPE)
    press("esc answers to list", ESCAPE)
    settled(app, ENTER, quiet * 2)  # the sample again, and the keyboard back to the answers
    quiet_down(app, quiet * 2)
    return times, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--size", default="80x24", help="COLUMNSxLINES")
    parser.add_argument("--quiet", type=float, default=0.15, help="seconds without a byte that end a key")
    args = parser.parse_args()
    columns, lines = (int(n) for n in args.size.split("x"))
    app = PtyApp(size=(columns, lines))
    try:
        app.server_pids()
        quiet_down(app, 0.5)
        settled(app, ENTER, args.quiet * 2)  # the first sample: the keyboard goes to the answers
        quiet_down(app, 0.5)
        rounds = [one_round(app, args.quiet) for _ in range(args.rounds)]
        pressed = time.monotonic()
        app.write(CTRL_Q)
        code = app.wait_exit(10)
        quit_ms = (time.monotonic() - pressed) * 1000
    finally:
        app.cleanup()
    if code is None:
        raise SystemExit("the app did not quit within 10 s of ctrl+q")
    print(f"{args.size}, {args.rounds} rounds, settled after {args.quiet * 1000:.0f} ms without a byte")
    print(f"{'key':24} {'first':>8} {'CPU':>8} {'median':>8} {'max':>8} {'CPU':>8}  target {KEY_TARGET_MS} ms")
    slow = []
    for name in rounds[0][0]:
        values = [times[name] for times, _ in rounds]
        first, median = values[0], statistics.median(values)
        mark = "" if max(first, median) <= KEY_TARGET_MS else "  slow" + (" (first)" if median <= KEY_TARGET_MS else "")
        slow += [name] if mark else []
        cpu = statistics.median(used[name] for _, used in rounds)
        print(
            f"{name:24} {first:5.0f} ms {rounds[0][1][name]:5.0f} ms {median:5.0f} ms {max(values):5.0f} ms"
            f" {cpu:5.0f} ms{mark}"
        )
    mark = "" if quit_ms <= QUIT_TARGET_MS else "  slow"
    print(f"{'ctrl+q quit (to exit)':24} {quit_ms:5.0f} ms {'':35}  target {QUIT_TARGET_MS} ms{mark}")
    print(f"{len(slow) + bool(mark)} over target" + (f": {', '.join(slow)}" if slow else ""))


if __name__ == "__main__":
    main()
