"""How sure a ratio of two sets of repeats is: the 95% confidence interval of FastAPI's figure over Flask's.

The lab's verdict (:mod:`explorer.bench.results`) claims a difference only when this interval excludes 1.
It is Welch's t interval on the logarithms of the figures: a rate or a CPU cost is a product of factors
(a slower core, a preempted server), so its noise is multiplicative and its logarithm is the scale on
which repeats scatter evenly; the difference of the mean logarithms is the log of the ratio of the
geometric means, and Welch's form does not assume the two frameworks scatter alike (measured: Flask's
starts scattered more than FastAPI's). Unlike the min-max ranges it replaces, the interval narrows as
repeats are added and one outlier widens it rather than flipping it: the rule min-max ranges gave
(claim when they clear each other by their width) got stricter with every repeat, since ranges only
widen, and so flipped on a real 20% difference.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["CONFIDENCE", "RULE", "RatioInterval", "ratio_interval", "rule_text", "t_quantile"]

CONFIDENCE = 0.95


def rule_text(confidence: float = CONFIDENCE) -> str:
    """The rule a verdict applies, as the JSON states it, at ``confidence`` (95%, or 97.5% a stage of two)."""
    return (
        f"Welch's t {confidence * 100:g}% interval of the ratio of geometric means (FastAPI over Flask) over the "
        "repeats, each on fresh server processes; a difference is claimed when the interval excludes 1 and the "
        "ratio is beyond the minimum effect, otherwise 'within noise' (interval includes 1) or 'within N%' "
        "(resolved, but smaller)"
    )


RULE = rule_text()


def t_quantile(df: float, confidence: float = CONFIDENCE) -> float:
    """The two-sided ``confidence`` quantile of Student's t (0.975 for 95%) at ``df`` (fractional for Welch)
    degrees of freedom.

    From 3 degrees of freedom the Cornish-Fisher expansion (Abramowitz and Stegun 26.7.5), within 0.004 of
    the tables at 95% and 0.013 at 97.5% (both at 3 degrees, less above); below it, the exact value at the
    whole number below ``df`` (the larger: a wider interval), 1 and 2 degrees having closed forms.
    """
    p = 1 - (1 - confidence) / 2
    if not df >= 3:  # NaN too
        return math.tan(math.pi * (p - 0.5)) if not df >= 2 else (2 * p - 1) / math.sqrt(2 * p * (1 - p))
    z = statistics.NormalDist().inv_cdf(p)
    terms = (
        (z**3 + z) / 4,
        (5 * z**5 + 16 * z**3 + 3 * z) / 96,
        (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / 384,
        (79 * z**9 + 776 * z**7 + 1482 * z**5 - 1920 * z**3 - 945 * z) / 92160,
    )
    return z + sum(term / df ** (power + 1) for power, term in enumerate(terms))


@dataclass(frozen=True)
class RatioInterval:
    """``ratio`` (geometric mean of FastAPI's figure over Flask's) with its 95% interval ``low``-``high``."""

    ratio: float
    low: float
    high: float
    n_fastapi: int
    n_flask: int
    df: float
    confidence: float = CONFIDENCE

    @property
    def resolved(self) -> bool:
        """True when the interval excludes 1: the repeats resolve a difference, of whatever size."""
        return self.low > 1 or self.high < 1

    def inverse(self) -> RatioInterval:
        """The same interval the other way round: Flask's figure over FastAPI's."""
        return RatioInterval(
            1 / self.ratio, 1 / self.high, 1 / self.low, self.n_fastapi, self.n_flask, self.df, self.confidence
        )

    def text(self) -> str:
        """'95% interval 1.08-1.33x' ('97.5% interval ...' at a stage of two)."""
        return f"{self.confidence * 100:g}% interval {self.low:.2f}-{self.high:.2f}x"

    def to_dict(self) -> dict[str, Any]:
        return {
            "ratio": round(self.ratio, 4),
            "low": round(self.low, 4),
            "high": round(self.high, 4),
            "confidence": self.confidence,
            "n_fastapi": self.n_fastapi,
            "n_flask": self.n_flask,
            "df": round(self.df, 2),
            "resolved": self.resolved,
        }


def ratio_interval(
    fastapi: Sequence[float], flask: Sequence[float], confidence: float = CONFIDENCE
) -> RatioInterval | None:
    """The ``confidence`` interval of FastAPI's figure over Flask's from each one's repeats; None with fewer than
    two of either, or a figure that is not positive (a repeat that answered nothing has no logarithm)."""
    if len(fastapi) < 2 or len(flask) < 2 or min(*fastapi, *flask) <= 0:
        return None
    la, lf = [math.log(v) for v in fastapi], [math.log(v) for v in flask]
    va, vf = statistics.variance(la) / len(la), statistics.variance(lf) / len(lf)
    se = math.sqrt(va + vf)
    df = (va + vf) ** 2 / (va**2 / (len(la) - 1) + vf**2 / (len(lf) - 1)) if se > 0 else len(la) + len(lf) - 2.0
    d = statistics.fmean(la) - statistics.fmean(lf)
    half = t_quantile(df, confidence) * se
    return RatioInterval(math.exp(d), math.exp(d - half), math.exp(d + half), len(la), len(lf), df, confidence)
