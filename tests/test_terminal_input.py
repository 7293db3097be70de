"""Bytes from the terminal are data: an invalid UTF-8 byte or an escape sequence inside a paste neither ends
the app nor runs one of its keys (the driver's input loop reading a pipe, as in tests/test_escape_key.py)."""

from __future__ import annotations

import asyncio
import os
import threading
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from textual import events

from tests.test_escape_key import _Recording

pytestmark = pytest.mark.serverless


async def _read(*chunks: bytes) -> list[events.Event]:
    """What the driver's input loop hands on for ``chunks`` written one after another, until the pipe is empty."""
    read_end, write_end = os.pipe()
    driver = _Recording(read_end)
    thread = threading.Thread(target=driver.run_input_thread, daemon=True)
    thread.start()
    try:
        for chunk in chunks:
            os.write(write_end, chunk)
        os.write(write_end, b"z")  # the last key: once it has come, every earlier byte has been read
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and thread.is_alive():
            if any(isinstance(m, events.Key) and m.key == "z" for _, m in driver.got):
                break
            await asyncio.sleep(0.005)
        assert thread.is_alive(), "the input loop ended: no key is read after this"
    finally:
        driver.exit_event.set()
        os.close(write_end)
        thread.join(2)
        os.close(read_end)
    return [m for _, m in driver.got if isinstance(m, (events.Key, events.Paste))]


def _keys(got: list[events.Event]) -> list[str]:
    return [m.key for m in got if isinstance(m, events.Key)]


async def test_a_byte_that_is_not_utf8_is_read_as_a_replacement_character() -> None:
    """A lone 0x9b (an 8-bit CSI, or Latin-1 text) raised UnicodeDecodeError in the input thread: the app died."""
    got = await _read(b"a\x9bb")
    assert [m.character for m in got if isinstance(m, events.Key)] == ["a", "\ufffd", "b", "z"]


@pytest.mark.parametrize("split", [False, True])
async def test_an_escape_sequence_in_a_paste_stays_text(split: bool) -> None:
    """Textual read an escape inside a bracketed paste as the start of keys: a BEL after it became ctrl+g (Flask
    moved to gunicorn), DEL a backspace. Here it is shown as a visible ␛ and the rest stays in the paste."""
    paste = b"\x1b[200~/items/\x1b]0;title\x07\x1b[31mred\x7f\x1b[201~"
    chunks = (paste[:9], paste[9:25], paste[25:-3], paste[-3:]) if split else (paste,)
    got = await _read(*chunks)
    assert _keys(got) == ["z"]
    assert [m.text for m in got if isinstance(m, events.Paste)] == ["/items/␛]0;title\x07␛[31mred\x7f"]


async def test_keys_around_a_paste_are_still_keys() -> None:
    got = await _read(b"\x1b[A", b"\x1b[200~ab\x1b[201~", b"\x1b[B")  # up, a paste, down
    assert _keys(got) == ["up", "down", "z"] and [m.text for m in got if isinstance(m, events.Paste)] == ["ab"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["\x1b[200~", "\x1b[201~", "\x1b", "[", "a", "\x07", "~"]), max_size=12), st.data())
def test_the_paste_guard_reads_a_stream_the_same_whatever_its_chunks(parts: list[str], data: st.DataObject) -> None:
    from explorer.tui.paste_guard import PasteGuard

    text = "".join(parts)
    cuts = sorted(data.draw(st.lists(st.integers(0, len(text)), max_size=4)))
    chunks = [text[a:b] for a, b in zip([0, *cuts], [*cuts, len(text)], strict=True)]
    whole, guard = PasteGuard().feed(text), PasteGuard()
    assert "".join(guard.feed(c) for c in chunks) == whole
