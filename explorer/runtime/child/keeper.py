"""The keeper: a small process above each server, so that nothing the server starts outlives it.

``python -I -S .../explorer/runtime/child/keeper.py LIFELINE_FD``

A user's app may start processes of its own: a ``subprocess.Popen`` at import, a worker pool, a
double-forked daemon that leaves the session (and keeps the listening socket it inherited). Killing
the server's process group misses whatever left the group, and a parent-death signal reaches only the
one process that set it. So the explorer never starts a server directly; it starts this keeper, which

1. marks itself a child subreaper (Linux): every process orphaned anywhere below it is re-parented
   to the keeper instead of to init, so the keeper can always find everything the server started;
2. reads the command from the lifeline (one JSON line: ``argv``, the ``fds`` to hand down, and
   ``note``: whether to print a line when it had to end processes the command left running), starts
   it in a session of its own, SIGKILLed should the keeper die (a parent-death signal armed before it
   runs), and answers ``started PID`` (or ``failed REASON``);
3. passes SIGTERM (and SIGINT, SIGHUP) on to the server's group, with SIGCONT for a stopped one;
4. sweeps when the server exits, when SIGUSR1 arrives ("now"), or when the lifeline reaches end of
   file: the explorer closed it, or died, SIGKILL included (the kernel closes it either way). A sweep
   SIGKILLs every process below the keeper, through a pidfd checked against the start time it was
   found with, and repeats until none is left; then the keeper exits as the server did.

Standard library only, and run with ``-I -S`` so that neither PYTHONPATH nor the app folder can
shadow a module it imports: servers may one day run under interpreters without our packages.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import signal
import socket
import subprocess
import sys
import time
from typing import cast

_PR_SET_CHILD_SUBREAPER = 36
_PR_SET_PDEATHSIG = 1
_MAX_SPEC = 1 << 20
_SWEEP_LIMIT = 10.0  # seconds; a process stuck in the kernel (D state) cannot be waited for forever


class _Flags:
    """What the signal handlers ask for; read by the main loop."""

    terminate = False
    now = False


def _on_terminate(*_: object) -> None:
    _Flags.terminate = True


def _on_now(*_: object) -> None:
    _Flags.now = True


def become_subreaper() -> bool:
    """Adopt every orphan below this process (Linux 3.4+); False where that is not available."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes

        return ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _stat(pid: int) -> tuple[int, int] | None:
    """(parent PID, start time in clock ticks) from /proc, or None when the process is gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as file:
            data = file.read()
    except OSError:
        return None
    fields = data[data.rindex(b")") + 2 :].split()
    return int(fields[1]), int(fields[19])


def descendants(root: int) -> dict[int, int]:
    """Every process below ``root``, as PID to start time (zombies included until reaped)."""
    children: dict[int, list[tuple[int, int]]] = {}
    try:
        names = os.listdir("/proc")
    except OSError:
        return {}
    for name in names:
        if name.isdigit():
            found = _stat(int(name))
            if found is not None:
                children.setdefault(found[0], []).append((int(name), found[1]))
    below: dict[int, int] = {}
    todo = [root]
    while todo:
        for pid, started in children.get(todo.pop(), ()):
            if pid not in below:
                below[pid] = started
                todo.append(pid)
    return below


def kill_exactly(pid: int, started: int) -> None:
    """SIGKILL ``pid`` only if it is still the process that started at ``started`` (no PID reuse)."""
    try:
        fd: int | None = os.pidfd_open(pid)  # pins the process: the check below cannot go stale
    except ProcessLookupError:
        return
    except (AttributeError, OSError):  # no pidfds (Python < 3.9, Linux < 5.3): check, then kill by PID
        fd = None
    try:
        now = _stat(pid)
        if now is None or now[1] != started:
            return
        if fd is not None:
            signal.pidfd_send_signal(fd, signal.SIGKILL)
        else:
            os.kill(pid, signal.SIGKILL)
    except OSError:
        pass
    finally:
        if fd is not None:
            os.close(fd)


def reap(server: int | None) -> int | None:
    """Collect every child that ended (adopted orphans too); the server's wait status if it was one."""
    status = None
    while True:
        try:
            pid, code = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return status
        if pid == 0:
            return status
        if pid == server:
            status = code


