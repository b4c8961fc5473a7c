"""Drawing a record-review sample: simple or stratified, reproducible from its seed.

Every episode of the frame gets a permanent random number: the SHA-256 of the seed and the
episode's identity (institution, episode id), read as a number between 0 and 1. In each
stratum the n_h episodes with the smallest numbers are drawn. That is simple random
sampling without replacement within the stratum (sorting by independent uniform numbers is
a random permutation), and it needs no random generator whose stream could change with a
library version: the same seed gives the same sample on any machine, whatever order the
episodes were imported in. Each drawn episode's inclusion probability is n_h / N_h, so the
estimators (`estimates`) weigh it by N_h / n_h and stay unbiased for the whole period.

Allocation of the sample size over the strata: `proportional` (n_h ∝ N_h; every episode has
the same chance) or `equal` (the same n_h in each stratum, which reviews more of the small
strata, e.g. episodes with errors). Both give each stratum at least two episodes where it
has two (one episode says nothing about a stratum's spread) and never more than it has;
what is left after rounding goes to the largest remainders.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction

from kodevakt.errors import KodevaktError

MIN_PER_STRATUM = 2


class Allocation(StrEnum):
    PROPORTIONAL = "proportional"
    EQUAL = "equal"


class SampleError(KodevaktError):
    """The sample cannot be drawn as asked (the message is for the user, in Norwegian)."""


@dataclass(frozen=True, slots=True)
class Unit:
    """One episode of the frame: where it is, its id, and its stratum."""

    institution: str
    episode_id: str
    stratum: str


@dataclass(frozen=True, slots=True)
class Drawn:
    """A drawn episode with its inclusion probability (n_h / N_h)."""

    unit: Unit
    probability: float

    @property
    def weight(self) -> float:
        return 1 / self.probability


@dataclass(frozen=True, slots=True)
class Draw:
    """A drawn sample: the episodes in stratum and frame order, and N_h, n_h per stratum."""

    drawn: tuple[Drawn, ...]
    populations: dict[str, int]
    sizes: dict[str, int]


def random_number(seed: int, unit: Unit) -> Fraction:
    """The episode's permanent random number in [0, 1) for this seed."""
    digest = hashlib.sha256(f"{seed}\x1f{unit.institution}\x1f{unit.episode_id}".encode())
    return Fraction(int.from_bytes(digest.digest(), "big"), 1 << 256)


def allocate(populations: Mapping[str, int], size: int, allocation: Allocation) -> dict[str, int]:
    """n_h per stratum, summing to `size` (the whole frame when it is smaller).

    The exact shares are found by water-filling: n_h = clamp(t · b_h, least_h, N_h) with b_h
    = N_h (proportional) or 1 (equal), and t such that they sum to `size`. Each stratum
    then gets the whole part of its share, and the rest go to the largest fractions.
    """
    strata = {name: count for name, count in sorted(populations.items()) if count > 0}
    if size < 1:
        raise SampleError("utvalgsstørrelsen må være minst 1")
    if size >= sum(strata.values()):
        return strata
    least = {name: min(MIN_PER_STRATUM, count) for name, count in strata.items()}
    if sum(least.values()) > size:
        raise SampleError(
            f"utvalget på {size} episoder er for lite for {len(strata)} strata: hvert stratum "
            f"trenger minst {MIN_PER_STRATUM} episoder (til sammen {sum(least.values())}); "
            "øk --size eller bruk færre strata"
        )
    basis = {
        name: Fraction(count if allocation is Allocation.PROPORTIONAL else 1)
        for name, count in strata.items()
    }

    def shares(t: Fraction) -> dict[str, Fraction]:
        return {
            name: min(max(t * basis[name], Fraction(least[name])), Fraction(strata[name]))
            for name in strata
        }

    points = sorted(
        {Fraction(least[n]) / basis[n] for n in strata}
        | {Fraction(strata[n]) / basis[n] for n in strata}
    )
    previous = Fraction(0)
    for point in points:
        if sum(shares(point).values()) >= size:
            break
        previous = point
    low, high = sum(shares(previous).values()), sum(shares(point).values())
    t = previous + (point - previous) * (size - low) / (high - low) if high > low else point
    exact = shares(t)
    sizes = {name: int(share) for name, share in exact.items()}
    rest = size - sum(sizes.values())
    by_fraction = sorted(strata, key=lambda name: (-(exact[name] - sizes[name]), name))
    for name in by_fraction[:rest]:
        sizes[name] += 1
    return sizes


def draw(frame: Iterable[Unit], size: int, seed: int, allocation: Allocation) -> Draw:
    """Draw the sample from `frame` (one entry per episode; a repeated identity counts once)."""
    units: dict[str, dict[tuple[str, str], Unit]] = {}
    for unit in frame:
        units.setdefault(unit.stratum, {})[(unit.institution, unit.episode_id)] = unit
    if not units:
        raise SampleError("perioden har ingen episoder å trekke fra")
    populations = {name: len(units[name]) for name in sorted(units)}
    sizes = allocate(populations, size, allocation)
    drawn: list[Drawn] = []
    for name in sorted(units):
        members = list(units[name].values())
        chosen = sorted(
            members, key=lambda u: (random_number(seed, u), u.institution, u.episode_id)
        )
        probability = sizes[name] / populations[name]
        picked = sorted(chosen[: sizes[name]], key=lambda u: (u.institution, u.episode_id))
        drawn.extend(Drawn(u, probability) for u in picked)
    return Draw(tuple(drawn), populations, {name: sizes[name] for name in populations})


def strata_label(parts: Sequence[str]) -> str:
    """One stratum's name from its parts (one per stratification variable)."""
    return " · ".join(parts)
