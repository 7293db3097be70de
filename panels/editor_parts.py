"""The request editor's real widgets, built just after the first frame (issue 24: the first paint).

The first frame draws the editor with a stand-in (:mod:`panels.editor_blank`); this module, with the TextAreas
it needs (:mod:`panels.text_areas`), is imported when :class:`panels.editor.RequestEditor` first builds them.
"""

from __future__ import annotations

from typing import ClassVar

from textual import events
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Button, Label, Static
from textual.widgets.text_area import EditResult, Location

from explorer.runtime.http.request import METHODS, control_character
from panels.fields import Field
from panels.later import later
from panels.method_picker import MethodPicker
from panels.text_areas import LeavingTextArea

__all__ = ["BodyEditor", "HeadersArea", "PathField", "SendButton", "request_widgets"]


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


def body_area(text: str = "") -> BodyEditor:
    """A JSON editor, highlighted (from just after the first frame) when the tree-sitter grammar is installed."""
    return BodyEditor(
        text,
        id="body-editor",
        soft_wrap=True,
        show_line_numbers=False,
        tab_behavior="indent",
        placeholder="Body (JSON)",
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


def request_widgets(
    method: str, path: str, burst: str, send_label: str, headers: str, body: str
) -> tuple[list[Widget], list[Widget], list[Widget]]:
    """The editor's three rows (the request line, the headers and body, the message line) and each row's widgets
    (none for the message line, which is its own widget), holding what is given."""
    line: list[Widget] = [
        MethodPicker([(m, m) for m in METHODS], value=method, allow_blank=False, id="method", compact=True),
        PathField(path, placeholder="/path, URL or curl", id="path", compact=True),
        Label("×", id="burst-label"),
        Field(burst, id="burst", type="integer", max_length=3, compact=True, tooltip="copies sent at the same moment"),
        SendButton(send_label, id="send", variant="primary", compact=True),
    ]
    headers_area = HeadersArea(
        headers, id="headers-editor", soft_wrap=False, show_line_numbers=False, placeholder="Header: value"
    )
    headers_area.border_title = "Headers (Name: value)"
    body_editor = body_area(body)
    body_editor.border_title = "Body"
    message = Static("", id="editor-message")
    message.display = False  # shown by show_message while it has something to say
    rows: list[Widget] = [Horizontal(id="request-line"), Horizontal(id="request-parts"), message]
    return rows, line, [headers_area, body_editor]
