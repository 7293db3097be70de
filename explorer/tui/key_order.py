"""Keys typed faster than the app handles them act where they were typed, in the order typed.

Textual hands each key to the widget that has the keyboard when the app takes the key from its queue,
then runs its binding (the screen's Tab, a field's End) only once the key has gone up from that widget,
looked up from whatever has the keyboard by then. Two halves make a burst land as typed:

- Tab and shift+Tab are priority bindings, run as they arrive, so the keys typed after a Tab reach the
  widget it moves to (in the lab, Tab, End, Backspace, 5 at full speed left the warm-up field empty),
  except where the widget with the keyboard takes Tab itself (the body editor indents with it).
- A key handed to a widget keeps that widget's bindings: a field's own keys run in turn with the characters
  typed (:func:`panels.fields.run_in_turn`), and a key that goes up to the app runs the bindings of the
  widget it was handed to (:func:`panels.key_owner.binding_chain`), not those of the widget a Tab or Escape
  typed after it has moved the keyboard to since: End and Backspaces typed in the warm-up field, then Tab and
  5, deleted the 5 from the repeats field; Down typed in an answer, then Escape, moved the list's cursor.
"""

from __future__ import annotations

from typing import ClassVar

from textual import events
from textual._dispatch_key import dispatch_key
from textual.app import App
from textual.binding import Binding, BindingType
from textual.widget import Widget

from panels.key_owner import binding_chain

__all__ = ["KeysInOrder"]

_HANDED_TO = "_explorer_handed_to"  # the attribute a key forwarded by the app carries: the widget it went to


class KeysInOrder(App[int]):
    """An App where a key typed right after Tab reaches the widget Tab moved to, and every key the app hands a
    widget runs that widget's bindings, wherever the keyboard has gone since."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("tab", "focus_next_now", "Next", show=False, priority=True),
        Binding("shift+tab", "focus_previous_now", "Previous", show=False, priority=True),
    ]

    def action_focus_next_now(self) -> None:
        self.screen.focus_next()

    def action_focus_previous_now(self) -> None:
        self.screen.focus_previous()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Tab moves the keyboard at once unless the widget that has it takes Tab (an editor that indents)."""
        if action in ("focus_next_now", "focus_previous_now"):
            focused = self.screen.focused
            return focused is None or not focused.check_consume_key("tab", "\t")
        return True

    _jumps = 0  # keys a priority binding has run as they arrived, ahead of the keys read before them

    async def on_event(self, event: events.Event) -> None:
        """Textual's; a key it hands to the focused widget (no priority binding took it) notes that widget, and how
        many keys had run as they arrived so far."""
        handing = isinstance(event, events.Key) and not event.is_forwarded
        await super().on_event(event)
        if not handing:
            return
        if not event.is_forwarded:  # a priority binding took it
            self._jumps += 1
        elif self.screen.focused is not None:  # forwarded just now, to the focused widget
            setattr(event, _HANDED_TO, (self.screen.focused, self._jumps))

    async def _on_key(self, event: events.Key) -> None:
        """A key back up from the widget it was handed to: that widget's bindings if a key typed after it has moved
        the keyboard away since, in place of Textual's ``App._on_key`` (run after this one, as Textual runs each
        class's handler, unless this one prevents it), which looks them up from the widget that has it now.

        A key the app's own moves of the keyboard overtook keeps Textual's rule: Enter typed as the app starts,
        handed to the filter box Textual focuses first, sends the sample under the list's cursor once the list has
        the keyboard."""
        owner, jumps = getattr(event, _HANDED_TO, (None, self._jumps))
        if not isinstance(owner, Widget) or jumps == self._jumps or owner is self.screen.focused:
            return
        if not owner.is_attached or owner.screen is not self.screen:
            return
        event.prevent_default()
        for namespace, bindings in binding_chain(owner):
            for binding in bindings.key_to_bindings.get(event.key, ()):
                if not binding.priority and await self.run_action(binding.action, namespace):
                    return
        await dispatch_key(self, event)
