"""Textual's App with the two guards this version of Textual (8.2.8) needs; the explorer's app builds on it.

Kept apart from the app so its own module holds only what the explorer does; each guard's story
is in the panel module that implements it.
"""

from __future__ import annotations

from textual.app import App
from textual.driver import Driver

__all__ = ["GuardedApp"]


class GuardedApp(App[int]):
    """An App whose terminal driver survives SIGSTOP/SIGCONT and whose palette survives early page keys."""

    def get_driver_class(self) -> type[Driver]:
        """Textual's driver, made safe for SIGSTOP and SIGCONT from outside (see panels/driver.py)."""
        from panels.driver import terminal_driver

        return terminal_driver(super().get_driver_class())

    def action_command_palette(self) -> None:
        """Textual's palette, guarded against a page key pressed as it opens (see panels/palette.py)."""
        from panels.palette import SafeCommandPalette

        if self.use_command_palette and not SafeCommandPalette.is_open(self):  # type: ignore[arg-type]  # App[int] is no App[object] (invariant)
            self.push_screen(SafeCommandPalette(id="--command-palette"))
