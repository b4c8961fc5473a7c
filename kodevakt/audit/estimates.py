"""Estimates for a whole period from a reviewed sample, with 95 % intervals.

The sample is stratified simple random sampling without replacement (`sampling`): in
stratum h, r_h of its N_h episodes were reviewed, and each stands for N_h / r_h episodes of
the period. A simple sample is the case of one stratum. Episodes that were drawn but could
not be reviewed are left out of their stratum, whose reviewed episodes then stand for them
(missing at random within the stratum; the report says how many).

- A total (episodes with a DRG change, the weight change) is N_h times the stratum mean,
  summed over strata; its variance is the textbook one for stratified sampling (Cochran,
  Sampling Techniques, 3rd ed., §5.3: sum of N_h² (1 − r_h/N_h) s_h² / r_h), and its
  interval uses Student's t with r − H degrees of freedom (scipy).
- A rate (the share of episodes with an error of a kind, precision and recall) is a ratio of
  two totals; its variance comes from the linearised ratio (Cochran §6.11). Its interval is
  Wilson's or the exact Clopper–Pearson interval from statsmodels: for a simple sample on the
  counts themselves; for a stratified sample on the effective sample size p(1 − p)/var,
  with the degrees-of-freedom correction of Korn & Graubard (1998, Survey Methodology
  24:193–201), as R's survey package does (`svyciprop`, method "beta").
- Cohen's kappa between two auditors comes from statsmodels with its asymptotic interval.

Nothing here knows what an error is: the callers hand in one value per reviewed episode.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

LEVEL = 0.95  # every interval here is a 95 % interval


class Interval(StrEnum):
    """How a rate's interval is computed (statsmodels' `proportion_confint` method)."""

    WILSON = "wilson"
    EXACT = "beta"  # Clopper–Pearson

    @property
    def norwegian(self) -> str:
        return "Wilson" if self is Interval.WILSON else "eksakt (Clopper–Pearson)"


@dataclass(frozen=True, slots=True)
class Observation:
    """One reviewed episode: its stratum, the value counted (`y`) and the value it is
    counted against (`x`, 1 for a rate over all episodes; 0 leaves it outside a domain)."""

    stratum: str
    y: float
    x: float = 1.0


@dataclass(frozen=True, slots=True)
class Rate:
    """A rate for the period: estimate and interval (None when no episode counts)."""

    estimate: float | None
    low: float | None
    high: float | None
    count: int  # episodes in the sample with y = 1 (and x = 1)
    units: int  # episodes in the sample with x = 1

    @property
    def known(self) -> bool:
        return self.estimate is not None


@dataclass(frozen=True, slots=True)
class Total:
    """A total for the period: estimate and interval (t-based)."""

    estimate: float
    low: float
    high: float
    units: int


def rate(
    observations: Sequence[Observation],
    populations: Mapping[str, int],
    method: Interval = Interval.WILSON,
) -> Rate:
    """The period's rate Σxy / Σx (of the episodes with x = 1, the share with y = 1),
    estimated from the reviewed episodes.

    `populations` holds N_h of every stratum. For a simple sample (one stratum) the
    estimate is the share in the sample and the interval is statsmodels' on the counts.
    """
    from statsmodels.stats.proportion import proportion_confint

    domain = [o for o in observations if o.x]
    count = sum(1 for o in domain if o.y)
    if not domain:
        return Rate(None, None, None, 0, 0)
    strata = _strata(observations, populations)
    if len(populations) == 1:
        low, high = proportion_confint(count, len(domain), 1 - LEVEL, method.value)
        return Rate(count / len(domain), float(low), float(high), count, len(domain))
    scale = _total(strata, lambda o: o.x)
    estimate = _total(strata, lambda o: o.y * o.x) / scale
    variance = _variance(strata, lambda o: (o.y - estimate) * o.x / scale)
    effective = _effective_size(estimate, variance, len(domain), len(observations), len(strata))
    low, high = proportion_confint(effective * estimate, effective, 1 - LEVEL, method.value)
    return Rate(estimate, float(low), float(high), count, len(domain))


def total(observations: Sequence[Observation], populations: Mapping[str, int]) -> Total:
    """The period's total of `y` (e.g. the weight change), with a t interval."""
    from scipy.stats import t

    strata = _strata(observations, populations)
    estimate = _total(strata, lambda o: o.y)
    variance = _variance(strata, lambda o: o.y)
    freedom = max(len(observations) - len(strata), 1)
    half = float(t.ppf(0.5 + LEVEL / 2, freedom)) * math.sqrt(variance)
    return Total(estimate, estimate - half, estimate + half, len(observations))


