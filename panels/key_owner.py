"""The bindings a key meets in the widget it was typed into, whether or not that widget still has the keyboard.

Textual hands a key to the widget that has the keyboard when the app takes the key from its queue, then
looks its binding up only later, from the widget that has the keyboard by then: the focused widget's own
bindings as the key reaches it, the ones above as it goes back up to the app. A key that moves the
keyboard at once (Tab, Escape: priority bindings) ran before the keys read ahead of it had come round, so
those ran as keys of the widget it moved to: in the lab, End and three Backspaces typed in the warm-up
field, then Tab and 5, deleted the 5 from the repeats field. Looked up here, a key's bindings are those of
the widget it was handed to, as Textual's ``Screen._binding_chain`` and ``active_bindings`` (Textual 8.2.8)
would have them while that widget had the keyboard.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.keys import key_to_character

if TYPE_CHECKING:
    from textual.binding import Binding, BindingsMap
    from textual.dom import DOMNode
    from textual.widget import Widget

__all__ = ["binding_chain", "own_binding"]


def own_binding(widget: Widget, key: str) -> Binding | None:
    """The binding ``widget`` itself has for ``key`` (after the user's keymap), if one is enabled: the one Textual's
    ``active_bindings`` names for that widget (a priority binding before another), whatever has the keyboard now."""
    bindings = _with_keymap(widget, widget._bindings.copy())
    chosen: tuple[Binding, bool] | None = None
    for binding in bindings.key_to_bindings.get(key, ()):
        state = widget.app._check_action_state(binding.action, widget)
        if state is False:  # not offered: as if the widget did not bind the key
            continue
        if chosen is None or (binding.priority and not chosen[0].priority):
            chosen = (binding, bool(state))
    return chosen[0] if chosen is not None and chosen[1] else None


def binding_chain(widget: Widget) -> list[tuple[DOMNode, BindingsMap]]:
    """Each node from ``widget`` up to the app (or the last modal screen) with its bindings, as they were while
    ``widget`` had the keyboard: a key a node below takes as text (a letter in a field) is no binding above it."""
    chain = [(node, node._bindings.copy()) for node in widget.ancestors_with_self]
    below: list[DOMNode] = []
    for node, bindings in chain:
        for inner in below:
            for key in list(bindings.key_to_bindings):
                if inner.check_consume_key(key, key_to_character(key)):
                    del bindings.key_to_bindings[key]
        below.append(node)
        _with_keymap(widget, bindings)
        if node.is_modal:
            return chain[: len(below)]
    return chain


def _with_keymap(widget: Widget, bindings: BindingsMap) -> BindingsMap:
    """``bindings`` with the user's keymap applied (its clashes Textual reports from its own chain)."""
    keymap = widget.app._keymap
    if keymap:
        bindings.apply_keymap(keymap)
    return bindings
