"""Funnel-plot control limits: how far a unit's share may lie from the target by chance.

A funnel plot puts each unit (department, hospital) at its denominator n and its observed
value; the target is the pooled value of all units, and the limits narrow as n grows. A unit
outside the 99.8 % limits differs from the target more than chance explains (two-sided,
about 1 in 500 by chance), which is what rule M04 reports.

Limits for a proportion with target p and denominator n:

- `normal`: p ± z·√(p(1−p)/n), cut to [0, 1]; z = 1.959964 (95 %) and 3.090232 (99.8 %).
- `exact`: binomial quantiles with Spiegelhalter's interpolation (Statistics in Medicine
  2005;24:1185–1202, appendix A.1.1): r is the smallest count with P(X ≤ r) ≥ q for
  X ~ Binomial(n, p), α = (P(X ≤ r) − q) / (P(X ≤ r) − P(X ≤ r − 1)), limit = (r − α)/n;
  at tiny n a limit that would fall on the wrong side of the target is set to the target.
- `auto` (default): `exact` while n·p·(1−p) < 50, where the normal curve is poor, else `normal`.

Limits for a mean (of a non-negative count, e.g. other conditions per stay) with target m,
standard deviation s of single episodes and n episodes: m ± z·s/√n, cut at 0.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from statistics import NormalDist

Z_95 = NormalDist().inv_cdf(0.975)  # 1.959964…
Z_998 = NormalDist().inv_cdf(0.999)  # 3.090232…
EXACT_BELOW_VARIANCE = 50.0  # `auto` uses exact limits while n·p·(1−p) is below this


class Method(StrEnum):
    NORMAL = "normal"
    EXACT = "exact"
    AUTO = "auto"


@dataclass(frozen=True, slots=True)
class FunnelLimits:
    """The 95 % and 99.8 % limits around `target` at one denominator."""

    denominator: float
    target: float
    lower95: float
    upper95: float
    lower998: float
    upper998: float

    def outside(self, value: float) -> str:
        """`""` inside the 95 % limits, `"95"` outside them, `"99.8"` outside the 99.8 % ones."""
        if value < self.lower998 or value > self.upper998:
            return "99.8"
        if value < self.lower95 or value > self.upper95:
            return "95"
        return ""

    def side(self, value: float) -> int:
        """+1 above the upper 99.8 % limit, −1 below the lower one, 0 inside."""
        if value > self.upper998:
            return 1
        if value < self.lower998:
            return -1
        return 0


def pooled_proportion(counts: Iterable[tuple[float, float]]) -> float:
    """Σ numerators / Σ denominators of (numerator, denominator) pairs; 0 when empty."""
    total_num = total_den = 0.0
    for numerator, denominator in counts:
        total_num += numerator
        total_den += denominator
    return total_num / total_den if total_den else 0.0


def proportion_limits(
    target: float, denominator: float, *, method: Method | str = Method.AUTO
) -> FunnelLimits:
    """95 % and 99.8 % limits for a proportion around `target` at `denominator` episodes."""
    if not 0.0 <= target <= 1.0:
        raise ValueError(f"target must be a proportion, not {target}")
    if denominator <= 0:
        raise ValueError("denominator must be positive")
    chosen = Method(method)
    if chosen is Method.AUTO:
        variance = denominator * target * (1 - target)
        chosen = Method.EXACT if variance < EXACT_BELOW_VARIANCE else Method.NORMAL
    if chosen is Method.EXACT:
        n = round(denominator)
        lo95, lo998 = (min(target, _exact_limit(n, target, q)) for q in (0.025, 0.001))
        hi95, hi998 = (max(target, _exact_limit(n, target, q)) for q in (0.975, 0.999))
    else:
        spread = math.sqrt(target * (1 - target) / denominator)
        lo95, hi95 = target - Z_95 * spread, target + Z_95 * spread
        lo998, hi998 = target - Z_998 * spread, target + Z_998 * spread
    return FunnelLimits(
        denominator,
        target,
        _clip(lo95),
        _clip(hi95),
        _clip(lo998),
        _clip(hi998),
    )


def mean_limits(target: float, spread: float, denominator: float) -> FunnelLimits:
    """Limits for a mean of non-negative counts: target ± z·spread/√n, cut at 0.

    `spread` is the standard deviation of single episodes' values (all units together).
    """
    if denominator <= 0:
        raise ValueError("denominator must be positive")
    error = spread / math.sqrt(denominator)
    return FunnelLimits(
        denominator,
        target,
        max(0.0, target - Z_95 * error),
        target + Z_95 * error,
        max(0.0, target - Z_998 * error),
        target + Z_998 * error,
    )


def funnel_curve(
    target: float,
    max_denominator: float,
    *,
    spread: float | None = None,
    min_denominator: float = 1,
    points: int = 60,
    method: Method | str = Method.AUTO,
) -> list[FunnelLimits]:
    """Limits sampled along the denominator (log-spaced), for drawing the funnel.

    With `spread` the limits are for a mean (`mean_limits`), else for a proportion.
    """
    low = max(1.0, float(min_denominator))
    high = max(low, float(max_denominator))
    steps = max(2, points)
    ratio = (high / low) ** (1 / (steps - 1)) if high > low else 1.0
    seen: set[int] = set()
    curve = []
    for i in range(steps):
        n = round(low * ratio**i)
        if n in seen:
            continue
        seen.add(n)
        if spread is None:
            curve.append(proportion_limits(target, n, method=method))
        else:
            curve.append(mean_limits(target, spread, n))
    return curve


def _clip(value: float) -> float:
    return min(1.0, max(0.0, value))


def _exact_limit(n: int, p: float, q: float) -> float:
    """Spiegelhalter's interpolated binomial quantile q of Binomial(n, p), divided by n."""
    if p <= 0.0:
        return 0.0
    if p >= 1.0:
        return 1.0
    mean = n * p
    sd = math.sqrt(n * p * (1 - p))
    # Mass below `start` is far under 1e-15 (20 sd and 40 counts below the mean).
    start = max(0, math.floor(mean - 20 * sd - 40))
    log_p, log_q = math.log(p), math.log1p(-p)
    pmf = math.exp(
        math.lgamma(n + 1)
        - math.lgamma(start + 1)
        - math.lgamma(n - start + 1)
        + start * log_p
        + (n - start) * log_q
    )
    odds = p / (1 - p)
    below = 0.0
    for r in range(start, n + 1):
        cdf = below + pmf
        if cdf >= q and pmf > 0:
            alpha = (cdf - q) / pmf
            return (r - alpha) / n
        below = cdf
        pmf *= (n - r) / (r + 1) * odds
    return 1.0
