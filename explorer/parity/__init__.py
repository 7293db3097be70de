"""Parity: a requests file sent to a Flask app and its FastAPI port, every pair of answers compared.

Built on the runtime only. Public face (imported on first use):

- :func:`load_suite`, :class:`ParitySuite`, :class:`ParityCase`, :class:`ParityOptions` (``suite``):
  the file, checked entry by entry before any server starts.
- :func:`run_parity`, :func:`compare`, :class:`ParityReport`, :class:`Difference` (``check``): sending
  and comparing. A new parity rule is a check in :func:`compare` returning :class:`Difference` s.
- :func:`diff_json` (``jsondiff``): the structural JSON diff, each change named by its path.
"""

from __future__ import annotations

from explorer.runtime.faces import lazy_face

_WHERE = {
    "ParityCase": "suite", "ParityFileError": "suite", "ParityOptions": "suite", "ParitySuite": "suite",
    "load_suite": "suite", "parse_suite": "suite",
    "Difference": "check", "ParityReport": "check", "ParityResult": "check", "compare": "check",
    "run_parity": "check",
    "Change": "jsondiff", "diff_json": "jsondiff",
}  # fmt: skip

__all__ = [
    "Change", "Difference", "ParityCase", "ParityFileError", "ParityOptions", "ParityReport", "ParityResult",
    "ParitySuite", "compare", "diff_json", "load_suite", "parse_suite", "run_parity",
]  # fmt: skip

__getattr__, __dir__ = lazy_face(__name__, _WHERE, __all__)
