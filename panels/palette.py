"""The command palette (``ctrl+p``): Textual's own, made safe for page keys pressed as it opens.

In Textual 8.2.8, ``OptionList._move_page`` looks the highlighted option up in a line map that is
filled only once the list has a size. The palette fills and highlights its list before the first
layout, so ctrl+p followed at once by PageUp or PageDown raised ``KeyError: 0`` and ended the app.
Here a page key that arrives before the layout is carried out after the next refresh instead. (No
report of it upstream was found; a downstream project met the same KeyError in its own OptionList.)
"""

from __future__ import annotations

from textual.command import CommandList, CommandPalette

__all__ = ["SafeCommandPalette"]

_PAGE_ACTIONS = ("page_up", "page_down")


class SafeCommandPalette(CommandPalette):
    """Textual's command palette; a page key waits for the command list's first layout."""

    def _action_command_list(self, action: str, retried: bool = False) -> None:
        if action in _PAGE_ACTIONS and not self.query_one(CommandList).scrollable_content_region:
            if not retried:  # once: a list that still has no size after a refresh has nothing to page
                self.call_after_refresh(self._action_command_list, action, True)
            return
        super()._action_command_list(action)
