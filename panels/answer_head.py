"""The top of an answer panel (status chip, times, reason) in the first frame: one stand-in for five widgets.

Before the first answer the chip shows `` — ``, the times nothing and the reason line the panel's note; the
real widgets (a row holding the chip and the content type, the times, the reason) cost about a twelfth of
the instructions the app runs to its first frame for those three lines in two panels (issue 24: the first
paint). :class:`AnswerHead` draws them from the same rules (``app.tcss``), and :meth:`AnswerHead.build` puts
the real ones in its place (:class:`panels.stand_in.StandIn`).
"""

from __future__ import annotations

from typing import ClassVar

from rich.style import Style
from rich.text import Text
from textual.app import RenderResult
from textual.containers import Horizontal
from textual.widgets import Static

from panels.fitted import FittedText
from panels.stand_in import StandIn

__all__ = ["AnswerHead"]


class AnswerHead(StandIn):
    """The idle chip, an empty line for the times and the note, as the panel's real widgets draw them."""

    DEFAULT_CSS = "AnswerHead { height: auto; }"
    COMPONENT_CLASSES: ClassVar[set[str]] = {"answer-head--chip", "answer-head--why"}  # styled in app.tcss

    def __init__(self, framework: str, note: str) -> None:
        super().__init__(id=f"head-{framework}")
        self.framework = framework
        self.note = note

    def render(self) -> RenderResult:
        chip = self.get_component_rich_style("answer-head--chip", partial=True)
        why = self.get_component_rich_style("answer-head--why", partial=True)
        return Text.assemble((" — ", chip), "\n\n", (self.note, why + Style(italic=True)))

    def build(self) -> bool:
        """The real widgets in the stand-in's place, each in the DOM when this returns (False: the app is closing)."""
        fw = self.framework
        row = Horizontal(classes="status-row")
        parts = [
            row,
            Static("", classes="timings", id=f"timings-{fw}"),
            FittedText(Text(self.note, style="italic"), whole_if_it_fits=True, classes="why", id=f"why-{fw}"),
        ]
        if not self.replace_by(parts):
            return False
        row.mount_all(
            [Static(Text(" — "), classes="chip -idle", id=f"chip-{fw}"), Static("", classes="meta", id=f"meta-{fw}")]
        )
        return True
