"""The method picker: Textual's Select, its list of methods built after the first frame (issue 24: the first paint).

A Select composes the line it shows and, hidden below it until opened, an option list (an OptionList
with a row per method, its own CSS parsed on first use): about 1 % of the instructions run until the first
frame (3-4 % of the function calls) for something that frame never shows. Here the list is mounted just after the first frame, or at
once by whatever needs it first (opening the picker with a key or a click), so what is drawn and every
key work as Textual's Select has them.
"""

from __future__ import annotations

from textual import events
from textual.app import ComposeResult
from textual.css.query import NoMatches
from textual.widgets import Select
from textual.widgets._select import NoSelection, SelectCurrent, SelectOverlay

from panels.later import later

__all__ = ["MethodPicker"]


class MethodPicker(Select[str]):
    """A Select of HTTP methods that builds its hidden option list after the first frame."""

    def compose(self) -> ComposeResult:
        yield SelectCurrent(self.prompt)  # Select's, without the option list

    def _on_mount(self, event: events.Mount) -> None:
        """Select's own mount, without the option list: the value chosen is shown, the list comes later."""
        event.prevent_default()  # Select's _on_mount fills the option list, not built yet
        self._init_selected_option(self._value)
        later(self, self._overlay)  # after the first frame, a step of its own (panels.later)

    def _overlay(self) -> SelectOverlay:
        """The option list, mounted on the first call and filled with the methods, the current one highlighted."""
        try:
            return self.query_one(SelectOverlay)
        except NoMatches:
            pass
        with self._context():  # data_bind binds to the running message pump: a key's action runs in the app's
            overlay = SelectOverlay(type_to_search=self._type_to_search).data_bind(compact=Select.compact)
        self.mount(overlay)
        if not overlay.is_attached:
            return overlay  # the picker is going (the app closing): Textual mounts nothing into it
        self._setup_options_renderables()
        overlay.highlighted = next((i for i, (_, value) in enumerate(self._options) if value == self.value), None)
        return overlay

    def _watch_value(self, value: str | NoSelection) -> None:
        """Show the method chosen; the option list, once built, highlights it (Select's own watcher)."""
        if self.query(SelectOverlay):
            super()._watch_value(value)
            return
        self._value = value
        try:
            current = self.query_one(SelectCurrent)
        except NoMatches:
            return
        prompt = next((prompt for prompt, option in self._options if option == value), None)
        current.update(self.NULL if prompt is None else prompt)
        self.post_message(self.Changed(self, value))

    def _watch_expanded(self, expanded: bool) -> None:
        self._overlay()
        super()._watch_expanded(expanded)

    def action_show_overlay(self) -> None:
        self._overlay()
        super().action_show_overlay()