def sweep(wake: int, server: int, running: bool) -> tuple[int, int | None]:
    """SIGKILL everything below this process until nothing is left.

    Returns how many processes other than the server it ended, and the server's wait status if it
    was reaped here. ``running``: the server is not reaped yet, so its group id is still its own.
    """
    status = None
    if running:
        try:
            os.killpg(server, signal.SIGKILL)  # the quick part; the walk below finds the rest
        except OSError:
            pass
    killed: set[int] = set()
    deadline = time.monotonic() + _SWEEP_LIMIT
    while True:
        found = reap(server)
        status = found if found is not None else status
        below = descendants(os.getpid())
        if not below:
            if not os.path.isdir("/proc/self"):  # no /proc: wait for our own children at least
                _wait_children()
            return len(killed - {server}), status
        for pid, started in below.items():
            kill_exactly(pid, started)
            killed.add(pid)
        if time.monotonic() > deadline:
            return len(killed - {server}), status
        _wait(wake, None, 0.02)


def _wait_children() -> None:
    while True:
        try:
            os.wait()
        except ChildProcessError:
            return


def _wait(wake: int, lifeline: socket.socket | None, timeout: float) -> bool:
    """Sleep until a signal, lifeline news or ``timeout``; False once the lifeline reached its end."""
    watched = [wake] + ([lifeline] if lifeline is not None else [])
    try:
        ready, _, _ = select.select(watched, [], [], timeout)
    except InterruptedError:
        return True
    if wake in ready:
        _drain(wake)
    if lifeline is not None and lifeline in ready:
        try:
            return bool(lifeline.recv(512))
        except OSError:
            return False
    return True


def _drain(fd: int) -> None:
    try:
        while os.read(fd, 512):
            pass
    except BlockingIOError:
        pass


def read_spec(lifeline: socket.socket, wake: int, parent: int) -> dict[str, object] | None:
    """The command to run, or None if the explorer went away (or said stop) before sending it."""
    data = b""
    lifeline.setblocking(False)
    while b"\n" not in data:
        if _Flags.terminate or _Flags.now or os.getppid() != parent or len(data) > _MAX_SPEC:
            return None
        watched: list[socket.socket | int] = [lifeline, wake]
        ready, _, _ = select.select(watched, [], [], 0.5)
        if wake in ready:
            _drain(wake)
        if lifeline in ready:
            try:
                chunk = lifeline.recv(65536)
            except BlockingIOError:
                continue
            if not chunk:
                return None
            data += chunk
    try:
        spec = json.loads(data.split(b"\n", 1)[0])
    except ValueError:
        return None
    if _ended(lifeline):  # the explorer sent it, then died before this keeper got to it: start nothing
        return None
    return spec if isinstance(spec, dict) else None


def _ended(lifeline: socket.socket) -> bool:
    """Whether the explorer's end of the lifeline is closed (nothing more can come: the explorer is gone)."""
    try:
        return lifeline.recv(1, socket.MSG_PEEK) == b""
    except BlockingIOError:
        return False
    except OSError:
        return True


def tie_to_parent(parent: int) -> None:
    """In the forked child, before it runs the command: SIGKILL it when the keeper dies (Linux).

    The setting survives ``exec``. A server arms the same signal itself, but only once its interpreter has started
    and read its arguments (~0.1 s): a keeper SIGKILLed in between (an OOM kill, a harness ending the explorer's
    whole tree) left it running for ever under init, its port held. If the keeper is already gone, do not start.
    """
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:
        os._exit(1)


