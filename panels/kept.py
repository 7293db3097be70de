"""Screens the app keeps between openings, and how each tells a new opening from the end of a cover.

Textual resumes a screen when it is pushed again and also when a screen over it (the help, the command
palette) closes. Only the first is a new opening, after which a kept screen starts as a new one did (empty
results, sockets opened again, at its first line); the second must leave it as the user had it. A screen may
also mount before it is ever shown (built ahead, :mod:`explorer.tui.ahead`): its first showing is then a new
opening too, and whatever its ``on_mount`` does only for a screen shown (open sockets, measure) waits for it.
"""

from __future__ import annotations

from typing import Any

from textual.screen import Screen

__all__ = ["left", "mounted_hidden"]


def left(screen: Screen[Any]) -> bool:
    """For a screen being suspended: whether it was left (taken off the stack), not merely covered."""
    return screen not in screen.app.screen_stack


def mounted_hidden(screen: Screen[Any]) -> bool:
    """For a screen mounting: whether it mounts without being shown (built ahead), in no screen stack."""
    return screen not in screen.app.screen_stack
