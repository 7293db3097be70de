"""Run a child process under a keeper, and end it together with everything it started.

The explorer never starts a server (or the route lister) directly: it starts ``explorer/runtime/child/keeper.py``
in a session of its own and hands it the command over a socket pair, the lifeline. The keeper adopts
every orphan below it (a child subreaper), so when the command exits, when :meth:`Kept.kill_now` asks,
or when the explorer dies however it dies (the kernel closes the lifeline even after SIGKILL), it
kills every process the command started, a double-forked daemon in a session of its own included,
and only then exits. Its exit status is the command's.

Start keepers from the event loop's thread; nothing here relies on a parent-death signal.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from explorer.runtime.child.procs import kill_group

__all__ = ["KEEPER", "Kept", "kill_all_kept", "pause_point", "spawn_kept"]

KEEPER = str(Path(__file__).parent.parent / "child" / "keeper.py")
_REPLY_LIMIT = 4096
_LIVE: dict[int, Kept] = {}
PAUSE = "EXPLORER_TEST_PAUSE"  # test hook: POINT (the start waits there for ever) or POINT:exit (os._exit there)


async def pause_point(name: str) -> None:
    """Test hook: stop the start at ``name`` so that a test can end the process at a known point of it.

    With ``EXPLORER_TEST_PAUSE=name`` the caller waits here for ever (the event loop runs on, so signal handlers
    still work) after writing ``explorer-paused: name`` to stderr; with ``name:exit`` the process ends here at once,
    as ``os._exit`` ends it. Without the variable (always, outside tests) this returns at once.
    """
    wanted = os.environ.get(PAUSE)
    if wanted is None or wanted.partition(":")[0] != name:
        return
    os.write(2, f"explorer-paused: {name}\n".encode())
    if wanted.endswith(":exit"):
        os._exit(0)
    await asyncio.Event().wait()


def kill_all_kept() -> None:
    """Ask every live keeper to end its command and everything below it now; safe in any context.

    Synchronous and non-blocking (one signal each), for exit paths without an event loop. The
    keepers finish the sweep on their own, and would also do it once this process is gone. Each lifeline is
    closed here too (which also asks its keeper to end everything): left open, the socket went to the garbage
    collector at exit, with a ``ResourceWarning`` (an xdist worker printed one as it ended).
    """
    for kept in list(_LIVE.values()):
        kept.kill_now()
        kept.release()


class Kept:
    """A command running under a keeper: ``proc`` is the keeper, ``pid`` the command it started."""

    def __init__(self, proc: asyncio.subprocess.Process, lifeline: socket.socket) -> None:
        self.proc = proc
        self.pid: int | None = None
        self._lifeline: socket.socket | None = lifeline

    @property
    def returncode(self) -> int | None:
        """The command's exit status (negative: killed by that signal), once the keeper is gone."""
        return self.proc.returncode

    async def wait(self) -> int:
        """Wait until the command has exited and every process below it is gone."""
        code = await self.proc.wait()
        self.release()
        return code

    def _signal(self, sig: int) -> None:
        if self.proc.returncode is None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(self.proc.pid, sig)

    def terminate(self) -> None:
        """SIGTERM (then SIGCONT) to the command's group; the keeper sweeps once the command exits."""
        self._signal(signal.SIGTERM)

    def kill_now(self) -> None:
        """SIGKILL the command and everything below it (the keeper does it, then exits)."""
        self._signal(signal.SIGUSR1)

    async def stop(self, grace: float = 3.0, on_escalate: Callable[[], None] | None = None) -> int:
        """End the command: SIGTERM, then after ``grace`` seconds SIGKILL; returns its exit status.

        If even the keeper does not finish within five more seconds (it is stopped, say), both the
        keeper's and the command's groups are SIGKILLed as a last resort.
        """
        self.terminate()
        try:
            return await asyncio.wait_for(asyncio.shield(self.wait()), grace)
        except TimeoutError:
            if on_escalate is not None:
                on_escalate()
        self.kill_now()
        try:
            return await asyncio.wait_for(asyncio.shield(self.wait()), 5.0)
        except TimeoutError:
            kill_group(self.proc.pid)
            if self.pid is not None:
                kill_group(self.pid)
            return await self.wait()

    def release(self) -> None:
        """Forget a keeper that has exited; closing the lifeline of a live one ends its command."""
        _LIVE.pop(self.proc.pid, None)
        if self._lifeline is not None:
            self._lifeline.close()
            self._lifeline = None


async def _read_reply(sock: socket.socket) -> str:
    loop = asyncio.get_running_loop()
    data = b""
    while b"\n" not in data and len(data) < _REPLY_LIMIT:
        chunk = await loop.sock_recv(sock, _REPLY_LIMIT)
        if not chunk:
            break
        data += chunk
    return data.decode("utf-8", "replace").split("\n", 1)[0]


async def spawn_kept(
    argv: Sequence[str],
    *,
    pass_fds: Sequence[int] = (),
    env: dict[str, str] | None = None,
    cwd: str | None = None,
    stdout: int = subprocess.PIPE,
    stderr: int = subprocess.STDOUT,
    note: bool = False,
) -> Kept:
    """Start ``argv`` under a keeper; returns once it runs, or raises :class:`OSError` saying why not.

    ``pass_fds`` are handed down to the command and closed in the keeper. The command gets no stdin,
    the keeper's stdout and stderr (a pipe by default: ``Kept.proc.stdout``), ``env`` and ``cwd``.
    ``note``: the keeper prints a line there when it had to end processes the command left running.
    """
    await pause_point("spawn")
    ours, theirs = socket.socketpair()
    try:
        ours.sendall(json.dumps({"argv": list(argv), "fds": list(pass_fds), "note": note}).encode() + b"\n")
        ours.setblocking(False)
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-I",
            "-S",
            KEEPER,
            str(theirs.fileno()),
            stdin=subprocess.DEVNULL,
            stdout=stdout,
            stderr=stderr,
            pass_fds=(theirs.fileno(), *pass_fds),
            start_new_session=True,
            env=env,
            cwd=cwd,
        )
    except BaseException:
        ours.close()
        raise
    finally:
        theirs.close()
    kept = Kept(proc, ours)
    _LIVE[proc.pid] = kept
    try:
        await pause_point("spawned")
        reply = await _read_reply(ours)
    except BaseException:  # cancelled while starting: nothing may be left behind
        kept.kill_now()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.shield(kept.wait()), 5.0)
        raise
    if reply.startswith("started "):
        kept.pid = int(reply.split()[1])
        return kept
    await kept.wait()
    raise OSError(reply.removeprefix("failed ") or f"the keeper ended with code {proc.returncode}")
