"""The servers' life in the app: started after the first paint, restarted, switched, stopped on every way out.

The servers are spawned from the app's event loop thread (a parent-death signal is tied to the
spawning thread) once the first frame is drawn, so the UI appears before they are ready. The app
stops them in its ``on_unmount``, which Textual awaits. Signals that end the app (SIGTERM, SIGINT)
call its ``exit``; a lost terminal (SIGHUP, or a terminal found hung up) stops the servers and ends
the process at once; the supervisor's ``atexit`` hook and the children's parent-death signal cover
every other way out.

A closed terminal does not always send SIGHUP: the kernel signals the session leader, and the
foreground group only once that leader exits. Under ``make run`` the leader is make, which waits for
its child, so the app heard nothing, Textual's input thread read end-of-file in a loop (a third of a
core) and both servers ran on with nobody to see them. So the app also asks its terminal, twice a
second, whether it is still there.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import gc
import os
import signal
import sys
import termios
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import replace
from typing import TYPE_CHECKING

from textual.app import App
from textual.worker import Worker, WorkerError

from explorer.runtime.servers.supervisor import kill_all_now
from explorer.runtime.session import Session
from explorer.tui.ahead import build_ahead
from explorer.tui.import_aside import import_aside

SET_ASIDE_AFTER_S = 1.0  # after a kept screen is built: its deferred parts (panels.later) and first frames are done

if TYPE_CHECKING:
    from explorer.content.measured import Measurements

__all__ = ["Lifecycle"]

Say = Callable[..., None]


class Lifecycle:
    """Starts, restarts and switches the session's servers in the app's workers, and ends them with it."""

    def __init__(self, app: App[int], session: Session, measurements: Measurements, say: Say) -> None:
        self.app = app
        self.session = session
        self.measurements = measurements  # measured latencies belong to the servers that produced them
        self.say = say
        self._hanging_up = False
        self._terminal_watch: asyncio.Task[None] | None = None
        self._stopping: asyncio.Task[None] | None = None
        self._boot: Worker[None] | None = None
        self.ahead_when_headless = False  # kept screens built ahead headless (a test) too; always in a terminal

    def stop_servers(self) -> asyncio.Task[None]:
        """Stop every server, once: begun at the quit key (so they end while Textual takes its screens down)
        and awaited when the app unmounts."""
        if self._stopping is None:
            gc.unfreeze()  # what keep_out_of_collections set aside is garbage once the app ends (a test runs many)
            self._stopping = asyncio.get_running_loop().create_task(self._stop())
        return self._stopping

    async def _stop(self) -> None:
        """The servers stopped, and the boot worker cancelled and waited for: what it was doing (a start, the route
        listers after it) kills its child processes as it is cancelled, reaps them and closes their pipes. The start
        is cancelled with it even while the client still loads (it was left running: the stop then waited for it,
        for ever at a paused start, and a server could be started after the quit).
        Textual cancels an app's workers only after its unmount and waits for none: a route lister still running
        at the exit was reaped after the app had ended, or never, its pipes' transport left to the garbage
        collector once the loop was closed (``Event loop is closed``, printed by an xdist worker as it ended)."""
        boot = self._boot
        if boot is not None and not boot.is_finished:
            boot.cancel()
        await self.session.stop()
        if boot is not None:
            with contextlib.suppress(WorkerError):  # cancelled, or failed (said when it failed)
                await boot.wait()

    def watch_signals(self) -> None:
        """SIGTERM and SIGINT end the app as ctrl+q does; SIGHUP (the terminal closed) as :meth:`hang_up`."""
        loop = asyncio.get_running_loop()
        handlers = {signal.SIGTERM: self.app.exit, signal.SIGINT: self.app.exit, signal.SIGHUP: self.hang_up}
        for sig, handler in handlers.items():
            try:
                loop.add_signal_handler(sig, handler)
            except (NotImplementedError, RuntimeError, ValueError):
                pass
        self.watch_terminal()

    def watch_terminal(self, every: float = 0.5) -> None:
        """Hang up when the terminal the app draws on is gone, whether or not a SIGHUP came."""
        fd = _terminal_fd() if not self.app.is_headless else None
        if fd is None:
            return

        async def watch() -> None:
            while not self._hanging_up:
                await asyncio.sleep(every)
                if _hung_up(fd):
                    self.hang_up()
                    return

        self._terminal_watch = asyncio.get_running_loop().create_task(watch())

    def hang_up(self) -> None:
        """The terminal is gone: stop the servers and leave without restoring a screen nobody has.

        Textual's normal shutdown writes to the terminal and, once that write fails, can wait forever
        on its writer thread; so after the servers are stopped this process ends at once.
        """
        if self._hanging_up:
            return
        self._hanging_up = True

        async def stop_then_exit() -> None:
            try:  # as a quit stops them (a start under way cancelled), but for at most 5 s
                await asyncio.wait_for(asyncio.shield(self.stop_servers()), 5)
            finally:
                kill_all_now()
                os._exit(128 + signal.SIGHUP)

        asyncio.get_running_loop().create_task(stop_then_exit())

    def set_aside_when_built(self) -> None:
        """A screen just built to be kept for the app's life (each is built on first use, after the main view was set
        aside): set aside too once it has settled (:func:`keep_out_of_collections`). Each full collection went over
        every kept screen built so far, 60-110 ms of CPU on whatever key it fell on, about once a round of
        ``benchmarks/keys.py``."""
        if self._stopping is None and gc.get_freeze_count():  # the main view is set aside: the app runs as usual
            self.app.set_timer(SET_ASIDE_AFTER_S, self._set_aside, name="set aside a kept screen")

    def _set_aside(self) -> None:
        if self._stopping is None:
            keep_out_of_collections()

    def boot(self, then: Callable[[], Awaitable[None]]) -> None:
        """After the first paint: start the servers, load the HTTP client while they boot, then ``then``.

        The client (httpx, ~0.1 s of CPU) is imported in a thread that gives way to the loop (:mod:`.import_aside`):
        a key typed as the screen appears is answered meanwhile. Nothing the loop runs before the first send imports
        it; a send that early waits for the thread's import (Python's import lock). TextArea's modules (~15 ms, no
        TextArea is in the first frame) are imported so first: the steps after the first frame that build the
        answers' bodies and the editor need them, and a key typed then waited for them."""

        async def boot() -> None:
            starting = asyncio.create_task(self.session.start())
            try:
                await import_aside(
                    "panels.text_areas"
                )  # TextArea's modules: the answers' bodies' second step needs them
                await import_aside("explorer.runtime.http.client")
                await starting
            except asyncio.CancelledError:  # the app is ending: the start ends too, with whatever it had started
                starting.cancel()
                await asyncio.gather(starting, return_exceptions=True)
                raise
            await then()
            if self._stopping is None:  # not when the app is already ending: it would stay frozen
                keep_out_of_collections()
                if not self.app.is_headless or self.ahead_when_headless:
                    build_ahead(self.app)  # the kept screens, hidden, one a step: each first opening only shows it
            if os.environ.get("EXPLORER_TEST_CRASH"):  # test hook: an unhandled exception in the app itself
                self.app.call_later(_crash_for_tests)

        def after_first_frame() -> None:
            collect_again()
            self._boot = self.app.run_worker(boot(), group="boot", exit_on_error=False)

        self.app.call_after_refresh(after_first_frame)

    def restart(self, frameworks: Iterable[str] | None = None) -> None:
        chosen = list(frameworks) if frameworks is not None else self.session.frameworks

        async def restart() -> None:
            self.say(f"Restarting {', '.join(chosen)}…", timeout=3)
            self.measurements.forget()
            await asyncio.gather(*(self.session.server(fw).restart() for fw in chosen))

        self.app.run_worker(restart(), name="restart_servers", group="servers", exclusive=True, exit_on_error=False)

    def switch_flask(self) -> None:
        """The demo Flask app from the Werkzeug dev server to gunicorn gthread, or back."""
        server = self.session.supervisor.servers.get("flask")
        if server is None or server.spec.kind not in ("werkzeug", "gunicorn"):
            self.say("Only the demo Flask app can switch servers.", severity="warning")
            return
        kind = "gunicorn" if server.spec.kind == "werkzeug" else "werkzeug"

        async def switch() -> None:
            await server.stop()
            server.spec = replace(server.spec, kind=kind)
            self.measurements.forget("flask")
            self.say(f"Flask now runs on: {server.spec.label}", timeout=4)
            await server.start()

        self.app.run_worker(switch(), name="switch_flask", group="servers", exclusive=True, exit_on_error=False)


