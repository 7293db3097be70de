"""The servers' life in the app: started after the first paint, restarted, switched, stopped on every way out.

The servers are spawned from the app's event loop thread (a parent-death signal is tied to the
spawning thread) once the first frame is drawn, so the UI appears before they are ready. The app
stops them in its ``on_unmount``, which Textual awaits. Signals that end the app (SIGTERM, SIGINT)
call its ``exit``; a lost terminal (SIGHUP) stops the servers and ends the process at once; the
supervisor's ``atexit`` hook and the children's parent-death signal cover every other way out.
"""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import replace

from textual.app import App

from explorer.content.comparison import Measurements
from explorer.runtime.servers import kill_all_now
from explorer.runtime.session import Session

__all__ = ["Lifecycle"]

Say = Callable[..., None]


class Lifecycle:
    """Starts, restarts and switches the session's servers in the app's workers, and ends them with it."""

    def __init__(self, app: App[int], session: Session, measurements: Measurements, say: Say) -> None:
        self.app = app
        self.session = session
        self.measurements = measurements  # measured latencies belong to the servers that produced them
        self.say = say

    def watch_signals(self) -> None:
        """SIGTERM and SIGINT end the app as ctrl+q does; SIGHUP (the terminal closed) as :meth:`hang_up`."""
        loop = asyncio.get_running_loop()
        handlers = {signal.SIGTERM: self.app.exit, signal.SIGINT: self.app.exit, signal.SIGHUP: self.hang_up}
        for sig, handler in handlers.items():
            try:
                loop.add_signal_handler(sig, handler)
            except (NotImplementedError, RuntimeError, ValueError):
                pass

    def hang_up(self) -> None:
        """The terminal is gone: stop the servers and leave without restoring a screen nobody has.

        Textual's normal shutdown writes to the terminal and, once that write fails, can wait forever
        on its writer thread; so after the servers are stopped this process ends at once.
        """

        async def stop_then_exit() -> None:
            try:
                await asyncio.wait_for(self.session.stop(), 5)
            finally:
                kill_all_now()
                os._exit(128 + signal.SIGHUP)

        asyncio.get_running_loop().create_task(stop_then_exit())

    def boot(self, then: Callable[[], Awaitable[None]]) -> None:
        """After the first paint: start the servers, load the HTTP client while they boot, then ``then``."""

        async def boot() -> None:
            starting = asyncio.create_task(self.session.start())
            import explorer.runtime.client  # noqa: F401 - httpx takes ~0.1 s to import; do it now, not on the first send

            await starting
            await then()
            if os.environ.get("EXPLORER_TEST_CRASH"):  # test hook: an unhandled exception in the app itself
                self.app.call_later(_crash_for_tests)

        self.app.call_after_refresh(lambda: self.app.run_worker(boot(), group="boot", exit_on_error=False))

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


def _crash_for_tests() -> None:
    raise RuntimeError("EXPLORER_TEST_CRASH: an unhandled exception inside the app")
