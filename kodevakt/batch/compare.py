"""Comparing units and periods on the indicators: funnels (M04) and changes (M05).

`funnels(values)` places every unit of one kind on the funnel of each indicator and period,
around the pooled value of all units (or a given reference target); `changes(values, pairs)`
tests each unit's indicator between two periods, e.g. consecutive tertials
(`periods.consecutive_tertials`).

Change statistic: for a share, the two-proportion z-test with the pooled proportion
p = (x₁ + x₂)/(n₁ + n₂): z = (p₂ − p₁) / √(p(1 − p)(1/n₁ + 1/n₂)). For a mean, Welch's
z = (m₂ − m₁) / √(s₁²/n₁ + s₂²/n₂). A change counts when |z| ≥ 3.090 (two-sided p < 0.002,
the same level as the 99.8 % funnel limits), both periods have at least
`MIN_DENOMINATOR` episodes, and the change is at least 2 percentage points (shares) or 0.25
(means), so that a large unit's tiny but significant drift is left alone.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from kodevakt.batch.funnel import Z_998, FunnelLimits, Method, mean_limits, proportion_limits
from kodevakt.batch.indicators import (
    INDICATOR_BY_KEY,
    Indicator,
    IndicatorKind,
    IndicatorValue,
    UnitKind,
)

MIN_DENOMINATOR = 20
MIN_CHANGE_SHARE = 0.02
MIN_CHANGE_MEAN = 0.25
CHANGE_Z = Z_998


@dataclass(frozen=True, slots=True)
class FunnelUnit:
    """One unit on a funnel, with the limits at its denominator."""

    value: IndicatorValue
    limits: FunnelLimits

    @property
    def outside(self) -> str:
        """`""`, `"95"` or `"99.8"`: the widest limits the unit lies outside."""
        return self.limits.outside(self.value.value)

    @property
    def side(self) -> int:
        """+1 above the 99.8 % limits, −1 below, 0 inside."""
        return self.limits.side(self.value.value)


@dataclass(frozen=True, slots=True)
class Funnel:
    """The units of one kind on one indicator in one period."""

    indicator: Indicator
    unit_kind: UnitKind
    period: str
    target: float
    spread: float | None
    units: tuple[FunnelUnit, ...]
    reference: bool = False  # the target came from a reference, not from these units

    def limits(self, denominator: float, *, method: Method | str = Method.AUTO) -> FunnelLimits:
        if self.spread is not None:
            return mean_limits(self.target, self.spread, denominator)
        return proportion_limits(self.target, denominator, method=method)

    def deviating(self, min_denominator: int = MIN_DENOMINATOR) -> list[FunnelUnit]:
        """Units outside the 99.8 % limits in the direction the indicator is concerned about."""
        if not self.reference and len(self.units) < 2:
            return []
        return [
            unit
            for unit in self.units
            if unit.value.denominator >= min_denominator and unit.side == self.indicator.concern
        ]


def funnels(
    values: Iterable[IndicatorValue],
    unit_kind: UnitKind = UnitKind.DEPARTMENT,
    *,
    targets: Mapping[str, float] | None = None,
    method: Method | str = Method.AUTO,
) -> list[Funnel]:
    """One funnel per (period, indicator) for the units of `unit_kind`.

    The target is the pooled value of the units (Σ numerator / Σ denominator), or
    `targets[indicator key]` when a reference value is given. For a mean, the limits use the
    standard deviation of single episodes over all units together.
    """
    groups: dict[tuple[str, str], list[IndicatorValue]] = {}
    for value in values:
        if value.unit_kind is unit_kind:
            groups.setdefault((value.period, value.indicator), []).append(value)
    result = []
    for (period, key), members in sorted(groups.items()):
        indicator = INDICATOR_BY_KEY[key]
        count = sum(v.denominator for v in members)
        total = sum(v.numerator for v in members)
        pooled = total / count
        spread = None
        if indicator.kind is IndicatorKind.MEAN:
            squares = sum(
                (v.spread or 0.0) ** 2 * (v.denominator - 1) + v.denominator * v.value**2
                for v in members
            )
            spread = math.sqrt(max(0.0, squares - count * pooled**2) / max(1, count - 1))
        reference = targets is not None and key in targets
        target = targets[key] if targets is not None and reference else pooled
        if indicator.is_share:
            target = min(1.0, max(0.0, target))
        units = tuple(
            FunnelUnit(
                v,
                mean_limits(target, spread, v.denominator)
                if spread is not None
                else proportion_limits(target, v.denominator, method=method),
            )
            for v in sorted(members, key=lambda v: v.unit)
        )
        result.append(Funnel(indicator, unit_kind, period, target, spread, units, reference))
    return result


def two_proportion_z(x1: float, n1: float, x2: float, n2: float) -> float:
    """z for the difference of two proportions x₂/n₂ − x₁/n₁ (pooled standard error)."""
    if n1 <= 0 or n2 <= 0:
        return 0.0
    pooled = (x1 + x2) / (n1 + n2)
    error = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    difference = x2 / n2 - x1 / n1
    if error == 0:
        return 0.0 if difference == 0 else math.copysign(math.inf, difference)
    return difference / error


def binomial_tail(count: int, n: int, p: float) -> float:
    """P(X ≥ count) for X ~ Binomial(n, p), summed upwards from `count`."""
    if count <= 0 or p >= 1.0:
        return 1.0
    if count > n or p <= 0.0:
        return 0.0
    term = math.exp(
        math.lgamma(n + 1)
        - math.lgamma(count + 1)
        - math.lgamma(n - count + 1)
        + count * math.log(p)
        + (n - count) * math.log1p(-p)
    )
    odds = p / (1 - p)
    total = 0.0
    for k in range(count, n + 1):
        total += term
        if k > n * p and term <= total * 1e-16:
            break
        term *= (n - k) / (k + 1) * odds
    return min(1.0, total)


def mean_difference_z(m1: float, s1: float, n1: float, m2: float, s2: float, n2: float) -> float:
    """Welch's z for the difference of two means m₂ − m₁."""
    if n1 <= 0 or n2 <= 0:
        return 0.0
    error = math.sqrt(s1 * s1 / n1 + s2 * s2 / n2)
    difference = m2 - m1
    if error == 0:
        return 0.0 if difference == 0 else math.copysign(math.inf, difference)
    return difference / error


