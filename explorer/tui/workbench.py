"""The main view's work: the request editor, the claim line and both answers, and sending what is edited.

Flow of one request (after Posting): :meth:`Workbench.send` reads the editor, an exclusive async worker sends the
request through the core :class:`~explorer.runtime.session.Session`, and only when every answer is in are the
exchanges handed down to the panels. Nothing is drawn while a request is in flight, so the measured times are the
client's, not the renderer's. Every send is recorded in the session log the workbench is handed, for the export.

Every send has a number. A panel shows the number and request line of the answer it holds; a panel the send did not
reach is cleared (the sample is for the other framework only) or marked as an earlier send (it is hidden in a single
view), and the differences line compares only the answers of one send, never a fresh answer with an old one."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any, cast

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Static
from textual.worker import Worker, WorkerState

from explorer.content.catalog import Sample
from explorer.reports.session import SessionLog, exchange_record
from explorer.runtime.http.request import RequestSpec, curl_command
from explorer.runtime.servers.specs import ServerState
from explorer.runtime.session import Session
from explorer.runtime.userdata.bounded import printable
from explorer.tui.claims import answer_switch, comparison_line
from panels.editor import PathField, RequestEditor
from panels.fields import Left
from panels.fitted import FittedText
from panels.response import ResponsePanel

if TYPE_CHECKING:
    from explorer.apps.handlers import Endpoint
    from explorer.apps.source import HandlerLookup
    from explorer.runtime.http.client import Exchange
    from explorer.tui.keys import KeyLabels

__all__ = ["FREEZE_LIMIT", "Workbench"]

FREEZE_LIMIT = 0.25  # seconds the screen may stay frozen while requests are in flight

Sent = Callable[[RequestSpec, int, "dict[str, Exchange]"], None]


class _Freeze:
    """Screen updates and log drawing held while requests are in flight; released once."""

    def __init__(self, workbench: Workbench) -> None:
        self._batch = workbench.app.batch_update()
        self._batch.__enter__()
        self._panels = list(workbench.query(ResponsePanel))
        for panel in self._panels:
            panel.hold_log = True
        self._held = True

    def release(self) -> None:
        if self._held:
            self._held = False
            for panel in self._panels:
                panel.hold_log = False
            self._batch.__exit__(None, None, None)


class Workbench(Vertical):
    """Edits a request, sends it to the servers in view and shows both answers side by side (or one at a time)."""

    def __init__(
        self,
        session: Session,
        history: SessionLog,
        *,
        initial: RequestSpec | None = None,
        demo: bool = True,
        mask: bool = False,
        on_sent: Sent | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.session = session
        self.history = history
        self.initial = initial
        self.demo = demo
        self.mask = mask
        self.on_sent = on_sent
        self.raw = False
        self.wrap = True
        self.sample: Sample | None = None
        self.last: dict[str, Exchange] = {}
        self.sends = 0  # numbers every send, so each answer can say which request it belongs to
        self.handlers: dict[str, tuple[Endpoint, ...]] = {}  # each app's route table, once listed
        frameworks = session.frameworks
        self.views = ["both", *frameworks] if len(frameworks) > 1 else frameworks
        self.view = self.views[0]
        self.front = frameworks[0]  # the answer shown when they are shown one at a time (narrow screens)

    def compose(self) -> ComposeResult:
        yield RequestEditor(id="editor")
        yield FittedText(id="claim")  # at 80x24 it has three lines: a longer text ends in a visible ellipsis
        yield FittedText(id="answer-switch", whole_if_it_fits=True)
        with Horizontal(id="responses"):
            for server in self.session.supervisor:
                yield ResponsePanel(server.framework, server.log, mask=self.mask)

    def panel(self, framework: str) -> ResponsePanel:
        return self.query_one(f"#panel-{framework}", ResponsePanel)

    def on_mount(self) -> None:
        editor, claim = self.query_one(RequestEditor), self.query_one("#claim", Static)
        if self.initial is not None:
            editor.load(self.initial)
            claim.update("Press ctrl+r to send this request to both servers.")
        elif self.demo:
            claim.update(
                "Choose a sample on the left (Enter sends it), or edit the request and press ctrl+r. "
                f"{cast('KeyLabels', self.app).key_label('help')} names every screen: table, guide, docs, parity, lab, WebSockets."
            )
        else:
            editor.load(RequestSpec("GET", "/"))
            claim.update("Your apps: pick a route on the left (Enter sends it), or type a request and press ctrl+r.")
        self._arrange()

    def load_request(self, spec: RequestSpec, claim: str | None = None, send: bool = False) -> None:
        """Put a request that is no sample in the editor (a route, a parity case); ``claim`` replaces the claim line."""
        self.sample = None
        self.query_one(RequestEditor).load(spec)
        if claim is not None:
            self.show_claim(claim)
        if send:
            self.send()

    def load_sample(self, sample: Sample, send: bool = False) -> None:
        self.sample = sample
        self.query_one(RequestEditor).load(sample.request, sample.burst)
        self.show_claim()
        if send:
            self.send()

    def show_claim(self, extra: str | Text = "") -> None:
        """The line above the answers: what the last send showed (first: a short screen has room for two
        lines), then the claim of the sample in the editor."""
        text = Text()
        if extra:
            text.append(extra)
        if self.sample is not None:
            text.append("\n" if text else "")
            text.append(self.sample.claim, style="italic")
        self.query_one("#claim", Static).update(text)

    # ----------------------------------------------------------------- views
    def frameworks_in_view(self) -> list[str]:
        return [fw for fw in self.session.frameworks if self.view in ("both", fw)]

    def cycle_view(self) -> str:
        """Both, then each framework alone; returns the view now shown."""
        self.view = self.views[(self.views.index(self.view) + 1) % len(self.views)]
        if self.view != "both":
            self.front = self.view
        self._arrange()
        return self.view

    def can_switch_answer(self) -> bool:
        """``a`` does something only where one answer hides the other: a narrow screen, or an answer zoomed."""
        zoomed = isinstance(self.screen.maximized, ResponsePanel)
        return len(self.frameworks_in_view()) > 1 and (zoomed or self.screen.has_class("-narrow"))

    def switch_answer(self) -> None:
        """Show the other answer where only one shows: on a narrow screen, or zoomed (the other is zoomed then)."""
        shown = self.frameworks_in_view()
        self.front = shown[(shown.index(self.front) + 1) % len(shown)] if self.front in shown else shown[0]
        zoomed = self.screen.maximized
        self._arrange()
        if isinstance(zoomed, ResponsePanel) and zoomed is not self.panel(self.front):
            self.screen.maximize(
                self.panel(self.front), container=False
            )  # a zoomed panel sent behind left a blank screen
            self.panel(self.front).focus_content()

    def _arrange(self) -> None:
        """Which panels show: those in view; on a narrow screen only the front one, with a line to switch."""
        shown = self.frameworks_in_view()
        if self.front not in shown:
            self.front = shown[0]
        for framework in self.session.frameworks:
            panel = self.panel(framework)
            panel.set_class(framework not in shown, "-out")
            panel.set_class(framework != self.front, "-back")
            panel.mark_earlier(self.sends)
        focused = self.screen.focused
        narrow = self.screen.has_class("-narrow")
        for framework in self.session.frameworks:  # the keyboard never stays in an answer that is now hidden
            hidden = framework not in shown or (narrow and framework != self.front)
            if hidden and focused is not None and self.panel(framework) in focused.ancestors:
                self.panel(self.front).focus_content()
        switch = self.query_one("#answer-switch", Static)
        switch.update(
            answer_switch(
                {fw: self.panel(fw).exchange for fw in shown},
                self.front,
                self.sends,
                {fw: self.panel(fw).send_number for fw in shown},
                {fw for fw in shown if self.panel(fw).server_gone},
            )
        )
        switch.set_class(len(shown) < 2, "-single")
        self.app.refresh_bindings()  # whether ``a`` is offered follows what is shown

    def front_panel(self) -> ResponsePanel:
        """The panel the keyboard should go to: the one holding the focus, else the front one in view."""
        focused = self.screen.focused
        for framework in self.frameworks_in_view():
            panel = self.panel(framework)
            if focused is not None and panel in focused.ancestors_with_self:
                return panel
        return self.panel(self.front if self.front in self.frameworks_in_view() else self.frameworks_in_view()[0])

    def focus_answers(self) -> None:
        self.front_panel().focus_content()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A send that failed in the explorer itself is said, not left as a panel stuck at "Sending…"."""
        if event.state is WorkerState.ERROR:
            said = printable(f"{event.worker.name} failed: {event.worker.error}")  # an error may quote a server
            self.notify(said, severity="error", markup=False, timeout=8)

    @on(Left, "RequestEditor *")
    def _left_editor(self, event: Left) -> None:
        event.stop()
        self.focus_answers()

    def toggle_raw(self) -> None:
        """Bodies raw or pretty-printed, in both panels."""
        from panels.body_view import BodyView

        self.raw = not self.raw
        for view in self.query(BodyView):
            view.raw = self.raw

    def toggle_wrap(self) -> bool:
        """Long lines wrapped or not, in the Body and Log tabs of both panels; returns the new setting."""
        self.wrap = not self.wrap
        for panel in self.query(ResponsePanel):
            panel.set_wrap(self.wrap)
        return self.wrap

    def select_tab(self, tab: str) -> None:
        for panel in self.query(ResponsePanel):
            panel.select_tab(tab)

    def curl(self) -> str:
        """The edited request as a curl command for the first server in view (raises if it does not check),
        with the Cookie the session's jar would send, as the export writes it."""
        spec, _ = self.query_one(RequestEditor).read()
        framework = self.frameworks_in_view()[0]
        url = self.session.server(framework).status.base_url or "http://127.0.0.1:PORT"
        jar = self.session.jars.get(framework)
        if jar is not None and spec.header("cookie") is None and (cookie := jar.header_for(spec.path)):
            spec = replace(spec, headers=(*spec.headers, ("Cookie", cookie)))
        return curl_command(spec, url)

    # --------------------------------------------------------------- sending
    @on(PathField.Pasted)
    def _pasted(self, event: PathField.Pasted) -> None:
        event.stop()
        self.import_pasted(event.text)

    def import_pasted(self, text: str) -> bool:
        """A URL or curl command for one of our servers becomes the request in the editor; anything else is refused."""
        from explorer.runtime.errors import ExplorerError
        from explorer.runtime.http.pasted import read_pasted

        editor = self.query_one(RequestEditor)
        bases = [url for s in self.session.supervisor if (url := s.status.base_url)]
        try:
            pasted = read_pasted(text, bases)
        except ExplorerError as exc:
            editor.show_message(f"Not imported: {exc}", error=True)
            return False
        self.sample = None
        editor.load(pasted.spec)
        editor.show_message(pasted.note)
        return True

    def client_action(self, what: str) -> None:
        """The client's own keys: ``clear_cookies`` (k), ``swap_cookies`` (x) and ``sockets`` (w)."""
        if what == "sockets":
            from explorer.tui.screens.sockets import SocketsController

            self.app.push_screen(SocketsController(self.session, mask=self.mask))
            return
        if what == "clear_cookies":
            dropped = self.session.clear_cookies()
            message = f"Cookie jars cleared ({dropped} cookie{'s' if dropped != 1 else ''} dropped)."
        elif self.session.swap_cookies():
            message = (
                "Cookie jars swapped: each server now gets the other's cookies. Send a page that reads "
                "the session to see that neither accepts the other's session cookie."
            )
        else:
            message = "Swapping cookie jars needs both servers."
        for framework, jar in self.session.jars.items():
            self.panel(framework).show_cookies(jar.cookies())
        self.show_claim(message)

    @on(RequestEditor.SendRequested)
    def send(self) -> None:
        from explorer.runtime.errors import ExplorerError

        editor = self.query_one(RequestEditor)
        pasted = editor.pasted_path()
        if pasted is not None and not self.import_pasted(pasted):
            return
        try:
            spec, burst = editor.read()
        except ExplorerError as exc:
            editor.show_message(f"Not sent: {exc}", error=True)
            return
        if pasted is None:
            editor.show_message(editor.json_warning(spec))
        if self.sample is not None and self.sample.request != spec:
            self.sample = None
        frameworks = self.frameworks_in_view()
        if self.sample is not None:
            frameworks = [fw for fw in frameworks if fw in self.sample.frameworks]
            if not frameworks:
                only = " and ".join(self.sample.frameworks)
                editor.show_message(
                    f"This sample is for {only} only, which is not in view: press f to show it.", error=True
                )
                return
        self.sends += 1
        line = f"{spec.line}{f' ×{burst}' if burst > 1 else ''}"
        for framework in self.session.frameworks:
            if framework in frameworks:
                self.panel(framework).show_pending(f"Sending {line}…", self.sends, line)
            elif self.sample is not None and framework not in self.sample.frameworks:
                self.panel(framework).clear(
                    f"This sample is for {', '.join(self.sample.frameworks)} only; nothing was sent here."
                )
        if self.front not in frameworks:
            self.front = frameworks[0]
        self._arrange()
        self.call_after_refresh(
            self.send_request, spec, frameworks, burst, self.sends
        )  # paint "Sending…" before the clock starts

    @work(group="send", exclusive=True, exit_on_error=False)
    async def send_request(self, spec: RequestSpec, frameworks: list[str], burst: int, number: int) -> None:
        """Send to each framework in turn with the screen frozen; draw once all answers are in.

        A repaint or a burst of log lines drawn while a request is in flight would delay reading its
        answer and inflate the time shown, so both wait until the last answer has arrived, or for at
        most FREEZE_LIMIT: a slow or hung server must not freeze the screen.
        """
        for framework in frameworks:  # a server still starting is waited for with the screen live
            if self.session.server(framework).status.state is ServerState.STARTING:
                await self.session.server(framework).start()
        served_by = {fw: self.server_record(fw) for fw in frameworks}  # as it is now, not when exported
        freeze = _Freeze(self)
        self.set_timer(FREEZE_LIMIT, freeze.release)
        try:
            listeners = {fw: self.panel(fw).arriving_listener() for fw in frameworks} if burst == 1 else None
            results = await self.session.send(spec, frameworks, burst, listeners)
        finally:
            freeze.release()
        self.show_results(spec, results, number, served_by)
        if self.on_sent is not None:
            self.on_sent(spec, burst, results)

    def lookup(self, framework: str, spec: RequestSpec) -> HandlerLookup:
        """The handler for the Code tab: from the app's route table when listed, else its target's module."""
        from explorer.apps.handlers import find_in_table
        from explorer.apps.source import find_handler, module_file

        server = self.session.server(framework)
        table = self.handlers.get(framework)
        if table:
            return find_in_table(table, spec.method, spec.path, framework, server.spec.app_dir)
        return find_handler(module_file(server.spec.target, server.spec.app_dir), spec.method, spec.path, framework)

    def server_record(self, framework: str) -> dict[str, object]:
        """The server a request goes to, for the session log: its settings, versions and process id."""
        server = self.session.server(framework)
        return {**server.spec.to_dict(), "pid": server.status.pid}

    def show_results(
        self,
        spec: RequestSpec,
        results: dict[str, Exchange],
        number: int | None = None,
        served_by: dict[str, dict[str, object]] | None = None,
    ) -> None:
        from explorer.content.explain import preflight_answerer
        from explorer.parity.glance import differences

        self.last = results
        found = []
        both = len(results) == 2 and all(e.status is not None for e in results.values())
        if both:
            left, right = results.values()
            found = differences(left, right)
        differs = frozenset(d.aspect for d in found)
        self.show_claim(comparison_line(results, found, self.session.frameworks))
        for framework, exchange in results.items():
            panel = self.panel(framework)
            panel.send_number = number or self.sends
            panel.request_line = panel.request_line or spec.line
            lookup = self.lookup(framework, spec)
            if answered_by := preflight_answerer(
                exchange, lookup.ran
            ):  # the Code tab says who answered, as the reason does
                lookup = replace(lookup, note=answered_by)
            panel.show_exchange(exchange, differs, lookup.ran)
            panel.show_code(lookup)
        self._arrange()
        curls = {
            fw: curl_command(
                spec, self.session.server(fw).status.base_url or "", e.request.headers if e.request else None
            )
            for fw, e in results.items()
        }
        found_lines = [d.shown("vs") for d in found]
        served_by = served_by or {fw: self.server_record(fw) for fw in results}
        self.history.add_request({fw: exchange_record(e) for fw, e in results.items()}, found_lines, curls, served_by)