def collect_again() -> None:
    """Garbage collection on again after the first frame, when ``explorer`` turned it off to start
    (:func:`explorer.cli.main.main`). What was built until then (the modules, the main screen) lives as long as
    the app: it is frozen, so no later collection walks it again. An app run any other way (a test) is left as is.
    """
    if not gc.isenabled():
        gc.freeze()
        gc.enable()


def _terminal_fd() -> int | None:
    """The descriptor Textual reads keys from (its driver uses the original stdin), if it is a terminal."""
    stream = sys.__stdin__
    try:
        fd = stream.fileno() if stream is not None else -1
        return fd if fd >= 0 and os.isatty(fd) else None
    except (OSError, ValueError):
        return None


def _hung_up(fd: int) -> bool:
    """True once the terminal behind ``fd`` was hung up: the kernel then answers its ioctls with EIO."""
    try:
        termios.tcgetattr(fd)
    except termios.error as error:
        return bool(error.args) and error.args[0] in (errno.EIO, errno.ENXIO)
    except OSError as error:
        return error.errno in (errno.EIO, errno.ENXIO, errno.EBADF)
    return False


def _crash_for_tests() -> None:
    raise RuntimeError("EXPLORER_TEST_CRASH: an unhandled exception inside the app")


def keep_out_of_collections() -> None:
    """Leave what the running app is built of (Textual, the main view, the client) out of every later garbage
    collection: a full collection went over all of it, 140-170 ms of CPU every few keys (``t``, ``g``, ``w``
    took that much longer then), where it now goes over what was made since. Called once the servers are up
    and the main view is drawn: what that leaves is garbage already is collected first (the young part, cheap).
    Undone when the servers stop (:meth:`Lifecycle.stop_servers`), so what the app leaves can be collected.
    """
    gc.collect(1)
    gc.freeze()
