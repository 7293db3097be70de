"""Import a module in a thread without slowing the app's event loop (issue 24: every key instant).

The HTTP client (httpx and what it loads, ~0.1 s of CPU) is imported just after the first frame, while the servers
start, so the first send does not pay for it. On the loop it held every key typed then for that long. In a plain
thread it still took the interpreter from the loop half the time (the two swap every 5 ms), so a key typed then was
answered in twice its time. Here the thread, before each module it imports, waits until the loop has run what it
had ready (a callback it posts there has run), at most :data:`WAIT` seconds: the loop goes first, and the thread
imports in the loop's idle time. The bound matters: a module the thread holds the import lock of (``httpx``, while
its submodules load) blocks the loop if the loop imports it too, and the loop then runs nothing the thread waits for;
so once a wait has timed out the thread waits no more until the loop has run that callback (one wait per busy spell,
not one per module: ~100 modules).
"""

from __future__ import annotations

import asyncio
import importlib
import sys
import threading
from collections.abc import Sequence
from types import ModuleType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from importlib.machinery import ModuleSpec

__all__ = ["WAIT", "import_aside"]

WAIT = 0.1  # seconds the thread waits for the loop before a module, at most


class _LoopFirst:
    """A finder on ``sys.meta_path`` that finds nothing; in the importing thread, it first lets the loop run what it
    has ready. (Not an ``importlib.abc.MetaPathFinder``: that module loads ``importlib.resources`` before the first
    frame.)"""

    def __init__(self, loop: asyncio.AbstractEventLoop, thread: int) -> None:
        self.loop = loop
        self.thread = thread
        self.waited = 0  # modules imported after the loop ran what it had ready
        self.timed_out = 0  # waits the loop did not answer within WAIT
        self._asked: threading.Event | None = None

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        if threading.get_ident() != self.thread:
            return None
        if self._asked is not None and not self._asked.is_set():
            return None  # the loop has not got to the last one yet: busy, or waiting for this import; no wait again
        self._asked = ran = threading.Event()
        try:
            self.loop.call_soon_threadsafe(ran.set)
        except RuntimeError:
            return None  # the loop is closed: the app has ended
        if ran.wait(WAIT):
            self.waited += 1
        else:
            self.timed_out += 1
        return None


async def import_aside(name: str) -> ModuleType:
    """``importlib.import_module(name)`` in a thread that gives way to the running loop between modules."""
    loop = asyncio.get_running_loop()

    def run() -> ModuleType:
        finder = _LoopFirst(loop, threading.get_ident())
        sys.meta_path.insert(0, finder)
        try:
            return importlib.import_module(name)
        finally:
            sys.meta_path.remove(finder)

    return await asyncio.to_thread(run)
