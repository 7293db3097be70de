"""The Send button's own CSS (``panels.editor.SendButton``) styles it exactly as Textual's Button would.

It carries only the part of Button's default CSS it draws with (issue 24: Button's whole CSS was ~5 % of
the first screen's CPU); each state it can be in is compared with a Textual Button made the same way.
"""

from __future__ import annotations

from typing import Any

import pytest
from textual.app import App, ComposeResult
from textual.widgets import Button

from panels.editor_parts import SendButton

# Every rule but the scrollbars' and links' (Widget's defaults, which a button's one line of label never uses)
NOT_DRAWN = ("scrollbar_", "link_", "auto_link_")


def _rules(button: Button) -> dict[str, Any]:
    return {k: v for k, v in button.styles.base._rules.items() if not k.startswith(NOT_DRAWN)}


class Pair(App[None]):
    AUTO_FOCUS = None  # neither has the keyboard until the test gives it

    def compose(self) -> ComposeResult:
        yield Button("Send ^r", id="plain", variant="primary", compact=True)
        yield SendButton("Send ^r", id="send", variant="primary", compact=True)


@pytest.mark.parametrize("state", ["idle", "focus", "hover", "active", "disabled"])
async def test_the_send_button_is_styled_as_a_compact_primary_button(state: str) -> None:
    app = Pair()
    async with app.run_test(size=(40, 6)) as pilot:
        plain, send = app.query_one("#plain", Button), app.query_one("#send", Button)
        assert app.query_one("#send", Button) is send  # still a Button: its Pressed, its queries by id and type
        samples: list[dict[str, Any]] = []
        for button in (plain, send):
            if state == "focus":
                button.focus()
            elif state == "hover":
                await pilot.hover(f"#{button.id}")
            elif state == "active":
                button.add_class("-active")
            elif state == "disabled":
                button.disabled = True
            await pilot.pause()
            samples.append(_rules(button))
            if state == "focus":
                assert button.has_focus
            elif state == "hover":
                assert button.is_mouse_over
        assert samples[0] == samples[1]
        assert plain.region.width == send.region.width and plain.region.height == send.region.height
