"""The Mirror screen (``m``) with its work: a mirror in front of the session's running apps, and the routes' progress.

The mirror runs on a thread and event loop of its own (:class:`~explorer.mirror.background.BackgroundMirror`):
starting, polling and stopping it are awaited from workers, so the app's loop never waits on it. The
screen is installed once, so the mirror goes on while the user is on the main view; the app stops it
when it ends (:meth:`MirrorController.stop_mirror`). It listens on 127.0.0.1:8800, or on a free port
when that one is taken. The requests file is the one the Parity screen offers (the demos' own with the
demos); its keys and declarations apply by route, and its requests count as exercising their routes.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import TYPE_CHECKING, Any

from textual import on, work
from textual.worker import Worker, WorkerError

from explorer.apps.bundled import demo_requests_file
from explorer.runtime.errors import ExplorerError
from explorer.runtime.servers.specs import ServerState
from explorer.runtime.session import Session
from explorer.tui.screens.mirror.view import MirrorScreen
from panels.kept import mounted_hidden

if TYPE_CHECKING:
    from explorer.apps.progress import Exercise
    from explorer.apps.routes import RouteRow
    from explorer.mirror.background import BackgroundMirror
    from explorer.parity.suite import ParitySuite

__all__ = ["LISTEN", "MirrorController"]

LISTEN = ("127.0.0.1", 8800)
POLL_SECONDS = 0.5


class MirrorController(MirrorScreen):
    """Runs the mirror in front of ``session``'s Flask and FastAPI servers and feeds the screen its counts."""

    def __init__(self, session: Session, demo: bool, mask: bool = False, listen: tuple[str, int] = LISTEN) -> None:
        super().__init__(mask=mask)
        self.session, self.demo, self.listen = session, demo, listen
        self.mirror: BackgroundMirror | None = None
        self.summary: dict[str, Any] = {"routes": [], "totals": {}}
        self.rows: list[RouteRow] | None = None  # both apps' routes, listed once
        self.file_exercises: list[Exercise] = []
        self.suite: ParitySuite | None = None
        self.file_note = ""
        self.fronted: dict[str, tuple[int | None, str]] = {}  # each app's process and address the mirror fronts
        self.following = False
        self._reading: Worker[None] | None = None  # the reading of the requests file and the routes, once shown
        self._begun = False  # its polling and the reading of the routes begun: as it is first shown

    def on_mount(self) -> None:  # after MirrorScreen's own (Textual calls each class's handler in turn)
        if not mounted_hidden(self):  # built ahead (explorer.tui.ahead): no polling, no route lister until shown
            self._begin()

    def on_screen_resume(self) -> None:
        if not self._begun:  # its first showing, built ahead
            self._begin()

    def _begin(self) -> None:
        self._begun = True
        self.set_interval(POLL_SECONDS, self.poll)
        self._reading = self.read_file_and_routes()

    async def end(self) -> None:
        """The app ends: the mirror stopped, and the reading of the routes ended and waited for (the route lister it
        may run killed, reaped and its pipes closed before the app ends; Textual cancels the screen's workers as it
        takes the screen down, and waits for none)."""
        await self.stop_mirror()
        if self._reading is not None:
            self._reading.cancel()
            with contextlib.suppress(WorkerError):
                await self._reading.wait()

    # --- the requests file and the routes, once ------------------------------------------------------

    @work(group="mirror-routes", exclusive=True, exit_on_error=False)
    async def read_file_and_routes(self) -> None:
        from explorer.apps.progress import Exercise
        from explorer.apps.routes import flask_listing, list_routes, merge_routes
        from explorer.parity.suite import default_requests_file, load_suite

        folders = [s.spec.app_dir for s in self.session.supervisor if s.spec.app_dir]
        found = demo_requests_file() if self.demo else default_requests_file(folders)
        if found is not None:
            try:
                self.suite = await asyncio.to_thread(load_suite, found)  # bounded, but still work: off the loop
            except ExplorerError as exc:
                self.file_note = f"{found.name} not used: {exc}"
        if self.suite is not None:
            self.file_exercises = [Exercise(c.sides["flask"].method, c.sides["flask"].path) for c in self.suite.cases]
        listings = []
        if "flask" in self.session.frameworks:
            listings.append(await flask_listing(self.session.server("flask").spec))
        if "fastapi" in self.session.frameworks and self._url("fastapi"):
            listings.append(await list_routes(self.session, "fastapi", handlers=True))
        self.rows = merge_routes(listings)
        self._draw_progress()

    def _draw_progress(self) -> None:
        from explorer.apps.progress import exercises_from_run, progress

        if self.rows is not None:
            self.show_progress(progress(self.rows, [*self.file_exercises, *exercises_from_run(self.summary_run)]))

    @property
    def summary_run(self) -> dict[str, Any]:
        return {"kind": "mirror", **self.summary}

    # --- the mirror -----------------------------------------------------------------------------------

    def _fronting(self) -> dict[str, tuple[int | None, str]] | None:
        """Each app's (process, address) while both are ready: a new process is a restart for the mirror to follow."""
        found = {}
        for framework in ("flask", "fastapi"):
            status = self.session.server(framework).status if framework in self.session.frameworks else None
            if status is None or status.state is not ServerState.READY or not status.base_url:
                return None
            found[framework] = (status.pid, status.base_url)
        return found

    def _url(self, framework: str) -> str | None:
        server = self.session.server(framework) if framework in self.session.frameworks else None
        if server is None or server.status.state is not ServerState.READY:
            return None
        return server.status.base_url

    @on(MirrorScreen.StartRequested)
    def _start_requested(self, event: MirrorScreen.StartRequested) -> None:
        event.stop()
        self.start_mirror(event.noise)

    @on(MirrorScreen.StopRequested)
    def _stop_requested(self, event: MirrorScreen.StopRequested) -> None:
        event.stop()
        self.run_worker(self.stop_mirror(), group="mirror", exclusive=True, exit_on_error=False)

    @work(group="mirror", exclusive=True, exit_on_error=False)
    async def start_mirror(self, noise: bool) -> None:
        from explorer.mirror.background import BackgroundMirror

        await self.stop_mirror()
        fronting = self._fronting()
        if fronting is None:
            self.show_state("", error="The mirror needs both a Flask app and a FastAPI app running (f5 restarts them).")
            return
        flask, fastapi = fronting["flask"][1], fronting["fastapi"][1]
        self.show_state("", note="Starting…")
        spec = self.session.server("flask").spec
        for listen in (self.listen, (self.listen[0], 0)):  # the usual port, else any free one
            mirror = BackgroundMirror(spec, flask, fastapi, self.suite, noise=noise, listen=listen)
            try:
                url = await mirror.start()
            except OSError:
                continue
            except Exception as exc:  # noqa: BLE001 - shown on the screen; the app goes on
                self.show_state("", error=f"The mirror did not start: {type(exc).__name__}: {exc}")
                return
            self.mirror, self.fronted = mirror, fronting
            self.summary = {"routes": [], "totals": {}}  # its own counts from its start: none of the last one's
            self.show_counts(self.summary)
            self._draw_progress()
            self.show_state(url, note=" ".join(n for n in (mirror.note, self.file_note) if n))
            return
        self.show_state("", error=f"The mirror could not listen on {self.listen[0]}.")

    async def stop_mirror(self) -> None:
        """Stop the mirror if it runs (its last counts stay on the screen); the app calls it when it ends."""
        mirror, self.mirror = self.mirror, None
        if mirror is not None:
            await mirror.stop()
            if self.is_attached:
                self.show_state("", note="Stopped; the counts are those it had.")

    def poll(self) -> None:
        if self.mirror is not None:
            self.refresh_counts()
            now = self._fronting()
            if now is not None and now != self.fronted and not self.following:
                self.following = True  # one at a time: a second restart seen meanwhile is followed after this one
                self.follow_restart(now)

    @work(group="mirror", exclusive=True, exit_on_error=False)
    async def follow_restart(self, now: dict[str, tuple[int | None, str]]) -> None:
        """The servers restarted (f5, ctrl+g, or a crash restarted): the mirror forwards to them from now on,
        on the same listening address, its counts kept. A stop (``s``) meanwhile cancels this worker."""
        mirror, changed = self.mirror, {fw for fw in now if now[fw] != self.fronted.get(fw)}
        self.fronted = now  # tried once per restart: a failure is shown, not retried twice a second
        try:
            spec = self.session.server("flask").spec
            if mirror is None:
                return
            note = await mirror.follow(
                now["flask"][1] if "flask" in changed else None,
                now["fastapi"][1] if "fastapi" in changed else None,
                spec if "flask" in changed else None,
            )
            restarted = " and ".join(f for f, fw in (("Flask", "flask"), ("FastAPI", "fastapi")) if fw in changed)
            said = f"{restarted} restarted: the mirror now forwards to {'it' if len(changed) == 1 else 'them'}"
            self.show_state(mirror.url, note=f"{said}, its counts kept." + (f" {note}" if note else ""))
        except Exception as exc:  # noqa: BLE001 - shown on the screen; the app goes on
            self.show_state(mirror.url if mirror else "", error=f"The mirror did not follow the restart: {exc}")
        finally:
            self.following = False

    @work(group="mirror-poll", exclusive=True, exit_on_error=False)
    async def refresh_counts(self) -> None:
        mirror = self.mirror
        if mirror is None:
            return
        summary = await mirror.snapshot()
        if summary != self.summary:
            self.summary = summary
            self.show_counts(summary)
            self._draw_progress()
