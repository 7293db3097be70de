"""Parity's sending and comparing, under the names the rest of the explorer imports.

The work is split by what it is about: :mod:`explorer.parity.compare` (two answers, their
differences), :mod:`explorer.parity.declared` (which differences were intended), :mod:`explorer.parity.noise`
(what differs between two answers of one app), :mod:`explorer.parity.results` (what a run found) and
:mod:`explorer.parity.run` (setup, the requests in order, teardown).
"""

from __future__ import annotations

from explorer.parity.compare import Comparison, compare
from explorer.parity.differences import MISSING, Difference
from explorer.parity.results import ParityReport, ParityResult
from explorer.parity.run import RunState, run_case, run_parity

__all__ = [
    "MISSING",
    "Comparison",
    "Difference",
    "ParityReport",
    "ParityResult",
    "RunState",
    "compare",
    "run_case",
    "run_parity",
]
