"""The Textual app: the catalog, the request editor and both servers' answers side by side.

Flow of one request (after Posting): an action reads the editor, an exclusive async worker sends
the request through the core :class:`~explorer.session.Session`, and only when every answer is in
does the app hand the exchanges down to the panels. Nothing is drawn while a request is in
flight, so the measured times are the client's, not the renderer's.

The servers are spawned from this event loop's thread after the first paint (the UI appears
before they are ready) and stopped in :meth:`ExplorerApp.on_unmount`, which Textual awaits.
Signals that end the app (SIGTERM, SIGHUP) call :meth:`exit`; the supervisor's ``atexit`` hook
and the children's parent-death signal cover every other way out.
"""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import Iterable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.css.query import NoMatches
from textual.driver import Driver
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Static, Tree
from textual.worker import Worker, WorkerState

from explorer.catalog import SAMPLES, Sample, by_id
from explorer.comparison import Measurements
from explorer.errors import ExplorerError
from explorer.request import RequestSpec
from explorer.servers import ServerSpec, ServerState, ServerStatus, demo_spec, kill_all_now
from explorer.session import Session
from explorer.session_report import SessionLog
from panels.editor import RequestEditor
from panels.parity_screen import ParityScreen
from panels.response import ResponsePanel
from panels.routes import RouteBrowser
from panels.samples import SampleBrowser
from panels.server_strip import ServerStrip

if TYPE_CHECKING:
    from explorer.client import Exchange

THEME = "textual-dark"
FREEZE_LIMIT = 0.25  # seconds the screen may stay frozen while requests are in flight
KEYMAP_BYTES = 64 * 1024
KEYMAP_FILE = Path(os.environ.get("XDG_CONFIG_HOME", Path.home() / ".config")) / "flask-fastapi-explorer" / "keymap.toml"


def load_keymap(path: Path = KEYMAP_FILE) -> dict[str, str]:
    """``[keymap]`` of a TOML file: binding id -> keys, e.g. ``send = "ctrl+s"``. Missing file: no changes.

    Read by the loader every user file goes through (a regular file of at most 64 KiB, UTF-8, bounded nesting).
    """
    if not os.path.lexists(path):
        return {}
    from explorer.datafile import DataFileError, FileLimits, load_data_file

    try:
        data = load_data_file(path, FileLimits(KEYMAP_BYTES), "toml", label=f"keymap {path}")
    except DataFileError as exc:
        raise ExplorerError(str(exc)) from None
    keymap = data.get("keymap", {})
    if not isinstance(keymap, dict) or not all(isinstance(v, str) for v in keymap.values()):
        raise ExplorerError(f"{path}: [keymap] must map binding ids to key strings")
    return keymap


class _Freeze:
    """Screen updates and log drawing held while requests are in flight; released once."""

    def __init__(self, app: App[int], panels: list[ResponsePanel]) -> None:
        self._batch = app.batch_update()
        self._batch.__enter__()
        self._panels = panels
        for panel in panels:
            panel.hold_log = True
        self._held = True

    def release(self) -> None:
        if self._held:
            self._held = False
            for panel in self._panels:
                panel.hold_log = False
            self._batch.__exit__(None, None, None)


