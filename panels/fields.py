"""Text fields that Escape leaves, and the message that says so.

A one-line field, or the headers and body editors (:mod:`panels.text_areas`), hold the keyboard: every letter typed there is
text. Escape hands the keyboard back, so the next letter is a command again, and the footer says so
while the field has focus. Where focus goes is the container's choice (the catalog's filter goes
back to its list, the request editor's fields to the answers), so a field only hands :class:`Left` to its
containers, as Escape arrives (:func:`leave_now`): a key read with Escape goes where the container sent the keyboard.
"""

from __future__ import annotations

from typing import ClassVar

from textual import events
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Input

from panels.key_owner import own_binding

__all__ = ["Field", "InTurnInput", "Left", "leave_now", "run_in_turn"]


class Left(Message):
    """The user pressed Escape in ``field``: its container moves the focus elsewhere."""

    def __init__(self, field: Widget) -> None:
        super().__init__()
        self.field = field

    @property
    def control(self) -> Widget:
        """The field left, so ``@on(Left, selector)`` can match it."""
        return self.field


class _LeftNow(Left, bubble=False):
    """:class:`Left` handed to each node in turn by :func:`leave_now` (its handlers match it as a Left)."""


async def leave_now(field: Widget) -> None:
    """Post :class:`Left` for ``field`` and have it handled now, by each node it would bubble to, before the app
    hands out another key.

    Textual hands a key to the widget that has the keyboard when the app takes the key from its queue; a Left
    posted goes up the widgets' queues, so its container moved the keyboard only after the app had handed out
    the keys it had read meanwhile, to the widget being left (Escape, then 2, on the list at start: "2" in the
    filter). Called from a priority binding, which the app runs as the key arrives, the keyboard has moved first.
    """
    left = _LeftNow(field)
    for node in field.ancestors_with_self:
        await node._on_message(left)  # its handlers, the @on(Left, ...) ones included; no bubbling (done here)
        if left._stop_propagation:
            return


class InTurnInput(Input):
    """An Input whose own keys (End, Backspace, the arrows) run in turn with the characters typed."""

    async def _on_key(self, event: events.Key) -> None:
        """A key the field binds (End, Backspace, the arrows, Escape) runs here, in turn with the characters."""
        if not await run_in_turn(self, event):
            await super()._on_key(event)


async def run_in_turn(widget: Widget, event: events.Key) -> bool:
    """Run now the binding ``widget`` itself has for ``event``'s key (not a printable one); True if it had one.

    Textual inserts a character as its key reaches the widget, but runs a binding only once the key has
    gone up to the screen: typed fast, "End, Backspace, 5" put the 5 in first (over the text the focus
    had selected) and then deleted it. Run in turn, the field ends as typed. The binding is the widget's own
    even when a Tab typed after the key has already moved the keyboard on (:mod:`panels.key_owner`).
    """
    binding = None if event.is_printable else own_binding(widget, event.key)
    if binding is None:
        return False
    event.stop()
    event.prevent_default()
    await widget.run_action(binding.action)
    return True


class Field(InTurnInput):
    """An Input that Escape leaves, as the key arrives (:func:`leave_now`): a key read with it goes where it led.

    | Key | Action |
    | --- | --- |
    | escape | leave the field (the footer says where to) |
    """

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "leave", "Leave field", id="field.leave", priority=True)]

    async def action_leave(self) -> None:
        await leave_now(self)
