"""Is the time the app shows the request's own time? The app's figure against an independent one.

The real app runs in a pseudo-terminal, as a user runs it, with ``GET /items/1`` in the editor.
The script presses ctrl+r N times; between presses, after the same 0.3 s of quiet, a separate
process times one of the same request on each server with the standard library's ``http.client``
over its own kept-alive connection (reconnecting where the server closes it, as the app does).
At the end it presses ctrl+s to export the session and reads the times the app showed from that
file. It prints both medians per framework and their difference (target: within 0.5 ms).

    .venv/bin/python benchmarks/shown_time.py [--rounds 30]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.ptyapp import PtyApp

INDEPENDENT = """
import http.client, json, sys, time
ports = json.loads(sys.argv[1])
conns = {fw: http.client.HTTPConnection("127.0.0.1", port) for fw, port in ports.items()}
for line in sys.stdin:
    result = {}
    for fw, port in ports.items():
        started = time.perf_counter()
        conns[fw].request("GET", "/items/1", headers={"Accept": "*/*"})
        response = conns[fw].getresponse()
        response.read()
        result[fw] = (time.perf_counter() - started) * 1000
        if response.getheader("connection", "").lower() == "close":
            conns[fw].close()
            conns[fw] = http.client.HTTPConnection("127.0.0.1", port)
    print(json.dumps(result), flush=True)
"""


class Independent:
    """A second process with its own kept-alive connections: one request per server each time asked."""

    def __init__(self, ports: dict[str, int]) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-c", INDEPENDENT, json.dumps(ports)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def once(self) -> dict[str, float]:
        assert self.proc.stdin and self.proc.stdout
        self.proc.stdin.write("go\n")
        self.proc.stdin.flush()
        return json.loads(self.proc.stdout.readline())

    def close(self) -> None:
        self.proc.kill()
        self.proc.wait()


def ports_by_framework(app: PtyApp) -> dict[str, int]:
    ports = {}
    for proc in psutil.Process(app.proc.pid).children(recursive=True):
        cmd = " ".join(proc.cmdline())
        framework = "flask" if "flask_app" in cmd else "fastapi" if "fastapi_app" in cmd else None
        listening = [c.laddr.port for c in proc.net_connections("tcp") if c.status == psutil.CONN_LISTEN]
        if framework and listening:
            ports[framework] = listening[0]
    return ports


def settle(app: PtyApp, seconds: float) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.pump(0.02)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="shown-time-"))
    app = PtyApp("--request", "GET /items/1", cwd=folder, env={"EXPLORER_EXPORT_DIR": str(folder)})
    other: dict[str, list[float]] = {"flask": [], "fastapi": []}
    independent: Independent | None = None
    try:
        app.server_pids()
        independent = Independent(ports_by_framework(app))
        for _ in range(3):  # warm-up, not counted: first-request costs on both sides
            app.write(b"\x12")
            settle(app, 0.3)
            independent.once()
            settle(app, 0.3)
        for _ in range(args.rounds):  # the same rhythm for both: one request after 0.3 s of quiet
            app.write(b"\x12")  # ctrl+r
            settle(app, 0.3)
            for fw, ms in independent.once().items():
                other[fw].append(ms)
            settle(app, 0.3)
        app.write(b"\x13")  # ctrl+s: export
        deadline = time.monotonic() + 10
        while not list(folder.glob("explorer-session-*.json")) and time.monotonic() < deadline:
            app.pump(0.05)
        app.write(b"\x11")
        app.wait_exit()
    finally:
        if independent is not None:
            independent.close()
        app.cleanup()
    document = json.loads(next(folder.glob("explorer-session-*.json")).read_text())
    shutil.rmtree(folder, ignore_errors=True)
    shown: dict[str, list[float]] = {"flask": [], "fastapi": []}
    for entry in document["data"]["requests"][3:]:
        for fw, exchange in entry["exchanges"].items():
            shown[fw].append(exchange["elapsed_ms"])
    for fw in shown:
        a, b = statistics.median(shown[fw]), statistics.median(other[fw])
        verdict = "ok" if abs(a - b) <= 0.5 else "MISSED"
        print(
            f"{fw:8} shown median {a:6.3f} ms ({len(shown[fw])})   independent median {b:6.3f} ms "
            f"({len(other[fw])})   difference {a - b:+.3f} ms  {verdict}"
        )


if __name__ == "__main__":
    main()
