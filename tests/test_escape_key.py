"""Escape acts after 25 ms, not Textual's 100 ms: the wait for the rest of an escape sequence (``ESCDELAY``),
and the terminal driver's input loop, which looked for that wait's end only every 0.1 s."""

from __future__ import annotations

import asyncio
import os
import statistics
import threading
import time
from typing import Any

import pytest
from textual import constants, events
from textual.message import Message

from explorer.tui.textual_patches import ESCAPE_DELAY_MS, ResumingLinuxDriver, quicker_escape

pytestmark = pytest.mark.serverless


def test_escape_waits_25_ms_unless_escdelay_is_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(constants, "ESCAPE_DELAY", 0.1)
    quicker_escape({"ESCDELAY": "100"})
    assert constants.ESCAPE_DELAY == 0.1  # the user's own, read by Textual at import
    quicker_escape({})
    assert constants.ESCAPE_DELAY == ESCAPE_DELAY_MS / 1000 == 0.025


class _Recording(ResumingLinuxDriver):
    """The driver's input loop reading a pipe; each message it hands on is kept with the time it came."""

    def __init__(self, fileno: int) -> None:
        super().__init__(Any, debug=False)  # type: ignore[arg-type]  # no app: nothing here reaches it
        self.fileno = fileno
        self.got: list[tuple[float, Message]] = []

    def process_message(self, message: Message) -> None:
        self.got.append((time.monotonic(), message))


async def test_the_escape_key_arrives_after_the_wait_not_the_next_poll(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(constants, "ESCAPE_DELAY", ESCAPE_DELAY_MS / 1000)
    read_end, write_end = os.pipe()
    driver = _Recording(read_end)
    thread = threading.Thread(target=driver.run_input_thread, daemon=True)
    thread.start()
    delays = []
    try:
        for _ in range(3):
            await asyncio.sleep(0.03)  # the loop back in its wait for input, as between two key presses
            count, pressed = len(driver.got), time.monotonic()
            os.write(write_end, b"\x1b")
            while len(driver.got) == count and time.monotonic() - pressed < 2:
                await asyncio.sleep(0.002)
            arrived, message = driver.got[-1]
            assert isinstance(message, events.Key) and message.key == "escape"
            delays.append(arrived - pressed)
    finally:
        driver.exit_event.set()
        os.close(write_end)
        thread.join(2)
        os.close(read_end)
    assert statistics.median(delays) < 0.075, delays  # Textual's loop: about 0.1 s, whatever ESCDELAY said
