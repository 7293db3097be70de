"""Demo servers shared by the app tests of a worker: an app run in a test answers from the ``live`` fixture's pair.

Each app the tests start used to spawn its own Flask and FastAPI demo servers, about 1.3 s of CPU a pair (FastAPI's
demo imports FastAPI, pydantic and, through its ``/flask`` mount, the Flask demo too). A test whose subject is what
the servers answer hands its app :func:`shared_session` instead: servers already running (the ``live`` fixture's,
started once per worker on its loop thread, the app's own default pair: Flask on the Werkzeug dev server, FastAPI on
uvicorn). They stay real processes on loopback, answering real HTTP; what is shared is their ports, pids and log
lines, never an object bound to an event loop (the app's clients are its own, made on the test's loop).

A test must keep its own servers (a plain ``ExplorerApp()``) when its subject is the servers' start, stop, restart,
switch, statuses, pids, what the supervisor itself logs (probes, exits), a crash, signals or containment, or when it
changes what a server holds (the demos keep ``/tasks`` and the counters ``/lifecycle`` shows): the next test would
see it. A shared server refuses a second start (a restart, a switch) rather than pretend one.
"""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Callable
from typing import TYPE_CHECKING

from explorer.runtime.servers.specs import ServerState, ServerStatus
from explorer.runtime.servers.supervisor import ManagedServer
from explorer.runtime.session import Session

if TYPE_CHECKING:
    from tests.conftest import LiveServers


OWNERS_NOTE = "[explorer] "  # how a supervisor's own lines start (LogBuffer.write): the owner's, about its probes


class SharedServer(ManagedServer):
    """A server another session runs (``owner``, on ``owner_loop``), which this one reports as its own and never
    stops: its stop only says so. Its log: the owner's lines of the server's start, then what the server prints
    (the owner's notes about its own probes left out: this server probes nothing, as a test of a picture expects)."""

    def __init__(self, owner: ManagedServer, owner_loop: asyncio.AbstractEventLoop) -> None:
        super().__init__(owner.spec)
        self.owner = owner
        self.owner_loop = owner_loop
        self._attached = False
        self._unsubscribe: Callable[[], None] | None = None

    async def _start(self) -> ServerStatus:
        if self._attached:
            raise AssertionError(f"a shared {self.framework} server cannot restart: this test needs servers of its own")
        self._attached = True
        # Started by the owner on its own loop if it is not running (the first test of a worker, or one that was
        # stopped); a running one is only looked at.
        owned = await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(self.owner.start(), self.owner_loop))
        if owned.state not in (ServerState.READY, ServerState.UNRESPONSIVE):  # (the owner's probe missed under load)
            raise AssertionError(f"the shared {self.framework} server is {owned.state.value}: {owned.message}")
        loop, context = asyncio.get_running_loop(), contextvars.copy_context()
        self.log.feed(_as_output(_start_lines(self.owner.log.lines())))

        def forward(lines: list[str]) -> None:  # on the owner's thread: the server's own lines, to the app's loop
            printed = [line for line in lines if not line.startswith(OWNERS_NOTE)]  # not the owner's probes' notes
            if not printed:
                return
            try:  # in the app's context: what the log's listeners start (a Textual timer) needs its active app
                loop.call_soon_threadsafe(self.log.feed, _as_output(printed), context=context)
            except RuntimeError:  # the app's loop is closed (a test that failed before its app stopped): let go
                unsubscribe()

        self._unsubscribe = unsubscribe = self.owner.log.subscribe(forward)
        self._set(state=ServerState.READY, port=owned.port, pid=owned.pid, spawn_to_ready_ms=owned.spawn_to_ready_ms)
        return self._status

    async def _stop_locked(self, grace: float = 3.0) -> ServerStatus:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        return await super()._stop_locked(grace)  # no process of its own: the status goes to STOPPED, nothing else


def _start_lines(lines: list[str]) -> list[str]:
    """The lines of the owner's log from its last start to its readiness (what an app's own start shows first), if
    the log still holds them: no line of an earlier test's requests."""
    starts = [i for i, line in enumerate(lines) if line.startswith(f"{OWNERS_NOTE}starting ")]
    if not starts:
        return []
    ready = next((i for i in range(starts[-1], len(lines)) if lines[i].startswith(f"{OWNERS_NOTE}ready after")), None)
    return lines[starts[-1] : ready + 1] if ready is not None else []


def _as_output(lines: list[str]) -> bytes:
    return "".join(f"{line}\n" for line in lines).encode()


def shared_session(live: LiveServers, timeout: float = 5.0) -> Session:
    """A session for ``ExplorerApp(session=...)`` whose servers are ``live``'s, attached when the app starts them."""
    session = Session([server.spec for server in live.session.supervisor], timeout=timeout)
    session.supervisor.servers = {
        framework: SharedServer(owner, live.loop.loop) for framework, owner in live.session.supervisor.servers.items()
    }
    return session
