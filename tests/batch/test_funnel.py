"""Funnel limits against hand-computed values."""

from __future__ import annotations

import math

import pytest

from kodevakt.batch.funnel import (
    Z_95,
    Z_998,
    funnel_curve,
    mean_limits,
    pooled_proportion,
    proportion_limits,
)


def test_z_values() -> None:
    assert abs(Z_95 - 1.959964) < 1e-6
    assert abs(Z_998 - 3.090232) < 1e-6


def test_normal_limits_by_hand() -> None:
    # p = 0.2, n = 100: standard error √(0.2 · 0.8 / 100) = 0.04
    # 95 %: 0.2 ± 1.959964 · 0.04 = 0.2 ± 0.078399 → 0.121601, 0.278399
    # 99.8 %: 0.2 ± 3.090232 · 0.04 = 0.2 ± 0.123609 → 0.076391, 0.323609
    limits = proportion_limits(0.2, 100, method="normal")
    assert limits.lower95 == pytest.approx(0.121601, abs=1e-6)
    assert limits.upper95 == pytest.approx(0.278399, abs=1e-6)
    assert limits.lower998 == pytest.approx(0.076391, abs=1e-6)
    assert limits.upper998 == pytest.approx(0.323609, abs=1e-6)
    assert limits.outside(0.2) == ""
    assert limits.outside(0.30) == "95"
    assert limits.outside(0.35) == "99.8"
    assert limits.outside(0.05) == "99.8"
    assert (limits.side(0.35), limits.side(0.05), limits.side(0.3)) == (1, -1, 0)


def test_exact_limits_by_hand() -> None:
    # Binomial(10, 0.5): P(X ≤ 1) = 11/1024, P(X ≤ 2) = 56/1024, P(X ≤ 7) = 968/1024,
    # P(X ≤ 8) = 1013/1024.
    # q = 0.025: r = 2, α = (56 − 25.6)/45 = 0.675556, limit = (2 − α)/10 = 0.132444
    # q = 0.975: r = 8, α = (1013 − 998.4)/45 = 0.324444, limit = (8 − α)/10 = 0.767556
    limits = proportion_limits(0.5, 10, method="exact")
    assert limits.lower95 == pytest.approx(0.132444, abs=1e-6)
    assert limits.upper95 == pytest.approx(0.767556, abs=1e-6)


def test_exact_approaches_normal_for_large_denominators() -> None:
    exact = proportion_limits(0.3, 50_000, method="exact")
    normal = proportion_limits(0.3, 50_000, method="normal")
    assert exact.upper998 == pytest.approx(normal.upper998, abs=1e-4)
    assert exact.lower95 == pytest.approx(normal.lower95, abs=1e-4)


def test_auto_uses_exact_limits_for_small_counts() -> None:
    # n·p·(1 − p) = 100 · 0.02 · 0.98 = 1.96 < 50: exact, and the normal lower limit < 0 is cut
    auto = proportion_limits(0.02, 100)
    assert auto == proportion_limits(0.02, 100, method="exact")
    assert proportion_limits(0.02, 100, method="normal").lower998 == 0.0
    assert proportion_limits(0.4, 1000) == proportion_limits(0.4, 1000, method="normal")


def test_limits_stay_within_zero_and_one() -> None:
    for target in (0.0, 0.001, 0.5, 0.999, 1.0):
        for n in (1, 5, 100):
            limits = proportion_limits(target, n)
            values = (limits.lower998, limits.lower95, limits.upper95, limits.upper998)
            assert all(0.0 <= v <= 1.0 for v in values)
            assert limits.lower998 <= limits.lower95 <= target <= limits.upper95 <= limits.upper998


def test_mean_limits_by_hand() -> None:
    # mean 2, sd 1, n 25: standard error 0.2; 95 %: 2 ± 0.391993
    limits = mean_limits(2.0, 1.0, 25)
    assert limits.lower95 == pytest.approx(1.608007, abs=1e-6)
    assert limits.upper95 == pytest.approx(2.391993, abs=1e-6)
    assert limits.upper998 == pytest.approx(2.618046, abs=1e-6)
    assert mean_limits(0.1, 1.0, 4).lower998 == 0.0


def test_pooled_proportion_and_curve() -> None:
    assert pooled_proportion([(10, 100), (30, 100)]) == 0.2
    assert pooled_proportion([]) == 0.0
    curve = funnel_curve(0.2, 1000, points=20)
    assert curve[0].denominator == 1 and curve[-1].denominator == 1000
    widths = [c.upper998 - c.lower998 for c in curve]
    assert widths[-1] < widths[len(widths) // 2] < widths[0] + 1e-9
    assert all(not math.isnan(w) for w in widths)
    assert funnel_curve(2.0, 100, spread=1.0)[-1] == mean_limits(2.0, 1.0, 100)


def test_invalid_arguments() -> None:
    with pytest.raises(ValueError):
        proportion_limits(1.5, 10)
    with pytest.raises(ValueError):
        proportion_limits(0.5, 0)
