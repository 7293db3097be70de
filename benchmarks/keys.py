"""How long each key the README and the docs name takes to a settled screen, in the real app in a pty.

The real app runs in a pseudo-terminal (80x24 unless ``--size``), as a user runs it. Once its servers
answer, Enter sends the first sample (the keyboard goes to the answers), then each key is pressed in turn:
the tab keys 1-5, ``a`` (the other answer: at 80 columns one answer shows at a time), ``z`` (zoom, and again
to restore), each screen's key (``t g d p c w`` and ``f1``) and Escape back from it, Escape from the answers
to the list, and last ctrl+q. A key's time runs from writing it to the pty to the last byte the app draws
before ``--quiet`` seconds without a byte (the screen has settled); a key that draws nothing within 5 s
fails the run, as a key that does nothing would. Quitting is timed to the process's exit.

    .venv/bin/python benchmarks/keys.py [--rounds 3] [--size 80x24] [--quiet 0.15]

Target: each key at most 100 ms on an idle machine, quitting at most 0.5 s.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.ptyapp import PtyApp

ENTER, ESCAPE, F1, CTRL_Q = b"\r", b"\x1b", b"\x1bOP", b"\x11"
KEY_TARGET_MS, QUIT_TARGET_MS = 100, 500
SCREENS = {"t": "table", "g": "which first?", "d": "docs", "p": "lab", "c": "parity", "w": "WebSockets"}


def settled(app: PtyApp, key: bytes, quiet: float) -> float:
    """Write ``key``; milliseconds until the last byte drawn before ``quiet`` seconds of silence."""
    app.pump(0)  # whatever was still on its way belongs to the key before
    before = len(app.output)
    pressed = time.monotonic()
    app.write(key)
    deadline = pressed + 5
    while len(app.output) == before:
        if time.monotonic() > deadline:
            raise SystemExit(f"key {key!r} drew nothing within 5 s")
        app.pump(0.005)
    last, drawn = time.monotonic(), len(app.output)
    while time.monotonic() - last < quiet:
        app.pump(0.005)
        if len(app.output) != drawn:
            last, drawn = time.monotonic(), len(app.output)
    return (last - pressed) * 1000


def quiet_down(app: PtyApp, quiet: float) -> None:
    """Let the app finish whatever it was drawing (a send, a server's start) before the next key."""
    last, drawn = time.monotonic(), len(app.output)
    while time.monotonic() - last < quiet:
        app.pump(0.01)
        if len(app.output) != drawn:
            last, drawn = time.monotonic(), len(app.output)


def one_round(app: PtyApp, quiet: float) -> dict[str, float]:
    """Every key once, from the main view with the keyboard in the answers; the times by row name."""
    times: dict[str, float] = {}
    for tab in "23451":
        times[f"{tab}  {('Body', 'Headers', 'Validation', 'Code', 'Log')[int(tab) - 1]} tab"] = settled(
            app, tab.encode(), quiet
        )
    times["a  other answer"] = settled(app, b"a", quiet)
    settled(app, b"a", quiet)
    times["z  zoom"] = settled(app, b"z", quiet)
    times["z  restore"] = settled(app, b"z", quiet)
    for key, name in [*SCREENS.items(), ("f1", "help")]:
        times[f"{key:2} {name}"] = settled(app, F1 if key == "f1" else key.encode(), quiet)
        times[f"esc from {name}"] = settled(app, ESCAPE, quiet)
    times["esc answers to list"] = settled(app, ESCAPE, quiet)
    settled(app, ENTER, quiet * 2)  # the sample again, and the keyboard back to the answers
    quiet_down(app, quiet * 2)
    return times


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
    print(f"{'key':24} {'median':>8} {'max':>8}  target {KEY_TARGET_MS} ms")
    slow = []
    for name in rounds[0]:
        values = [r[name] for r in rounds]
        median = statistics.median(values)
        mark = "" if median <= KEY_TARGET_MS else "  slow"
        slow += [name] if mark else []
        print(f"{name:24} {median:6.0f} ms {max(values):5.0f} ms{mark}")
    mark = "" if quit_ms <= QUIT_TARGET_MS else "  slow"
    print(f"{'ctrl+q quit (to exit)':24} {quit_ms:6.0f} ms {'':8}  target {QUIT_TARGET_MS} ms{mark}")
    print(f"{len(slow) + bool(mark)} over target" + (f": {', '.join(slow)}" if slow else ""))


if __name__ == "__main__":
    main()
