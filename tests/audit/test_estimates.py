"""The estimators against values computed by hand and in textbooks, and by simulation.

Wilson and Clopper–Pearson: Newcombe (1998), Statistics in Medicine 17:857–872, table I
(81/263 and 15/148). Kappa: the two-reader example on Wikipedia's «Cohen's kappa» page
(20, 5, 10, 15 → κ = 0.4). Stratified estimates: Cochran's formulas worked by hand below.
"""

from __future__ import annotations

import math
import random

import pytest

from kodevakt.audit.estimates import Interval, Observation, agreement, rate, total


def _simple(count: int, n: int) -> list[Observation]:
    return [Observation("alle", 1.0 if i < count else 0.0) for i in range(n)]


@pytest.mark.parametrize(
    ("count", "n", "method", "low", "high"),
    [
        (81, 263, Interval.WILSON, 0.2553, 0.3662),
        (15, 148, Interval.WILSON, 0.0624, 0.1605),
        (0, 20, Interval.WILSON, 0.0, 0.1611),
        (81, 263, Interval.EXACT, 0.2527, 0.3676),
        (15, 148, Interval.EXACT, 0.0578, 0.1617),
        (0, 20, Interval.EXACT, 0.0, 0.1684),
    ],
)
def test_a_simple_sample_gets_the_textbook_interval(
    count: int, n: int, method: Interval, low: float, high: float
) -> None:
    found = rate(_simple(count, n), {"alle": 10_000}, method)
    assert found.estimate == pytest.approx(count / n)
    assert found.low == pytest.approx(low, abs=5e-5)
    assert found.high == pytest.approx(high, abs=5e-5)
    assert (found.count, found.units) == (count, n)


def test_a_stratified_rate_weighs_each_stratum_by_its_size() -> None:
    # N = 100 and 900; 10 reviewed in each; 5 and 1 errors.
    observations = _strata({"a": (5, 10), "b": (1, 10)})
    found = rate(observations, {"a": 100, "b": 900})
    assert found.estimate == pytest.approx(0.1 * 0.5 + 0.9 * 0.1)  # 0.14, not 6/20 = 0.30
    # by hand: 0.1² · 0.9 · s²_a / 10 + 0.9² · (1 − 10/900) · s²_b / 10,
    # s²_a = 10/9 · 0.25, s²_b = 10/9 · 0.09
    variance = 0.01 * 0.9 * (10 / 9 * 0.25) / 10 + 0.81 * (1 - 10 / 900) * (10 / 9 * 0.09) / 10
    assert variance == pytest.approx(0.008259, abs=1e-6)
    assert found.low is not None and found.high is not None
    assert found.low < 0.14 < found.high
    # the interval is about as wide as the standard error says (within a factor)
    width = found.high - found.low
    assert 2 * 1.96 * math.sqrt(variance) * 0.8 < width < 2 * 1.96 * math.sqrt(variance) * 1.6


def test_a_domain_rate_counts_only_its_episodes() -> None:
    observations = [
        Observation("a", 1.0, 1.0),
        Observation("a", 0.0, 1.0),
        Observation("a", 1.0, 0.0),  # outside the domain: not counted
        Observation("a", 0.0, 0.0),
    ]
    found = rate(observations, {"a": 40})
    assert (found.estimate, found.count, found.units) == (0.5, 1, 2)


def test_no_episode_in_the_domain_gives_no_estimate() -> None:
    found = rate([Observation("a", 0.0, 0.0)], {"a": 10})
    assert not found.known and found.low is None


def test_a_stratified_total_and_its_t_interval_by_hand() -> None:
    # stratum a (N = 20): 1, 3; stratum b (N = 30): 2, 2, 5
    observations = [
        Observation("a", 1.0),
        Observation("a", 3.0),
        Observation("b", 2.0),
        Observation("b", 2.0),
        Observation("b", 5.0),
    ]
    found = total(observations, {"a": 20, "b": 30})
    assert found.estimate == pytest.approx(20 * 2 + 30 * 3)
    variance = 20**2 * (1 - 2 / 20) * 2.0 / 2 + 30**2 * (1 - 3 / 30) * 3.0 / 3
    half = 3.182446305 * math.sqrt(variance)  # t(0.975) with 5 − 2 = 3 degrees of freedom
    assert found.low == pytest.approx(130 - half)
    assert found.high == pytest.approx(130 + half)


