"""A Flask app that starts processes the way real apps do, to prove that none outlives the explorer.

At import it starts a child (``subprocess.Popen``), a grandchild (a child that starts its own child
and waits for it) and a double-forked ``setsid`` daemon that keeps every file descriptor it inherited,
the server's listening socket included. ``GET /spawn`` starts another such daemon at request time and
answers its PID and the server's port. Every process appends ``KIND PID`` to ``spawned.pids`` in the
current folder (the app folder), so a test can find them all; each would sleep for ten minutes.
The import ends only once all four have recorded themselves.
"""

import os
import subprocess
import sys
import time

from flask import Flask, request

PIDS = os.path.abspath("spawned.pids")
SLEEPER = "import os, sys, time; open(sys.argv[1], 'a').write(sys.argv[2] + ' %d\\n' % os.getpid()); time.sleep(600)"
PARENT = (
    "import os, subprocess, sys; open(sys.argv[1], 'a').write('parent %d\\n' % os.getpid()); "
    "subprocess.Popen([sys.executable, '-c', sys.argv[2], sys.argv[1], 'grandchild']).wait()"
)


def record(kind: str) -> None:
    with open(PIDS, "a") as file:
        file.write(f"{kind} {os.getpid()}\n")


def daemon(kind: str) -> int:
    """Fork, leave the session, fork again and let the middle process exit: the classic daemon."""
    reader, writer = os.pipe()
    middle = os.fork()
    if middle == 0:
        os.setsid()
        if os.fork():
            os._exit(0)
        record(kind)  # before the caller learns the PID: a test must know every process it must find gone
        os.write(writer, str(os.getpid()).encode())
        os.close(writer)
        time.sleep(600)
        os._exit(0)
    os.close(writer)
    pid = int(os.read(reader, 32) or 0)
    os.close(reader)
    os.waitpid(middle, 0)
    return pid


def recorded() -> int:
    try:
        with open(PIDS) as file:
            return len(file.readlines())
    except FileNotFoundError:
        return 0


before = recorded()
subprocess.Popen([sys.executable, "-c", SLEEPER, PIDS, "child"])
subprocess.Popen([sys.executable, "-c", PARENT, PIDS, SLEEPER])
daemon("daemon")
deadline = time.monotonic() + 10
while recorded() < before + 4 and time.monotonic() < deadline:  # all four run before the import ends
    time.sleep(0.01)

app = Flask(__name__)


@app.route("/")
def index():
    return {"ok": True}


@app.route("/spawn")
def spawn():
    port = int(request.host.rpartition(":")[2])
    return {"pid": daemon("request-daemon"), "port": port}
