"""Drawing a sample from a stored period and keeping it: the entry point of `audit sample`.

The frame (`frame.build_frame`) is every stored episode of the period with its stratum; the
draw (`sampling.draw`) picks the episodes; the store keeps the sample with each episode's
content and rules as they were, numbered 1, 2, … in stratum order. Drawing with the same
parameters again returns the stored sample, so the same seed always gives the same file.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from kodevakt.audit.frame import Stratifier, build_frame
from kodevakt.audit.sampling import Allocation, SampleError, draw
from kodevakt.report.effect import DrgSources
from kodevakt.storage import Store, parse_period
from kodevakt.storage import audits as stored
from kodevakt.storage.audits import NewSample, SampleEpisode, StoredSample

MAX_SEED = 2**63 - 1


def new_seed() -> int:
    """A seed for a user who gave none (printed and stored, so the draw can be repeated)."""
    return secrets.randbelow(1_000_000_000)


@dataclass(frozen=True, slots=True)
class SampleRequest:
    period: str
    size: int
    seed: int
    strata: tuple[Stratifier, ...] = ()
    allocation: Allocation = Allocation.PROPORTIONAL
    institution: str | None = None
    by: str | None = None


def draw_sample(
    store: Store, request: SampleRequest, drg: DrgSources | None = None
) -> StoredSample:
    """The stored sample for `request`: found when drawn before, else drawn and stored."""
    if not 0 <= request.seed <= MAX_SEED:
        raise SampleError(f"frøet må være et heltall fra 0 til {MAX_SEED}")
    period = parse_period(request.period)
    strata = ",".join(s.value for s in request.strata)
    institution = request.institution or ""
    known = _stored(store, period, institution, strata, request)
    if known is not None:
        return known
    entries = build_frame(store, period, request.strata, institution=request.institution, drg=drg)
    drawn = draw((e.unit for e in entries), request.size, request.seed, request.allocation)
    by_place = {(e.unit.institution, e.unit.episode_id): e for e in entries}
    places = [(d.unit.institution, d.unit.episode_id) for d in drawn.drawn]
    contents = stored.episode_contents(store.engine, period, places)
    episodes = []
    for position, (found, place) in enumerate(zip(drawn.drawn, places, strict=True), start=1):
        content, department = contents[place]
        episodes.append(
            SampleEpisode(
                ref=0,
                position=position,
                stratum=found.unit.stratum,
                probability=found.probability,
                institution=place[0],
                episode_id=place[1],
                department=department,
                content=content,
                rules=by_place[place].rules,
            )
        )
    new = NewSample(
        period=period,
        institution=institution,
        strata=strata,
        allocation=request.allocation.value,
        size=request.size,
        seed=request.seed,
        population=len(entries),
        created_by=request.by,
    )
    sizes = {name: (drawn.populations[name], drawn.sizes[name]) for name in drawn.populations}
    return stored.save_sample(store.engine, new, episodes, sizes)


def _stored(
    store: Store, period: str, institution: str, strata: str, request: SampleRequest
) -> StoredSample | None:
    for sample in stored.samples(store.engine, period):
        if (sample.institution, sample.strata, sample.allocation, sample.size, sample.seed) == (
            institution,
            strata,
            request.allocation.value,
            request.size,
            request.seed,
        ):
            return sample
    return None


def describe(sample: StoredSample) -> str:
    """`enkelt tilfeldig utvalg` / `stratifisert etter avdeling og alvorlighet (lik fordeling)`."""
    if not sample.strata:
        return "enkelt tilfeldig utvalg"
    names = [Stratifier(name).norwegian for name in sample.strata.split(",")]
    joined = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " og " + names[-1]
    how = "lik fordeling" if sample.allocation == Allocation.EQUAL else "proporsjonal fordeling"
    return f"stratifisert etter {joined} ({how})"
