"""WebSockets (``w``): a socket to each server, a message line that sends to both, and each side's log.

:class:`SocketsScreen` draws what it is handed (:meth:`SocketsScreen.add_event`,
:meth:`SocketsScreen.show_state`) and posts what the user asks (:class:`SocketsScreen.Open`,
:class:`SocketsScreen.Say`); :class:`SocketsController` holds the sockets themselves.

Sockets are opened from an exclusive worker (a slow handshake never freezes the screen) and every
one is closed when the screen is left, however it is left. A server that cannot speak WebSocket
shows why in its own log, e.g. "refused the upgrade with HTTP 404", while the other side works.

An opening is drawn in one frame, with both outcomes and their first events (:meth:`SocketsController.hold_frames`):
drawn first and again as the outcomes came, the screen settled ~80 ms after its first frame. A side whose handshake
outlasts the hold (a hung server) is drawn when it comes, the other side already shown open; a side whose server
was not ready (``w`` during a restart) opens once the server is.

Each log belongs to one opening: (re)opening empties both logs and counts a new connection, and an
event of a socket from an earlier one (the close of the socket being replaced, a late echo) is
dropped, never written into the new log.
"""

from __future__ import annotations

import asyncio
from contextlib import ExitStack

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Input, Static

from explorer.runtime.errors import ExplorerError
from explorer.runtime.http.websocket import SocketEvent, WebSocketClient
from explorer.runtime.servers.specs import ServerState, ServerStatus
from explorer.runtime.session import Session
from explorer.runtime.userdata.bounded import printable
from explorer.tui.layout_patches import whole_in_next_frame
from panels.fields import InTurnInput
from panels.footer import FittedFooter
from panels.kept import left, mounted_hidden
from panels.log_view import LogView
from panels.masking import ms

__all__ = ["SocketsController", "SocketsScreen"]

NAMES = {"flask": "Flask (flask-sock)", "fastapi": "FastAPI (native)"}
ARROWS = {"sent": "→", "text": "←", "bytes": "←", "open": "●", "close": "●", "error": "✗"}
LOG_LINES = 500
MIN_WIDTH = 20  # columns a log line is wrapped to at the least (a side is wider even at 80 columns)
SHOWN_CHARS = 1000  # of one message drawn: wrapping 64 KiB took 87 ms a message, and filled the log alone
SHOWN_LINES = 20  # of one message drawn, for a message of many short lines
FIRST_WORDS_S = 0.01  # how long an opening waits after the handshakes for each server's first message, if any
HOLD_S = 0.3  # the longest an opening holds the screen's frames for both handshakes (each takes 2-5 ms on loopback)


def shown_part(text: str) -> tuple[str, int]:
    """What of a message is drawn (at most :data:`SHOWN_CHARS` characters and :data:`SHOWN_LINES` lines)
    and how many characters are left out; the socket's own event log keeps the message whole."""
    shown = text[:SHOWN_CHARS]
    cut = -1
    for _ in range(SHOWN_LINES):
        cut = shown.find("\n", cut + 1)
        if cut < 0:
            break
    if cut >= 0:
        shown = shown[:cut]
    return shown, len(text) - len(shown)


