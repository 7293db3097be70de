"""The request editor: method, path with query, headers, JSON body, burst size, send.

Under ``Content-Type: multipart/form-data`` without a boundary, the body field holds one
``name=value`` or ``field=@path`` per line, which the client encodes with a boundary of its own.
Any other body (a urlencoded one such as ``a=1&b=2``, or multipart written out by hand with its
boundary) is sent exactly as typed.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Button, Input, Label, Select, Static, TextArea
from textual.widgets.text_area import EditResult, Location

from explorer.runtime.errors import RequestError
from explorer.runtime.http.forms import (
    MULTIPART,
    URLENCODED,
    FilePart,
    encode_urlencoded,
    form_media_type,
    form_text,
    parse_form_text,
)
from explorer.runtime.http.request import METHODS, RequestSpec, check_json_text, control_character, parse_headers
from panels.fields import Field, LeavingTextArea, Left
from panels.later import later
from panels.method_picker import MethodPicker

__all__ = ["HeadersArea", "PathField", "RequestEditor", "SendButton"]


class SendButton(Button, inherit_css=False):
    """Textual's Button with only the style the Send button draws with: compact, primary, in a colour theme.

    Button's own default CSS styles every variant, flat and ANSI style (7 KB of nested rules): parsed while
    the first screen is built, it was about 5 % of that CPU (issue 24: the first paint). The rules below are
    Button's, trimmed to ``-style-default``, ``-primary`` and ``-textual-compact``; with ``inherit_css=False``
    a CSS rule for ``Button`` (and a query by that type) no longer reaches this one. The lab's and parity's
    buttons are plain Buttons, their CSS parsed when one of those screens first opens.
    """

    DEFAULT_CSS = """
    SendButton {
        width: auto;
        min-width: 16;
        height: auto;
        line-pad: 1;
        text-align: center;
        content-align: center middle;
        pointer: pointer;
        &.-style-default {
            text-style: bold;
            color: $button-foreground;
            background: $surface;
            border: none;
            border-top: tall $surface-lighten-1;
            border-bottom: tall $surface-darken-1;
            &.-textual-compact { border: none !important; }
            &:disabled { text-opacity: 0.6; pointer: not-allowed; }
            &:focus { text-style: $button-focus-text-style; background-tint: $foreground 5%; }
            &:hover { border-top: tall $surface; background: $surface-darken-1; }
            &.-active {
                background: $surface;
                border-bottom: tall $surface-lighten-1;
                border-top: tall $surface-darken-1;
                tint: $background 30%;
            }
            &.-primary {
                color: $button-color-foreground;
                background: $primary;
                border-top: tall $primary-lighten-3;
                border-bottom: tall $primary-darken-3;
                &:hover { background: $primary-darken-2; border-top: tall $primary; }
                &.-active {
                    background: $primary;
                    border-bottom: tall $primary-lighten-3;
                    border-top: tall $primary-darken-3;
                }
            }
        }
    }
    """


class BodyEditor(LeavingTextArea):
    """The JSON body: Tab indents here, so Escape is the way out, and the footer says so."""

    HELP = "The request body, sent as typed. Tab indents; Escape leaves the editor; ctrl+r sends."
    BINDINGS: ClassVar[list[BindingType]] = [  # a priority one, as LeavingTextArea's: run as Escape arrives
        Binding("escape", "leave", "Leave body (Tab indents)", id="editor.leave", priority=True)
    ]

    def on_mount(self) -> None:
        later(self, self._highlight)  # the empty editor of the first frame shows nothing to colour

    def _highlight(self) -> None:
        """JSON colouring when the tree-sitter grammar is installed, plain otherwise (its parser takes ~5 ms)."""
        if "json" in self.available_languages:
            self.language = "json"


def body_area() -> TextArea:
    """A JSON editor, highlighted (from just after the first frame) when the tree-sitter grammar is installed."""
    return BodyEditor(
        "", id="body-editor", soft_wrap=True, show_line_numbers=False, tab_behavior="indent", placeholder="Body (JSON)"
    )


class PathField(Field):
    """The path: a URL of the explorer's servers or a curl command pasted here is posted as :class:`Pasted`.

    Textual's Input keeps only the first line of a paste; a curl command copied from a terminal often
    spans several, so the whole text is handed on before that happens.
    """

    HELP = (
        "The path and query to send, e.g. /items/1?q=pen. A URL of one of the explorer's servers, or a curl "
        "command, pasted here is read into the editor. Enter sends; Escape leaves the field."
    )

    class Pasted(Message):
        """A URL or curl command was pasted (or submitted) in the path field."""

        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    def _on_paste(self, event: events.Paste) -> None:
        # Textual then runs Input's own _on_paste (it walks the classes) unless the default is prevented here;
        # calling it too would type the text twice (awaiting it, as before, raised: it is synchronous).
        from explorer.runtime.http.pasted import looks_pasted  # on the first paste, not before the first frame

        if looks_pasted(event.text):
            event.stop()
            event.prevent_default()
            self.post_message(self.Pasted(event.text))
            return


class HeadersArea(LeavingTextArea):
    """The headers field: one ``Name: value`` per line, where only ``\n`` (or ``\r\n``) ends a line.

    Textual's document splits lines as ``str.splitlines`` does, so a pasted U+2028, vertical tab or
    form feed would silently turn one header into two. Text carrying such a character (or any other
    control character but a tab) is therefore not inserted, and :class:`Refused` says why.
    """

    class Refused(Message):
        """Typed or pasted text was not inserted; ``reason`` names the character."""

        def __init__(self, reason: str) -> None:
            super().__init__()
            self.reason = reason

    def _replace_via_keyboard(self, insert: str, start: Location, end: Location) -> EditResult | None:
        text = insert.replace("\r\n", "\n")
        problem = control_character(text, allowed="\t\n")
        if problem:
            self.post_message(
                self.Refused(
                    f"Not inserted: the text contains {problem}, a control character or line "
                    "separator; one header per line, printable ASCII only."
                )
            )
            return None
        return super()._replace_via_keyboard(text, start, end)


class RequestEditor(Vertical):
    """Holds the request being edited. :meth:`read` returns it checked, or raises :class:`RequestError`."""

    ALLOW_MAXIMIZE = True  # z zooms it
    # The fields have their own Escape; this one serves the method picker and the Send button, which
    # have none, so Escape leaves the editor from wherever in it the keyboard is.
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "leave", "Leave editor", id="request.leave")]

    class SendRequested(Message):
        """The user pressed Send (or Enter in the path)."""

    _files: tuple[FilePart, ...] = ()  # the files of the request last loaded, which `field=@name` lines refer to

    def action_leave(self) -> None:
        """Escape on the method picker or the Send button: the workbench moves the keyboard to the answers."""
        focused = self.screen.focused
        self.post_message(Left(focused if focused is not None and self in focused.ancestors else self))

    def compose(self) -> ComposeResult:
        with Horizontal(id="request-line"):
            yield MethodPicker([(m, m) for m in METHODS], value="GET", allow_blank=False, id="method", compact=True)
            yield PathField("/items/1", placeholder="/path, URL or curl", id="path", compact=True)
            yield Label("×", id="burst-label")
            yield Field(
                "1", id="burst", type="integer", max_length=3, compact=True, tooltip="copies sent at the same moment"
            )
            yield SendButton("Send ^r", id="send", variant="primary", compact=True)
        with Horizontal(id="request-parts"):
            yield HeadersArea(
                "", id="headers-editor", soft_wrap=False, show_line_numbers=False, placeholder="Header: value"
            )
            yield body_area()
        message = Static("", id="editor-message")
        message.display = False  # shown by show_message while it has something to say
        yield message

    def on_descendant_focus(self) -> None:
        self.add_class("-editing")  # app.tcss unfolds the headers and body at 80x24 while the keyboard is here

    def on_descendant_blur(self) -> None:
        self.call_after_refresh(self._still_editing)  # the keyboard may only move between two fields

    def _still_editing(self) -> None:
        focused = self.screen.focused
        self.set_class(focused is not None and self in focused.ancestors, "-editing")

    def show_send_key(self, key: str) -> None:
        """Label the Send button with the key that sends, as the user's keymap has it."""
        self.query_one("#send", Button).label = f"Send {key}"

    def on_mount(self) -> None:
        self.query_one("#headers-editor", TextArea).border_title = "Headers (Name: value)"
        self.query_one("#body-editor", TextArea).border_title = "Body"

    def load(self, spec: RequestSpec, burst: int = 1) -> None:
        """Put a request into the fields, replacing what was there."""
        self.query_one("#method", Select).value = spec.method
        self.query_one("#path", Input).value = spec.path
        self.query_one("#burst", Input).value = str(burst)
        headers, body = spec.headers, spec.body or ""
        self._files = spec.files
        if spec.files or spec.multipart:
            headers, body = (*headers, ("Content-Type", MULTIPART)), form_text(spec.form, spec.files)
        elif spec.form:  # urlencoded fields are typed as they are sent
            headers, body = (*headers, ("Content-Type", URLENCODED)), encode_urlencoded(spec.form).decode("ascii")
        self.query_one("#headers-editor", TextArea).text = "\n".join(f"{k}: {v}" for k, v in headers)
        self.query_one("#body-editor", TextArea).text = body
        self.show_message("")

    def read(self) -> tuple[RequestSpec, int]:
        """The request and burst size as typed, checked; nothing in the fields is changed."""
        method = str(self.query_one("#method", Select).value)
        path = self.query_one("#path", Input).value
        headers = parse_headers(self.query_one("#headers-editor", TextArea).text)
        body = self.query_one("#body-editor", TextArea).text
        burst_text = self.query_one("#burst", Input).value.strip() or "1"
        try:
            burst = int(burst_text)
        except ValueError:
            raise RequestError(f"burst must be a whole number, got {burst_text!r}") from None
        if not 1 <= burst <= 200:
            raise RequestError("burst must be between 1 and 200")
        content_type = next((v for k, v in headers if k.lower() == "content-type"), None)
        if form_media_type(content_type) == MULTIPART and "boundary=" not in (content_type or "").lower():
            form, files = parse_form_text(body, True, self._files)  # one field per line, encoded by the client
            headers = tuple((k, v) for k, v in headers if k.lower() != "content-type")
            return RequestSpec(method, path, headers, None, form, files, multipart=not files).checked(), burst
        spec = RequestSpec(method, path, headers, body if body.strip() else None).checked()
        return spec, burst

    def json_warning(self, spec: RequestSpec) -> str:
        """A note (not an error) when a JSON-declared body does not parse: it is still sent as typed."""
        ctype = (spec.header("content-type") or "").lower()
        if spec.body is None or "json" not in ctype:
            return ""
        try:
            check_json_text(spec.body)
        except RequestError as exc:
            return f"Note: {exc}; sent as typed, to see how each framework answers."
        return ""

    def show_message(self, message: str, error: bool = False) -> None:
        widget = self.query_one("#editor-message", Static)
        widget.update(Text(message))
        widget.display = bool(message)  # an empty line would take a row from the answer
        widget.set_class(error, "-error")

    @on(HeadersArea.Refused)
    def _refused(self, event: HeadersArea.Refused) -> None:
        self.show_message(event.reason, error=True)

    @on(Button.Pressed, "#send")
    @on(Input.Submitted, "#path")
    @on(Input.Submitted, "#burst")
    def _send(self) -> None:
        self.post_message(self.SendRequested())

    def pasted_path(self) -> str | None:
        """The path field's text when it holds a URL or a curl command (typed there, not pasted), else None."""
        from explorer.runtime.http.pasted import looks_pasted  # on the first send, not before the first frame

        text = self.query_one("#path", Input).value
        return text if looks_pasted(text) else None
