"""The Textual app: it composes the main view, wires the panels' messages and routes the keys.

The work lives next to it, each piece with what it needs handed over when it is created: sending a request and showing
both answers in :mod:`.workbench`, the servers' life (start after the first paint, restart, switch, every way out) in
:mod:`.lifecycle`, opening the other screens and the help in :mod:`.navigation`, each screen's work in
:mod:`.screens`, the bindings and keymap in :mod:`.keys`, every patch to Textual in :mod:`.textual_patches`. Messages
come up from the panels; the app hands data down and keeps what the whole session shares: session, log, measurements.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import replace
from typing import TYPE_CHECKING, ClassVar, cast

from textual import on
from textual.app import ComposeResult, SystemCommand
from textual.binding import BindingType
from textual.containers import Horizontal
from textual.css.query import NoMatches
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from explorer.apps.bundled import demo_spec
from explorer.content.catalog import SAMPLES, Sample
from explorer.content.measured import Measurements
from explorer.reports.session import SessionLog
from explorer.runtime.errors import ExplorerError
from explorer.runtime.http.request import RequestSpec
from explorer.runtime.servers.specs import ServerSpec, ServerState, ServerStatus
from explorer.runtime.servers.supervisor import kill_all_now
from explorer.runtime.session import Session
from explorer.tui.focus import above_the_answers, keep_focus, zoom
from explorer.tui.keys import BINDINGS, FOOTER_FIRST, load_keymap, main_commands, screen_commands
from explorer.tui.lifecycle import Lifecycle
from explorer.tui.navigation import ScreensApp
from explorer.tui.workbench import Workbench
from panels.editor import RequestEditor
from panels.fields import Left
from panels.footer import FittedFooter
from panels.samples import SampleBrowser
from panels.server_strip import ServerStrip

if TYPE_CHECKING:
    from explorer.runtime.http.client import Exchange
    from panels.routes import RouteBrowser

THEME = "textual-dark"


class ExplorerApp(ScreensApp):
    """Flask vs FastAPI, live."""

    CSS_PATH = "app.tcss"
    FIRST_FOCUS = "#samples Tree"  # the keyboard starts on the list
    TITLE = "Flask vs FastAPI Explorer"
    BINDINGS: ClassVar[list[BindingType]] = BINDINGS
    # Screen classes by size (app.tcss): the list narrows and the answers go one at a time below 100
    # columns; the editor loses its borders and the lines above the answers shrink below 40 lines.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-medium"), (150, "-wide")]
    VERTICAL_BREAKPOINTS = [(0, "-short"), (40, "-tall")]

    def __init__(
        self,
        *,
        specs: list[ServerSpec] | None = None,
        initial: RequestSpec | None = None,
        timeout: float = 5.0,
        mask: bool = False,
        keymap: dict[str, str] | None = None,
        session: Session | None = None,  # one the caller made, run as the app's own (tests/shared.py: servers shared)
    ) -> None:
        super().__init__()
        self.session = session or Session(specs or [demo_spec("flask"), demo_spec("fastapi")], timeout=timeout)
        self.specs = [server.spec for server in self.session.supervisor]
        self.initial = initial
        self.mask = mask
        self.measurements = Measurements()
        self.history = SessionLog()
        self._keymap = keymap or {}
        self._servers = self.session.supervisor.servers
        self.demo = all(spec.demo for spec in self.specs)
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
                from panels.routes import RouteBrowser  # the user's apps: not imported before the demos' first frame

                yield RouteBrowser(id="samples")
            yield self.workbench
        yield FittedFooter(first=FOOTER_FIRST, stand_in=True)  # its keys drawn by one widget in the first frame

    def on_mount(self) -> None:
        self.apply_user_keymap(dict(self._keymap))
        self.query_one(RequestEditor).show_send_key(self.key_label("send"))
        for server in self._servers.values():  # idle until boot() starts them after this frame: "starting"
            server.subscribe(self._on_status)
            self._on_status(
                replace(s, state=ServerState.STARTING) if (s := server.status).state is ServerState.IDLE else s
            )
        keep_focus(self, self.screen, self.workbench)  # Escape works from wherever the keyboard lands
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
        note += "".join(f" {said}" for listing in listings.values() if (said := listing.left_out_said()))
        cast("RouteBrowser", self.query_one("#samples")).show_rows(rows, note)  # composed as one: not a demo

    async def on_unmount(self) -> None:
        await self.stop_mirror()
        await self.life.stop_servers()

    async def action_quit(self) -> None:
        await asyncio.wait([self.life.stop_servers()], timeout=0.01)  # SIGTERM sent before Textual's teardown
        await super().action_quit()

    def _on_status(self, status: ServerStatus) -> None:
        server = self._servers[status.framework]
        try:
            self.query_one(ServerStrip).set_server(status, server.spec.short)
            self.workbench.panel(status.framework).server = (status, server.spec.label)
        except NoMatches:
            return  # the app is shutting down and its widgets are gone
        if status.spawn_to_ready_ms is not None and status.state is ServerState.READY:
            self.measurements.spawn_ms[status.framework] = status.spawn_to_ready_ms
        if status.state is ServerState.CRASHED:
            from explorer.apps.targets import app_lines, failure_detail

            printed = list(status.log_tail) or server.log.tail(40)
            detail = failure_detail(printed) or "\n".join(f"| {line[:200]}" for line in app_lines(printed, 3))
            message = f"{status.framework} server crashed: {status.message}" + (f": {detail}" if detail else "")
            self.say(f"{message}. Its Log tab has the details; press F5 to restart.", severity="error", timeout=10)

    # --------------------------------------------------------------- requests
    def action_send(self) -> None:
        self.workbench.send()

    def action_export(self) -> None:
        from explorer.reports.session import export_folder, export_session

        try:
            md, js = export_session(self.history, self.session.supervisor, self.measurements, export_folder())
        except ExplorerError as exc:
            self.say(str(exc), severity="error")
            return
        self.say(f"Wrote {md}\nand {js.name} beside it", title="Session exported", timeout=8)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR:
            self.say(f"{event.worker.name} failed: {event.worker.error}", severity="error", timeout=8)

    def on_route_browser_chosen(self, event: RouteBrowser.Chosen) -> None:  # (by name: panels.routes loads later)
        row = event.row
        self.workbench.load_request(
            row.request, f"{row.method} {row.pattern}: in {' and '.join(row.frameworks)}.", send=True
        )
        self.workbench.focus_answers()  # where the tab keys and the screens' letters work (on the list they filter)

    @on(SampleBrowser.Chosen)
    def _sample_chosen(self, event: SampleBrowser.Chosen) -> None:
        self.load_sample(event.sample, send=True)
        self.workbench.focus_answers()  # where the tab keys and the screens' letters work (on the list they filter)

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
        self._show_sidebar(True)
        self.query_one("#samples Input").focus()

    def action_toggle_sidebar(self) -> None:
        self._show_sidebar(not self.query_one("#samples").display)

    def _show_sidebar(self, show: bool) -> None:
        sidebar = self.query_one("#samples")
        if sidebar.display != show:
            moving = not show and self.focused is not None and sidebar in self.focused.ancestors
            sidebar.display = show
            if moving:  # to the answers, where no stray key is typed into a field
                self.workbench.focus_answers()

    def action_zoom(self) -> None:
        zoom(self, self.workbench)

    def action_switch_answer(self) -> None:
        self.workbench.switch_answer()

    def action_toggle_wrap(self) -> None:
        wrapped = self.workbench.toggle_wrap()
        self.say("Long lines are wrapped." if wrapped else "Long lines are not wrapped; scroll sideways.", timeout=3)

    def action_find(self) -> None:
        self.workbench.front_panel().open_find()

    @on(Left, "#samples Tree")
    def _left_list(self, event: Left) -> None:
        event.stop()
        self.workbench.focus_answers(at_once=True)  # Escape runs as it arrives (leave_now): so do the keys after it

    @on(Left, "ResponsePanel")
    def _left_answers(self, event: Left) -> None:
        event.stop()
        above_the_answers(self.screen, self.query_one(RequestEditor))

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

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        if screen is not self.screen_stack[0]:
            yield from screen_commands(screen)  # the main view's actions do nothing on another screen
            return
        yield from main_commands(screen)  # each with its key, after the user's keymap
        for sample in SAMPLES if self.demo else ():
            yield SystemCommand(
                f"Sample: {sample.title}", sample.claim, lambda s=sample: self.load_sample(s, send=True)
            )


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
