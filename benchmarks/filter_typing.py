"""Does the sample list keep up with typing? A title typed into the list of the real app, at a typist's pace.

The real app runs in a pseudo-terminal (160x48), as a user runs it. Once its servers answer, the
script types a sample's title on the list, one key every ``--gap`` seconds (60 ms: a fast typist),
and reads what the app draws. It reports how long after the last key the app stopped drawing (the
lag a user waits through, watching a stale list and preview meanwhile), and the whole time from the
first key; it fails unless the preview showed the typed sample's claim. A lag of a few tens of
milliseconds means each key is handled before the next one comes.

    .venv/bin/python benchmarks/filter_typing.py [--title "The protected route with the token"] [--rounds 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from explorer.content.catalog import SAMPLES
from tests.ptyapp import PtyApp

DEFAULT_TITLE = "The protected route with the token"  # 34 characters
ESCAPE, BACKSPACE = b"\x1b", b"\x7f"


def settle(app: PtyApp, seconds: float) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.pump(0.02)


def one_round(app: PtyApp, title: str, claim: bytes, gap: float) -> tuple[float, float]:
    """(lag after the last key, time from the first key) until the preview names the typed sample, in ms."""
    app.output = b""
    started = time.monotonic()
    for char in title:
        app.write(char.encode())
        end = time.monotonic() + gap
        while time.monotonic() < end:
            app.pump(end - time.monotonic())
    last_key = time.monotonic()
    deadline = last_key + 30
    while claim not in app.output:
        if time.monotonic() > deadline:
            raise SystemExit(f"the preview never showed {title!r}: the list picked another sample")
        app.pump(0.005)
    quiet = 0.2  # the app has drawn everything once it has drawn nothing for this long
    drawn = len(app.output)
    last_draw = time.monotonic()
    while time.monotonic() - last_draw < quiet:
        app.pump(0.01)
        if len(app.output) != drawn:
            drawn, last_draw = len(app.output), time.monotonic()
    return (last_draw - last_key) * 1000, (last_draw - started) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--title", default=DEFAULT_TITLE)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--gap", type=float, default=0.06, help="seconds between two keys")
    args = parser.parse_args()
    sample = next((s for s in SAMPLES if s.title == args.title), None)
    if sample is None:
        raise SystemExit(f"no sample is titled {args.title!r}")
    claim = sample.claim[:20].encode()
    app = PtyApp()
    try:
        app.server_pids()
        settle(app, 1.0)
        lags, totals = [], []
        for _ in range(args.rounds):
            lag, total = one_round(app, args.title, claim, args.gap)
            lags.append(lag)
            totals.append(total)
            app.write(ESCAPE)  # clears the filter
            settle(app, 1.0)
        typing = len(args.title) * args.gap * 1000
        print(
            f"{len(args.title)} keys, one every {args.gap * 1000:.0f} ms ({typing:.0f} ms of typing), "
            f"{args.rounds} rounds:"
        )
        print(
            f"  the screen settled {statistics.median(lags):.0f} ms after the last key (median; "
            f"rounds {', '.join(f'{x:.0f}' for x in lags)}), {statistics.median(totals):.0f} ms after the first"
        )
    finally:
        app.cleanup()


if __name__ == "__main__":
    main()