class SocketsScreen(Screen[None]):
    """Two logs side by side; Enter in the path line (re)opens both sockets, Enter in the message line sends."""

    AUTO_FOCUS = "#ws-text"  # on_mount's pick: Textual focused another first (a restyle)
    HELP_TITLE = "WebSockets"
    HELP = (
        "A WebSocket to each server: Flask through flask-sock, FastAPI natively. The top line holds the path "
        "(/ws/echo; Enter there opens both sockets again) and, beside it, the message: Enter sends it on every open "
        "socket, and each side's log shows every message with its time since the socket "
        "opened. A server that refuses the upgrade says why in its own log. Leaving the screen closes both sockets."
    )

    DEFAULT_CSS = """
    SocketsScreen #ws-lines { height: auto; }
    SocketsScreen #ws-path { width: 1fr; }
    SocketsScreen #ws-text { width: 3fr; }
    SocketsScreen .ws-side { width: 1fr; border: round $primary; }
    SocketsScreen .ws-state { height: auto; color: $text-muted; }
    """

    BINDINGS = [Binding("escape", "dismiss(None)", "Back (closes the sockets)", id="sockets.back")]

    class Open(Message):
        """Open (or reopen) a socket to each server at ``path``."""

        def __init__(self, path: str) -> None:
            super().__init__()
            self.path = path

    class Say(Message):
        """Send ``text`` on every open socket."""

        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    def __init__(self, frameworks: list[str], path: str = "/ws/echo", mask: bool = False) -> None:
        super().__init__()
        self.frameworks = frameworks
        self.path = path
        self.mask = mask

    def compose(self) -> ComposeResult:
        with Horizontal(id="ws-lines"):
            yield InTurnInput(
                self.path, placeholder="/ws/echo", id="ws-path", tooltip="Enter: open a socket to each server"
            )
            yield InTurnInput("", placeholder="a message; Enter sends it on both sockets", id="ws-text")
        with Horizontal():
            for framework in self.frameworks:
                with Vertical(classes="ws-side", id=f"ws-{framework}") as side:
                    side.border_title = NAMES.get(framework, framework)
                    yield Static("", classes="ws-state", id=f"ws-state-{framework}")
                    # min_width: RichLog renders at least this wide and crops the rest, so the default (78)
                    # hid most of a long message in a side narrower than that; wrap at the side's width
                    yield LogView(  # drawn again at its new width on a resize: a shrink cut lines, the port lost
                        id=f"ws-log-{framework}", keep=LOG_LINES, markup=False, wrap=True, min_width=MIN_WIDTH
                    )
        yield FittedFooter()  # Textual's Footer while its keys fit; each key composed without a restyle

    def on_mount(self) -> None:
        if mounted_hidden(self):  # built ahead: its first showing opens the sockets, as a showing again does
            self._left = True
            return
        field = self.query_one("#ws-text", Input)
        field.focus()  # it kept the keyboard while hidden: no Focus event, so its cursor blinked on in its own time
        field._restart_blink()  # as a field given the keyboard does: shown, the next blink half a second on
        self.post_message(self.Open(self.path))

    def show_state(self, framework: str, state: str) -> None:
        self.query_one(f"#ws-state-{framework}", Static).update(Text(printable(state)))

    def add_event(self, framework: str, event: SocketEvent) -> None:
        """One line: the time since the socket opened, a direction arrow, the message."""
        line = Text(f"{ms(event.at_ms, self.mask):>10} ", style="dim")
        line.append(f"{ARROWS.get(event.kind, '·')} ", style="bold")
        shown, left_out = shown_part(event.text)
        line.append(printable(shown, keep="\n\t"), style="red" if event.kind == "error" else "")  # escapes made visible
        if left_out:
            line.append(f" … {left_out:,} more characters not shown", style="dim italic")
        self.query_one(f"#ws-log-{framework}", LogView).add(line)

    def clear_logs(self) -> None:
        """A log belongs to one connection: emptied when the sockets are (re)opened."""
        for framework in self.frameworks:
            self.query_one(f"#ws-log-{framework}", LogView).clear()

    @on(Input.Submitted, "#ws-path")
    def _open(self, event: Input.Submitted) -> None:
        self.post_message(self.Open(event.value))

    @on(Input.Submitted, "#ws-text")
    def _say(self, event: Input.Submitted) -> None:
        self.post_message(self.Say(event.value))
        event.input.value = ""


