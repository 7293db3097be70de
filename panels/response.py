"""One framework's side of the response area: status chip, timings and five tabs, drawn from one :class:`Answer`.

After Posting's response area: the workbench sets :attr:`ResponsePanel.answer` (a frozen value), the panel's watcher
draws everything from it. The server's status, from the supervisor, not a send, is :attr:`ResponsePanel.server`.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.reactive import reactive
from textual.widgets import Input, Static, TabbedContent, TabPane

from explorer.apps.answer import Answer
from explorer.runtime.frameworks import display_name
from explorer.runtime.userdata.bounded import printable
from panels.answer_head import AnswerHead
from panels.body_view import BodyBlank, BodyView
from panels.fields import leave_now
from panels.later import later
from panels.lazy_tabs import LazyTabs
from panels.masking import mask_digits
from panels.own_class import set_own_class
from panels.panel_parts import BUILD_STEPS, LOG_LINES
from panels.stand_in import StandIn

if TYPE_CHECKING:
    from explorer.apps.source import HandlerLookup
    from explorer.runtime.http.client import Exchange
    from explorer.runtime.servers.logbuffer import LogBuffer
    from explorer.runtime.servers.specs import ServerStatus
    from panels.arriving import Arriving
    from panels.log_view import LogView

__all__ = ["LOG_LINES", "TABS", "ResponsePanel", "Serving", "status_class"]

TABS = ("body", "headers", "validation", "code", "log")

Serving = tuple["ServerStatus", str]  # the server's status and its label, e.g. "uvicorn 0.30 · Python 3.12"


def status_class(status: int | None) -> str:
    """CSS class of the status chip: -s2xx, -s3xx, -s4xx, -s5xx, or -error."""
    return f"-s{status // 100}xx" if status else "-error"


class ResponsePanel(Vertical):
    """Draws what it is handed: an :class:`Answer` and the status of the server it shows; never sends anything.

    Its title names the send its answer belongs to (``#3 GET /items/1``), so an answer from an earlier send,
    or from a server process since stopped, can never pass for the latest one: the title says so and it dims.
    """

    ALLOW_MAXIMIZE = True
    HELP = (
        "One server's answer: the status chip, content type and size (≠ marks what differs from the other "
        "answer), the times, why the server answered so, and five tabs (keys 1-5): Body, Headers, Validation, "
        "Code (the handler that ran) and Log (the server's output). The title names the request the answer belongs to."
    )
    BINDINGS: ClassVar[list[BindingType]] = [  # run as Escape arrives, as on the list (leave_now)
        Binding("escape", "leave", "Back to list", id="answer.leave", priority=True)
    ]

    answer: reactive[Answer] = reactive(Answer(), always_update=True, init=False)
    """What the panel shows; each part is drawn again only when the part of the answer it shows changed."""
    server: reactive[Serving | None] = reactive(None, always_update=True, init=False)
    """The server's status, in the subtitle; a new process makes the answer shown one from a server since gone."""

    def __init__(self, framework: str, log: LogBuffer, mask: bool = False, **kwargs: Any) -> None:
        super().__init__(id=f"panel-{framework}", classes="response-panel", **kwargs)
        self.framework = framework
        self.mask = mask
        self._logbuffer = log
        self._unsubscribe: object = None
        self._pending: deque[str] = deque(maxlen=LOG_LINES)
        self._flush_scheduled = False
        self.hold_log = False  # set by the workbench while a request is in flight: drawing would slow its reading
        self._chip_meta = ("", "")  # the texts of the status chip and the line beside it, to lay them out
        self._arriving: Arriving | None = None
        # What the first frame leaves out, built after it in these steps (_build_later) or at once (_fill_tabs).
        self._steps: deque[Callable[[], bool]] = deque(partial(step, self, framework) for step in BUILD_STEPS)
        self.border_title = display_name(framework)

    def compose(self) -> ComposeResult:
        yield AnswerHead(self.framework, self.answer.note)  # the chip, times and reason: built by _fill_tabs
        with LazyTabs(id=f"tabs-{self.framework}", blank=BodyBlank()):
            with TabPane("Body", id=f"body-{self.framework}"):
                yield BodyView(id=f"bodyview-{self.framework}")
            for tab in TABS[1:]:  # mounted and filled by _fill_tabs, once the first frame is drawn
                yield TabPane(tab.capitalize(), id=f"{tab}-{self.framework}")

    def _fill_tabs(self) -> bool:
        """The chip, times and reason in place of their stand-in and the contents of the four tabs the first frame
        does not show: built in steps after that frame (:meth:`_build_later`), or whatever is left at once by
        whatever first needs them (an answer, a tab shown), so building them does not delay it.
        False when they cannot be: the app is closing and the tabs are being removed."""
        if not self._steps:
            return True
        while self._steps:
            if not self._steps.popleft()():
                self._steps.clear()
                return False
        self._flush_log()  # the lines the server printed before the log was built
        return True

    def _build_later(self) -> None:
        """The steps of :meth:`_fill_tabs` put off until after the first frame, each on its own (:func:`later`): a
        key typed as the screen appears is answered between two of them. The log's lines wait for the last."""
        for _ in range(len(self._steps)):
            later(self, self._build_step)

    def _build_step(self) -> None:
        if self._steps and not self._steps.popleft()():
            self._steps.clear()
        if not self._steps:
            self._flush_log()

    def _log_view(self) -> LogView:
        from panels.log_view import LogView

        return self.query_one(f"#logview-{self.framework}", LogView)

    def _log_view_if_any(self) -> LogView | None:
        from panels.log_view import LogView

        return next(iter(self.query(f"#logview-{self.framework}").results(LogView)), None)

    def on_mount(self) -> None:
        self._pending.extend(self._logbuffer.lines())
        self._build_later()  # after the first frame, in steps; the log's lines are drawn after the last
        self._unsubscribe = self._logbuffer.subscribe(self._queue_log)
        self.watch(self.screen, "focused", self._show_keyboard, init=False)

    def on_unmount(self) -> None:
        if callable(self._unsubscribe):
            self._unsubscribe()

    def _show_keyboard(self) -> None:
        """The accent border while the keyboard is in this panel (``-keyboard``: where ``:focus-within`` was, which
        restyled all 36 widgets of each panel the focus left or entered, every tab key, ``a`` and Escape). Set as
        the screen's focus changes, before its next layout: from the focus's messages (``DescendantFocus``), it came
        after the frame of the key that moved the keyboard (``a``, Escape to the list) and drew the panel again."""
        set_own_class(self, self.has_focus_within, "-keyboard")

    def _queue_log(self, lines: list[str]) -> None:
        """Collect new lines and draw them at most ten times a second, however fast the server prints."""
        self._pending.extend(lines)
        if not self._flush_scheduled:
            self._flush_scheduled = True
            self.set_timer(0.1, self._flush_log)

    def _flush_log(self) -> None:
        self._flush_scheduled = False
        if self.hold_log:
            self._flush_scheduled = True
            self.set_timer(0.1, self._flush_log)
            return
        log = self._log_view_if_any()
        if log is None:
            return  # not built yet (its lines wait for it), or gone as the app closes (drawing raised MountError)
        lines, self._pending = list(self._pending), deque(maxlen=LOG_LINES)
        for line in lines:
            shown = printable(line, keep="\t", colours=True)  # the server's colours; any other escape made visible
            log.add(Text.from_ansi(mask_digits(shown) if self.mask else shown))

    def set_wrap(self, wrap: bool) -> None:
        """Wrap long lines in the Body and Log tabs, or not; the log is drawn again from the server's buffer."""
        self._fill_tabs()
        self.query_one(BodyView).wrap = wrap
        log = self._log_view()
        if log.wrap != wrap:
            log.wrap = wrap
            log.clear()
            self._pending = deque(self._logbuffer.lines(), maxlen=LOG_LINES)
            self._flush_log()

    @on(TabbedContent.TabActivated)
    def _tab_shown(self, event: TabbedContent.TabActivated) -> None:
        """The Log tab opens on its newest line: lines written while it was hidden scrolled nothing."""
        if event.pane.id != f"body-{self.framework}":
            self._fill_tabs()
        if event.pane.id == f"log-{self.framework}":
            log = self._log_view()
            log.scroll_end(animate=False)  # after the refresh that lays the shown log out (Textual defers it so)

    @property
    def server_gone(self) -> bool:
        """The answer shown came from a server process since stopped, switched or restarted."""
        exchange, serving = self.answer.exchange, self.server
        return exchange is not None and serving is not None and serving[0].pid != self.answer.pid

    def watch_server(self, serving: Serving | None) -> None:
        """The server's state in the panel's subtitle, e.g. 'uvicorn … · ready'."""
        if serving is None:
            return
        status, label = serving
        state = status.state.value if self.mask else status.describe()
        self.border_subtitle = Text(printable(f"{state} · {label}"))
        self.set_class(status.state.value in ("crashed", "unresponsive"), "-down")
        self._draw_standing()  # its figures belong to a process no longer serving: never under the new label

    def watch_answer(self, old: Answer, new: Answer) -> None:
        """Draw the parts of ``new`` that differ from ``old``: a send marked earlier keeps its body's scroll."""
        self._fill_tabs()
        if new.exchange is not old.exchange or (new.send, new.note, new.sending) != (old.send, old.note, old.sending):
            if self._arriving is not None:
                self._arriving.stop()  # an earlier send's parts are never drawn under this one
                self._arriving = None
            self._draw_figures(new)
        if new.exchange is not old.exchange or new.jar is not old.jar:
            from panels.header_table import headers_table  # with the first answer, not before the first frame

            table = "" if new.exchange is None else headers_table(new.exchange, new.jar, self.mask)
            self.query_one(f"#headertable-{self.framework}", Static).update(table)
        if new.code is not old.code:
            self._draw_code(new.code)
        self._draw_standing()

    def arriving_listener(self) -> Callable[[float, bytes], None]:
        """Called by the client with each part of the body as it arrives (see :mod:`panels.arriving`)."""
        from panels.arriving import Arriving

        self._fill_tabs()
        self._arriving = Arriving(self, self.query_one(f"#bodyview-{self.framework}", BodyView))
        return self._arriving.listen

    def focus_content(self, at_once: bool = False) -> None:
        """The keyboard to the tab shown (its text, table, log) after the keys already read (in order; the tab looked up
        then, as one may hide it), or ``at_once`` for a key run as it arrives (:func:`panels.fields.leave_now`)."""
        self._fill_tabs()
        self._focus_shown() if at_once else self.app.call_later(self._focus_shown)

    def _focus_shown(self) -> None:
        if not self.is_attached:
            return
        for stand_in in self.query(StandIn):
            stand_in.swap()  # what the keyboard goes to is shown now, not with the next frame
        tabs = self.query_one(f"#tabs-{self.framework}", TabbedContent)
        pane = tabs.active_pane
        target = next((w for w in pane.query("*") if w.focusable), None) if pane is not None else None
        self.screen.set_focus(target or tabs)

    def open_find(self) -> None:
        self.select_tab("body")
        self.query_one(BodyView).open_find()

    async def action_leave(self) -> None:
        await leave_now(self)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """On a maximised panel Escape restores it (Textual's own rule), so it is not offered as "back to list"."""
        if action == "leave":  # nor from the find box, whose Escape closes it (a priority binding comes first)
            return self.screen.maximized is None and not isinstance(self.screen.focused, Input)
        return True

    def _draw_standing(self) -> None:
        """The title names the answer's send; an answer from an earlier send, or from a server since gone, dims and
        says so, and its ``≠`` marks go: they compared it with its own send's other answer, no longer beside it."""
        answer, name = self.answer, display_name(self.framework)
        earlier = answer.earlier or self.server_gone
        self.set_class(earlier, "-earlier")
        if not answer.send:
            self.border_title = name
        else:  # Text, not a string: a string would be read as markup, and the path is the user's
            said = " · an earlier send, from a server since stopped" if self.server_gone else " · an earlier send"
            line = printable(f"{name} · #{answer.send} {answer.line}")
            self.border_title = Text(line + (said if earlier else ""))
        if answer.exchange is not None:
            self._draw_chip(answer.exchange, frozenset() if earlier else answer.differs)

    def _draw_chip(self, exchange: Exchange | None, differs: frozenset[str], idle: str = " — ") -> None:
        """Status chip and the content type and size beside it, each with ``≠`` where ``differs`` says so."""
        chip = self.query_one(f"#chip-{self.framework}", Static)
        mark = " ≠" if "status" in differs else ""
        if exchange is None:
            chip_text, meta = idle, ""
        else:
            status = exchange.status
            chip_text = " ERROR " if status is None else printable(f" {status} {exchange.reason}{mark} ")
            ctype_mark = " ≠" if "content-type" in differs else ""
            body_mark = " ≠" if "body" in differs else ""
            ctype = printable(exchange.content_type or "no content type")
            meta = "" if status is None else f"{ctype}{ctype_mark} · {exchange.size:,} bytes{body_mark}"
        chip.update(Text(chip_text))
        chip.set_classes(f"chip {status_class(exchange.status) if exchange is not None else '-idle'}")
        self.query_one(f"#meta-{self.framework}", Static).update(Text(meta))
        self._chip_meta = (chip_text, meta)
        self._place_meta()

    def _draw_figures(self, answer: Answer) -> None:
        """The chip, the times, the reason, the body and the Validation tab: the answer's, or its note in their place."""
        fw, exchange = self.framework, answer.exchange
        if exchange is None:
            self._draw_chip(None, frozenset(), " … " if answer.sending else " — ")
            for part in ("timings", "validtable", "reason"):
                self.query_one(f"#{part}-{fw}", Static).update("")
            self.query_one(f"#why-{fw}", Static).update(Text(printable(answer.note), style="italic"))
            self.query_one(BodyView).show(None)
            return
        from explorer.content.explain import why  # these two with the first answer, not before the first frame
        from panels.timings_text import timings_text

        handler = answer.code.ran if answer.code is not None else None  # the route map's word (see :func:`why`)
        self.query_one(f"#timings-{fw}", Static).update(timings_text(exchange, self.mask))
        reason = Text(printable(why(exchange, handler)), style="italic")
        for note in exchange.notes:
            reason.append(printable(f"\nNote: {note}", keep="\n"), style="not italic yellow")
        self.query_one(f"#why-{fw}", Static).update(reason)
        self.query_one(f"#bodyview-{fw}", BodyView).show(exchange)
        self._fill_validation(exchange)

    def on_resize(self) -> None:
        self._place_meta()

    def _place_meta(self) -> None:
        """Content type and size beside the status chip when both fit on one line, else below it (never cut).
        Hidden (the other answer at 80 columns), by the width of the panel in its place, which it takes when
        shown: placed only then, it was drawn a frame beside its chip first, wrapped."""
        chip, meta = self._chip_meta
        width = self.content_region.width or max((p.content_region.width for p in self.siblings), default=0)
        if not width:
            return  # none shown yet: placed by its resize when it is
        needed = Text(chip).cell_len + Text(meta).cell_len + 2
        self.set_class(bool(meta) and needed > width, "-meta-below")

    def _fill_validation(self, exchange: Exchange) -> None:
        """The validation errors the answer names, or a line saying there are none. Not the "why" sentence: it is
        under the status line, seen on every tab (said twice, it cost three of the answer's rows at 80x24)."""
        from rich.table import Table

        table = Table("location", "message", "type", box=None, header_style="bold", expand=True, pad_edge=False)
        table.columns[1].ratio = 1
        for issue in exchange.validation:
            table.add_row(
                Text(printable(issue.location), style="bold"),
                Text(printable(issue.message)),
                Text(printable(issue.type), style="dim"),
            )
        self.query_one(f"#validtable-{self.framework}", Static).update(table if exchange.validation else "")
        if exchange.validation:
            said = ""
        elif exchange.status is None:
            said = "No answer, so nothing to validate."
        else:
            said = "No validation errors in this answer."
        reason = self.query_one(f"#reason-{self.framework}", Static)
        reason.update(Text(said))
        reason.display = bool(said)

    def _draw_code(self, lookup: HandlerLookup | None) -> None:
        """The handler that served (or would serve) the request, highlighted, with a note when none ran."""
        from rich.syntax import Syntax

        fw = self.framework
        note = lookup.note if lookup is not None else ""
        if lookup is not None and lookup.route is not None and lookup.file is not None:
            note = f"{lookup.where}, line {lookup.route.line}: {lookup.route.function}()" + (
                f"\n{note}" if note else ""
            )
            view = Syntax(
                printable(lookup.route.source, keep="\n\t"),
                "python",
                theme="ansi_dark",
                line_numbers=True,
                start_line=lookup.route.line,
                background_color="default",
                word_wrap=True,
            )
            self.query_one(f"#code-view-{fw}", Static).update(view)
        else:
            self.query_one(f"#code-view-{fw}", Static).update("")
        self.query_one(f"#codenote-{fw}", Static).update(Text(printable(note, keep="\n")))

    def select_tab(self, tab: str) -> None:
        """Show ``tab``; the keyboard, if it was in this panel, goes straight to the tab's content.

        Left in the tab that hides, it dropped to nothing first (Textual blurs a hidden widget) and came back a frame
        later (:mod:`explorer.tui.focus`): two focus changes, each restyling the panel and relabelling the footer.
        """
        self._fill_tabs()
        focused = self.screen.focused
        tabs = self.query_one(f"#tabs-{self.framework}", TabbedContent)
        tabs.active = f"{tab}-{self.framework}"
        if focused is not None and self in focused.ancestors:
            self.focus_content()
