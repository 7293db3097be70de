"""Parity: a requests file sent to a Flask app and its FastAPI port, every pair of answers compared.

Built on the runtime only. Public face (imported on first use):

- :func:`load_suite`, :class:`ParitySuite`, :class:`ParityCase`, :class:`ParityOptions` (``suite``):
  the file, checked entry by entry before any server starts.
- :func:`run_parity`, :func:`compare`, :class:`ParityReport`, :class:`Difference` (``check``): sending
  and comparing. A new parity rule is a check in :func:`compare` returning :class:`Difference` s.
- :func:`diff_json` (``jsondiff``): the structural JSON diff, each change named by its path.
- :class:`Expectation` (``declared``), :class:`Capture` and :class:`RequestTemplate` (``template``),
  :class:`Redactor` (``secrets``): declared differences, captured values, secrets kept out of reports.
"""

from __future__ import annotations

from explorer.runtime.faces import lazy_face

_WHERE = {
    "ParityCase": "suite",
    "ParityFileError": "suite",
    "ParityOptions": "suite",
    "ParitySuite": "suite",
    "load_suite": "suite",
    "parse_suite": "suite",
    "Difference": "check",
    "ParityReport": "check",
    "ParityResult": "check",
    "compare": "check",
    "run_parity": "check",
    "run_case": "check",
    "RunState": "check",
    "MISSING": "check",
    "Expectation": "declared",
    "Capture": "template",
    "RequestTemplate": "template",
    "Redactor": "secrets",
    "Change": "jsondiff",
    "diff_json": "jsondiff",
}

__all__ = [
    "MISSING",
    "Capture",
    "Change",
    "Difference",
    "Expectation",
    "ParityCase",
    "ParityFileError",
    "ParityOptions",
    "ParityReport",
    "ParityResult",
    "ParitySuite",
    "Redactor",
    "RequestTemplate",
    "RunState",
    "compare",
    "diff_json",
    "load_suite",
    "parse_suite",
    "run_case",
    "run_parity",
]

__getattr__, __dir__ = lazy_face(__name__, _WHERE, __all__)
