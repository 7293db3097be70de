"""What the explorer says, as plain data: the samples, the comparison table, the guide, the reasons.

Built on the runtime only. Public face (imported on first use):

- :data:`SAMPLES`, :class:`Sample`, :func:`by_id`, :func:`matching` (``catalog``): each sample a request
  and the one-sentence claim it demonstrates. A new sample is one more entry there (and the test
  suite checks it against both servers).
- :data:`ROWS`, :data:`MEASURED_ROWS`, :func:`table_rows` (the rows and the installed versions),
  :class:`Measurements`, :func:`measure` (``comparison``).
- :data:`QUESTIONS`, :func:`recommend` (``guide``); :func:`why` (``explain``). How two answers differ is
  parity's (:mod:`explorer.parity.glance`).
"""

from __future__ import annotations

from explorer.runtime.faces import lazy_face

_WHERE = {
    "SAMPLES": "catalog",
    "TOPICS": "catalog",
    "Sample": "catalog",
    "by_id": "catalog",
    "matching": "catalog",
    "MEASURED_ROWS": "comparison",
    "ROWS": "comparison",
    "Measurements": "comparison",
    "Row": "comparison",
    "measure": "comparison",
    "measure_latency": "comparison",
    "table_rows": "comparison",
    "versions_row": "comparison",
    "QUESTIONS": "guide",
    "recommend": "guide",
    "why": "explain",
}

__all__ = [
    "MEASURED_ROWS",
    "QUESTIONS",
    "ROWS",
    "SAMPLES",
    "TOPICS",
    "Measurements",
    "Row",
    "Sample",
    "by_id",
    "matching",
    "measure",
    "measure_latency",
    "recommend",
    "table_rows",
    "versions_row",
    "why",
]

__getattr__, __dir__ = lazy_face(__name__, _WHERE, __all__)