class SocketsController(SocketsScreen):
    """Opens a socket to each server of ``session`` and sends what is typed on every open one.

    The app keeps it: leaving it closes every socket, and showing it again opens them anew, on an empty screen.
    """

    def __init__(self, session: Session, mask: bool = False) -> None:
        super().__init__(session.frameworks, mask=mask)
        self.session = session
        self.sockets: dict[str, WebSocketClient] = {}
        self.connection = 0  # counts openings; a socket's events are shown only while its opening is the latest
        self._left = False
        self._held: list[tuple[str, SocketEvent]] | None = None  # while the frames are held: events, drawn after
        self._outcomes: dict[str, str] = {}  # while the frames are held: each side's state line once it has one
        self._waiting: dict[str, str] = {}  # side -> path: not opened as its server was not ready; opened once it is
        self._unsubscribe = [session.server(framework).subscribe(self._server_changed) for framework in self.frameworks]
        self._frames_held: ExitStack | None = None  # the app's updates batched while an opening is under way

    def hold_frames(self) -> None:
        """Draw nothing (of any screen) until the opening under way has drawn both outcomes, or for
        :data:`HOLD_S` at the most: the screen's first frame shows the sockets open, or whatever else it is by then.
        Called before the screen is shown (its first frame would come before the handshakes are done)."""
        if self._frames_held is None:
            self._frames_held = ExitStack()
            self._frames_held.enter_context(self.app.batch_update())
            self._frames_held.callback(self.app.set_timer(HOLD_S, self._release_frames, name="sockets opening").stop)

    def _release_frames(self, drop: bool = False) -> None:
        """End the hold: the outcomes in so far drawn (unless ``drop``: the screen is going), then the top screen
        drawn whole (a frame Textual made while updates were batched was not written; the first is of every widget
        of the screen)."""
        if drop:
            self._held, self._outcomes = None, {}
        self._draw_held()
        if self._frames_held is not None:
            held, self._frames_held = self._frames_held, None
            held.close()
            whole_in_next_frame(self.app.screen)

    def on_screen_resume(self) -> None:
        """Shown again: the path and message lines as new, no state said yet, and both sockets opened again."""
        if not self._left:
            return  # its first showing (on_mount opens them), or the help over it closed: they stay open
        self._left = False
        self.query_one("#ws-path", Input).value = self.path
        self.query_one("#ws-text", Input).value = ""
        for framework in self.frameworks:
            self.show_state(framework, "")
        field = self.query_one("#ws-text", Input)
        field.focus()  # it kept the keyboard while hidden: no Focus event, so its cursor blinked on in its own time
        field._restart_blink()  # as a field given the keyboard does: shown, the next blink half a second on
        self.post_message(self.Open(self.path))

    async def on_screen_suspend(self) -> None:
        """Left (not merely covered by the help): every socket closed, and an opening under way stopped."""
        self._left = left(self)
        if self._left:
            self.connection += 1  # events still on their way belong to no opening shown
            self._waiting = {}
            self.workers.cancel_group(self, "sockets")
            self._release_frames(drop=True)
            await self.close_sockets(quietly=True)

    @on(SocketsScreen.Open)
    def _open_requested(self, event: SocketsScreen.Open) -> None:
        self.hold_frames()  # the logs emptied and the outcomes, in one frame
        self.connection += 1
        self._held, self._outcomes = [], {}  # this opening's events and outcomes, drawn as the hold ends
        self.clear_logs()
        for framework in self.frameworks:  # shown only if the handshakes outlast the hold
            self.show_state(framework, f"opening {event.path} …")
        self.open_sockets(event.path)

    @work(group="sockets", exclusive=True, exit_on_error=False)
    async def open_sockets(self, path: str) -> None:
        """Both handshakes at once, each side's outcome (state and first events) kept while the frames are held
        and drawn with the other's (one frame, the normal case), or as it comes once the hold is over: a hung
        server's side said "opening" until its time-out, and so did the other side, open in milliseconds."""
        connection = self.connection
        await self.close_sockets()
        self._waiting = {}
        opening = []
        for framework in self.frameworks:
            server = self.session.server(framework)
            if server.status.state is not ServerState.READY or not server.status.base_url:
                self._waiting[framework] = path
                state = server.status.state.value
                self.show_state(framework, f"not opened: the {framework} server is {state} (opened once it is ready)")
            else:
                opening.append(framework)
        try:
            await asyncio.gather(*(self._open_side(framework, path, connection, len(opening)) for framework in opening))
        finally:
            if connection == self.connection:  # not stopped for a newer opening, which ends the hold itself
                self._release_frames()

    async def _open_side(self, framework: str, path: str, connection: int, sides: int) -> None:
        """One side's handshake and first message; its outcome drawn now if the hold is over, else kept for it."""
        state = await self._open_one(framework, path)
        if framework in self.sockets:
            await self._first_words(framework)
        if connection != self.connection:
            return
        if self._held is None:
            self.show_state(framework, state)
            return
        self._outcomes[framework] = state
        if len(self._outcomes) == sides:  # every side is in: the hold ends with all of them
            self._release_frames()

    def _server_changed(self, status: ServerStatus) -> None:
        """A server whose side was not opened (it was starting: ``w`` pressed during a restart) is ready: its socket
        opened now, while the screen shows, rather than left closed until the screen is left and shown again."""
        path = self._waiting.get(status.framework)
        if path is None or status.state is not ServerState.READY or not status.base_url:
            return
        if self._left or not self.is_attached:
            return
        del self._waiting[status.framework]
        self.show_state(status.framework, f"opening {path} …")
        self._open_late(status.framework, path, self.connection)

    @work(group="sockets", exit_on_error=False)
    async def _open_late(self, framework: str, path: str, connection: int) -> None:
        """One side opened after the others (its server got ready since); a new opening or leaving stops it."""
        state = await self._open_one(framework, path)
        if connection == self.connection:
            self.show_state(framework, state)

    def _draw_held(self) -> None:
        """The outcomes and events kept while the frames were held, drawn together; from now on, as they come."""
        held, self._held = self._held, None
        outcomes, self._outcomes = self._outcomes, {}
        if held is None:
            return
        with self.app.batch_update():
            for framework, state in outcomes.items():
                self.show_state(framework, state)
            for framework, event in held:
                self._draw_event(framework, event)

    async def _first_words(self, framework: str) -> None:
        """Until the socket just opened has had a message, for :data:`FIRST_WORDS_S` at the most: a greeting sent
        as the server accepts (both demos send one) is drawn with the opening, not in a frame after it."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + FIRST_WORDS_S
        while self._held is not None and loop.time() < deadline:
            if any(side == framework and event.kind != "open" for side, event in self._held):
                return
            await asyncio.sleep(0.001)

    async def _open_one(self, framework: str, path: str) -> str:
        """Open ``framework``'s socket (kept at once, so that leaving closes it); the state line it leads to."""
        server = self.session.server(framework)
        assert server.status.base_url
        try:
            client = WebSocketClient(
                framework, server.status.base_url, path, self._listener(framework, self.connection)
            )
            await client.open(self.session.timeout)
        except ExplorerError as exc:
            return f"not open: {exc}"
        self.sockets[framework] = client
        held = (
            f"; while open it holds one of gunicorn's {server.spec.workers * server.spec.threads} threads"
            if framework == "flask" and server.spec.kind == "gunicorn"
            else ""
        )
        return f"open: {path} (on {server.spec.label}){held}"

    def _listener(self, framework: str, connection: int):
        def listen(event: SocketEvent) -> None:
            if self.is_attached and connection == self.connection:
                if self._held is not None:
                    self._held.append((framework, event))
                else:
                    self._draw_event(framework, event)

        return listen

    def _draw_event(self, framework: str, event: SocketEvent) -> None:
        self.add_event(framework, event)
        if event.kind in ("close", "error"):
            self.show_state(framework, f"closed: {event.text}")

    @on(SocketsScreen.Say)
    async def _send_said(self, event: SocketsScreen.Say) -> None:
        if not self.sockets:
            self.notify(
                "No socket is open: press Enter in the path line to open them.", markup=False, severity="warning"
            )
        for framework, client in list(self.sockets.items()):
            try:
                await client.send(event.text)
            except ExplorerError as exc:
                self.show_state(framework, f"not sent: {exc}")

    async def close_sockets(self, quietly: bool = False) -> None:
        """Close every socket; ``quietly`` when the screen is going, so nothing is drawn on it any more."""
        sockets, self.sockets = self.sockets, {}
        for client in sockets.values():
            if quietly:
                client.on_event = None
            await client.close()

    async def on_unmount(self) -> None:
        for unsubscribe in self._unsubscribe:  # the servers outlive the screen: they must not hold it
            unsubscribe()
        self._release_frames(drop=True)
        await self.close_sockets(quietly=True)
