"""One framework's side of the response area: status chip, timings and five tabs."""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import RichLog, Static, TabbedContent, TabPane

from explorer.content.explain import why
from explorer.runtime.frameworks import display_name
from explorer.runtime.userdata.bounded import printable
from panels.body_view import BodyView
from panels.fields import Left
from panels.fitted import FittedText
from panels.header_table import NamesWhole
from panels.log_view import LogView
from panels.masking import VOLATILE_HEADERS, mask_digits, ms

if TYPE_CHECKING:
    from collections.abc import Callable

    from rich.table import Table

    from explorer.apps.source import HandlerLookup
    from explorer.runtime.http.client import Exchange
    from explorer.runtime.http.cookies import Cookie
    from explorer.runtime.servers.logbuffer import LogBuffer
    from explorer.runtime.servers.specs import ServerStatus
    from panels.arriving import Arriving

TABS = ("body", "headers", "validation", "code", "log")
LOG_LINES = 2000
HEADER_ROWS = 50  # per side: drawing is linear in rows, and an answer may carry the transport's maximum
HEADER_CHARS = 1000  # of one name or value shown; the rest is cut with an ellipsis


def _cut(text: str) -> str:
    """A header name or value to show: at most HEADER_CHARS characters, its control characters visible."""
    return printable(text if len(text) <= HEADER_CHARS else text[:HEADER_CHARS] + f"… ({len(text):,} characters)")


def status_class(status: int | None) -> str:
    """CSS class of the status chip: -s2xx, -s3xx, -s4xx, -s5xx, or -error."""
    return f"-s{status // 100}xx" if status else "-error"


