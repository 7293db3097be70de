"""One wake per answer for the closed loop: a receive threshold (``SO_RCVLOWAT``) learned per connection.

Why: uvicorn and gunicorn write an answer's head and its body in two writes, so a client on
``epoll`` woke twice per answer (1.6-1.7 reads per request, for wrk as for the engine), and waking a
sleeping Python process costs more than the parsing does (docs/lab.md has the profile). A connection
whose last answer came in pieces sets ``SO_RCVLOWAT`` one byte above that answer's first piece (its
head): the kernel wakes the loop once more than that has come, so the next answer of the same shape
is read whole in one wake, and its latency is timed as before, when its last byte is read. FIN, RST
and errors wake the loop whatever the threshold.

What it must not do is leave an answer unread. The threshold is set only between answers, and goes
back to 1 after any partial read (a head that grew: the rest may be any size). An answer *shorter*
than the threshold (a short error page after long answers) would still sit unread, so every
progress tick the engine asks ``FIONREAD`` of each connection that has waited under a threshold
longer than :data:`MISSED_AFTER` and twice the median latency so far, and reads what waits: a whole
answer there is a *missed wake*, counted by status with its latency (late) not kept, and thresholds
are off for the rest of the run. Linux only, like the ``epoll`` loop; where the option fails the threshold stays 1.
"""

from __future__ import annotations

import fcntl
import socket
import termios

__all__ = ["MISSED_AFTER", "WAKE_MAX", "set_threshold", "waiting"]

WAKE_MAX = 4096  # the largest first piece a threshold is learned from (a head); bigger answers wake per read
MISSED_AFTER = 0.25  # seconds (at least) a request waits under a threshold before its socket is asked
_INT = bytes(4)


def set_threshold(sock: socket.socket, lowat: int) -> bool:
    """Set the socket's ``SO_RCVLOWAT``; lowering it wakes ``epoll`` for bytes already waiting. False if refused."""
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVLOWAT, lowat)
    except OSError:
        return False
    return True


def waiting(sock: socket.socket) -> int:
    """Bytes in the socket's receive queue not read yet (0 if it cannot say)."""
    try:
        return int.from_bytes(fcntl.ioctl(sock.fileno(), termios.FIONREAD, _INT), "little")
    except OSError:
        return 0
