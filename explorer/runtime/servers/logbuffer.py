"""A bounded in-memory log that a server's output is drained into, line by line.

Servers write to a pipe; a pipe nobody reads fills up and stalls the server after about a
thousand requests. The supervisor reads every byte at once into this buffer, which keeps at most
``max_lines`` lines of at most ``max_line_chars`` characters each, whatever the server prints.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable

Listener = Callable[[list[str]], None]
HIDDEN = "‹redacted›"


def _hidden(line: str, secrets: tuple[str, ...]) -> str:
    for value in secrets:
        if value in line:
            line = line.replace(value, HIDDEN)
    return line


def keep_tail(into: bytearray, chunk: bytes, limit: int) -> None:
    """Add ``chunk`` to ``into``, keeping only the last ``limit`` bytes: output read for its last line
    (a child's answer marker) costs ``limit`` bytes, whatever the child prints before it."""
    into += chunk
    if len(into) > limit:
        del into[: len(into) - limit]  # cheap: a bytearray drops its head without moving the rest


class LogBuffer:
    """The last lines a process printed, with long lines cut and noisy lines filtered out."""

    def __init__(self, max_lines: int = 2000, max_line_chars: int = 4000, ignore: Iterable[str] = ()) -> None:
        self.max_line_chars = max_line_chars
        self._lines: deque[str] = deque(maxlen=max_lines)
        self._partial = bytearray()
        self._partial_dropped = 0
        self._ignore = tuple(ignore)
        self._listeners: list[Listener] = []
        self.secrets: tuple[str, ...] = ()  # values hidden in every line kept (an app's password variable)
        self.total_lines = 0
        self.total_bytes = 0

    def feed(self, data: bytes) -> None:
        """Take a raw chunk of output; complete lines are stored, the tail waits for its newline."""
        self.total_bytes += len(data)
        new: list[str] = []
        start = 0
        while True:
            end = data.find(b"\n", start)
            if end < 0:
                self._keep_partial(data[start:])
                break
            self._keep_partial(data[start:end])
            line = self._take_partial()
            if line is not None:
                new.append(line)
            start = end + 1
        self._publish(new)

    def write(self, line: str) -> None:
        """Add a line of the explorer's own (state changes), marked so it stands out from the server's."""
        self._publish([f"[explorer] {line}"[: self.max_line_chars]])

    def flush(self) -> None:
        """Store an unterminated last line, e.g. when the process has exited."""
        if self._partial or self._partial_dropped:
            line = self._take_partial()
            self._publish([line] if line is not None else [])

    def lines(self) -> list[str]:
        """A copy of the stored lines, oldest first."""
        return list(self._lines)

    def tail(self, count: int = 20) -> list[str]:
        """The last ``count`` lines."""
        return list(self._lines)[-count:]

    def clear(self) -> None:
        self._lines.clear()

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call ``listener`` with each batch of new lines; returns a function that unsubscribes."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    def _keep_partial(self, piece: bytes) -> None:
        room = self.max_line_chars - len(self._partial)
        if room > 0:
            self._partial += piece[:room]
        self._partial_dropped += max(0, len(piece) - max(room, 0))

    def _take_partial(self) -> str | None:
        text = self._partial.decode("utf-8", "replace").rstrip("\r")
        if self._partial_dropped:
            text += f" … ({self._partial_dropped:,} more bytes cut)"
        self._partial.clear()
        self._partial_dropped = 0
        if self._ignore and any(marker in text for marker in self._ignore):
            return None
        return text

    def hide(self, values: Iterable[str]) -> None:
        """Hide these values (longest first) in every line from now on, as :data:`HIDDEN`."""
        self.secrets = tuple(sorted({v for v in (*self.secrets, *values) if v}, key=len, reverse=True))

    def _publish(self, new: list[str]) -> None:
        if not new:
            return
        if self.secrets:
            new = [_hidden(line, self.secrets) for line in new]
        self._lines.extend(new)
        self.total_lines += len(new)
        for listener in list(self._listeners):
            listener(new)
