"""Process-group helpers shared by the supervisor, the server launcher, the route lister and the lab.

Every child the explorer starts leads a session of its own, so one ``killpg`` reaches it and
whatever it started (gunicorn workers, wrk). A child also arranges to die with its parent (the
explorer, or for a server and the route lister the keeper of :mod:`explorer.runtime.servers.kept`, which also
ends what left the group): a parent-death signal on Linux, and everywhere a watchdog thread that
notices a changed parent PID.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from typing import NoReturn

_PR_SET_PDEATHSIG = 1


def kill_group(pgid: int, sig: int = signal.SIGKILL) -> None:
    """Signal a whole process group; one that is already gone is not an error."""
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def end_own_group(*_: object) -> NoReturn:
    """SIGKILL this process's group (the child leads it) and exit; usable as a signal handler."""
    try:
        os.killpg(os.getpgid(0), signal.SIGKILL)
    finally:
        os._exit(70)


def die_with_parent(parent: int, sig: int = signal.SIGKILL, watch: bool = True) -> None:
    """Make this child end when ``parent`` does, however the parent ends.

    ``sig`` is what the kernel sends when the spawning thread exits (Linux): SIGKILL ends just this
    process; SIGTERM is caught and ends the whole group. The watchdog covers other systems.
    """
    if sig == signal.SIGTERM:
        signal.signal(signal.SIGTERM, end_own_group)
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, sig, 0, 0, 0)
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:
        end_own_group()
    if watch:

        def watchdog() -> None:
            while True:
                time.sleep(0.5)
                if os.getppid() != parent:
                    end_own_group()

        threading.Thread(target=watchdog, name="parent-watchdog", daemon=True).start()
