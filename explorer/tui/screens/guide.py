"""The "Which first?" guide (``g``): a few yes/no questions ending in a recommendation with reasons."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Static, Switch

from explorer.content.guide import QUESTIONS, recommend
from panels.footer import FittedFooter
from panels.kept import left


class GuideScreen(Screen[None]):
    """Each switch is one question; the recommendation below follows every change."""

    AUTO_FOCUS = "Switch"  # on_mount's pick: Textual focused another first (a restyle)
    HELP_TITLE = "Which first?"
    HELP = (
        "A few yes/no questions about your next project; the recommendation below follows every answer, with its "
        "reasons. Tab moves between the questions, space or Enter flips a switch."
    )
    BINDINGS = [Binding("escape,g", "dismiss(None)", "Back", id="guide.back")]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="guide"):
            yield Static(Text("Which should you learn first? Answer for your next project.", style="bold"))
            for question in QUESTIONS:
                with Horizontal(classes="question"):
                    yield Switch(value=False, id=f"q-{question.key}")
                    yield Static(Text(question.text), classes="question-text")
            yield Static("", id="recommendation")
        yield FittedFooter()  # Textual's Footer while its keys fit; each key composed without a restyle

    def on_mount(self) -> None:
        self._update()
        self.query_one(Switch).focus()

    _left = False  # as it is suspended: left (shown again as new), not covered by the help

    def on_screen_resume(self) -> None:
        """Shown again (the app keeps this screen): every question unanswered and the first one focused, as new."""
        if not self._left:
            return  # its first showing (on_mount did this), or the help over it closed: the answers stay
        self._left = False
        for switch in self.query(Switch):
            switch.value = False  # a change is a Switch.Changed: the recommendation follows
        self.query_one(Switch).focus()
        self.query_one("#guide", VerticalScroll).scroll_home(animate=False)

    def on_screen_suspend(self) -> None:
        self._left = left(self)

    def on_switch_changed(self) -> None:
        self._update()

    def _update(self) -> None:
        answers = {q.key: self.query_one(f"#q-{q.key}", Switch).value for q in QUESTIONS}
        result = recommend(answers)
        text = Text(result.headline + "\n", style="bold")
        for reason in result.reasons:
            text.append(f"• {reason}\n")
        self.query_one("#recommendation", Static).update(text)
