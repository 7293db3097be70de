"""Start to first paint of the app, measured the way a user sees it: in a real pseudo-terminal.

For each run the script starts ``explorer`` (or a one-widget Textual app, as a baseline) in a
160x48 pty, records the time until the screen shows a known piece of text, then presses ctrl+q
and checks the process exits. It prints every run, the medians and their ratio. Python writes and
reads its bytecode cache as it does for a user (``PYTHONDONTWRITEBYTECODE`` is dropped for the
child), so the figure is a second start's, not a first compile's. The explorer's cache of Textual's parsed
CSS (``explorer/tui/css_cache.py``) likewise: the warm-up run writes it, the runs timed load it.

    .venv/bin/python benchmarks/first_paint.py [--runs 10]

Target: the app's median at most 1.5x the baseline's, on an idle 2-core machine.
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

import psutil

BASELINE = (
    "from textual.app import App\nfrom textual.widgets import Static\n"
    "class A(App):\n    def compose(self):\n        yield Static('Routing and path parameters')\nA().run()\n"
)


def first_paint(argv: list[str], marker: bytes, timeout: float = 20.0) -> tuple[float, float]:
    """Seconds from spawning ``argv`` in a pty to ``marker`` appearing in its output, and the CPU seconds
    the process had used by then (the figure a busy machine disturbs least)."""
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 48, 160, 0, 0))
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "160", "LINES": "48"}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # a user's Python keeps its bytecode cache
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
                    used = psutil.Process(proc.pid).cpu_times()
                    cpu = used.user + used.system
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
    return elapsed, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    explorer = [sys.executable, "-m", "explorer"]
    baseline = [sys.executable, "-c", BASELINE]
    marker = b"Routing and path parameters"
    first_paint(explorer, marker)  # warm the file cache once; not counted
    medians: dict[str, tuple[float, float]] = {}
    for name, argv in (("baseline Textual app", baseline), ("explorer", explorer)):
        runs = [first_paint(argv, marker) for _ in range(args.runs)]
        times = [wall for wall, _ in runs]
        medians[name] = (statistics.median(times), statistics.median(cpu for _, cpu in runs))
        shown = " ".join(f"{t * 1000:.0f}" for t in times)
        print(
            f"{name:22} median {medians[name][0] * 1000:6.0f} ms  (CPU {medians[name][1] * 1000:4.0f} ms)  "
            f"min {min(times) * 1000:5.0f} ms  runs (ms): {shown}"
        )
    (app_wall, app_cpu), (base_wall, base_cpu) = medians["explorer"], medians["baseline Textual app"]
    print(f"explorer / baseline: {app_wall / base_wall:.2f}x wall, {app_cpu / base_cpu:.2f}x CPU (target at most 1.5x)")


if __name__ == "__main__":
    main()
