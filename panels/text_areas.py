"""The main view's TextAreas (the request's headers and body, an answer's body), loaded after the first frame.

Textual's TextArea and the modules it loads (its document, history, wrapping, tree-sitter's binding) are ~2 % of
the instructions run to the first frame (issue 24: the first paint), which draws none: the editor and the answers'
bodies are stand-ins then (:mod:`panels.editor_blank`, :class:`panels.body_view.BodyBlank`). So every TextArea
of the main view is defined here, and this module is imported only when the first of them is built.
"""

from __future__ import annotations

from typing import ClassVar

from textual import events
from textual.binding import Binding, BindingType
from textual.reactive import Reactive, reactive
from textual.strip import Strip
from textual.widgets import TextArea

from panels.fields import leave_now

__all__ = ["BodyText", "LeavingTextArea", "RoomyTextArea"]


class RoomyTextArea(TextArea):
    """A TextArea that draws an empty line, where Textual's raised, when its placeholder has no column to go in.

    Textual's TextArea wraps its placeholder to its content width, and Rich cannot wrap to width 0 ("ValueError:
    range() arg 3 must not be zero"), so an empty editor squeezed to its border and padding ended the app."""

    def render_line(self, y: int) -> Strip:
        if self.content_size.width <= 0 and self.placeholder and not self.text:
            return Strip.blank(0)
        return super().render_line(y)


class LeavingTextArea(RoomyTextArea):
    """A TextArea that Escape leaves, whether Tab indents in it or moves the focus.

    Textual's TextArea moves to the next widget on Escape only when Tab indents, and says nothing of
    it; here Escape always leaves, through a binding the footer shows.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "leave", "Leave editor", id="editor.leave", priority=True)  # as it arrives: leave_now
    ]

    async def _on_key(self, event: events.Key) -> None:
        if event.key == "escape":  # TextArea handles Escape itself before any binding that is not a priority one
            event.stop()
            event.prevent_default()
            await self.action_leave()
            return
        await super()._on_key(event)

    async def action_leave(self) -> None:
        await leave_now(self)


class BodyText(RoomyTextArea):
    """The body itself: read-only, selectable.

    Its cursor does not blink: a read-only TextArea draws it without blinking, yet its blink timer still drew the
    cursor's line every half second while it had the keyboard, a frame each time, the same picture."""

    cursor_blink: Reactive[bool] = reactive(False, init=False)

    HELP = (
        "The answer's body, read-only. Arrows move the cursor, shift+arrows (or the mouse) select, ctrl+c copies "
        "the selection, l wraps long lines, b shows it raw or pretty, ctrl+f finds text. Escape goes back to the list."
    )
