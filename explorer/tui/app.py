"""The Textual app: it composes the main view, wires the panels' messages and routes the keys.

The work lives next to it, each piece with what it needs handed over when it is created: sending a
request and showing both answers in :mod:`.workbench`, the servers' life (start after the first
paint, restart, switch, every way out) in :mod:`.lifecycle`, each screen's work in :mod:`.screens`,
the bindings and keymap in :mod:`.keys`, two guards for Textual itself in :mod:`.guards`. Messages
come up from the panels; the app hands data down and keeps what the whole session shares: the
session itself, its log and the measurements.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult, SystemCommand
from textual.binding import BindingType
from textual.containers import Horizontal
from textual.css.query import NoMatches
from textual.screen import Screen
from textual.widgets import Footer, Tree
from textual.worker import Worker, WorkerState

from explorer.content.catalog import SAMPLES, Sample, by_id
from explorer.content.comparison import Measurements
from explorer.reports.session import SessionLog
from explorer.runtime.errors import ExplorerError
from explorer.runtime.request import RequestSpec
from explorer.runtime.servers import kill_all_now
from explorer.runtime.session import Session
from explorer.runtime.specs import ServerSpec, ServerState, ServerStatus, demo_spec
from explorer.tui.guards import GuardedApp
from explorer.tui.keys import BINDINGS, help_keys, load_keymap, palette_bindings
from explorer.tui.lifecycle import Lifecycle
from explorer.tui.workbench import Workbench
from panels.routes import RouteBrowser
from panels.samples import SampleBrowser
from panels.server_strip import ServerStrip

if TYPE_CHECKING:
    from explorer.runtime.client import Exchange

THEME = "textual-dark"


class ExplorerApp(GuardedApp):
    """Flask vs FastAPI, live."""

    CSS_PATH = "app.tcss"
    TITLE = "Flask vs FastAPI Explorer"
    BINDINGS: ClassVar[list[BindingType]] = BINDINGS

    def __init__(
        self,
        *,
        specs: list[ServerSpec] | None = None,
        initial: RequestSpec | None = None,
        timeout: float = 5.0,
        mask: bool = False,
        keymap: dict[str, str] | None = None,
    ) -> None:
        super().__init__()
        self.specs = specs or [demo_spec("flask"), demo_spec("fastapi")]
        self.initial = initial
        self.timeout = timeout
        self.mask = mask
        self.measurements = Measurements()
        self.history = SessionLog()
        self._keymap = keymap or {}
        self.session = Session(self.specs, timeout=timeout)
        self._servers = self.session.supervisor.servers
        self.demo = all(spec.target.startswith("demos.") for spec in self.specs)
        self.workbench = Workbench(self.session, self.history, initial=initial, demo=self.demo, mask=mask, id="work")
        self.life = Lifecycle(self, self.session, self.measurements, self.say)
        self.theme = THEME

    # What the main view shows, read by the export, the palette and the tests.
    @property
    def sample(self) -> Sample | None:
        return self.workbench.sample

    @property
    def last(self) -> dict[str, Exchange]:
        return self.workbench.last

    @property
    def view(self) -> str:
        return self.workbench.view

    def load_sample(self, sample: Sample, send: bool = False) -> None:
        self.workbench.load_sample(sample, send)

    # ----------------------------------------------------------------- layout
    def compose(self) -> ComposeResult:
        yield ServerStrip(mask=self.mask, id="strip")
        with Horizontal(id="main"):
            if self.demo:
                yield SampleBrowser(id="samples")
            else:
                yield RouteBrowser(id="samples")
            yield self.workbench
        yield Footer()

    def on_mount(self) -> None:
        if self._keymap:
            self.set_keymap(self._keymap)
        for server in self._servers.values():
            server.subscribe(self._on_status)
            self._on_status(server.status)
        self.query_one("#samples Tree", Tree).focus()
        self.life.watch_signals()
        self.life.boot(then=self._list_routes)

    async def _list_routes(self) -> None:
        """Fill the route picker (with the user's apps) from FastAPI's OpenAPI schema and Flask's URL map."""
        if self.demo:
            return
        from explorer.apps.routes import list_all_routes, merge_routes

        listings = await list_all_routes(self.session)
        self.workbench.handlers = {fw: listing.handlers for fw, listing in listings.items()}
        problems = [f"{fw}: {listing.error}" for fw, listing in listings.items() if listing.error]
        rows = merge_routes(listings.values())
        note = f"{len(rows)} routes." + (f" Could not list {'; '.join(problems)}" if problems else "")
        skipped = [(fw, listing.skipped) for fw, listing in listings.items() if listing.skipped]
        for fw, lines in skipped:
            note += f" {fw}: {len(lines)} part(s) of the schema could not be used, first {lines[0]}"
        self.query_one(RouteBrowser).show_rows(rows, note)

    async def on_unmount(self) -> None:
        await self.session.stop()

    def say(self, message: str, **kwargs: object) -> None:
        """A notification whose text is shown literally: it often carries server or user text."""
        self.notify(message, markup=False, **kwargs)  # type: ignore[arg-type]

    def _on_status(self, status: ServerStatus) -> None:
        server = self._servers[status.framework]
        try:
            self.query_one(ServerStrip).set_server(status, server.spec.label)
            self.workbench.panel(status.framework).show_status(status, server.spec.label)
        except NoMatches:
            return  # the app is shutting down and its widgets are gone
        if status.spawn_to_ready_ms is not None and status.state is ServerState.READY:
            self.measurements.spawn_ms[status.framework] = status.spawn_to_ready_ms
        if status.state is ServerState.CRASHED:
            from explorer.apps.targets import failure_detail

            detail = failure_detail(list(status.log_tail) or server.log.tail(40))
            message = f"{status.framework} server crashed: {status.message}" + (f": {detail}" if detail else "")
            self.say(f"{message}. Its Log tab has the details; press r to restart.", severity="error", timeout=10)

    # --------------------------------------------------------------- requests
    def action_send(self) -> None:
        self.workbench.send()

    def action_export(self) -> None:
        from explorer.reports.session import export_session

        try:
            md, js = export_session(self.history, self.session.supervisor, self.measurements, Path.cwd())
        except ExplorerError as exc:
            self.say(str(exc), severity="error")
            return
        self.say(f"Wrote {md.name} and {js.name} in {md.parent}", title="Session exported", timeout=6)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR:
            self.say(f"{event.worker.name} failed: {event.worker.error}", severity="error", timeout=8)

    @on(RouteBrowser.Chosen)
    def _route_chosen(self, event: RouteBrowser.Chosen) -> None:
        row = event.row
        self.workbench.load_request(row.request, f"{row.method} {row.pattern}: in {' and '.join(row.frameworks)}.", send=True)

    @on(SampleBrowser.Chosen)
    def _sample_chosen(self, event: SampleBrowser.Chosen) -> None:
        self.load_sample(event.sample, send=True)

    # ---------------------------------------------------------------- actions
    def action_cycle_view(self) -> None:
        self.query_one(ServerStrip).set_view(self.workbench.cycle_view())

    def action_client(self, what: str) -> None:
        self.workbench.client_action(what)

    def action_toggle_raw(self) -> None:
        self.workbench.toggle_raw()

    def action_tab(self, tab: str) -> None:
        self.workbench.select_tab(tab)

    def action_filter(self) -> None:
        self.query_one("#samples Input").focus()

    def action_restart(self) -> None:
        self.life.restart()

    def action_switch_flask_server(self) -> None:
        self.life.switch_flask()

    def action_copy_curl(self) -> None:
        try:
            command = self.workbench.curl()
        except ExplorerError as exc:
            self.say(f"Cannot copy: {exc}", severity="error")
            return
        self.copy_to_clipboard(command)
        self.say(command, title="Copied as curl", timeout=6)

    def action_table(self) -> None:
        from explorer.tui.screens.table import TableController

        screen = TableController(self.session, self.measurements, mask=self.mask, demo=self.demo)
        self.push_screen(screen, self._table_done)

    def _table_done(self, sample_id: str | None) -> None:
        sample = by_id(sample_id) if sample_id and self.demo else None
        if sample is not None:
            self.query_one(SampleBrowser).select(sample.id)
            self.load_sample(sample, send=True)

    def action_parity(self) -> None:
        from explorer.tui.screens.parity import ParityController

        self.push_screen(ParityController(self.session, demo=self.demo, mask=self.mask), self._parity_done)

    def _parity_done(self, request: RequestSpec | None) -> None:
        if request is not None:
            self.workbench.load_request(request, send=True)

    def action_lab(self) -> None:
        from explorer.bench.external import ENGINES, available
        from explorer.tui.screens.lab import LabController

        if not self.is_screen_installed("lab"):
            self.install_screen(LabController([e for e in ENGINES if available(e)], self.history, mask=self.mask), name="lab")
        self.push_screen("lab")

    def action_guide(self) -> None:
        from panels.guide_screen import GuideScreen

        self.push_screen(GuideScreen())

    def action_docs(self) -> None:
        self.open_docs_screen()

    @work(group="docs", exclusive=True, exit_on_error=False)
    async def open_docs_screen(self) -> None:
        from explorer.tui.screens.docs import fetch_docs

        await self.push_screen(await fetch_docs(self.session))

    def action_open_docs(self) -> None:
        server = self._servers.get("fastapi")
        url = server.status.base_url if server else None
        if not url:
            self.say("FastAPI is not running.", severity="warning")
            return
        self.open_url(f"{url}/docs")
        self.say(f"Opening {url}/docs in your browser.", timeout=4)

    def action_help(self) -> None:
        from panels.help_screen import HelpScreen

        self.push_screen(HelpScreen(help_keys(self._keymap)))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:  # type: ignore[type-arg]
        yield from super().get_system_commands(screen)
        for binding in palette_bindings():
            yield SystemCommand(binding.description, binding.tooltip, partial(self.run_action, binding.action))
        for sample in SAMPLES if self.demo else ():
            yield SystemCommand(f"Sample: {sample.title}", sample.claim, lambda s=sample: self.load_sample(s, send=True))


def run(
    *,
    initial: RequestSpec | None = None,
    flask_server: str = "dev",
    timeout: float = 5.0,
    mask: bool = False,
    specs: list[ServerSpec] | None = None,
) -> int:
    """Run the app until it quits; every server is gone when this returns."""
    app = ExplorerApp(
        specs=specs or [demo_spec("flask", flask_server), demo_spec("fastapi")],
        initial=initial,
        timeout=timeout,
        mask=mask,
        keymap=load_keymap(),
    )
    try:
        app.run()
    finally:
        kill_all_now()
    return app.return_code or 0
