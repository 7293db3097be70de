"""Work put off until after the first frame, run one step at a time (issue 24: every key instant).

The first frame draws stand-ins (:mod:`panels.stand_in`) and leaves hidden widgets out; the real widgets are
built just after it. Queued all at once, as each widget's ``call_after_refresh`` had them, they were one burst of
~80 widgets composed, mounted, laid out and drawn: a key typed as the screen appeared waited behind all of it
(~0.2 s). Here each piece is a step of its own, run when the app has handled every message and drawn what the
step before changed (``call_after_refresh``), and then only after a short pause: a key typed meanwhile goes
first, and waits at most for one step and its frame. Whatever needs a piece sooner (an answer to draw, a tab
chosen) builds it at once, so a step finding its work done does nothing.

A step for a screen another one covers waits until it shows again: building the main view beneath a screen opened
meanwhile (``g`` pressed as the app appeared) drew that screen again, where the main view had changed, at each step
(the guide drawn 11-14 times at 80x24 instead of once); nothing of it shows until then.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import Any
from weakref import WeakKeyDictionary

from textual.app import App
from textual.widget import Widget

__all__ = ["PAUSE", "later", "settled"]

# Seconds between two steps, after the frame of the first: a key read meanwhile is handled before the next step, and
# so are the frames it takes (the sample list draws a filter's rows a frame after the box; with 0.01 a step came
# between the two, and the key's answer waited for its layout).
PAUSE = 0.05
Step = Callable[[], object]


class _Steps:
    """One app's queue of steps, run one at a time in the order they were asked for."""

    def __init__(self, app: App[Any]) -> None:
        self.app = app
        self.queue: deque[tuple[Widget, Step]] = deque()
        self.running = False

    def add(self, widget: Widget, step: Step) -> None:
        self.queue.append((widget, step))
        if not self.running:
            self.running = True
            self.app.call_after_refresh(self._next)

    def _next(self) -> None:
        self.queue = deque(item for item in self.queue if item[0].is_attached)  # one removed (the app closing): none
        for item in self.queue:
            widget, step = item
            if widget.screen is self.app.screen:
                self.queue.remove(item)
                step()
                self.app.call_after_refresh(self._pause)
                return
        if self.queue:  # each step left builds part of a screen another covers: looked at again after a pause
            self._pause()
            return
        self.running = False

    def _pause(self) -> None:
        self.app.set_timer(PAUSE, self._next, name="after the first frame")


_STEPS: WeakKeyDictionary[App[Any], _Steps] = WeakKeyDictionary()


def later(widget: Widget, step: Step) -> None:
    """Run ``step`` once the first frame is drawn (or, already drawn, soon), after the steps asked for before it,
    each on its own: the loop answers keys between two of them."""
    app = widget.app
    steps = _STEPS.get(app)
    if steps is None:
        steps = _STEPS[app] = _Steps(app)
    steps.add(widget, step)


def settled(app: App[Any]) -> bool:
    """Every step asked for has run (or none was asked for): what the first frame put off is built."""
    steps = _STEPS.get(app)
    return steps is None or not steps.running
