"""What a run costs the server: CPU time over its whole process tree, and its resident memory.

Sampled by the load process itself, right at the edges of the measured window (the same instants
that open and close it), so the CPU seconds belong to the requests counted. The tree is the server
process and every descendant alive at the sample (gunicorn or granian workers, threads included, as
a process's CPU time covers its threads); the CPU of descendants that exited and were reaped is
added through each process's ``children_*`` times, so a worker restarted mid-run is not lost.

Resident memory is the sum of RSS over the tree at the end of the window: pages shared between a
forked master and its workers are counted once per process, so for a multi-process server it is an
upper bound, said so next to the figure.

CPU time is read from each process's CPU clock (``clock_gettime`` on the process clock, the same
nanosecond counter ``/proc/<pid>/schedstat`` shows, summed over every thread that ever ran in the
process), not from psutil's user and system times, which move in 10 ms clock ticks: at 15 requests a
window a tick is most of a millisecond per request. Where that clock cannot be read (not Linux),
the ticks are used and the figures are rounded to them; each result states its resolution.
"""

from __future__ import annotations

import math
import os
import time
from dataclasses import dataclass

__all__ = ["TICK_S", "TreeSample", "process_cpu_ns", "sample_tree", "server_cost"]

TICK_S = 1 / (os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100)  # what psutil's times move in
NS_S = 1e-9


def process_cpu_ns(pid: int) -> int | None:
    """CPU time of every thread ``pid`` has run, living or exited, in ns; None where the clock is not there.

    Linux names another process's CPU clock ``((~pid) << 3) | 2`` (CPUCLOCK_SCHED, process-wide).
    """
    try:
        return time.clock_gettime_ns(((~pid) << 3) | 2)
    except (OSError, AttributeError, OverflowError):
        return None


@dataclass(frozen=True)
class TreeSample:
    """One look at a process tree: total CPU seconds so far, summed RSS, and how many processes."""

    cpu_s: float
    rss_bytes: int
    processes: int
    resolution_s: float = NS_S  # the coarsest clock any living process's CPU time was read with
    reaped_s: float = 0.0  # of cpu_s, what reaped children used: kept in clock ticks only


def sample_tree(pid: int) -> TreeSample | None:
    """Sum CPU time and RSS over ``pid`` and its descendants; None when the tree cannot be read whole
    (the root is gone, a process is not ours, or this process is out of file descriptors)."""
    try:
        import psutil  # here, not at the top: the lab's engines are listed by every start of the app, which needs no psutil
    except OSError:  # out of descriptors before the first sample: even the module's file cannot be opened
        return None
    try:
        root = psutil.Process(pid)
        procs = [root, *root.children(recursive=True)]
    except (psutil.Error, OSError):  # gone, not ours, or this process is out of descriptors (EMFILE)
        return None
    cpu, rss, seen, resolution, reaped = 0.0, 0, 0, NS_S, 0.0
    for proc in procs:
        try:
            with proc.oneshot():
                times = proc.cpu_times()
                mem = proc.memory_info()
            own = process_cpu_ns(proc.pid)
        except psutil.NoSuchProcess:
            continue  # exited between listing and reading: its time shows up in its parent's children_*
        except (psutil.Error, OSError):
            return None  # a tree read in part would understate the cost: no figure rather than a wrong one
        if own is None:
            own_s, resolution = times.user + times.system, TICK_S
        else:
            own_s = own * NS_S
        reaped += times.children_user + times.children_system  # reaped workers: only ticks are kept for them
        cpu += own_s + times.children_user + times.children_system
        rss += mem.rss
        seen += 1
    return TreeSample(cpu, rss, seen, resolution, reaped)


def server_cost(before: TreeSample | None, after: TreeSample | None, answers: int) -> dict[str, object]:
    """The fields every result carries: server CPU seconds and ms per answer, memory, processes."""
    if before is None or after is None:
        return {
            "server_cpu_s": None,
            "server_cpu_ms_per_request": None,
            "server_rss_mb": None,
            "server_processes": None,
            "server_cpu_resolution_s": None,
        }
    resolution = max(before.resolution_s, after.resolution_s)
    if after.reaped_s != before.reaped_s:  # a worker was reaped inside the window: its time is in ticks
        resolution = max(resolution, TICK_S)
    cpu = max(0.0, after.cpu_s - before.cpu_s)
    if resolution > NS_S:  # ticks: say no more than they resolve
        cpu = round(cpu / resolution) * resolution
    per_request = cpu * 1000 / answers if answers else None
    digits = 6 if resolution <= NS_S else max(0, -math.floor(math.log10(resolution * 1000 / max(answers, 1))))
    return {
        "server_cpu_s": round(cpu, 9 if resolution <= NS_S else 2),
        "server_cpu_ms_per_request": round(per_request, digits) if per_request is not None else None,
        "server_cpu_resolution_s": resolution,
        "server_rss_mb": round(after.rss_bytes / 2**20, 1),
        "server_processes": after.processes,
    }
