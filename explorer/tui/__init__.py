"""The Textual app, an entry layer: nothing imports it but the command line, which opens it.

Public face (imported on first use): :class:`ExplorerApp` and :func:`run` (``app``),
:func:`load_keymap` (``keys``). The app composes the panels and routes keys; the work is in
``workbench`` (sending), ``lifecycle`` (the servers), ``screens`` (each screen's own work),
``keys`` (bindings and keymap), ``guards`` (two workarounds for Textual itself).
"""

from __future__ import annotations

import importlib
from typing import Any

_WHERE = {
    "ExplorerApp": "app", "run": "app",
    "load_keymap": "keys",
}  # fmt: skip

__all__ = [
    "ExplorerApp", "load_keymap", "run",
]  # fmt: skip


def __getattr__(name: str) -> Any:
    """Import the module that holds ``name`` on first use, so importing the package costs nothing."""
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_WHERE[name]}"), name)


def __dir__() -> list[str]:
    return sorted(__all__)
