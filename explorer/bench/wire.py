"""What both load engines share on the wire: the request they send, how a failed connect is named, the client's own CPU.

Kept apart from the engines so the closed loop (:mod:`explorer.bench.engine`), the open loop
(:mod:`explorer.bench.openloop`) and the stall injector use one definition of each.
"""

from __future__ import annotations

import errno
import math
import resource
from collections.abc import Callable
from typing import Any

__all__ = [
    "BUFFER_BYTES", "RECONNECT_DELAY", "Emit", "connect_error_kind", "cpu_seconds", "encode_request", "fd_limit",
    "ms_or_none",
]  # fmt: skip

RECONNECT_DELAY = 0.05
BUFFER_BYTES = 64 * 1024  # one read buffer per connection, allocated once

Emit = Callable[[dict[str, Any]], None]


def connect_error_kind(exc: OSError) -> str:
    """``emfile`` when this process is out of file descriptors, ``ports`` when out of local ports, else ``connect``."""
    if exc.errno in (errno.EMFILE, errno.ENFILE):
        return "emfile"
    if exc.errno == errno.EADDRNOTAVAIL:
        return "ports"
    return "connect"


def fd_limit() -> int | None:
    """This process's soft limit on open files (what ``ulimit -n`` shows), or None when unlimited."""
    soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    return None if soft == resource.RLIM_INFINITY else int(soft)


def encode_request(host: str, port: int, path: str) -> bytes:
    """The one request every connection sends, encoded once."""
    return f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUser-Agent: explorer-bench\r\nAccept: */*\r\n\r\n".encode(
        "ascii"
    )


def cpu_seconds() -> float:
    """User plus system CPU time of this process so far."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def ms_or_none(value: float) -> float | None:
    """A figure for JSON: NaN (nothing measured) becomes null, the rest is rounded to the microsecond."""
    return None if math.isnan(value) else round(value, 3)
