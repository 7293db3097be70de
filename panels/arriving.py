"""A body drawn while it arrives: from its second part on, each part in the Body tab, at most ten times a second.

The client calls :meth:`Arriving.listen` from the transport as each part is read, inside the
measured span, so it only appends to a bounded list and sets one timer; drawing happens later, on
the timer. An answer that comes in one part (almost every answer) never draws anything here: its
panel is filled once it is in, as before. A stream shows its parts as they come, each with its time
after the first part; the full timeline (times from the request's start) replaces them at the end.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text

from explorer.runtime.userdata.bounded import printable

if TYPE_CHECKING:
    from textual.widget import Widget

    from panels.body_view import BodyView

__all__ = ["Arriving"]

MAX_PARTS = 200  # drawn while arriving; the final timeline has its own bound
PREVIEW_BYTES = 120
EVERY = 0.1  # seconds between draws at most


class Arriving:
    """The parts of one answer seen so far, drawn into ``view`` on a timer of ``owner``."""

    def __init__(self, owner: Widget, view: BodyView) -> None:
        self.owner = owner
        self.view = view
        self.parts: list[tuple[float, int, bytes]] = []
        self.count = 0
        self.scheduled = False
        self.stopped = False

    def listen(self, at: float, data: bytes) -> None:
        self.count += 1
        if len(self.parts) < MAX_PARTS:
            self.parts.append((at, len(data), data[:PREVIEW_BYTES]))
        if self.count >= 2 and not self.scheduled and not self.stopped:
            self.scheduled = True
            self.owner.set_timer(EVERY, self.draw)

    def stop(self) -> None:
        self.stopped = True

    def draw(self) -> None:
        self.scheduled = False
        if self.stopped or not self.parts:
            return
        first = self.parts[0][0]
        text = Text(f"Arriving: {self.count} parts so far (ms after the first part, size, text)\n", style="bold")
        for at, size, data in self.parts:
            preview = printable(data.decode("utf-8", "replace").replace("\n", "⏎"))
            text.append(f"{(at - first) * 1000:9.1f} ms  {size:>7,} B  {preview}\n")
        if self.count > len(self.parts):
            text.append(f"… {self.count - len(self.parts):,} more parts\n", style="italic")
        self.view.show_arriving(text)
