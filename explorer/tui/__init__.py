"""The Textual app, an entry layer: nothing imports it but the command line, which opens it.

Public face (imported on first use): :class:`ExplorerApp` and :func:`run` (``app``),
:func:`load_keymap` (``keys``). The app composes the panels and routes keys; the work is in
``workbench`` (sending), ``lifecycle`` (the servers), ``screens`` (each screen's own work),
``keys`` (bindings and keymap), ``textual_patches`` (every patch to Textual itself).
"""

from __future__ import annotations

from explorer.runtime.faces import lazy_face
from explorer.tui import class_patches

class_patches.install()  # before any of Textual's widget classes is defined: each is made in less work

_WHERE = {
    "ExplorerApp": "app",
    "run": "app",
    "load_keymap": "keys",
}

__all__ = [
    "ExplorerApp",
    "load_keymap",
    "run",
]

__getattr__, __dir__ = lazy_face(__name__, _WHERE, __all__)
