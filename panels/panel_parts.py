"""What an answer panel's first frame leaves out, in four steps built after it (issue 24: the first paint, every key).

The first frame draws each answer with stand-ins (:mod:`panels.answer_head`, :mod:`panels.lazy_tabs`); these steps
put the real widgets in: the chip, times and reason; the tab row, the switcher, the five panes and the body's text;
the Headers, Validation and Code tabs' contents; the Log tab. :class:`panels.response.ResponsePanel` runs them one
at a time after that frame (:func:`panels.later.later`: a key typed meanwhile is answered between two of them), or
all that are left at once when something needs them. Each returns False when it cannot build: the app is closing.
"""

from __future__ import annotations

from collections.abc import Callable

from textual.containers import VerticalScroll
from textual.widget import Widget
from textual.widgets import Static, TabPane

from panels.answer_head import AnswerHead
from panels.body_view import BodyView
from panels.lazy_tabs import LazyTabs

__all__ = ["BUILD_STEPS", "LOG_LINES"]

LOG_LINES = 2000


def _head(panel: Widget, fw: str) -> bool:
    return panel.query_one(f"#head-{fw}", AnswerHead).build()


def _panes(panel: Widget, fw: str) -> bool:
    """The real tab row, the switcher and the five panes, and the body's text."""
    for tabs in panel.query(f"#tabs-{fw}").results(LazyTabs):
        tabs.mount_hidden()  # the switcher and the five panes: the first frame drew a BodyBlank in their place
    body = next(iter(panel.query(f"#bodyview-{fw}").results(BodyView)), None)
    if body is None:
        return False  # the tabs are gone: the app is closing
    body.build()
    return True


def _tables(panel: Widget, fw: str) -> bool:
    """The Headers, Validation and Code tabs' contents."""
    contents: dict[str, list[Widget]] = {
        "headers": [Static("", id=f"headertable-{fw}")],
        "validation": [Static("", classes="reason", id=f"reason-{fw}"), Static("", id=f"validtable-{fw}")],
        "code": [Static("", classes="note", id=f"codenote-{fw}"), Static("", id=f"code-view-{fw}")],
    }
    for tab, widgets in contents.items():
        scroll = VerticalScroll()
        if not mount_in(panel, fw, tab, scroll):
            return False
        scroll.mount_all(widgets)  # each mounted on its own, so the panel finds it at once
    return True


def _log(panel: Widget, fw: str) -> bool:
    from panels.log_view import LogView  # with Textual's RichLog: after the first frame, not before it

    log = LogView(id=f"logview-{fw}", keep=LOG_LINES, markup=False, wrap=True, highlight=False, min_width=20)
    return mount_in(panel, fw, "log", log)


def mount_in(panel: Widget, fw: str, tab: str, widget: Widget) -> bool:
    """Mount ``widget`` in the pane of ``tab`` of the panel of ``fw``; False when the pane is gone or going (the app
    is closing)."""
    pane = next(iter(panel.query(f"#{tab}-{fw}").results(TabPane)), None)
    if pane is not None:
        pane.mount(widget)  # Textual mounts nothing into a pane being removed
    return widget.is_attached


BUILD_STEPS: tuple[Callable[[Widget, str], bool], ...] = (_head, _panes, _tables, _log)