def test_kappa_matches_the_textbook_example() -> None:
    pairs = [(True, True)] * 20 + [(True, False)] * 5 + [(False, True)] * 10
    pairs += [(False, False)] * 15
    found = agreement(pairs)
    assert found.kappa == pytest.approx(0.4)
    assert found.observed == pytest.approx(0.7)
    assert found.low is not None and found.high is not None
    assert found.low < 0.4 < found.high


def test_kappa_is_undefined_when_every_answer_is_the_same() -> None:
    found = agreement([(True, True)] * 12)
    assert found.kappa is None and found.agreed == 12


def _strata(counts: dict[str, tuple[int, int]]) -> list[Observation]:
    return [
        Observation(name, 1.0 if i < errors else 0.0)
        for name, (errors, n) in counts.items()
        for i in range(n)
    ]


@pytest.mark.parametrize("method", list(Interval))
def test_stratified_intervals_cover_the_true_rate_at_about_95_percent(method: Interval) -> None:
    """A synthetic period of 2,000 episodes in three strata with known error rates; 600
    stratified samples of 20 per stratum; the interval must hold the period's true rate in
    about 95 % of them (exact intervals are conservative: at least nominal)."""
    rng = random.Random(18)
    sizes = {"feil": 200, "advarsel": 600, "ingen": 1200}
    rates = {"feil": 0.6, "advarsel": 0.25, "ingen": 0.05}
    population = {
        name: [1.0 if rng.random() < rates[name] else 0.0 for _ in range(size)]
        for name, size in sizes.items()
    }
    truth = sum(sum(v) for v in population.values()) / sum(sizes.values())
    covered = 0
    estimates = []
    runs = 600
    for _ in range(runs):
        sample = [
            Observation(name, value)
            for name, values in population.items()
            for value in rng.sample(values, 20)
        ]
        found = rate(sample, sizes, method)
        assert found.low is not None and found.high is not None and found.estimate is not None
        covered += found.low <= truth <= found.high
        estimates.append(found.estimate)
    assert 0.91 <= covered / runs <= 0.99
    # unbiased: the mean of the estimates is the true rate (within 4 standard errors)
    mean = sum(estimates) / runs
    spread = math.sqrt(sum((e - mean) ** 2 for e in estimates) / (runs - 1))
    assert abs(mean - truth) < 4 * spread / math.sqrt(runs)


def test_simple_wilson_intervals_cover_at_about_95_percent() -> None:
    rng = random.Random(41)
    truth, n, runs = 0.1, 80, 1000
    covered = 0
    for _ in range(runs):
        count = sum(rng.random() < truth for _ in range(n))
        found = rate(_simple(count, n), {"alle": 100_000})
        assert found.low is not None and found.high is not None
        covered += found.low <= truth <= found.high
    assert 0.93 <= covered / runs <= 0.975


def test_a_stratified_domain_rate_weighs_the_domain_in_each_stratum() -> None:
    observations = [
        Observation("a", 1.0, 1.0),
        Observation("a", 0.0, 1.0),
        Observation("a", 1.0, 0.0),  # y without x: outside the domain
        Observation("a", 0.0, 0.0),
        Observation("b", 1.0, 1.0),
        Observation("b", 1.0, 1.0),
        Observation("b", 0.0, 0.0),
        Observation("b", 0.0, 0.0),
    ]
    found = rate(observations, {"a": 100, "b": 50})
    # Σ N_h mean(xy) / Σ N_h mean(x) = (25 + 25) / (50 + 25)
    assert found.estimate == pytest.approx(2 / 3)
    assert (found.count, found.units) == (3, 4)
    assert found.low is not None and found.high is not None
    assert 0 <= found.low < 2 / 3 < found.high <= 1


def test_no_spread_in_the_sample_still_leaves_an_interval() -> None:
    """One error in a stratum reviewed whole, none in 18 of 334: the rate is not known
    exactly (the 316 not reviewed may hold errors), so the interval is not a point."""
    observations = [Observation("advarsel", 1.0)] + [Observation("advarsel", 0.0)] * 7
    observations += [Observation("ingen", 0.0)] * 18
    found = rate(observations, {"advarsel": 8, "ingen": 334})
    assert found.estimate == pytest.approx(1 / 342)
    assert found.low is not None and found.high is not None
    assert found.high - found.low > 0.05
