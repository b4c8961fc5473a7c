"""Funnels over units, and the change statistics, by hand."""

from __future__ import annotations

import pytest

from kodevakt.batch.compare import (
    Change,
    binomial_tail,
    changes,
    funnels,
    mean_difference_z,
    two_proportion_z,
)
from kodevakt.batch.indicators import IndicatorKind, IndicatorValue, UnitKind


def share(unit: str, numerator: int, denominator: int, period: str = "2025T1") -> IndicatorValue:
    return IndicatorValue(
        UnitKind.DEPARTMENT,
        unit,
        period,
        "main_symptom_code",
        "Andel hovedtilstander med R-kode",
        IndicatorKind.SHARE,
        numerator,
        denominator,
        numerator / denominator,
    )


def test_two_proportion_z_by_hand() -> None:
    # 5/100 → 30/100: pooled 0.175, se = √(0.175 · 0.825 · 0.02) = 0.053735, z = 0.25/se
    assert two_proportion_z(5, 100, 30, 100) == pytest.approx(4.6524, abs=1e-4)
    assert two_proportion_z(30, 100, 5, 100) == pytest.approx(-4.6524, abs=1e-4)
    assert two_proportion_z(0, 10, 0, 10) == 0.0


def test_binomial_tail_by_hand() -> None:
    # Binomial(10, 0.5): P(X ≥ 8) = (45 + 10 + 1) / 1024
    assert binomial_tail(8, 10, 0.5) == pytest.approx(56 / 1024)
    assert binomial_tail(0, 10, 0.5) == 1.0
    assert binomial_tail(11, 10, 0.5) == 0.0
    # P(X ≥ 1) = 1 − 0.99^100
    assert binomial_tail(1, 100, 0.01) == pytest.approx(1 - 0.99**100)


def test_mean_difference_z_by_hand() -> None:
    # (1.5 − 1.0) / √(1/100 + 1/100) = 0.5 / 0.141421 = 3.5355
    assert mean_difference_z(1.0, 1.0, 100, 1.5, 1.0, 100) == pytest.approx(3.5355, abs=1e-4)


def test_funnel_pools_the_units_and_flags_the_high_one() -> None:
    values = [share("A", 30, 60), share("B", 10, 200), share("C", 10, 200)]
    (funnel,) = funnels(values)
    assert funnel.target == pytest.approx(50 / 460)
    assert [u.value.unit for u in funnel.deviating()] == ["A"]
    outside = {u.value.unit: u.outside for u in funnel.units}
    assert outside["A"] == "99.8"
    with_reference = funnels(values, targets={"main_symptom_code": 0.5})[0]
    assert with_reference.reference and with_reference.target == 0.5
    assert with_reference.deviating() == []  # B and C are low, which is no concern


def test_a_single_unit_never_deviates_from_itself() -> None:
    (funnel,) = funnels([share("A", 30, 60)])
    assert funnel.deviating() == []


def test_small_units_are_not_judged() -> None:
    values = [share("A", 10, 12), share("B", 10, 400), share("C", 10, 400)]
    (funnel,) = funnels(values)
    assert funnel.units[0].outside == "99.8"
    assert funnel.deviating() == []  # 12 < 20 episodes


def test_changes_between_consecutive_periods() -> None:
    values = [share("A", 5, 100, "2024T3"), share("A", 30, 100, "2025T1")]
    (change,) = changes(values, [("2024T3", "2025T1")])
    assert isinstance(change, Change)
    assert change.z == pytest.approx(4.6524, abs=1e-4)
    assert change.difference == pytest.approx(0.25)
    assert change.significant and change.of_concern
    falling = changes(list(reversed(values)), [("2025T1", "2024T3")])[0]
    assert falling.significant and not falling.of_concern
    small = changes(
        [share("A", 5, 100, "2024T3"), share("A", 8, 100, "2025T1")], [("2024T3", "2025T1")]
    )
    assert not small[0].significant
