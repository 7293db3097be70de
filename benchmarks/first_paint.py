"""Start to first paint of the app, measured the way a user sees it: in a real pseudo-terminal.

For each run the script starts ``explorer`` (or a one-widget Textual app, as a baseline) in a
160x48 pty, records the time until the screen shows a known piece of text, then presses ctrl+q
and checks the process exits. It prints every run and the median.

    .venv/bin/python benchmarks/first_paint.py [--runs 10]

Target: the app's median under 0.5 s on the 2-core development machine.
"""

from __future__ import annotations

import argparse
import fcntl
import os
import select
import statistics
import struct
import subprocess
import sys
import termios
import time

BASELINE = (
    "from textual.app import App\nfrom textual.widgets import Static\n"
    "class A(App):\n    def compose(self):\n        yield Static('Routing and path parameters')\nA().run()\n"
)


def first_paint(argv: list[str], marker: bytes, timeout: float = 20.0) -> float:
    """Seconds from spawning ``argv`` in a pty to ``marker`` appearing in its output."""
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 48, 160, 0, 0))
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "160", "LINES": "48"}
    started = time.perf_counter()
    proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env=env, start_new_session=True)
    os.close(slave)
    seen = b""
    elapsed = None
    try:
        while time.perf_counter() - started < timeout:
            ready, _, _ = select.select([master], [], [], 0.5)
            if ready:
                try:
                    seen += os.read(master, 65536)
                except OSError:
                    break
                if marker in seen:
                    elapsed = time.perf_counter() - started
                    break
        os.write(master, b"\x11")  # ctrl+q
        deadline = time.perf_counter() + 10
        while proc.poll() is None and time.perf_counter() < deadline:
            if select.select([master], [], [], 0.1)[0]:
                try:
                    os.read(master, 65536)
                except OSError:
                    pass
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        os.close(master)
    if elapsed is None:
        raise SystemExit(f"marker {marker!r} never appeared for {argv}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    explorer = [sys.executable, "-m", "explorer"]
    baseline = [sys.executable, "-c", BASELINE]
    marker = b"Routing and path parameters"
    first_paint(explorer, marker)  # warm the file cache once; not counted
    for name, argv in (("baseline Textual app", baseline), ("explorer", explorer)):
        times = [first_paint(argv, marker) for _ in range(args.runs)]
        shown = " ".join(f"{t * 1000:.0f}" for t in times)
        print(
            f"{name:22} median {statistics.median(times) * 1000:6.0f} ms  min {min(times) * 1000:5.0f} ms  runs (ms): {shown}"
        )


if __name__ == "__main__":
    main()
