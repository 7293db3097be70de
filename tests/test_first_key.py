"""The first key after the first paint (issue 24: every key instant): what the first frame leaves out is built after it
in steps (``panels/later.py``), with the loop free between two of them, so a key typed as the screen appears waits
for one step, not for all of them; the HTTP client is imported in a thread that gives way to the loop
(``explorer/tui/import_aside.py``).

Counted, not timed: how many widgets are mounted between the key and its answer (each is a compose, a mount, a
style and a place in the next layout), so a loaded machine slows the test without changing what it checks."""

from __future__ import annotations

import asyncio
import itertools
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
from textual import events
from textual.app import App
from textual.message import Message
from textual.message_pump import MessagePump
from textual.widgets import Input

from explorer.tui import import_aside as aside
from explorer.tui.app import ExplorerApp
from explorer.tui.lifecycle import Lifecycle
from panels import later
from tests.apptools import until, without_servers

pytestmark = pytest.mark.serverless

MOST = 16  # widgets mounted between the key and its answer, at most: one step's (the tab row and the panes: 14)


def counting_mounts(monkeypatch: pytest.MonkeyPatch, state: dict[str, Any]) -> list[str]:
    """The widgets mounted, in order, by type; ``state["answered"]``: how many when the filter first reads ``x``, once
    ``state["field"]`` is the filter and ``state["at_key"]`` set."""
    mounts: list[str] = []
    dispatch = MessagePump._dispatch_message

    async def counting(self: MessagePump, message: Message) -> None:
        await dispatch(self, message)
        if isinstance(message, events.Mount):
            mounts.append(type(self).__name__)
        if state.get("at_key") is not None and state.get("answered") is None and state["field"].value == "x":
            state["answered"] = len(mounts)

    monkeypatch.setattr(MessagePump, "_dispatch_message", counting)
    return mounts


def type_x(app: App[Any], state: dict[str, Any], mounts: list[str]) -> None:
    """``x`` typed on the sample list, as the terminal's driver posts a key."""
    state["field"] = app.query_one("#sample-filter", Input)
    state["at_key"] = len(mounts)
    app.post_message(events.Key("x", "x"))


async def check_the_key(app: ExplorerApp, state: dict[str, Any], mounts: list[str]) -> None:
    async with app.run_test(size=(160, 48)) as pilot:
        await until(pilot, lambda: state.get("answered") is not None, why=lambda: state)
        await until(pilot, lambda: bool(app.query("#logview-fastapi")) and bool(app.query("SelectOverlay")))
        waited = state["answered"] - state["at_key"]
        assert waited <= MOST, f"the key waited for {waited} widgets to mount: {mounts[state['at_key'] :][:waited]}"


async def test_a_key_typed_as_the_first_frame_shows_waits_for_one_step_at_most(monkeypatch: pytest.MonkeyPatch) -> None:
    """``x`` typed on the sample list at the moment the servers would start (just after the first frame) is in the
    filter before more than one step's widgets are mounted (it waited for 25 of the 67 before: both answers' parts,
    both logs and the method list), and what was put off is built after it all the same."""
    state: dict[str, Any] = {}
    mounts = counting_mounts(monkeypatch, state)
    monkeypatch.setattr(
        Lifecycle, "boot", lambda self, then: self.app.call_after_refresh(type_x, self.app, state, mounts)
    )
    await check_the_key(ExplorerApp(mask=True), state, mounts)
    assert len(mounts) - state["at_key"] > 3 * MOST


@pytest.mark.parametrize("after", [1, 4, 8])
async def test_a_key_typed_between_two_steps_waits_for_one_step_at_most(
    monkeypatch: pytest.MonkeyPatch, after: int
) -> None:
    """The same key typed just after any step: the steps left wait for it, but the one under way."""
    without_servers(monkeypatch)
    state: dict[str, Any] = {}
    mounts = counting_mounts(monkeypatch, state)
    ran = later._Steps._next
    done = [0]

    def counted(self: later._Steps) -> None:
        before = len(self.queue)
        ran(self)
        done[0] += before - len(self.queue)
        if done[0] == after and "at_key" not in state:
            type_x(self.app, state, mounts)

    monkeypatch.setattr(later._Steps, "_next", counted)
    await check_the_key(ExplorerApp(mask=True), state, mounts)


async def test_a_module_imported_aside_gives_way_to_the_loop(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """:func:`import_aside` imports in another thread, and before each module lets the loop run what it had ready:
    a callback that holds the loop (a key's work) is done before the thread imports the next module."""
    (tmp_path / "aside_two.py").write_text("import builtins\nbuiltins.ASIDE_LOG.append('two')\n")
    (tmp_path / "aside_three.py").write_text("import builtins\nbuiltins.ASIDE_LOG.append('three')\n")
    (tmp_path / "aside_one.py").write_text(
        "import builtins, threading\nbuiltins.ASIDE_LOG.append(('one', threading.get_ident()))\n"
        "import aside_two\nimport aside_three\n"
    )
    log: list[object] = []
    monkeypatch.setattr("builtins.ASIDE_LOG", log, raising=False)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(aside, "WAIT", 30.0)  # no bound in the test: the thread always waits for the loop
    released = threading.Event()

    def hold_the_loop() -> None:  # a key's work, on the loop, while the thread would import
        log.append("loop busy")
        released.wait(0.3)  # the thread cannot import meanwhile: it waits for a callback queued behind this one
        log.append("loop free")

    def first_module_imported() -> bool:
        return any(isinstance(entry, tuple) for entry in log)

    async def watch() -> None:
        while not first_module_imported():
            await asyncio.sleep(0)
        asyncio.get_running_loop().call_soon(hold_the_loop)

    try:
        watcher = asyncio.create_task(watch())
        module = await aside.import_aside("aside_one")
        await watcher
    finally:
        for name in ("aside_one", "aside_two", "aside_three"):
            sys.modules.pop(name, None)
    assert module.__name__ == "aside_one"
    assert log[0][1] != threading.get_ident()  # type: ignore[index]  # the first entry is the tuple: imported aside
    assert log.index("loop free") < log.index("three")  # the next module waited for the loop's work to end
    assert not any(isinstance(finder, aside._LoopFirst) for finder in sys.meta_path)  # the finder removed after


async def test_a_loop_that_waits_for_the_import_is_waited_for_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The loop waiting for the thread's import (a send before the client is in: Python's import lock) runs nothing
    the thread waits for: the thread then waits once, not the bound before each module (~100 modules for httpx)."""
    names = ("blocked_one", "blocked_two", "blocked_three", "blocked_four")
    for name, then in itertools.pairwise(names):
        (tmp_path / f"{name}.py").write_text(f"import {then}\n")
    (tmp_path / "blocked_four.py").write_text("import builtins\nbuiltins.BLOCKED_DONE.set()\n")
    done = threading.Event()
    monkeypatch.setattr("builtins.BLOCKED_DONE", done, raising=False)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(aside, "WAIT", 0.2)
    finders: list[aside._LoopFirst] = []

    class Kept(aside._LoopFirst):
        def __init__(self, *args: Any) -> None:
            super().__init__(*args)
            finders.append(self)

    monkeypatch.setattr(aside, "_LoopFirst", Kept)
    try:
        importing = asyncio.create_task(aside.import_aside("blocked_one"))
        await asyncio.sleep(0)  # the thread is asked for
        assert done.wait(10)  # the loop held until the last module is in, as an import of one of them would
        await importing
    finally:
        for name in names:
            sys.modules.pop(name, None)
    assert [finder.timed_out for finder in finders] == [1]
