"""Textual's strips make their caches on first use (:mod:`explorer.tui.strip_patches`, issue 24: the first paint).

What a strip returns must be what Textual's own gives, and a cache, once made, must keep what it holds (a second crop
is the first one, as with Textual's). The frames themselves are the snapshot tests' (``tests/test_snapshots.py``).
"""

from __future__ import annotations

import pytest
from rich.segment import Segment
from rich.style import Style
from textual.cache import FIFOCache
from textual.color import Color
from textual.filter import DimFilter
from textual.strip import Strip

from explorer.tui.strip_patches import CACHES, strip_caches_on_first_use

pytestmark = pytest.mark.serverless

SEGMENTS = [Segment("Routing ", Style(bold=True)), Segment("and path", Style(color="red")), Segment(" parameters")]


def _what_a_strip_does(strip: Strip) -> list[object]:
    return [
        strip.crop(2, 12),
        strip.crop(2, 12),
        strip.divide([3, 9, 30]),
        strip.apply_style(Style(italic=True)),
        strip.apply_filter(DimFilter(), Color(10, 20, 30)),
        strip.adjust_cell_length(30, Style(bgcolor="blue")),
        strip.crop_extend(1, 25, Style(bgcolor="green")),
        strip.apply_offsets(2, 3),
        strip.text,
        strip.cell_length,
    ]


def test_a_strip_does_what_textuals_does_and_keeps_what_it_cached(monkeypatch: pytest.MonkeyPatch) -> None:
    plain = _what_a_strip_does(Strip(SEGMENTS))
    with monkeypatch.context() as patch:
        for name in CACHES:
            patch.setattr(Strip, name, Strip.__dict__[name])
        patch.setattr(Strip, "__init__", Strip.__init__)
        strip_caches_on_first_use()
        strip_caches_on_first_use()  # once
        patched = Strip(SEGMENTS)
        with pytest.raises(AttributeError):
            Strip.__dict__["_crop_cache"].slot.__get__(patched, Strip)  # no cache made yet
        done = _what_a_strip_does(patched)
        assert done == plain
        assert done[1] is done[0]  # the second crop came from the cache the first one made
        for name, size in CACHES.items():
            cache = getattr(patched, name)
            assert isinstance(cache, FIFOCache) and cache._maxsize == size
            assert getattr(patched, name) is cache
        assert [list(strip) for strip in done[2]] == [list(strip) for strip in plain[2]]  # type: ignore[attr-defined]
