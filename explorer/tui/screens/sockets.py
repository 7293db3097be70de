"""The WebSockets screen (``w``) with its work: one socket to each ready server, opened, used and closed.

Sockets are opened from an exclusive worker (a slow handshake never freezes the screen) and every
one is closed when the screen is left, however it is left. A server that cannot speak WebSocket
shows why in its own log, e.g. "refused the upgrade with HTTP 404", while the other side works.

Each log belongs to one opening: (re)opening empties both logs and counts a new connection, and an
event of a socket from an earlier one (the close of the socket being replaced, a late echo) is
dropped, never written into the new log.
"""

from __future__ import annotations

from textual import on, work

from explorer.runtime.errors import ExplorerError
from explorer.runtime.http.websocket import SocketEvent, WebSocketClient
from explorer.runtime.servers.specs import ServerState
from explorer.runtime.session import Session
from panels.sockets_screen import SocketsScreen

__all__ = ["SocketsController"]


class SocketsController(SocketsScreen):
    """Opens a socket to each server of ``session`` and sends what is typed on every open one."""

    def __init__(self, session: Session, mask: bool = False) -> None:
        super().__init__(session.frameworks, mask=mask)
        self.session = session
        self.sockets: dict[str, WebSocketClient] = {}
        self.connection = 0  # counts openings; a socket's events are shown only while its opening is the latest

    @on(SocketsScreen.Open)
    def _open_requested(self, event: SocketsScreen.Open) -> None:
        self.connection += 1
        self.clear_logs()
        self.open_sockets(event.path)

    @work(group="sockets", exclusive=True, exit_on_error=False)
    async def open_sockets(self, path: str) -> None:
        await self.close_sockets()
        for framework in self.frameworks:
            server = self.session.server(framework)
            if server.status.state is not ServerState.READY or not server.status.base_url:
                self.show_state(framework, f"not opened: the {framework} server is {server.status.state.value}")
                continue
            self.show_state(framework, f"opening ws://…{path} …")
            try:
                listener = self._listener(framework, self.connection)
                client = WebSocketClient(framework, server.status.base_url, path, listener)
                await client.open(self.session.timeout)
            except ExplorerError as exc:
                self.show_state(framework, f"not open: {exc}")
                continue
            self.sockets[framework] = client
            held = (
                f"; while open it holds one of gunicorn's {server.spec.workers * server.spec.threads} threads"
                if framework == "flask" and server.spec.kind == "gunicorn"
                else ""
            )
            self.show_state(framework, f"open: {path} (on {server.spec.label}){held}")

    def _listener(self, framework: str, connection: int):
        def listen(event: SocketEvent) -> None:
            if self.is_attached and connection == self.connection:
                self.add_event(framework, event)
                if event.kind in ("close", "error"):
                    self.show_state(framework, f"closed: {event.text}")

        return listen

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
        await self.close_sockets(quietly=True)
