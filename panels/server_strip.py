"""The strip at the top: each server's state, which servers run, and which view is shown."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.widgets import Static

from explorer.runtime.frameworks import display_name
from explorer.runtime.servers.specs import ServerState, ServerStatus
from explorer.runtime.userdata.bounded import printable

STATE_STYLE = {
    ServerState.READY: "bold green",
    ServerState.STARTING: "bold yellow",
    ServerState.UNRESPONSIVE: "bold red",
    ServerState.CRASHED: "bold red",
}
VIEW_TITLES = {"both": "Both", "flask": "Flask only", "fastapi": "FastAPI only"}


class ServerStrip(Static):
    """Draws the statuses and short labels it is given (the panels' titles carry the long ones); no behaviour of its own."""

    DEFAULT_CSS = """
    ServerStrip { height: 1; background: $panel; padding: 0 1; }
    """

    def __init__(self, mask: bool = False, **kwargs: Any) -> None:
        super().__init__("", **kwargs)
        self.mask = mask
        self._servers: dict[str, tuple[ServerStatus, str]] = {}
        self._view = "both"

    def set_server(self, status: ServerStatus, label: str) -> None:
        self._servers[status.framework] = (status, label)
        self._redraw()

    def set_view(self, view: str) -> None:
        self._view = view
        self._redraw()

    def on_resize(self) -> None:
        self._redraw()

    def _redraw(self) -> None:
        """Each server's state and label, then the view (and the restart hint). On a narrow strip the
        labels stay (after ctrl+g they say which server runs Flask): ``view:`` goes first, then the
        ports (each panel's subtitle has them), then the labels; last the servers' part is cut with an
        ellipsis, so the view is always read whole."""
        title = VIEW_TITLES.get(self._view, self._view)
        crashed = any(s.state is ServerState.CRASHED for s, _ in self._servers.values())
        width = self.content_region.width if self.is_mounted else 0
        tail, servers = self._tail(f"view: {title}", crashed), self._servers_text(labels=True)
        for labels, ports, view in ((True, True, title), (True, False, title), (False, True, f"view: {title}")):
            if not width or servers.cell_len + tail.cell_len <= width:
                break
            tail, servers = self._tail(view, crashed), self._servers_text(labels, ports)
        if width and servers.cell_len + tail.cell_len > width:
            room = max(1, width - tail.cell_len - 4)
            servers.truncate(room)
            servers.rstrip()
            servers.append("… · ", style="dim")
        text = servers + tail
        if text != self.content:  # a Resize to the width it had (a zoomed answer restored) draws nothing again
            self.update(text, layout=False)  # one row (CSS), as wide as the screen: no layout asked

    @staticmethod
    def _tail(view: str, crashed: bool) -> Text:
        tail = Text(view, style="bold")
        if crashed:
            tail.append(" · press F5 to restart", style="bold red")
        return tail

    def _servers_text(self, labels: bool, ports: bool = True) -> Text:
        text = Text()
        for framework, (status, label) in self._servers.items():
            text.append(f"{display_name(framework)} ", style="bold")
            text.append("● ", style=STATE_STYLE.get(status.state, "dim"))
            shown = status.state.value if self.mask else status.describe()
            if status.state is ServerState.READY:
                shown = f"ready :{'‒' if self.mask else status.port}" if ports else "ready"
            text.append(printable(shown), style=STATE_STYLE.get(status.state, ""))  # a crash quotes the server
            text.append(f" ({label}) · " if labels else " · ", style="dim")
        return text
