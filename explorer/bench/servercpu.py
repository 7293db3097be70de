"""What a run costs the server: CPU time over its whole process tree, and its resident memory.

Sampled by the load process itself, right at the edges of the measured window (the same instants
that open and close it), so the CPU seconds belong to the requests counted. The tree is the server
process and every descendant alive at the sample (gunicorn or granian workers, threads included, as
a process's CPU time covers its threads); the CPU of descendants that exited and were reaped is
added through each process's ``children_*`` times, so a worker restarted mid-run is not lost.

Resident memory is the sum of RSS over the tree at the end of the window: pages shared between a
forked master and its workers are counted once per process, so for a multi-process server it is an
upper bound, said so next to the figure.
"""

from __future__ import annotations

from dataclasses import dataclass

import psutil

__all__ = ["TreeSample", "sample_tree", "server_cost"]


@dataclass(frozen=True)
class TreeSample:
    """One look at a process tree: total CPU seconds so far, summed RSS, and how many processes."""

    cpu_s: float
    rss_bytes: int
    processes: int


def sample_tree(pid: int) -> TreeSample | None:
    """Sum CPU time and RSS over ``pid`` and its descendants; None when the tree cannot be read whole
    (the root is gone, a process is not ours, or this process is out of file descriptors)."""
    try:
        root = psutil.Process(pid)
        procs = [root, *root.children(recursive=True)]
    except (psutil.Error, OSError):  # gone, not ours, or this process is out of descriptors (EMFILE)
        return None
    cpu, rss, seen = 0.0, 0, 0
    for proc in procs:
        try:
            with proc.oneshot():
                times = proc.cpu_times()
                mem = proc.memory_info()
        except psutil.NoSuchProcess:
            continue  # exited between listing and reading: its time shows up in its parent's children_*
        except (psutil.Error, OSError):
            return None  # a tree read in part would understate the cost: no figure rather than a wrong one
        cpu += times.user + times.system + times.children_user + times.children_system
        rss += mem.rss
        seen += 1
    return TreeSample(cpu, rss, seen)


def server_cost(before: TreeSample | None, after: TreeSample | None, answers: int) -> dict[str, object]:
    """The fields every result carries: server CPU seconds and ms per answer, memory, processes."""
    if before is None or after is None:
        return {
            "server_cpu_s": None,
            "server_cpu_ms_per_request": None,
            "server_rss_mb": None,
            "server_processes": None,
        }
    cpu = max(0.0, after.cpu_s - before.cpu_s)
    return {
        "server_cpu_s": round(cpu, 4),
        "server_cpu_ms_per_request": round(cpu * 1000 / answers, 4) if answers else None,
        "server_rss_mb": round(after.rss_bytes / 2**20, 1),
        "server_processes": after.processes,
    }
