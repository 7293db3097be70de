"""Screen updates and log drawing held while requests are in flight, for at most FREEZE_LIMIT.

A repaint or a burst of log lines drawn while a request is in flight would delay reading its answer and
inflate the time shown; a slow or hung server must not freeze the screen either, so the hold has a limit.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable

    from textual.app import App

    from panels.response import ResponsePanel

__all__ = ["FREEZE_LIMIT", "Freeze"]

FREEZE_LIMIT = 0.25  # seconds the screen may stay frozen while requests are in flight


class Freeze:
    """Holds ``app``'s screen updates and the ``panels``' log drawing from its creation; released once."""

    def __init__(self, app: App[object], panels: Iterable[ResponsePanel]) -> None:
        self._batch = app.batch_update()
        self._batch.__enter__()
        self._panels = list(panels)
        for panel in self._panels:
            panel.hold_log = True
        self._held = True

    def release(self) -> None:
        if self._held:
            self._held = False
            for panel in self._panels:
                panel.hold_log = False
            self._batch.__exit__(None, None, None)
