"""The client's own keys: ``k`` clears the cookie jars, ``x`` swaps them, ``w`` opens the WebSockets screen.

Plain functions rather than a part of the widget: each acts on the session (or pushes a screen) and hands
back what to say; the workbench shows the jars on its panels and the line above them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from textual.app import App

    from explorer.runtime.session import Session

__all__ = ["change_jars", "open_sockets"]


def change_jars(session: Session, what: str) -> str:
    """``clear_cookies`` empties every jar, ``swap_cookies`` gives each server the other's; returns what happened."""
    if what == "clear_cookies":
        dropped = session.clear_cookies()
        return f"Cookie jars cleared ({dropped} cookie{'s' if dropped != 1 else ''} dropped)."
    if session.swap_cookies():
        return (
            "Cookie jars swapped: each server now gets the other's cookies. Send a page that reads "
            "the session to see that neither accepts the other's session cookie."
        )
    return "Swapping cookie jars needs both servers."


def open_sockets(app: App[object], session: Session, mask: bool) -> None:
    """The WebSockets screen, on the same servers: built on first use and kept (it opens its sockets as shown)."""
    from explorer.tui.screens.sockets import SocketsController

    kept = getattr(app, "kept_screen", None)  # the explorer's app: built ahead or now (explorer.tui.navigation)
    if kept is not None:
        screen = kept("sockets")
    else:
        if not app.is_screen_installed("sockets"):
            app.install_screen(SocketsController(session, mask=mask), name="sockets")
        screen = app.get_screen("sockets")
    assert isinstance(screen, SocketsController)
    screen.hold_frames()  # its first frame shows both sockets open: none before the handshakes are done
    app.push_screen(screen)
