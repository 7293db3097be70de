"""The terminal driver: Textual's, but a SIGCONT it did not ask for no longer doubles its threads.

Textual 8.2.8's LinuxDriver handles SIGTSTP by leaving application mode and stopping the process,
and SIGCONT by starting application mode again. A plain SIGSTOP cannot be caught, so after SIGSTOP
and SIGCONT from outside (``kill -STOP``, a debugger, a shell's job control) it started a second
input thread and a second writer next to the running ones. The two input threads raced for each
key, one of them sat blocked in a read of stdin, and on quit Textual waited for it for ever (ctrl+q
failed in 5 of 8 trials, servers still running); the stray threads then posted to a closed event
loop ("Event loop is closed"). Here such a SIGCONT keeps the threads that run: it only sets the
terminal's raw mode again (a shell may have reset it meanwhile) and redraws the screen.
"""

from __future__ import annotations

import contextlib
import termios
import tty
from typing import Any

from textual import events
from textual.driver import Driver
from textual.drivers.linux_driver import LinuxDriver
from textual.geometry import Size

__all__ = ["ResumingLinuxDriver", "terminal_driver"]


class ResumingLinuxDriver(LinuxDriver):
    """LinuxDriver whose SIGCONT restarts application mode only after it really left it."""

    _suspended_here = False

    def _sigtstp_application(self, *args: Any) -> None:
        self._suspended_here = self._auto_restart  # Textual leaves application mode, then stops
        super()._sigtstp_application(*args)

    def _sigcont_application(self, *args: Any) -> None:
        if self._suspended_here:
            self._suspended_here = False
            super()._sigcont_application(*args)
            return
        thread = self._key_thread
        if self._auto_restart and thread is not None and thread.is_alive():
            self._raw_again()
            width, height = self._get_terminal_size()
            self.send_message(events.Resize(Size(width, height), Size(width, height)))  # a full redraw

    def _raw_again(self) -> None:
        """The terminal settings application mode set, applied again (nothing changes if they hold)."""
        with contextlib.suppress(termios.error, OSError):
            attrs = termios.tcgetattr(self.fileno)
            attrs[tty.LFLAG] = self._patch_lflag(attrs[tty.LFLAG])
            attrs[tty.IFLAG] = self._patch_iflag(attrs[tty.IFLAG])
            attrs[tty.CC][termios.VMIN] = 1
            termios.tcsetattr(self.fileno, termios.TCSANOW, attrs)


def terminal_driver(default: type[Driver]) -> type[Driver]:
    """The driver to use in place of ``default``: only Textual's own LinuxDriver is replaced."""
    return ResumingLinuxDriver if default is LinuxDriver else default
