"""The main view's work, one module per job of :class:`Workbench`.

- :mod:`.widget`: the workbench itself, the editor, the claim line and the flow of one send;
- :mod:`.arrangement`: which answers show and which is in front (its base class: arranging moves the
  keyboard and maximises panels, which only a widget on the screen can do);
- :mod:`.freeze`: screen updates held while requests are in flight;
- :mod:`.pasting`, :mod:`.client_keys`: a pasted URL or curl command, and the cookie and WebSockets keys;
- :mod:`.handler_lookup`: the handler for the Code tab;
- :mod:`.recording`: the session log and the curl commands.

The helpers are plain functions and objects: none of them draws, so each takes only what it acts on.
"""

from __future__ import annotations

from explorer.tui.workbench.freeze import FREEZE_LIMIT
from explorer.tui.workbench.widget import Workbench

__all__ = ["FREEZE_LIMIT", "Workbench"]