@dataclass(frozen=True, slots=True)
class Agreement:
    """Agreement of two auditors on a yes/no judgement over the episodes both reviewed."""

    episodes: int
    agreed: int
    kappa: float | None  # None when it is not defined (both always gave the same answer)
    low: float | None
    high: float | None

    @property
    def observed(self) -> float | None:
        return self.agreed / self.episodes if self.episodes else None


def agreement(pairs: Sequence[tuple[bool, bool]]) -> Agreement:
    """Cohen's kappa (statsmodels) with its 95 % interval for the two auditors' answers;
    the interval is the asymptotic one, cut to kappa's range [−1, 1].

    Kappa is not defined when chance agreement is certain (every answer the same), and is
    then None rather than a division by zero.
    """
    agreed = sum(1 for first, second in pairs if first == second)
    table = [[0, 0], [0, 0]]
    for first, second in pairs:
        table[int(first)][int(second)] += 1
    n = len(pairs)
    chance = sum((table[k][0] + table[k][1]) * (table[0][k] + table[1][k]) for k in (0, 1))
    if not n or chance >= n * n:
        return Agreement(n, agreed, None, None, None)
    from statsmodels.stats.inter_rater import cohens_kappa

    result = cohens_kappa(table)  # its interval is the 95 % one (alpha 0.025 a side)
    low, high = (min(max(float(v), -1.0), 1.0) for v in (result.kappa_low, result.kappa_upp))
    return Agreement(n, agreed, float(result.kappa), low, high)


@dataclass(frozen=True, slots=True)
class _Stratum:
    population: int  # N_h
    units: list[Observation]  # the r_h reviewed episodes


def _strata(observations: Sequence[Observation], populations: Mapping[str, int]) -> list[_Stratum]:
    """The strata with at least one reviewed episode, in name order."""
    units: dict[str, list[Observation]] = {}
    for observation in observations:
        if observation.stratum not in populations:
            raise ValueError(f"stratum {observation.stratum!r} has no population size")
        units.setdefault(observation.stratum, []).append(observation)
    return [_Stratum(populations[name], units[name]) for name in sorted(units)]


def _total(strata: Sequence[_Stratum], value: Callable[[Observation], float]) -> float:
    """Σ_h N_h · mean_h of `value`."""
    return sum(s.population * sum(map(value, s.units)) / len(s.units) for s in strata)


def _variance(strata: Sequence[_Stratum], value: Callable[[Observation], float]) -> float:
    """Σ_h N_h² (1 − r_h/N_h) s_h² / r_h of the total of `value`. A stratum with one
    reviewed episode adds nothing: one value tells nothing of the spread."""
    found = 0.0
    for s in strata:
        reviewed = len(s.units)
        if reviewed < 2:
            continue
        values = [value(o) for o in s.units]
        if max(values) == min(values):
            continue  # no spread (computed, it would be rounding noise)
        mean = sum(values) / reviewed
        spread = sum((v - mean) ** 2 for v in values) / (reviewed - 1)
        found += s.population**2 * (1 - reviewed / s.population) * spread / reviewed
    return found


def _effective_size(
    estimate: float, variance: float, domain: int, reviewed: int, strata: int
) -> float:
    """Korn & Graubard's effective sample size for a rate: p(1 − p)/var (the episodes in the
    domain when there is no variance to go by), times their degrees-of-freedom correction
    (t quantile for n − 1 over that for n − H, squared). Not capped at the sample size: a
    stratified sample is often worth more than a simple one of its size."""
    from scipy.stats import t

    if variance <= 0 or estimate in (0.0, 1.0):
        effective = float(domain)
    else:
        effective = estimate * (1 - estimate) / variance
    if reviewed > strata and reviewed > 1:
        upper = 0.5 + LEVEL / 2
        effective *= (
            float(t.ppf(upper, reviewed - 1)) / float(t.ppf(upper, reviewed - strata))
        ) ** 2
    return effective