@dataclass(frozen=True, slots=True)
class Change:
    """One unit's indicator in two consecutive periods, with the test statistic."""

    before: IndicatorValue
    after: IndicatorValue
    z: float

    @property
    def difference(self) -> float:
        return self.after.value - self.before.value

    @property
    def indicator(self) -> Indicator:
        return INDICATOR_BY_KEY[self.after.indicator]

    @property
    def significant(self) -> bool:
        """|z| ≥ 3.09, enough episodes in both periods, and a large enough change."""
        minimum = MIN_CHANGE_SHARE if self.indicator.is_share else MIN_CHANGE_MEAN
        return (
            abs(self.z) >= CHANGE_Z
            and min(self.before.denominator, self.after.denominator) >= MIN_DENOMINATOR
            and abs(self.difference) >= minimum
        )

    @property
    def of_concern(self) -> bool:
        """Significant, and in the direction the indicator is concerned about."""
        return self.significant and (self.difference > 0) == (self.indicator.concern > 0)


def changes(values: Iterable[IndicatorValue], pairs: Sequence[tuple[str, str]]) -> list[Change]:
    """Every unit's change for each (earlier, later) pair of period labels.

    Units and indicators missing in either period are skipped.
    """
    wanted = {label for pair in pairs for label in pair}
    by_key: dict[tuple[UnitKind, str, str], dict[str, IndicatorValue]] = {}
    for value in values:
        if value.period in wanted:
            key = (value.unit_kind, value.unit, value.indicator)
            by_key.setdefault(key, {})[value.period] = value
    result = []
    for key in sorted(by_key):
        periods = by_key[key]
        for before_label, after_label in pairs:
            before, after = periods.get(before_label), periods.get(after_label)
            if before is None or after is None:
                continue
            result.append(Change(before, after, _z(before, after)))
    return result


def _z(before: IndicatorValue, after: IndicatorValue) -> float:
    if before.kind is IndicatorKind.MEAN:
        return mean_difference_z(
            before.value,
            before.spread or 0.0,
            before.denominator,
            after.value,
            after.spread or 0.0,
            after.denominator,
        )
    return two_proportion_z(
        before.numerator, before.denominator, after.numerator, after.denominator
    )
