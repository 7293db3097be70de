"""Which cores the lab's load client and its servers run on: the client on one, the servers on the rest.

Measured on the 2-core machine (json, Flask and FastAPI on granian, c=100, a fresh server each start, load
average 5-7): left to the scheduler, a server's CPU per request scattered 23-27% from one start to the
next (Flask 0.085-0.111 ms, FastAPI 0.101-0.127 ms), and which framework served more flipped with where
the scheduler put the server's Rust and Python threads against the load client's; with the load client
on core 0 and the server's whole process tree on core 1 it scattered 6% (Flask 0.086-0.092, FastAPI
0.106-0.111 ms). A fixed hash seed (PYTHONHASHSEED=0) changed nothing (19% against 23%), nor did one
WSGI thread instead of eight (21%). Both frameworks get the same: the server never shares a core with the
load client, nor spreads onto the client's. Only single-process servers are pinned (a multi-process
server would be capped at the cores left), and only servers the lab started itself: the app's own
servers go on serving its other screens.
"""

from __future__ import annotations

import contextlib
import os

__all__ = ["Cores", "pin_tree", "placement_note", "split_cores"]

Cores = frozenset[int]


def split_cores() -> tuple[Cores, Cores] | None:
    """(the load client's core, the servers' cores) out of those this process may use; None with fewer
    than two (nothing to split) or where the platform cannot pin."""
    if not hasattr(os, "sched_getaffinity"):
        return None
    cores = sorted(os.sched_getaffinity(0))
    if len(cores) < 2:
        return None
    return frozenset(cores[:1]), frozenset(cores[1:])


def pin_tree(pid: int, cores: Cores) -> bool:
    """Every thread of ``pid`` and of its descendants onto ``cores`` (threads and processes started after
    inherit it); False when any could not be pinned (gone, or not ours)."""
    import psutil  # here, as in servercpu: listing the engines must not need it

    try:
        procs = [psutil.Process(pid), *psutil.Process(pid).children(recursive=True)]
    except psutil.Error:
        return False
    done = True
    for proc in procs:
        try:
            tids = [int(t) for t in os.listdir(f"/proc/{proc.pid}/task")]
        except OSError:
            tids = [proc.pid]
        for tid in tids:
            try:
                os.sched_setaffinity(tid, cores)
            except OSError:  # a thread that ended since the listing, or a process not ours
                with contextlib.suppress(OSError):
                    os.sched_getaffinity(tid)
                    done = False
    return done


def placement_note(cpu_affinity: dict[str, list[int]] | None) -> str:
    """The condition a pinned verdict holds under, said beside it: left to the scheduler, which core a server's
    threads share with the load client moved its CPU per request by up to a quarter and flipped json's verdict."""
    if not cpu_affinity:
        return ""
    cores = ", ".join(map(str, cpu_affinity["servers"]))
    return (
        f" Each server ran alone on core {cores}, the load client on core {cpu_affinity['load'][0]}: the verdict"
        " is for that placement (left to the scheduler, a server's CPU per request moved by up to a quarter from one"
        " start to the next; docs/lab.md, Verdicts: the rule)."
    )
