"""Sampling: reproducible from the seed, the asked size, inclusion probabilities that add up,
and estimates that are right on average over repeated samples."""

from __future__ import annotations

import math
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kodevakt.audit.estimates import Observation, rate
from kodevakt.audit.sampling import Allocation, SampleError, Unit, allocate, draw

strata_sizes = st.dictionaries(
    st.sampled_from(["MED", "KIR", "ORT", "GYN", "BARN", "feil", "ingen"]),
    st.integers(min_value=1, max_value=60),
    min_size=1,
    max_size=5,
)


def _frame(sizes: dict[str, int]) -> list[Unit]:
    return [
        Unit("974589095", f"{name}-{i}", name) for name, size in sizes.items() for i in range(size)
    ]


@settings(max_examples=60, deadline=None)
@given(sizes=strata_sizes, size=st.integers(1, 80), seed=st.integers(0, 2**32), equal=st.booleans())
def test_the_same_seed_draws_the_same_sample_whatever_the_frame_order(
    sizes: dict[str, int], size: int, seed: int, equal: bool
) -> None:
    allocation = Allocation.EQUAL if equal else Allocation.PROPORTIONAL
    frame = _frame(sizes)
    try:
        first = draw(frame, size, seed, allocation)
    except SampleError:
        return  # too small for the strata: refused, see the test below
    again = draw(list(reversed(frame)), size, seed, allocation)
    assert first == again


@settings(max_examples=80, deadline=None)
@given(sizes=strata_sizes, size=st.integers(1, 80), seed=st.integers(0, 2**32), equal=st.booleans())
def test_inclusion_probabilities_add_up_to_the_sample_size_in_every_stratum(
    sizes: dict[str, int], size: int, seed: int, equal: bool
) -> None:
    allocation = Allocation.EQUAL if equal else Allocation.PROPORTIONAL
    try:
        found = draw(_frame(sizes), size, seed, allocation)
    except SampleError:
        assert sum(min(2, n) for n in sizes.values()) > size
        return
    assert len(found.drawn) == min(size, sum(sizes.values()))
    for name, population in sizes.items():
        members = [d for d in found.drawn if d.unit.stratum == name]
        assert len(members) == found.sizes[name] <= population
        assert len(members) >= min(2, population)
        # every episode of the stratum has π = n_h / N_h, so Σ π over its N_h episodes is
        # n_h; and the drawn episodes' weights 1/π add up to N_h
        assert all(math.isclose(d.probability * population, len(members)) for d in members)
        assert math.isclose(sum(d.weight for d in members), population)
    ids = [(d.unit.institution, d.unit.episode_id) for d in found.drawn]
    assert len(ids) == len(set(ids))


def test_another_seed_draws_another_sample() -> None:
    frame = _frame({"MED": 500})
    first = {d.unit.episode_id for d in draw(frame, 30, 1, Allocation.PROPORTIONAL).drawn}
    second = {d.unit.episode_id for d in draw(frame, 30, 2, Allocation.PROPORTIONAL).drawn}
    assert first != second


def test_proportional_and_equal_allocation() -> None:
    sizes = {"feil": 40, "advarsel": 160, "ingen": 800}
    assert allocate(sizes, 50, Allocation.PROPORTIONAL) == {"advarsel": 8, "feil": 2, "ingen": 40}
    assert allocate(sizes, 50, Allocation.EQUAL) == {"advarsel": 17, "feil": 17, "ingen": 16}
    # a stratum smaller than its share is taken whole; the rest goes to the others
    assert allocate({"a": 3, "b": 900, "c": 50}, 21, Allocation.EQUAL) == {"a": 3, "b": 9, "c": 9}


def test_too_small_a_sample_for_the_strata_is_refused_in_norwegian() -> None:
    with pytest.raises(SampleError, match="for lite for 3 strata"):
        allocate({"a": 10, "b": 10, "c": 10}, 5, Allocation.PROPORTIONAL)


def test_every_episode_of_a_stratum_is_equally_likely_to_be_drawn() -> None:
    """Over 400 seeds, each of 40 episodes is drawn about n/N = 1/4 of the time."""
    frame = _frame({"MED": 40})
    counts: Counter[str] = Counter()
    for seed in range(400):
        counts.update(
            d.unit.episode_id for d in draw(frame, 10, seed, Allocation.PROPORTIONAL).drawn
        )
    assert len(counts) == 40
    # binomial(400, 0.25): mean 100, sd 8.7; every count within 5 sd
    assert all(55 < count < 145 for count in counts.values())


@settings(max_examples=5, deadline=None)
@given(rates=st.tuples(st.floats(0.0, 1.0), st.floats(0.0, 1.0)), base=st.integers(0, 10_000))
def test_stratified_estimates_are_unbiased_over_repeated_samples(
    rates: tuple[float, float], base: int
) -> None:
    """A synthetic period with a known error rate in each of two very unequal strata, drawn
    300 times with equal allocation (oversampling the small stratum): the mean of the
    weighted estimates is the period's true rate, where the unweighted share would not be."""
    sizes = {"liten": 50, "stor": 450}
    errors = {
        name: set(range(round(size * r)))
        for (name, size), r in zip(sizes.items(), rates, strict=True)
    }
    frame = _frame(sizes)
    truth = sum(len(e) for e in errors.values()) / 500
    estimates = []
    for seed in range(base, base + 300):
        sample = draw(frame, 20, seed, Allocation.EQUAL)
        observations = [
            Observation(
                d.unit.stratum,
                1.0 if int(d.unit.episode_id.rsplit("-", 1)[1]) in errors[d.unit.stratum] else 0.0,
            )
            for d in sample.drawn
        ]
        found = rate(observations, sample.populations)
        assert found.estimate is not None
        estimates.append(found.estimate)
    mean = sum(estimates) / len(estimates)
    spread = math.sqrt(sum((e - mean) ** 2 for e in estimates) / (len(estimates) - 1))
    assert abs(mean - truth) <= 4 * spread / math.sqrt(len(estimates)) + 1e-9
