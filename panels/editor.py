"""The request editor: method, path with query, headers, JSON body, burst size, send.

Under ``Content-Type: multipart/form-data`` without a boundary, the body field holds one
``name=value`` or ``field=@path`` per line, which the client encodes with a boundary of its own.
Any other body (a urlencoded one such as ``a=1&b=2``, or multipart written out by hand with its
boundary) is sent exactly as typed.

The first frame draws the editor with one stand-in (:mod:`panels.editor_blank`); the real widgets
(:mod:`panels.editor_parts`) are built just after it, or at once when the keyboard or the mouse goes there.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Button, Input, Static

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
from explorer.runtime.http.request import RequestSpec, check_json_text, parse_headers
from panels.editor_blank import EditorBlank
from panels.fields import Left
from panels.later import later

if TYPE_CHECKING:
    from textual.widget import Widget

    from panels.editor_parts import HeadersArea

__all__ = ["RequestEditor"]

PATH_DRAWN = 16  # the longest path the stand-in draws (app.tcss: the path field is at least this wide)


def _parts() -> None:
    """Load the real widgets' modules (TextArea's among them): a step of its own after the first frame."""
    import panels.editor_parts  # noqa: F401  # loaded here, used by RequestEditor.build


class RequestEditor(Vertical):
    """Holds the request being edited. :meth:`read` returns it checked, or raises :class:`RequestError`.

    Until :meth:`build` has put the real widgets in, the request is held here (``method``, ``path``, ``burst``,
    the headers and body text) and an :class:`EditorBlank` draws it: only a request it can draw (no headers, no
    body, a short path) is held so; any other is built at once."""

    ALLOW_MAXIMIZE = True  # z zooms it
    # The fields have their own Escape; this one serves the method picker and the Send button, which
    # have none, so Escape leaves the editor from wherever in it the keyboard is.
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "leave", "Leave editor", id="request.leave")]

    class SendRequested(Message):
        """The user pressed Send (or Enter in the path)."""

    _files: tuple[FilePart, ...] = ()  # the files of the request last loaded, which `field=@name` lines refer to

    def __init__(self, request: RequestSpec | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.method, self.path, self.burst, self.send_label = "GET", "/items/1", "1", "Send ^r"
        self._headers = self._body = ""
        self._built = False  # build() has mounted the real widgets
        if request is not None:
            self._hold(request, 1)

    def _hold(self, spec: RequestSpec, burst: int) -> None:
        """Keep ``spec`` as the fields will show it (the stand-in draws it, :meth:`build` fills them with it)."""
        headers, body = spec.headers, spec.body or ""
        self._files = spec.files
        if spec.files or spec.multipart:
            headers, body = (*headers, ("Content-Type", MULTIPART)), form_text(spec.form, spec.files)
        elif spec.form:  # urlencoded fields are typed as they are sent
            headers, body = (*headers, ("Content-Type", URLENCODED)), encode_urlencoded(spec.form).decode("ascii")
        self.method, self.path, self.burst = spec.method, spec.path, str(burst)
        self._headers, self._body = "\n".join(f"{k}: {v}" for k, v in headers), body

    def _drawn_by_blank(self) -> bool:
        """The stand-in can draw what is held: empty headers and body, a short path of printable ASCII (one cell a
        character, nothing live for the terminal), as the first screen's."""
        path = self.path
        return (
            not self._headers
            and not self._body
            and 0 < len(path) <= PATH_DRAWN
            and path.isascii()
            and path.isprintable()
        )

    def action_leave(self) -> None:
        """Escape on the method picker or the Send button: the workbench moves the keyboard to the answers."""
        focused = self.screen.focused
        self.post_message(Left(focused if focused is not None and self in focused.ancestors else self))

    def compose(self) -> ComposeResult:
        if self._drawn_by_blank():
            yield EditorBlank(self)
            return
        from panels.editor_parts import request_widgets

        self._built = True
        rows, line, parts = request_widgets(
            self.method, self.path, self.burst, self.send_label, self._headers, self._body
        )
        with rows[0]:
            yield from line
        with rows[1]:
            yield from parts
        yield rows[2]

    def on_mount(self) -> None:
        if self._built:
            return
        self.watch(self.screen, "focused", self._focus_moved, init=False)
        self.call_after_refresh(self._build_later)  # queued after the first frame: after the answers' steps

    def _build_later(self) -> None:
        """The real widgets in two steps (:func:`panels.later.later`: TextArea's modules, ~15 ms, then the widgets),
        queued after the answers' steps: the first step runs just as the first frame is drawn, when a key typed then
        arrives and waits for it. A key or a click that needs the editor builds it at once."""
        later(self, _parts)
        later(self, self.build)

    def _blank(self) -> EditorBlank | None:
        return next(iter(self.query_children(EditorBlank)), None)

    def build(self, at_once: bool = False) -> None:
        """The real widgets in the stand-in's place, holding what the editor holds, each in the DOM when this
        returns; shown in the next frame, or in this one when ``at_once`` (the keyboard is about to go there)."""
        blank = self._blank()
        if self._built:
            if at_once and blank is not None:
                blank.swap()
            return
        from panels.editor_parts import request_widgets

        rows, line, parts = request_widgets(
            self.method, self.path, self.burst, self.send_label, self._headers, self._body
        )
        if blank is None or not blank.replace_by(rows[:2], at_once):
            return  # the editor is going: the app is closing
        self._built = True
        rows[0].mount_all(line)
        rows[1].mount_all(parts)
        self.mount(rows[2], after=rows[1])  # hidden until it has something to say (the swap would show it)

    def _focus_moved(self, old: Widget | None, new: Widget | None) -> None:
        """The keyboard went to the stand-in (Tab, shift+Tab, a click): build the real widgets now and hand it on,
        before the app hands out the next key, to the first of them, or the last when it came from below."""
        blank = self._blank()
        if blank is None or new is not blank:
            return
        chain = self.screen.focus_chain
        back = old is not None and old in chain and blank in chain and chain.index(old) > chain.index(blank)
        self.build(at_once=True)
        self.screen.set_focus(self.query_one("#body-editor" if back else "#method"))

    def on_editor_blank_clicked(self, event: EditorBlank.Clicked) -> None:
        """A click on the stand-in: the keyboard to the real widget drawn where it landed (built at once), and what a
        click does there: Send sends, the picker opens. The press landed on the stand-in and the release on the real
        widget, so the app makes no Click of them: before, the click only moved the keyboard."""
        from panels.method_picker import MethodPicker  # loaded with the real widgets

        event.stop()
        self.build(at_once=True)
        widget = self.query_one(f"#{event.part}")
        self.screen.set_focus(widget)
        if isinstance(widget, Button):  # Send: pressed once mounted, as a click on it
            widget.call_after_refresh(widget.press)
        elif isinstance(widget, MethodPicker):  # opened once mounted (its line composed), as a click on it opens it
            widget.call_after_refresh(widget.action_show_overlay)

    def focus_path(self) -> None:
        """Put the keyboard in the path field (built at once if it is not yet)."""
        self.build(at_once=True)
        self.screen.set_focus(self.query_one("#path"))

    def on_descendant_focus(self) -> None:
        self.add_class("-editing")  # app.tcss unfolds the headers and body at 80x24 while the keyboard is here

    def on_descendant_blur(self) -> None:
        self.call_after_refresh(self._still_editing)  # the keyboard may only move between two fields

    def _still_editing(self) -> None:
        focused = self.screen.focused
        self.set_class(focused is not None and self in focused.ancestors, "-editing")

    def show_send_key(self, key: str) -> None:
        """Label the Send button with the key that sends, as the user's keymap has it."""
        self.send_label = f"Send {key}"
        if self._built:
            self.query_one("#send", Button).label = self.send_label
        elif (blank := self._blank()) is not None:
            blank.update_line()

    def load(self, spec: RequestSpec, burst: int = 1) -> None:
        """Put a request into the fields, replacing what was there."""
        if not self._built:
            self._hold(spec, burst)
            if self._drawn_by_blank() and (blank := self._blank()) is not None:
                blank.update_line()
            else:
                self.build()  # the real widgets are built holding it
            return
        from textual.widgets import Select, TextArea  # loaded with the real widgets

        self._hold(spec, burst)
        self.query_one("#method", Select).value = self.method
        self.query_one("#path", Input).value = self.path
        self.query_one("#burst", Input).value = self.burst
        self.query_one("#headers-editor", TextArea).text = self._headers
        self.query_one("#body-editor", TextArea).text = self._body
        self.show_message("")

    def _fields(self) -> tuple[str, str, str, str, str]:
        """The method, path, headers, body and burst size as typed: as held until the real widgets are built and
        mounted (each was made holding it; a key reaches one only once it is mounted; a picker still mounting has
        no value yet)."""
        picker = next(iter(self.query("#method")), None) if self._built else None
        if picker is None or not picker.is_mounted:
            return self.method, self.path, self._headers, self._body, self.burst
        from textual.widgets import Select, TextArea  # loaded with the real widgets

        return (
            str(self.query_one("#method", Select).value),
            self.query_one("#path", Input).value,
            self.query_one("#headers-editor", TextArea).text,
            self.query_one("#body-editor", TextArea).text,
            self.query_one("#burst", Input).value,
        )

    def read(self) -> tuple[RequestSpec, int]:
        """The request and burst size as typed, checked; nothing in the fields is changed."""
        method, path, headers_text, body, burst_text = self._fields()
        headers = parse_headers(headers_text)
        burst_text = burst_text.strip() or "1"
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
        if not message and not self._built:
            return  # nothing to say, and the message line is hidden
        self.build()
        widget = self.query_one("#editor-message", Static)
        widget.update(Text(message))
        widget.display = bool(message)  # an empty line would take a row from the answer
        widget.set_class(error, "-error")

    def on_headers_area_refused(self, event: HeadersArea.Refused) -> None:
        """Typed or pasted headers text was not inserted (:class:`panels.editor_parts.HeadersArea`): say why."""
        self.show_message(event.reason, error=True)

    @on(Button.Pressed, "#send")
    @on(Input.Submitted, "#path")
    @on(Input.Submitted, "#burst")
    def _send(self) -> None:
        self.post_message(self.SendRequested())

    def pasted_path(self) -> str | None:
        """The path field's text when it holds a URL or a curl command (typed there, not pasted), else None."""
        from explorer.runtime.http.pasted import looks_pasted  # on the first send, not before the first frame

        text = self._fields()[1]
        return text if looks_pasted(text) else None
