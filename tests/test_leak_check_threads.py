"""The leak check after each test (``tests/conftest.py``) counts only what its own collection freed: a warning
another thread gives while it collects is that thread's, and goes where that thread's warnings go."""

from __future__ import annotations

import gc
import threading
import warnings

import pytest

from tests.conftest import _collected_warnings

pytestmark = pytest.mark.serverless


class _Freed:
    """Garbage (a cycle) whose finalizer, run by the collection, lets another thread warn and waits until it has."""

    def __init__(self, go: threading.Event, done: threading.Event) -> None:
        self.cycle = self
        self.go, self.done = go, done

    def __del__(self) -> None:
        self.go.set()
        self.done.wait(5)


def test_a_warning_from_another_thread_during_the_collection_is_not_counted_against_the_test() -> None:
    """Before, ``warnings.catch_warnings`` recorded every thread's warnings while the young generations were
    collected: a warning from a server's or a loop's thread then failed whichever test was being checked."""
    go, done = threading.Event(), threading.Event()

    def warn_elsewhere() -> None:
        go.wait(5)
        warnings.warn("a warning of another thread", UserWarning, stacklevel=1)
        done.set()

    thread = threading.Thread(target=warn_elsewhere)
    thread.start()
    gc.disable()  # freed by the collection below, not by one that comes first
    try:
        with pytest.warns(UserWarning, match="another thread"):  # where that thread's warning goes
            _Freed(go, done)
            found = _collected_warnings(0)
    finally:
        gc.enable()
        done.set()
        thread.join(5)
    assert go.is_set() and found == []
