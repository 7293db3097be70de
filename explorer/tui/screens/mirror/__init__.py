"""The Mirror screen (``m``): real traffic through the Flask app, shadowed to the port and counted by route,
and how far the port has come; its view and its work in one folder.

The view (:mod:`.view`, :class:`MirrorScreen`) draws the counts, the latest differing pair and the
routes' progress; the controller (:mod:`.controller`, :class:`MirrorController`) runs the mirror on a
thread of its own in front of the app's servers and polls its counts. Two modules because together
they pass the 400 lines a module may have.
"""

from __future__ import annotations

from explorer.tui.screens.mirror.controller import LISTEN, MirrorController
from explorer.tui.screens.mirror.view import MirrorScreen

__all__ = ["LISTEN", "MirrorController", "MirrorScreen"]
