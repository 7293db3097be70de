"""Which answers show: both side by side, each framework alone, one at a time on a narrow screen or zoomed.

A base class of :class:`~explorer.tui.workbench.widget.Workbench` rather than a helper object: arranging sets
classes on the panels, moves the keyboard and maximises a panel, which only a widget on the screen can do,
and the workbench is that widget. It knows the panels and the send count, never the editor or the session log.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.containers import Vertical
from textual.widgets import Static

from explorer.tui.claims import answer_switch
from panels.own_class import set_own_class
from panels.response import ResponsePanel

if TYPE_CHECKING:
    from explorer.runtime.session import Session

__all__ = ["Arrangement"]


class Arrangement(Vertical):
    """The response panels of the session's servers, and which of them show and which is in front."""

    def __init__(self, session: Session, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.session = session
        self.sends = 0  # numbers every send, so each answer can say which request it belongs to
        frameworks = session.frameworks
        self.views = ["both", *frameworks] if len(frameworks) > 1 else frameworks
        self.view = self.views[0]
        self.front = frameworks[0]  # the answer shown when they are shown one at a time (narrow screens)
        self.raw = False  # bodies as sent, not pretty-printed
        self.wrap = True  # long lines wrapped in the Body and Log tabs

    def panel(self, framework: str) -> ResponsePanel:
        return self.query_one(f"#panel-{framework}", ResponsePanel)

    def frameworks_in_view(self) -> list[str]:
        return [fw for fw in self.session.frameworks if self.view in ("both", fw)]

    def cycle_view(self) -> str:
        """Both, then each framework alone; returns the view now shown."""
        self.view = self.views[(self.views.index(self.view) + 1) % len(self.views)]
        if self.view != "both":
            self.front = self.view
        self._arrange()
        return self.view

    def can_switch_answer(self) -> bool:
        """``a`` does something only where one answer hides the other: a narrow screen, or an answer zoomed."""
        zoomed = isinstance(self.screen.maximized, ResponsePanel)
        return len(self.frameworks_in_view()) > 1 and (zoomed or self.screen.has_class("-narrow"))

    def switch_answer(self) -> None:
        """Show the other answer where only one shows: on a narrow screen, or zoomed (the other is zoomed then)."""
        shown = self.frameworks_in_view()
        self.front = shown[(shown.index(self.front) + 1) % len(shown)] if self.front in shown else shown[0]
        zoomed = self.screen.maximized
        self._arrange()
        if isinstance(zoomed, ResponsePanel) and zoomed is not self.panel(self.front):
            self.screen.maximize(
                self.panel(self.front), container=False
            )  # a zoomed panel sent behind left a blank screen
            self.panel(self.front).focus_content()

    def _arrange(self) -> None:
        """Which panels show: those in view; on a narrow screen only the front one, with a line to switch."""
        shown = self.frameworks_in_view()
        if self.front not in shown:
            self.front = shown[0]
        for framework in self.session.frameworks:
            panel = self.panel(framework)
            set_own_class(panel, framework not in shown, "-out")  # each restyles the panel alone, not its 36 widgets
            set_own_class(panel, framework != self.front, "-back")
        focused = self.screen.focused
        narrow = self.screen.has_class("-narrow")
        for framework in self.session.frameworks:  # the keyboard never stays in an answer that is now hidden
            hidden = framework not in shown or (narrow and framework != self.front)
            if hidden and focused is not None and self.panel(framework) in focused.ancestors:
                self.panel(self.front).focus_content()
        switch = self.query_one("#answer-switch", Static)
        answers = {fw: self.panel(fw).answer for fw in shown}
        switch.update(
            answer_switch(
                {fw: answer.exchange for fw, answer in answers.items()},
                self.front,
                self.sends,
                {fw: answer.send for fw, answer in answers.items()},
                {fw for fw in shown if self.panel(fw).server_gone},
            )
        )
        switch.set_class(len(shown) < 2, "-single")
        self.app.refresh_bindings()  # whether ``a`` is offered follows what is shown

    def front_panel(self) -> ResponsePanel:
        """The panel the keyboard should go to: the one holding the focus, else the front one in view."""
        focused = self.screen.focused
        for framework in self.frameworks_in_view():
            panel = self.panel(framework)
            if focused is not None and panel in focused.ancestors_with_self:
                return panel
        return self.panel(self.front if self.front in self.frameworks_in_view() else self.frameworks_in_view()[0])

    def focus_answers(self, at_once: bool = False) -> None:
        self.front_panel().focus_content(at_once)

    def toggle_raw(self) -> None:
        """Bodies raw or pretty-printed, in both panels."""
        from panels.body_view import BodyView

        self.raw = not self.raw
        for panel in self.query(ResponsePanel):
            panel._fill_tabs()  # each body view is built (after the first frame, or now)
        for view in self.query(BodyView):
            view.raw = self.raw

    def toggle_wrap(self) -> bool:
        """Long lines wrapped or not, in the Body and Log tabs of both panels; returns the new setting."""
        self.wrap = not self.wrap
        for panel in self.query(ResponsePanel):
            panel.set_wrap(self.wrap)
        return self.wrap

    def select_tab(self, tab: str) -> None:
        for panel in self.query(ResponsePanel):
            panel.select_tab(tab)
