"""The second stage of fresh starts: more of them at the verdict's level when the first ones do not resolve it.

Five starts cannot absorb one disturbed start (measured on the idle machine: json said "Flask served
1.4-1.5x FastAPI" in 9 of 10 runs; in the tenth one Flask and one FastAPI start were slowed, the interval
became 0.54-1.07x and the verdict "within noise"). As pyperf and hyperfine add runs when the spread asks for
them, the lab then runs that level again, every route back to back on fresh pinned starts, as many more
times as were planned, and reads the verdict once over all of them. The decision looks at the data, so two
looks could each claim a difference: a Bonferroni split keeps the chance of a false claim at 5% overall, each
stage's interval at 97.5% (a false claim needs one of the two intervals to miss the truth, each 2.5% likely).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from explorer.bench.interval import CONFIDENCE, RatioInterval
from explorer.bench.plan import BenchPlan

__all__ = ["CORRECTION", "STAGE_CONFIDENCE", "Stages", "inconclusive", "two_stage"]

STAGE_CONFIDENCE = 1 - (1 - CONFIDENCE) / 2  # Bonferroni over two looks: 97.5% each, 95% overall
CORRECTION = "Bonferroni over the two stages: each stage's interval at 97.5%, so a false claim stays under 5% overall"


@dataclass(frozen=True)
class Stages:
    """A two-stage plan: ``planned`` starts first, then ``added`` more at ``level`` when those left it open."""

    planned: int
    added: int = 0
    level: float | None = None
    confidence: float = STAGE_CONFIDENCE

    @property
    def stage(self) -> int:
        """The stage the verdict was read at: 1, or 2 when starts were added."""
        return 2 if self.added else 1

    def extended(self, level: float, added: int) -> Stages:
        return Stages(self.planned, added, level, self.confidence)

    def phrase(self) -> str:
        """' over 10 starts (5 more: the first 5 did not resolve it)', or nothing when no start was added."""
        if not self.added:
            return ""
        return (
            f" over {self.planned + self.added} starts ({self.added} more: the first {self.planned} did not resolve it)"
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "stage": self.stage,
            "n_first": self.planned,
            "n_added": self.added,
            "n": self.planned + self.added,
            "level_extended": self.level,
            "confidence": self.confidence,
            "correction": CORRECTION,
        }


def two_stage(plan: BenchPlan) -> Stages | None:
    """The stages of a plan run on the lab's own servers: two for a closed loop with an interval to read
    (at least two repeats) unless turned off (``--no-extend``); None (one stage at 95%) otherwise."""
    if not plan.extend or plan.repeat < 2 or plan.open_loop or plan.scenario == "stall":
        return None
    return Stages(plan.repeat)


def inconclusive(rates: RatioInterval | None, within: float) -> bool:
    """True when the interval includes 1 and reaches beyond the minimum effect ``within`` on either side: the
    starts cannot rule out a difference that matters. Resolved (excludes 1), or inside the minimum effect on
    both sides (no difference that matters), is settled; no interval at all is no case for more starts."""
    if rates is None or rates.resolved:
        return False
    return abs(rates.low - 1) > within or abs(rates.high - 1) > within