class ExplorerApp(App[int]):
    """Flask vs FastAPI, live."""

    CSS_PATH = "app.tcss"
    TITLE = "Flask vs FastAPI Explorer"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+r", "send", "Send", id="send",
                tooltip="Send the request in the editor to the visible server(s)"),
        Binding("f", "cycle_view", "View", id="cycle_view",
                tooltip="Cycle the view: Both, Flask only, FastAPI only (requests go only to what is shown)"),
        Binding("t", "table", "Table", id="table", tooltip="The comparison table, with measured rows"),
        Binding("g", "guide", "Which first?", id="guide", tooltip="Which should you learn first? A short guide"),
        Binding("d", "docs", "Docs", id="docs", tooltip="API docs: FastAPI's generated schema next to what Flask answers"),
        Binding("o", "open_docs", "Open /docs", id="open_docs", show=False, tooltip="Open FastAPI's /docs in your web browser"),
        Binding("r", "restart", "Restart", id="restart", tooltip="Restart both servers"),
        Binding("p", "lab", "Lab", id="lab", tooltip="Performance lab: async against sync under load, measured"),
        Binding("c", "parity", "Parity", id="parity", tooltip="Parity check: send a requests file to both apps and compare"),
        Binding("s", "switch_flask_server", "Flask server", id="switch_flask_server", show=False,
                tooltip="Switch Flask between the Werkzeug dev server and gunicorn (gthread)"),
        Binding("b", "toggle_raw", "Raw body", id="toggle_raw", show=False, tooltip="Show bodies raw or pretty-printed"),
        Binding("y", "copy_curl", "Copy curl", id="copy_curl", show=False, tooltip="Copy the current request as a curl command"),
        Binding("e", "export", "Export", id="export", show=False,
                tooltip="Write this session (servers, table, every request, lab runs) as Markdown and JSON"),
        Binding("1", "tab('body')", "Body tab", id="tab_body", show=False, tooltip="Body tab in both panels"),
        Binding("2", "tab('headers')", "Headers tab", id="tab_headers", show=False, tooltip="Headers tab in both panels"),
        Binding("3", "tab('validation')", "Validation tab", id="tab_validation", show=False, tooltip="Validation tab in both panels"),
        Binding("4", "tab('code')", "Code tab", id="tab_code", show=False, tooltip="Code tab: the handler that ran"),
        Binding("5", "tab('log')", "Log tab", id="tab_log", show=False, tooltip="Log tab: each server's output"),
        Binding("slash", "filter", "Filter", id="filter", show=False, tooltip="Filter the samples"),
        Binding("f1", "help", "Help", id="help", tooltip="This help"),
        Binding("ctrl+q", "quit", "Quit", id="quit", priority=True, tooltip="Quit (stops both servers)"),
        Binding("ctrl+c", "quit", "Quit", id="quit_ctrl_c", show=False,
                tooltip="Quit too, unless a text field has focus (there it copies)"),
    ]

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
        self.raw = False
        self.measurements = Measurements()
        self.sample: Sample | None = None
        self.last: dict[str, Exchange] = {}
        self.history = SessionLog()
        self._keymap = keymap or {}
        self.session = Session(self.specs, timeout=timeout)
        self._servers = self.session.supervisor.servers
        self.demo = all(spec.target.startswith("demos.") for spec in self.specs)
        self.views = ["both", *self._servers] if len(self._servers) > 1 else list(self._servers)
        self.view = self.views[0]
        self.theme = THEME

    # ----------------------------------------------------------------- layout
    def compose(self) -> ComposeResult:
        yield ServerStrip(mask=self.mask, id="strip")
        with Horizontal(id="main"):
            if self.demo:
                yield SampleBrowser(id="samples")
            else:
                yield RouteBrowser(id="samples")
            with Vertical(id="work"):
                yield RequestEditor(id="editor")
                yield Static("", id="claim")
                with Horizontal(id="responses"):
                    for framework, server in self._servers.items():
                        yield ResponsePanel(framework, server.log, mask=self.mask)
        yield Footer()

    def on_mount(self) -> None:
        if self._keymap:
            self.set_keymap(self._keymap)
        for server in self._servers.values():
            server.subscribe(self._on_status)
            self._on_status(server.status)
        if self.initial is not None:
            self.query_one(RequestEditor).load(self.initial)
            self.query_one("#claim", Static).update("Press ctrl+r to send this request to both servers.")
        elif self.demo:
            self.query_one("#claim", Static).update("Choose a sample on the left (Enter sends it), or edit the request and press ctrl+r.")
        else:
            self.query_one(RequestEditor).load(RequestSpec("GET", "/"))
            self.query_one("#claim", Static).update("Your apps: pick a route on the left (Enter sends it), or type a request and press ctrl+r.")
        self.query_one("#samples Tree", Tree).focus()
        loop = asyncio.get_running_loop()
        handlers = {signal.SIGTERM: self.exit, signal.SIGINT: self.exit, signal.SIGHUP: self._hang_up}
        for sig, handler in handlers.items():
            try:
                loop.add_signal_handler(sig, handler)
            except (NotImplementedError, RuntimeError, ValueError):
                pass
        self.call_after_refresh(lambda: self.run_worker(self._boot(), group="boot", exit_on_error=False))

    def _hang_up(self) -> None:
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

    async def _boot(self) -> None:
        """Start both servers (after the first paint), then load the HTTP client while they boot."""
        starting = asyncio.create_task(self.session.start())
        import explorer.client  # noqa: F401 - httpx takes ~0.1 s to import; do it now, not on the first send

        await starting
        if not self.demo:
            await self._list_routes()
        if os.environ.get("EXPLORER_TEST_CRASH"):  # test hook: an unhandled exception in the app itself
            self.call_later(self._crash_for_tests)

    async def _list_routes(self) -> None:
        """Fill the route picker from FastAPI's OpenAPI schema and Flask's URL map."""
        from explorer.routes import list_all_routes, merge_routes

        listings = await list_all_routes(self.session)
        problems = [f"{fw}: {listing.error}" for fw, listing in listings.items() if listing.error]
        rows = merge_routes(listings.values())
        note = f"{len(rows)} routes." + (f" Could not list {'; '.join(problems)}" if problems else "")
        skipped = [(fw, listing.skipped) for fw, listing in listings.items() if listing.skipped]
        for fw, lines in skipped:
            note += f" {fw}: {len(lines)} part(s) of the schema could not be used, first {lines[0]}"
        self.query_one(RouteBrowser).show_rows(rows, note)

    def _crash_for_tests(self) -> None:
        raise RuntimeError("EXPLORER_TEST_CRASH: an unhandled exception inside the app")

    async def on_unmount(self) -> None:
        await self.session.stop()

    def say(self, message: str, **kwargs: object) -> None:
        """A notification whose text is shown literally: it often carries server or user text."""
        self.notify(message, markup=False, **kwargs)  # type: ignore[arg-type]

    def _on_status(self, status: ServerStatus) -> None:
        server = self._servers[status.framework]
        try:
            self.query_one(ServerStrip).set_server(status, server.spec.label)
            self.query_one(f"#panel-{status.framework}", ResponsePanel).show_status(status, server.spec.label)
        except NoMatches:
            return  # the app is shutting down and its widgets are gone
        if status.spawn_to_ready_ms is not None and status.state is ServerState.READY:
            self.measurements.spawn_ms[status.framework] = status.spawn_to_ready_ms
        if status.state is ServerState.CRASHED:
            from explorer.targets import import_error_line

            detail = import_error_line(list(status.log_tail) or server.log.tail(40))
            message = f"{status.framework} server crashed: {status.message}" + (f": {detail}" if detail else "")
            self.say(f"{message}. Its Log tab has the details; press r to restart.", severity="error", timeout=10)

    # --------------------------------------------------------------- requests
    def frameworks_in_view(self) -> list[str]:
        return list(self._servers) if self.view == "both" else [fw for fw in self._servers if fw == self.view]

    def action_send(self) -> None:
        editor = self.query_one(RequestEditor)
        try:
            spec, burst = editor.read()
        except ExplorerError as exc:
            editor.show_message(f"Not sent: {exc}", error=True)
            return
        editor.show_message(editor.json_warning(spec))
        if self.sample is not None and self.sample.request != spec:
            self.sample = None
        frameworks = self.frameworks_in_view()
        if self.sample is not None:
            frameworks = [fw for fw in frameworks if fw in self.sample.frameworks]
            if not frameworks:
                only = " and ".join(self.sample.frameworks)
                editor.show_message(f"This sample is for {only} only, which is not in view: press f to show it.", error=True)
                return
        for framework in self._servers:
            panel = self.query_one(f"#panel-{framework}", ResponsePanel)
            if framework in frameworks:
                panel.show_pending(f"Sending {spec.line}{f' ×{burst}' if burst > 1 else ''}…")
            elif self.sample is not None and framework not in self.sample.frameworks:
                panel.show_pending(f"This sample is for {', '.join(self.sample.frameworks)} only; nothing was sent here.")
        self.call_after_refresh(self.send_request, spec, frameworks, burst)  # paint "Sending…" before the clock starts

    @work(group="send", exclusive=True, exit_on_error=False)
    async def send_request(self, spec: RequestSpec, frameworks: list[str], burst: int) -> None:
        """Send to each framework in turn with the screen frozen; draw once all answers are in.

        A repaint or a burst of log lines drawn while a request is in flight would delay reading its
        answer and inflate the time shown, so both wait until the last answer has arrived, or for at
        most FREEZE_LIMIT: a slow or hung server must not freeze the screen.
        """
        for framework in frameworks:  # a server still starting is waited for with the screen live
            if self._servers[framework].status.state is ServerState.STARTING:
                await self._servers[framework].start()
        freeze = _Freeze(self, list(self.query(ResponsePanel)))
        self.set_timer(FREEZE_LIMIT, freeze.release)
        try:
            results = await self.session.send(spec, frameworks, burst)
        finally:
            freeze.release()
        self.show_results(spec, results)

    def show_results(self, spec: RequestSpec, results: dict[str, Exchange]) -> None:
        from explorer.explain import differences
        from explorer.source import find_handler, module_file

        self.last = results
        differs: frozenset[str] = frozenset()
        found = []
        if len(results) == 2:
            left, right = results.values()
            found = differences(left, right)
            differs = frozenset(d.aspect for d in found)
            summary = "; ".join(f"{d.aspect}: {d.left} ≠ {d.right}" for d in found) or "No difference in status, content type or body (bodies compared as JSON when both are JSON)."
            self._show_claim(f"Differences: {summary}")
        for framework, exchange in results.items():
            panel = self.query_one(f"#panel-{framework}", ResponsePanel)
            panel.show_exchange(exchange, differs)
            server = self._servers[framework]
            panel.show_code(find_handler(module_file(server.spec.target, server.spec.app_dir), spec.method, spec.path, framework))
        self._remember(spec, results, [f"{d.aspect}: {d.left} vs {d.right}" for d in found])

    def _remember(self, spec: RequestSpec, results: dict[str, Exchange], found: list[str]) -> None:
        from explorer.request import curl_command

        curls = {fw: curl_command(spec, self._servers[fw].status.base_url or "") for fw in results}
        self.history.add_request({fw: e.to_dict() for fw, e in results.items()}, found, curls)

    def action_export(self) -> None:
        from datetime import datetime

        from explorer.session_report import session_report

        servers = {fw: s.spec.to_dict() | {"spawn_to_ready_ms": s.status.spawn_to_ready_ms} for fw, s in self._servers.items()}
        measured = {"spawn to ready": self.measurements.spawn_ms, "median GET /items/1": self.measurements.latency_ms}
        document = self.history.document(servers, {k: v for k, v in measured.items() if v})
        base = Path.cwd() / f"explorer-session-{datetime.now():%Y%m%d-%H%M%S}"
        try:
            md, js = session_report(document).write(base)
        except ExplorerError as exc:
            self.say(str(exc), severity="error")
            return
        self.say(f"Wrote {md.name} and {js.name} in {md.parent}", title="Session exported", timeout=6)

    def _show_claim(self, extra: str = "") -> None:
        from rich.text import Text

        text = Text()
        if self.sample is not None:
            text.append(self.sample.claim, style="bold")
        if extra:
            text.append(("\n" if text else "") + extra)
        self.query_one("#claim", Static).update(text)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR:
            self.say(f"{event.worker.name} failed: {event.worker.error}", severity="error", timeout=8)

    @on(RequestEditor.SendRequested)
    def _editor_send(self) -> None:
        self.action_send()

    @on(RouteBrowser.Chosen)
    def _route_chosen(self, event: RouteBrowser.Chosen) -> None:
        row = event.row
        self.sample = None
        self.query_one(RequestEditor).load(row.request)
        self._show_claim(f"{row.method} {row.pattern}: in {' and '.join(row.frameworks)}.")
        self.action_send()

    @on(SampleBrowser.Chosen)
    def _sample_chosen(self, event: SampleBrowser.Chosen) -> None:
        self.load_sample(event.sample, send=True)

    def load_sample(self, sample: Sample, send: bool = False) -> None:
        self.sample = sample
        self.query_one(RequestEditor).load(sample.request, sample.burst)
        self._show_claim()
        if send:
            self.action_send()

    # ---------------------------------------------------------------- actions
    def action_cycle_view(self) -> None:
        self.view = self.views[(self.views.index(self.view) + 1) % len(self.views)]
        for framework in self._servers:
            self.query_one(f"#panel-{framework}", ResponsePanel).display = self.view in ("both", framework)
        self.query_one(ServerStrip).set_view(self.view)

    def action_toggle_raw(self) -> None:
        from panels.body_view import BodyView

        self.raw = not self.raw
        for view in self.query(BodyView):
            view.raw = self.raw

    def action_tab(self, tab: str) -> None:
        for panel in self.query(ResponsePanel):
            panel.select_tab(tab)

    def action_filter(self) -> None:
        self.query_one("#samples Input").focus()

    def action_restart(self) -> None:
        self.restart_servers()

    @work(group="servers", exclusive=True, exit_on_error=False)
    async def restart_servers(self, frameworks: Iterable[str] | None = None) -> None:
        chosen = list(frameworks) if frameworks is not None else list(self._servers)
        self.say(f"Restarting {', '.join(chosen)}…", timeout=3)
        self.measurements.latency_ms.clear()
        await asyncio.gather(*(self._servers[fw].restart() for fw in chosen))

    def action_switch_flask_server(self) -> None:
        server = self._servers.get("flask")
        if server is None or server.spec.kind not in ("werkzeug", "gunicorn"):
            self.say("Only the demo Flask app can switch servers.", severity="warning")
            return
        new_kind = "gunicorn" if server.spec.kind == "werkzeug" else "werkzeug"
        self.switch_flask(new_kind)

    @work(group="servers", exclusive=True, exit_on_error=False)
    async def switch_flask(self, kind: str) -> None:
        from dataclasses import replace

        server = self._servers["flask"]
        await server.stop()
        server.spec = replace(server.spec, kind=kind)
        self.measurements.latency_ms.pop("flask", None)
        self.say(f"Flask now runs on: {server.spec.label}", timeout=4)
        await server.start()

    def action_copy_curl(self) -> None:
        from explorer.request import curl_command

        try:
            spec, _ = self.query_one(RequestEditor).read()
        except ExplorerError as exc:
            self.say(f"Cannot copy: {exc}", severity="error")
            return
        framework = self.frameworks_in_view()[0]
        url = self._servers[framework].status.base_url or "http://127.0.0.1:PORT"
        command = curl_command(spec, url)
        self.copy_to_clipboard(command)
        self.say(command, title="Copied as curl", timeout=6)

    def action_table(self) -> None:
        from panels.table_screen import TableScreen

        screen = TableScreen(self.measurements, mask=self.mask, demo=self.demo)
        self.push_screen(screen, self._table_done)
        if self.demo:  # GET /items/1 exists only in the demos
            self.measure_latency(screen)

    @work(group="measure", exclusive=True, exit_on_error=False)
    async def measure_latency(self, screen: Screen[str | None]) -> None:
        from explorer.comparison import measure_latency
        from panels.table_screen import TableScreen

        assert isinstance(screen, TableScreen)
        screen.refresh_measurements(self.measurements)
        for framework in self._servers:
            if framework in self.measurements.latency_ms or self._servers[framework].status.state is not ServerState.READY:
                continue
            value = await measure_latency(self.session, framework)
            if value is not None:
                self.measurements.latency_ms[framework] = value
            if screen.is_attached:
                screen.refresh_measurements(self.measurements)

    def _table_done(self, sample_id: str | None) -> None:
        sample = by_id(sample_id) if sample_id and self.demo else None
        if sample is not None:
            self.query_one(SampleBrowser).select(sample.id)
            self.load_sample(sample, send=True)

    def action_parity(self) -> None:
        default = ""
        for spec in self.specs:
            candidate = (spec.app_dir or Path.cwd()) / "requests.yaml"
            if not self.demo and candidate.is_file():
                default = str(candidate)
        self.push_screen(ParityScreen(default, mask=self.mask), self._parity_done)

    def _parity_done(self, request: RequestSpec | None) -> None:
        if request is not None:
            self.sample = None
            self.query_one(RequestEditor).load(request)
            self.action_send()

    @on(ParityScreen.RunRequested)
    def _parity_run(self, event: ParityScreen.RunRequested) -> None:
        self.run_parity(event.path)

    @work(group="parity", exclusive=True, exit_on_error=False)
    async def run_parity(self, path: str) -> None:
        from explorer.parity import run_parity
        from explorer.parity_file import load_suite

        screen = self.screen
        assert isinstance(screen, ParityScreen)
        if set(self._servers) != {"flask", "fastapi"}:
            screen.show_error("Parity needs both a Flask app and a FastAPI app running.")
            return
        try:
            # Off the event loop: the file is bounded, but reading and checking it is still work.
            suite = await asyncio.to_thread(load_suite, Path(path).expanduser())
        except ExplorerError as exc:
            screen.show_error(str(exc))
            self.say(str(exc), severity="error")
            return
        report = await run_parity(self.session, suite, on_result=screen.add_result)
        screen.show_report(report)

    def action_lab(self) -> None:
        from explorer.bench.external import ENGINES, available
        from panels.lab_screen import LabScreen

        if not self.is_screen_installed("lab"):
            self.install_screen(LabScreen([e for e in ENGINES if available(e)], mask=self.mask), name="lab")
        self.push_screen("lab")

    def on_lab_screen_run_requested(self, event: Message) -> None:
        self.run_lab(getattr(event, "plan"))

    def on_lab_screen_stop_requested(self) -> None:
        self.workers.cancel_group(self, "lab")

    @work(group="lab", exclusive=True, exit_on_error=False)
    async def run_lab(self, plan: object) -> None:
        """The experiment, on servers of its own; the load runs in a separate process."""
        from explorer.bench.runner import run_bench
        from panels.lab_screen import LabScreen

        screen = self.get_screen("lab")
        assert isinstance(screen, LabScreen)
        try:
            report = await run_bench(plan, on_event=screen.on_bench_event)  # type: ignore[arg-type]
        except asyncio.CancelledError:
            screen.show_report(None)
            raise
        except ExplorerError as exc:
            screen.show_report(None, error=f"The lab stopped: {exc}")
            return
        screen.show_report(report)
        self.history.add_lab({"scenario": report.scenario.title, "verdict": report.verdict(), "report": report.to_dict()})

    def action_guide(self) -> None:
        from panels.guide_screen import GuideScreen

        self.push_screen(GuideScreen())

    def action_docs(self) -> None:
        self.open_docs_screen()

    @work(group="docs", exclusive=True, exit_on_error=False)
    async def open_docs_screen(self) -> None:
        from explorer.openapi import outline_skipped
        from panels.docs_screen import DocsScreen

        operations, fastapi_note, flask_answer = [], "FastAPI is not running.", "Flask is not running."
        if "fastapi" in self._servers:
            schema = await self.session.send_one("fastapi", RequestSpec("GET", "/openapi.json"))
            operations, skipped = outline_skipped(schema.json)
            unused = f" {len(skipped)} part(s) could not be used, first {skipped[0]}." if skipped else ""
            fastapi_note = (
                f"GET /openapi.json → {schema.status} {schema.reason}: {len(operations)} operations.{unused} "
                "Press o to open the interactive /docs page in your browser."
                if schema.status else f"GET /openapi.json failed: {schema.error}"
            )  # fmt: skip
        if "flask" in self._servers:
            docs = await self.session.send_one("flask", RequestSpec("GET", "/docs"))
            flask_answer = f"GET /docs → {docs.status} {docs.reason} ({docs.content_type})" if docs.status else f"GET /docs failed: {docs.error}"
        await self.push_screen(DocsScreen(operations, fastapi_note, flask_answer))

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

        keys = []
        for binding in self.BINDINGS:
            assert isinstance(binding, Binding)
            shown = self._keymap.get(binding.id or "", binding.key)
            keys.append((shown.replace(",", " "), binding.tooltip or binding.description))
        keys += [("enter", "On a sample: load and send it"), ("escape", "Leave a screen")]
        self.push_screen(HelpScreen(keys))

    def get_driver_class(self) -> type[Driver]:
        """Textual's driver, made safe for SIGSTOP and SIGCONT from outside (see panels/driver.py)."""
        from panels.driver import terminal_driver

        return terminal_driver(super().get_driver_class())

    def action_command_palette(self) -> None:
        """Textual's palette, guarded against a page key pressed as it opens (see panels/palette.py)."""
        from panels.palette import SafeCommandPalette

        if self.use_command_palette and not SafeCommandPalette.is_open(self):
            self.push_screen(SafeCommandPalette(id="--command-palette"))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:  # type: ignore[type-arg]
        yield from super().get_system_commands(screen)
        for binding in self.BINDINGS:
            assert isinstance(binding, Binding)
            if binding.id in ("quit", "quit_ctrl_c", "help"):
                continue
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
