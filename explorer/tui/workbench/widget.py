"""The main view's work: the request editor, the claim line and both answers, and sending what is edited.

Flow of one request (after Posting): :meth:`Workbench.send` reads the editor, an exclusive async worker sends the
request through the core :class:`~explorer.runtime.session.Session`, and only when every answer is in are the
answers handed down to the panels, each as one :class:`~explorer.apps.answer.Answer`. Nothing is drawn while a
request is in flight (:mod:`.freeze`), so the measured times are the client's, not the renderer's. Every send is
recorded in the session log the workbench is handed, for the export (:mod:`.recording`).

Every send has a number. A panel shows the number and request line of the answer it holds; a panel the send did not
reach is cleared (the sample is for the other framework only) or marked as an earlier send (it is hidden in a single
view), and the differences line compares only the answers of one send, never a fresh answer with an old one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any, cast

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Static
from textual.worker import Worker, WorkerState

from explorer.apps.answer import Answer
from explorer.content.catalog import Sample
from explorer.reports.session import SessionLog
from explorer.runtime.http.request import RequestSpec
from explorer.runtime.servers.specs import ServerState
from explorer.runtime.session import Session
from explorer.runtime.userdata.bounded import printable
from explorer.tui.claims import comparison_line, not_sent
from explorer.tui.workbench.arrangement import Arrangement
from explorer.tui.workbench.client_keys import change_jars, open_sockets
from explorer.tui.workbench.freeze import FREEZE_LIMIT, Freeze
from explorer.tui.workbench.handler_lookup import find_handler_for
from explorer.tui.workbench.pasting import import_pasted
from explorer.tui.workbench.recording import Recorder
from panels.editor import RequestEditor
from panels.fields import Left
from panels.fitted import FittedText
from panels.response import ResponsePanel

if TYPE_CHECKING:
    from explorer.apps.handlers import Endpoint
    from explorer.runtime.http.client import Exchange
    from explorer.tui.keys import KeyLabels
    from panels.editor_parts import PathField

__all__ = ["Workbench"]

Sent = Callable[[RequestSpec, int, "dict[str, Exchange]"], None]


class Workbench(Arrangement):
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
        super().__init__(session, **kwargs)
        self.history = history
        self.recorder = Recorder(session, history)
        self.initial = initial
        self.demo = demo
        self.mask = mask
        self.on_sent = on_sent
        self.sample: Sample | None = None
        self.last: dict[str, Exchange] = {}
        self._not_sent_said = False  # the claim line says the last ctrl+r sent nothing
        self._compared: tuple[int, Text] | None = None  # the send whose answers are below, and its comparison line
        self.handlers: dict[str, tuple[Endpoint, ...]] = {}  # each app's route table, once listed

    def compose(self) -> ComposeResult:
        held = self.initial if self.initial is not None or self.demo else RequestSpec("GET", "/")
        yield RequestEditor(held, id="editor")  # drawn by a stand-in in the first frame (panels/editor_blank.py)
        yield FittedText(id="claim")  # at 80x24 it has three lines: a longer text ends in a visible ellipsis
        yield FittedText(id="answer-switch", whole_if_it_fits=True)
        with Horizontal(id="responses"):
            for server in self.session.supervisor:
                panel = ResponsePanel(server.framework, server.log, mask=self.mask)
                # the class _arrange gives it, set before it mounts: set after, it restyled the whole panel
                yield panel.set_class(server.framework != self.front, "-back", update=False)

    def on_mount(self) -> None:
        claim = self.query_one("#claim", Static)  # the editor holds the initial request (compose)
        if self.initial is not None:
            claim.update("Press ctrl+r to send this request to both servers.")
        elif self.demo:
            claim.update(
                "Pick a sample (Enter sends it) or edit the request, then ctrl+r. "
                f"{cast('KeyLabels', self.app).key_label('help')} names every screen: table, guide, docs, parity, mirror, lab, "
                "WebSockets."
            )
        else:
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
        self._not_sent_said = False

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A send that failed in the explorer itself is said, not left as a panel stuck at "Sending…"."""
        if event.state is WorkerState.ERROR:
            said = printable(f"{event.worker.name} failed: {event.worker.error}")  # an error may quote a server
            self.notify(said, severity="error", markup=False, timeout=8)

    @on(Left, "RequestEditor *")
    def _left_editor(self, event: Left) -> None:
        event.stop()
        self.focus_answers(at_once=True)  # Escape runs as it arrives (leave_now): so do the keys after it

    def on_path_field_pasted(self, event: PathField.Pasted) -> None:
        """A URL or curl command pasted in the path field (:class:`panels.editor_parts.PathField`)."""
        event.stop()
        self.import_pasted(event.text)

    def import_pasted(self, text: str) -> bool:
        """A URL or curl command for one of our servers becomes the request in the editor; anything else is refused."""
        if not import_pasted(self.query_one(RequestEditor), self.session, text):
            return False
        self.sample = None
        return True

    def client_action(self, what: str) -> None:
        """The client's own keys: ``clear_cookies`` (k), ``swap_cookies`` (x) and ``sockets`` (w)."""
        if what == "sockets":
            open_sockets(self.app, self.session, self.mask)
            return
        message = change_jars(self.session, what)
        for framework, jar in self.session.jars.items():  # the Headers tab shows the jar as it is now
            panel = self.panel(framework)
            panel.answer = replace(panel.answer, jar=jar.cookies())
        self.show_claim(message)

    def curl(self) -> str:
        """The edited request as a curl command for the first server in view (raises if it does not check),
        with the Cookie the session's jar would send, as the export writes it."""
        spec, _ = self.query_one(RequestEditor).read()
        return self.recorder.curl(spec, self.frameworks_in_view()[0])

    # --------------------------------------------------------------- sending
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
            self.say_not_sent(str(exc))
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
                self.say_not_sent(f"this sample is for {only} only, which is not in view: press f to show it.")
                return
        if self._not_sent_said:  # it goes now: the line no longer says it did not
            self.show_claim()
        self.sends += 1
        self._compared = None  # the answers below are this send's, on their way
        line = f"{spec.line}{f' ×{burst}' if burst > 1 else ''}"
        for framework in self.session.frameworks:
            panel = self.panel(framework)
            if framework in frameworks:  # the title names the request, and the earlier answer goes at once
                panel.answer = Answer.pending(self.sends, line)
            elif self.sample is not None and framework not in self.sample.frameworks:
                only = ", ".join(self.sample.frameworks)
                panel.answer = Answer.nothing(self.sends, f"This sample is for {only} only; nothing was sent here.")
            else:  # hidden in a single view: its answer is now an earlier send's
                panel.answer = replace(panel.answer, latest=self.sends)
        if self.front not in frameworks:
            self.front = frameworks[0]
        self._arrange()
        self.call_after_refresh(
            self.send_request, spec, frameworks, burst, self.sends
        )  # paint "Sending…" before the clock starts
        focused = self.screen.focused
        if focused is None or self not in focused.ancestors:  # on the list (ctrl+r there, the palette, the table):
            self.focus_answers()  # to the answers, where 1-5 are the tab keys (on the list a digit filters)

    def say_not_sent(self, reason: str) -> None:
        """Why the request was not sent, on the line above the answers, where a send's outcome is said (a line under
        the editor, above that one, was missed); the answers below stay the last send's, and the line goes on to
        say so, with their comparison (it replaced that, before: answers under a line not about them)."""
        self.query_one(RequestEditor).show_message("")  # a note on the request before: said here, it is said once
        self.show_claim(not_sent(reason, self._compared))
        self._not_sent_said = True

    @work(group="send", exclusive=True, exit_on_error=False)
    async def send_request(self, spec: RequestSpec, frameworks: list[str], burst: int, number: int) -> None:
        """Send to each framework in turn with the screen frozen (:mod:`.freeze`); draw once all answers are in."""
        for framework in frameworks:  # a server still starting is waited for with the screen live
            if self.session.server(framework).status.state is ServerState.STARTING:
                await self.session.server(framework).start()
        served_by = {fw: self.recorder.server_record(fw) for fw in frameworks}  # as it is now, not when exported
        freeze = Freeze(self.app, self.query(ResponsePanel))
        self.set_timer(FREEZE_LIMIT, freeze.release)
        try:
            listeners = {fw: self.panel(fw).arriving_listener() for fw in frameworks} if burst == 1 else None
            results = await self.session.send(spec, frameworks, burst, listeners)
        finally:
            freeze.release()
        self.show_results(spec, results, number, served_by)
        if self.on_sent is not None:
            self.on_sent(spec, burst, results)

    def show_results(
        self, spec: RequestSpec, results: dict[str, Exchange], number: int, served_by: dict[str, dict[str, object]]
    ) -> None:
        """Each answer to its panel, the differences between them above, and the send in the session log."""
        from explorer.parity.glance import differences

        self.last = results
        found = []
        if len(results) == 2 and all(e.status is not None for e in results.values()):
            found = differences(*results.values())
        differs = frozenset(d.aspect for d in found)
        compared = comparison_line(results, found, self.session.frameworks)
        self._compared = (number, compared)
        self.show_claim(compared)
        for framework, exchange in results.items():
            panel, server = self.panel(framework), self.session.server(framework)
            panel.answer = Answer(
                send=number,
                latest=self.sends,
                line=panel.answer.line or spec.line,
                exchange=exchange,
                differs=differs,
                code=find_handler_for(server, self.handlers.get(framework), spec, exchange),
                pid=server.status.pid,
            )
        self._arrange()
        self.recorder.add(spec, results, found, served_by)
