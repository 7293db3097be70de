"""The footer's keys drawn by one widget in the first frame (issue 24: the first paint).

Textual's footer is a widget per key (seven on the main view), each mounted, styled (with its two parts) and laid
out on its own: about a twentieth of the instructions the app runs to its first frame. :class:`FooterBlank` draws
the same row from the key widgets the footer composed, with the rules of Textual's ``FooterKey`` on its own parts,
and the footer's keys take its place just after that frame (:class:`panels.stand_in.StandIn`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets._footer import FooterKey  # Footer's own key widget, not re-exported by textual.widgets

from panels.stand_in import StandIn

__all__ = ["FooterBlank", "drawn_keys"]

PALETTE = "-command-palette"


def drawn_keys(widgets: Sequence[Widget]) -> list[FooterKey] | None:
    """The footer's key widgets if :class:`FooterBlank` draws them: plain keys (no binding groups' widgets), none
    dimmed, the palette's key, if any, last; else None."""
    keys = [key for key in widgets if type(key) is FooterKey]
    if len(keys) != len(widgets) or any(key._disabled for key in keys):
        return None
    return None if any(key.has_class(PALETTE) for key in keys[:-1]) else keys


class FooterBlank(StandIn):
    """The footer's row of keys: each key and its words, then the palette's key at the right edge."""

    # FooterKey's rules (textual/widgets/_footer.py) on this widget's parts; its background and colour are the
    # footer's, as a key's are (``$footer-item-background`` is transparent in Textual's themes; a theme that sets
    # it is drawn by the real keys: see FittedFooter.compose).
    DEFAULT_CSS = """
    FooterBlank {
        width: 1fr;
        height: 1;
        & > .footer-blank--key {
            color: $footer-key-foreground;
            background: $footer-key-background;
            text-style: bold;
        }
        & > .footer-blank--description {
            color: $footer-description-foreground;
            background: $footer-description-background;
        }
        & > .footer-blank--edge { color: $foreground 20%; }
    }
    """
    COMPONENT_CLASSES: ClassVar[set[str]] = {"footer-blank--key", "footer-blank--description", "footer-blank--edge"}

    def __init__(self, keys: list[FooterKey], compact: bool) -> None:
        super().__init__()
        self.keys = keys
        self.compact = compact  # the footer's: compact keys have a cell of the footer after each

    def _pieces(self, key: FooterKey) -> list[tuple[str, str | None]]:
        """A key's text, part by part, as FooterKey's ``render`` writes it (its padding by its compact)."""
        compact = key.has_class("-compact")
        if not key.description:
            return [(key.key_display, "footer-blank--key")]
        words = f" {key.description}" if compact else f"{key.description} "
        return [
            (key.key_display if compact else f" {key.key_display} ", "footer-blank--key"),
            (words, "footer-blank--description"),
        ]

    def _row(self) -> list[tuple[str, str | None, FooterKey | None]]:
        """The keys from the left, then the gap, then the palette's key: (text, part, key clicked there)."""
        row: list[tuple[str, str | None, FooterKey | None]] = []
        palette = [key for key in self.keys if key.has_class(PALETTE)]
        for key in self.keys:
            if key in palette:
                continue
            row += [(text, part, key) for text, part in self._pieces(key)]
            if self.compact:
                row.append((" ", None, None))  # FooterKey's margin in a compact footer
        right: list[tuple[str, str | None, FooterKey | None]] = []
        for key in palette:
            right.append(("▏", "footer-blank--edge", key))  # its border, a vkey on the left
            right += [(text, part, key) for text, part in self._pieces(key)]
            right.append((" ", None, None if self.compact else key))  # the footer's margin, or the key's padding
        used = sum(len(text) for text, _, _ in row + right)
        return [*row, (" " * max(0, self.size.width - used), None, None), *right]

    def render_line(self, y: int) -> Strip:
        base = self.rich_style
        background = Style(bgcolor=base.bgcolor)
        segments = []
        for text, part, _ in self._row():
            if part is None:
                segments.append(Segment(text, background))
            elif part == "footer-blank--edge":
                edge = self.get_component_rich_style(part)
                segments.append(Segment(text, Style(color=edge.color, bgcolor=base.bgcolor)))
            else:
                segments.append(Segment(text, base + self.get_component_rich_style(part)))
        # neighbours of one look joined: a compact key's margin and the gap are one piece of the footer's line
        return Strip(Segment.simplify(segments)).crop_extend(0, self.size.width, background)

    def on_mouse_down(self, event: events.MouseDown) -> None:
        """A click on a key before the real ones are in presses it, as FooterKey does."""
        x = 0
        for text, _, key in self._row():
            if x <= event.x < x + len(text) and key is not None:
                self.app.simulate_key(key.key)
                return
            x += len(text)