class ResponsePanel(Vertical):
    """Draws what it is handed: an exchange, a handler lookup, a server status and its log.

    The app and its workbench set these through :meth:`show_exchange`, :meth:`show_code` and :meth:`show_status`;
    the panel never sends anything itself. Its title names the send its answer belongs to (``#3 GET /items/1``),
    so an answer from an earlier send can never pass for the latest one: :meth:`mark_earlier` says so on it.
    """

    ALLOW_MAXIMIZE = True
    HELP = (
        "One server's answer: the status chip, content type and size (≠ marks what differs from the other "
        "answer), the times, why the server answered so, and five tabs (keys 1-5): Body, Headers, Validation, "
        "Code (the handler that ran) and Log (the server's output). The title names the request the answer belongs to."
    )
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "leave", "Back to list", id="answer.leave")]

    def __init__(self, framework: str, log: LogBuffer, mask: bool = False, **kwargs: Any) -> None:
        super().__init__(id=f"panel-{framework}", classes="response-panel", **kwargs)
        self.framework = framework
        self.mask = mask
        self._logbuffer = log
        self._unsubscribe: object = None
        self._pending: deque[str] = deque(maxlen=LOG_LINES)
        self._flush_scheduled = False
        self.hold_log = False  # set by the workbench while a request is in flight: drawing would slow its reading
        self.exchange: Exchange | None = None
        self._differs: frozenset[str] = frozenset()  # what the answer shown differs in from its own send's other answer
        self.send_number = 0  # the send the answer shown belongs to (0: none yet)
        self._latest = 0  # the latest send, as last told by mark_earlier
        self._server_pid: int | None = None  # the process serving now, as last told by show_status
        self._answer_pid: int | None = None  # the process that gave the answer shown
        self.server_gone = False  # the answer shown came from a server since switched or restarted
        self._chip_meta = ("", "")  # the texts of the status chip and the line beside it, to lay them out
        self.request_line = ""
        self._arriving: Arriving | None = None
        self.border_title = display_name(framework)

    def compose(self) -> ComposeResult:
        with Horizontal(classes="status-row"):
            yield Static(Text(" — "), classes="chip -idle", id=f"chip-{self.framework}")
            yield Static("", classes="meta", id=f"meta-{self.framework}")
        yield Static("", classes="timings", id=f"timings-{self.framework}")
        why = Text("Send a request to see this server's answer.", style="italic")
        yield FittedText(
            why, whole_if_it_fits=True, classes="why", id=f"why-{self.framework}"
        )  # a long reason ends in a visible ellipsis
        with TabbedContent(id=f"tabs-{self.framework}"):
            with TabPane("Body", id=f"body-{self.framework}"):
                yield BodyView(id=f"bodyview-{self.framework}")
            with TabPane("Headers", id=f"headers-{self.framework}"):
                with VerticalScroll():
                    yield Static("", id=f"headertable-{self.framework}")
            with TabPane("Validation", id=f"validation-{self.framework}"):
                with VerticalScroll():
                    yield Static("", classes="reason", id=f"reason-{self.framework}")
                    yield Static("", id=f"validtable-{self.framework}")
            with TabPane("Code", id=f"code-{self.framework}"):
                with VerticalScroll():
                    yield Static("", classes="note", id=f"codenote-{self.framework}")
                    yield Static("", id=f"code-view-{self.framework}")
            with TabPane("Log", id=f"log-{self.framework}"):
                yield LogView(
                    id=f"logview-{self.framework}",
                    keep=LOG_LINES,
                    markup=False,
                    wrap=True,
                    highlight=False,
                    min_width=20,
                )

    def on_mount(self) -> None:
        self._pending.extend(self._logbuffer.lines())
        self._flush_log()
        self._unsubscribe = self._logbuffer.subscribe(self._queue_log)

    def on_unmount(self) -> None:
        if callable(self._unsubscribe):
            self._unsubscribe()

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
        log = self.query_one(f"#logview-{self.framework}", LogView)
        lines, self._pending = list(self._pending), deque(maxlen=LOG_LINES)
        for line in lines:
            shown = printable(line, keep="\t", colours=True)  # the server's colours; any other escape made visible
            log.add(Text.from_ansi(mask_digits(shown) if self.mask else shown))

    def set_wrap(self, wrap: bool) -> None:
        """Wrap long lines in the Body and Log tabs, or not; the log is drawn again from the server's buffer."""
        self.query_one(BodyView).wrap = wrap
        log = self.query_one(f"#logview-{self.framework}", RichLog)
        if log.wrap != wrap:
            log.wrap = wrap
            log.clear()
            self._pending = deque(self._logbuffer.lines(), maxlen=LOG_LINES)
            self._flush_log()

    @on(TabbedContent.TabActivated)
    def _tab_shown(self, event: TabbedContent.TabActivated) -> None:
        """The Log tab opens on its newest line: lines written while it was hidden scrolled nothing."""
        if event.pane.id == f"log-{self.framework}":
            log = self.query_one(f"#logview-{self.framework}", RichLog)
            self.call_after_refresh(log.scroll_end, animate=False)

    def show_status(self, status: ServerStatus, label: str) -> None:
        """The server's state in the panel's subtitle, e.g. 'uvicorn … · ready'."""
        state = status.state.value if self.mask else status.describe()
        self.border_subtitle = Text(printable(f"{state} · {label}"))
        self._server_pid = status.pid
        if self.exchange is not None and status.pid != self._answer_pid and not self.server_gone:
            self.server_gone = True  # its figures belong to a process no longer serving: never under the new label
            self.mark_earlier(self._latest)
        self.set_class(status.state.value in ("crashed", "unresponsive"), "-down")

    def arriving_listener(self) -> Callable[[float, bytes], None]:
        """Called by the client with each part of the body as it arrives (see :mod:`panels.arriving`)."""
        from panels.arriving import Arriving

        self._arriving = Arriving(self, self.query_one(f"#bodyview-{self.framework}", BodyView))
        return self._arriving.listen

    def _title(self, earlier: bool = False) -> None:
        name = display_name(self.framework)
        if not self.send_number:
            self.border_title = name
            return
        # Text, not a string: a string would be read as markup, and the path is the user's
        said = " · an earlier send, from a server since stopped" if self.server_gone else " · an earlier send"
        line = printable(f"{name} · #{self.send_number} {self.request_line}")
        self.border_title = Text(line + (said if earlier else ""))

    def show_pending(self, note: str, send_number: int, line: str) -> None:
        """A request is on its way to this server: the title names it, and the earlier answer goes at once.

        Its figures, body (a stream's timeline), headers and handler would otherwise stand under the
        new title until the new answer is in, a whole stream's length for a stream.
        """
        self.send_number, self.request_line = send_number, line
        self._blank(" … ", note)

    def clear(self, note: str) -> None:
        """Nothing was sent here this time: every trace of an earlier answer goes, and ``note`` says why."""
        self.send_number, self.request_line = 0, ""
        self._blank(" — ", note)

    def _blank(self, chip_text: str, note: str) -> None:
        if self._arriving is not None:
            self._arriving.stop()  # an earlier send's parts are never drawn under this one
            self._arriving = None
        self.exchange, self._differs, self.server_gone = None, frozenset(), False
        self._title()
        self.remove_class("-earlier")
        fw = self.framework
        chip = self.query_one(f"#chip-{fw}", Static)
        chip.update(Text(chip_text))
        chip.set_classes("chip -idle")
        for part in ("meta", "timings", "headertable", "validtable", "reason", "codenote", "code-view"):
            self.query_one(f"#{part}-{fw}", Static).update("")
        self._chip_meta = ("", "")
        self._place_meta()
        self.query_one(f"#why-{fw}", Static).update(Text(printable(note), style="italic"))
        self.query_one(BodyView).show(None)

    def mark_earlier(self, latest: int) -> None:
        """Dim the answer and say so in the title when it belongs to a send before ``latest``.

        Its ``≠`` marks go too: they compared it with the other answer of its own send, and the
        answer beside it now belongs to a later one.
        """
        self._latest = latest
        earlier = 0 < self.send_number < latest or (self.server_gone and self.exchange is not None)
        self.set_class(earlier, "-earlier")
        self._title(earlier)
        if self.exchange is not None and self._differs:
            self._draw_chip(self.exchange, frozenset() if earlier else self._differs)

    def focus_content(self) -> None:
        """Put the keyboard in the tab shown (the body's text, a table, the log), so arrows scroll it."""
        tabs = self.query_one(f"#tabs-{self.framework}", TabbedContent)
        pane = tabs.active_pane
        target = next((w for w in pane.query("*") if w.focusable), None) if pane is not None else None
        (target or tabs).focus()

    def open_find(self) -> None:
        self.select_tab("body")
        self.query_one(BodyView).open_find()

    def action_leave(self) -> None:
        self.post_message(Left(self))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """On a maximised panel Escape restores it (Textual's own rule), so it is not offered as "back to list"."""
        if action == "leave":
            return self.screen.maximized is None
        return True

    def show_exchange(
        self, exchange: Exchange, differs: frozenset[str] = frozenset(), handler: bool | None = None
    ) -> None:
        """Fill the chip, timings and every tab from one exchange; ``differs`` marks what differs.

        ``handler`` is the route map's word on whether a handler ran (see :func:`why`).
        """
        if self._arriving is not None:
            self._arriving.stop()  # the whole answer is in: no part drawn after it
        self.exchange = exchange
        self._differs = differs
        self._answer_pid, self.server_gone = self._server_pid, False
        self.remove_class("-earlier")
        self._title()
        fw = self.framework
        self._draw_chip(exchange, differs)
        self.query_one(f"#timings-{fw}", Static).update(self._timings(exchange))
        reason = Text(printable(why(exchange, handler)), style="italic")
        for note in exchange.notes:
            reason.append(printable(f"\nNote: {note}", keep="\n"), style="not italic yellow")
        self.query_one(f"#why-{fw}", Static).update(reason)
        self.query_one(f"#bodyview-{fw}", BodyView).show(exchange)
        self._fill_headers(exchange)
        self._fill_validation(exchange, handler)

    def _draw_chip(self, exchange: Exchange, differs: frozenset[str]) -> None:
        """Status chip and the content type and size beside it, each with ``≠`` where ``differs`` says so."""
        chip = self.query_one(f"#chip-{self.framework}", Static)
        mark = " ≠" if "status" in differs else ""
        chip_text = " ERROR " if exchange.status is None else printable(f" {exchange.status} {exchange.reason}{mark} ")
        chip.update(Text(chip_text))
        chip.set_classes(f"chip {status_class(exchange.status)}")
        ctype_mark = " ≠" if "content-type" in differs else ""
        body_mark = " ≠" if "body" in differs else ""
        ctype = printable(exchange.content_type or "no content type")
        meta = "" if exchange.status is None else f"{ctype}{ctype_mark} · {exchange.size:,} bytes{body_mark}"
        self.query_one(f"#meta-{self.framework}", Static).update(Text(meta))
        self._chip_meta = (chip_text, meta)
        self._place_meta()

    def on_resize(self) -> None:
        self._place_meta()

    def _place_meta(self) -> None:
        """Content type and size beside the status chip when both fit on one line, else below it (never cut)."""
        chip, meta = self._chip_meta
        needed = Text(chip).cell_len + Text(meta).cell_len + 2
        self.set_class(bool(meta) and needed > self.content_region.width, "-meta-below")

    def _timings(self, exchange: Exchange) -> Text:
        t = exchange.timings
        if t is None:
            return Text("")
        text = Text(
            f"total {ms(t.total_ms, self.mask)} · first byte {ms(t.ttfb_ms, self.mask, unit=False)} · "
            f"server {ms(t.server_ms, self.mask, unit=False)}"
        )  # one unit for the three: the line fits a narrow panel
        if exchange.burst:
            b = exchange.burst
            wall = "‒" if self.mask else f"{b.wall_ms:.0f}"
            median = "‒" if self.mask else f"{b.median_ms:.0f}"
            statuses = ", ".join(f"{status} ×{n}" for status, n in b.statuses.items())
            text.append(
                f"\nburst of {b.count} at once: all done in {wall} ms, median {median} ms, {b.errors} errors"
                f" ({statuses}); the first copy's answer is shown"
            )
            if b.first_error and b.first_error != exchange.error:
                text.append("\n" + printable(f"first error among the copies: {b.first_error}"))
        return text

    def _fill_headers(self, exchange: Exchange, jar_always: bool = False) -> None:
        """The request as sent and the answer's headers, each side cut to HEADER_ROWS rows with a count.

        Then the server's cookie jar, when it holds cookies (or ``jar_always``, after it was cleared).
        """
        from rich.table import Table

        table = Table("", "header", "value", box=None, header_style="bold", expand=True, pad_edge=False)
        table.columns[0].width = 1
        table.columns[1].overflow = table.columns[2].overflow = "fold"
        table.columns[2].ratio = 1
        if exchange.request:
            sent = printable(f"{exchange.spec.method} {exchange.spec.path}")
            table.add_row(Text("→", style="bold"), Text(sent), Text("request as sent"))
            self._header_rows(table, "→", exchange.request.headers)
        if exchange.status is not None:
            answered = printable(f"{exchange.http_version} {exchange.status}")
            table.add_row(Text("←", style="bold"), Text(answered), Text(printable(exchange.reason)))
            self._header_rows(table, "←", exchange.headers)
        if exchange.cookie_jar or (jar_always and exchange.cookie_jar is not None):
            from panels.cookie_rows import add_cookie_rows

            add_cookie_rows(table, exchange.cookie_jar, self.mask)
        groups = (exchange.request.headers if exchange.request else (), exchange.headers)
        names = [n for h in groups for n in [name for name, _ in h[:HEADER_ROWS]] + _more_label(h)]
        self.query_one(f"#headertable-{self.framework}", Static).update(NamesWhole(table, [_cut(n) for n in names]))

    def show_cookies(self, cookies: tuple[Cookie, ...]) -> None:
        """The jar changed (cleared, swapped): redraw the Headers tab of the answer on screen with it."""
        if self.exchange is not None:
            self.exchange.cookie_jar = cookies
            self._fill_headers(self.exchange, jar_always=True)

    def _header_rows(self, table: Table, arrow: str, headers: tuple[tuple[str, str], ...]) -> None:
        for name, value in headers[:HEADER_ROWS]:
            table.add_row(Text(arrow), Text(_cut(name)), Text(_cut(self._header_value(name, value))))
        if len(headers) > HEADER_ROWS:
            table.add_row(
                Text(arrow),
                Text(_more_label(headers)[0], style="italic"),
                Text(f"{len(headers):,} in all; `explorer send --json` lists every one", style="dim"),
            )

    def _header_value(self, name: str, value: str) -> str:
        if self.mask and (name.lower() in VOLATILE_HEADERS or name.lower() == "host"):
            return "‒"
        return value

    def _fill_validation(self, exchange: Exchange, handler: bool | None = None) -> None:
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
        reason = printable(why(exchange, handler))
        if not exchange.validation and exchange.status is not None:
            reason += " No validation errors in this answer."
        self.query_one(f"#reason-{self.framework}", Static).update(Text(reason))

    def show_code(self, lookup: HandlerLookup) -> None:
        """The handler that served (or would serve) the request, highlighted, with a note when none ran."""
        from rich.syntax import Syntax

        fw = self.framework
        note = lookup.note
        if lookup.route is not None and lookup.file is not None:
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
        self.query_one(f"#tabs-{self.framework}", TabbedContent).active = f"{tab}-{self.framework}"


def _more_label(headers: tuple[tuple[str, str], ...]) -> list[str]:
    """The row that stands for the headers past :data:`HEADER_ROWS` (a name the name column must fit whole)."""
    return [f"… {len(headers) - HEADER_ROWS:,} more headers"] if len(headers) > HEADER_ROWS else []