def start(spec: dict[str, object]) -> subprocess.Popen[bytes]:
    """The server in a session of its own, with the handed-down descriptors and nothing else, tied to this keeper."""
    argv = [str(arg) for arg in cast("list[object]", spec["argv"])]  # the explorer's own JSON
    fds = tuple(int(fd) for fd in cast("list[int]", spec.get("fds", ())))
    keeper = os.getpid()
    proc = subprocess.Popen(
        argv,
        stdin=subprocess.DEVNULL,
        pass_fds=fds,
        start_new_session=True,
        preexec_fn=lambda: tie_to_parent(keeper),  # the keeper has no threads: running Python after fork is safe
    )
    for fd in fds:  # the keeper must never hold the listening socket
        os.close(fd)
    return proc


def supervise(server: int, lifeline: socket.socket, wake: int, parent: int) -> int | None:
    """Wait for the server's exit (its wait status) or for a reason to end it now (None)."""
    passed_on = False
    while True:
        status = reap(server)
        if status is not None:
            return status
        if _Flags.now or os.getppid() != parent:
            return None
        if _Flags.terminate and not passed_on:
            for sig in (signal.SIGTERM, signal.SIGCONT):
                try:
                    os.killpg(server, sig)
                except OSError:
                    pass
            passed_on = True
        if not _wait(wake, lifeline, 0.5):
            return None


def exit_as(status: int | None) -> None:
    """End this process the way the server ended, so the explorer reads the server's exit status."""
    if status is None:
        os._exit(0)
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        try:
            import resource

            resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # a re-raised SIGSEGV must not dump the keeper
        except (OSError, ValueError, ImportError):
            pass
        if sig != signal.SIGKILL:  # SIGKILL has no handler to reset
            with contextlib.suppress(OSError, ValueError):
                signal.signal(sig, signal.SIG_DFL)
                signal.pthread_sigmask(signal.SIG_UNBLOCK, [sig])
        with contextlib.suppress(OSError, ValueError):
            os.kill(os.getpid(), sig)
        os._exit(128 + sig)
    os._exit(os.waitstatus_to_exitcode(status))


def _answer(lifeline: socket.socket, line: str) -> None:
    """One line back to the explorer (which may be gone: then the sweep follows anyway)."""
    lifeline.setblocking(True)
    try:
        lifeline.sendall((line + "\n").encode(errors="replace"))
    except OSError:
        pass
    lifeline.setblocking(False)


def _say(line: str) -> None:
    """One line for the server's log (stdout is the explorer's pipe); never fatal."""
    try:
        os.write(1, (line + "\n").encode())
    except OSError:
        pass


def main(argv: list[str]) -> None:
    lifeline = socket.socket(fileno=int(argv[0]))
    lifeline.set_inheritable(False)
    parent = os.getppid()
    wake_read, wake_write = os.pipe()
    os.set_blocking(wake_read, False)
    os.set_blocking(wake_write, False)
    signal.set_wakeup_fd(wake_write)
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, _on_terminate)
    signal.signal(signal.SIGUSR1, _on_now)
    signal.signal(signal.SIGCHLD, lambda *_: None)  # wakes the select through the wakeup fd
    become_subreaper()
    spec = read_spec(lifeline, wake_read, parent)
    if spec is None:
        os._exit(0)
    try:
        proc = start(spec)
    except (OSError, ValueError, TypeError, KeyError) as exc:
        _answer(lifeline, f"failed {type(exc).__name__}: {exc}")
        os._exit(1)
    _answer(lifeline, f"started {proc.pid}")
    status = supervise(proc.pid, lifeline, wake_read, parent)
    asked = status is None
    count, late = sweep(wake_read, proc.pid, running=status is None)
    status = status if status is not None else late
    proc.returncode = 0  # reaped here, not by Popen: keep it from trying again
    if count and not asked and spec.get("note"):
        _say(f"explorer: ended {count} process{'es' if count > 1 else ''} the app had left running")
    exit_as(status)


if __name__ == "__main__":
    main(sys.argv[1:])
