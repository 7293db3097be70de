"""A patch to Textual's (8.2.8) ``Strip``, installed by :class:`explorer.tui.textual_patches.GuardedApp`: each strip's
caches are made when first used, not as the strip is made (issue 24: the first paint).

A ``Strip`` is one line of a widget's picture; drawing a frame makes a new one at each step (rendered, styled,
filtered, cropped, cut), ~1,100 of them for the main view's first frame, and each made seven ``FIFOCache`` objects
as it was made (for its crops, styles, filters, divisions, lengths, extensions and offsets), most never used: ~2,400
machine instructions a cache, ~19 M for the first frame (docs/how-it-works.md, "The first paint"). Here each of
those seven slots is read through a descriptor that makes the cache on its first read, the same ``FIFOCache`` of
the same size; what each strip holds and returns is unchanged.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rich.segment import Segment
from textual.cache import FIFOCache
from textual.strip import Strip

__all__ = ["strip_caches_on_first_use"]

# Each cache Strip.__init__ makes, and its size (Textual 8.2.8's).
CACHES = {
    "_divide_cache": 4,
    "_crop_cache": 16,
    "_style_cache": 16,
    "_filter_cache": 4,
    "_line_length_cache": 4,
    "_crop_extend_cache": 4,
    "_offsets_cache": 4,
}


class _CacheOnFirstUse:
    """A slot of Strip's read through Textual's own slot descriptor, given its empty cache on the first read."""

    def __init__(self, slot: Any, size: int) -> None:
        self.slot, self.size = slot, size

    def __get__(self, strip: Strip | None, owner: type | None = None) -> Any:
        if strip is None:
            return self
        try:
            return self.slot.__get__(strip, owner)
        except AttributeError:  # not read yet
            cache: FIFOCache[Any, Any] = FIFOCache(self.size)
            self.slot.__set__(strip, cache)
            return cache

    def __set__(self, strip: Strip, value: Any) -> None:
        self.slot.__set__(strip, value)


def _init(self: Strip, segments: Iterable[Segment], cell_length: int | None = None) -> None:
    """Textual's ``Strip.__init__`` but for the seven caches, made on first use."""
    self._segments = list(segments)
    self._cell_length = cell_length
    self._render_cache = None
    self._link_ids = None
    self._cell_count = None


def strip_caches_on_first_use() -> None:
    """Install the patch (once per process)."""
    if isinstance(Strip.__dict__["_crop_cache"], _CacheOnFirstUse):
        return
    for name, size in CACHES.items():
        setattr(Strip, name, _CacheOnFirstUse(Strip.__dict__[name], size))
    Strip.__init__ = _init  # type: ignore[method-assign]  # Textual's, replaced
