"""The suite's leak check (tests/conftest.py): what a test leaves to the garbage collector unclosed is found after
that test, not in whichever test runs when the collector next comes (an innocent test failed so)."""

from __future__ import annotations

import asyncio
import socket

import pytest

from tests.conftest import _collected_warnings

pytestmark = pytest.mark.serverless


def test_a_socket_left_in_a_cycle_is_found_by_the_young_collection() -> None:
    box: dict[str, object] = {"sock": socket.socket()}
    box["self"] = box  # a cycle: only the collector frees it, whenever it comes
    del box
    found = _collected_warnings(1)
    assert len(found) == 1 and found[0].startswith("ResourceWarning: unclosed <socket.socket"), found


def test_an_event_loop_left_open_in_a_cycle_is_found() -> None:
    box: dict[str, object] = {"loop": asyncio.new_event_loop()}
    box["self"] = box
    del box
    found = _collected_warnings(1)
    assert any("unclosed event loop" in text for text in found), found
    assert _collected_warnings(1) == []  # once: nothing is left over for the next test
