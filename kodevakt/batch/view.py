"""A batch as the pattern rules (M01–M07) see it.

Built once by `run_patterns`; rules only read it. It holds the batch's episodes with their
per-episode findings, each patient's episodes in time order (with the previous period's
episodes as context, so that a stay split across a period boundary is seen), the indicator
values of this and the previous period, resolved main conditions and, when DRG definition
tables are given, each episode's DRG.

A view may hold a part of a batch (one patient's or one institution's episodes) when it is
handed the whole batch's `BatchTotals`: the figures about the whole batch a rule compares
with (indicator values, tallies). A tally is a count over the batch's episodes that a rule
registers with `@tally(name)` and reads with `view.count(name)`.
"""

from __future__ import annotations

from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime
from functools import cached_property
from itertools import chain
from typing import NamedTuple

from kodevakt.batch.indicators import (
    UNKNOWN,
    IndicatorTotals,
    IndicatorValue,
    Measured,
    UnitKind,
    measure,
    measure_key,
    unit_keys,
)
from kodevakt.batch.periods import Tertial, episode_tertial, period_label
from kodevakt.batch.totals import BatchTotals, Key
from kodevakt.codes.normalise import CodeKind
from kodevakt.episodes.model import Episode
from kodevakt.rules.code_facts import CodeFacts, FactsCache
from kodevakt.rules.finding import Finding, Hit

DrgLookup = Callable[[Episode], str | None]
_MEASURED = 200_000  # measures kept by what they read (`measure_key`): some 40 MB at most


class PatternHit(NamedTuple):
    """What a pattern rule yields about one episode: the episode, and the finding."""

    episode: Episode
    hit: Hit


class UnitHit(NamedTuple):
    """What a pattern rule yields about a unit's practice: the episodes behind it (in batch
    order, at least one), and the finding. It becomes one finding, not one per episode."""

    episodes: Sequence[Episode]
    hit: Hit


BatchCheck = Callable[["BatchView"], Iterable[PatternHit | UnitHit]]
Tally = Callable[["BatchView", Episode], Iterable[Key]]
TALLIES: dict[str, Tally] = {}


def tally(name: str) -> Callable[[Tally], Tally]:
    """Register the decorated function as tally `name`: a count over the whole batch that a
    pattern rule reads with `BatchView.count(name)`. The function gives the keys (tuples of
    text) that one current episode adds one to; it may read the view's code lookups
    (`main_code`, `main_procedure`, `period_of`), never other episodes."""

    def register(function: Tally) -> Tally:
        if name in TALLIES:
            raise ValueError(f"tally {name} registered twice")
        TALLIES[name] = function
        return function

    return register


def _time_key(episode: Episode) -> tuple[datetime, datetime, str]:
    start = episode.admission or episode.discharge or datetime.min
    return (start, episode.discharge or start, episode.id)


class BatchView:
    """Read-only view of one batch for the pattern rules."""

    def __init__(
        self,
        episodes_with_findings: Iterable[tuple[Episode, Sequence[Finding]]],
        facts: FactsCache,
        *,
        period: Tertial | str | None = None,
        previous_indicators: Sequence[IndicatorValue] = (),
        context: Iterable[Episode] = (),
        drg: DrgLookup | None = None,
        targets: Mapping[str, float] | None = None,
        totals: BatchTotals | None = None,
    ) -> None:
        self.episodes: list[Episode] = []
        self.findings: list[Sequence[Finding]] = []  # one shared () for every clean episode
        for episode, findings in episodes_with_findings:
            self.episodes.append(episode)
            self.findings.append(tuple(findings) if findings else ())
        self.facts = facts
        self.period: str | None = period_label(period) if period is not None else None
        self.context: list[Episode] = list(context)
        self.drg = drg
        self._previous = list(previous_indicators)
        self._targets = targets
        self._given = totals
        # The context's episodes, by identity: fewer than the batch's, or none (a set of a
        # million identities would cost tens of megabytes).
        self._context = {id(episode) for episode in self.context}
        self._drg: dict[int, str | None] = {}

    # -- episodes ------------------------------------------------------------------------
    def is_current(self, episode: Episode) -> bool:
        """Whether the episode belongs to this batch (not to the previous period's context)."""
        return id(episode) not in self._context

    @cached_property
    def by_patient(self) -> dict[str, list[Episode]]:
        """Episodes with a patient id, per patient, by admission time (context included)."""
        found: dict[str, list[Episode]] = {}
        for episode in [*self.context, *self.episodes]:
            if episode.patient.id:
                found.setdefault(episode.patient.id, []).append(episode)
        for episodes in found.values():
            episodes.sort(key=_time_key)
        return found

    def period_of(self, episode: Episode) -> str:
        """The period label an episode counts in (the batch's, else its discharge tertial)."""
        if self.period is not None:
            return self.period
        tertial = episode_tertial(episode)
        return tertial.label if tertial else UNKNOWN

    @staticmethod
    def year_of(episode: Episode) -> int:
        """The rule year of an episode (its discharge year; this year when undated)."""
        day = episode.rule_date
        return day.year if day else date.today().year

    # -- codes ---------------------------------------------------------------------------
    def main_code(self, episode: Episode) -> CodeFacts | None:
        """The resolved first code of the main condition, when it is an ICD-10 code."""
        conditions = episode.conditions
        if not conditions or not conditions[0]:
            return None
        found = self._facts(conditions[0][0], episode)
        return found if found.kind is CodeKind.ICD10 else None

    def main_procedure(self, episode: Episode) -> str | None:
        """The normalised first code of the first procedure group (the main procedure)."""
        for group in episode.procedures:
            if group.codes:
                return self._facts(group.codes[0], episode).code
        return None

    def _facts(self, raw: str, episode: Episode) -> CodeFacts:
        """`facts.get(raw, episode.rule_date)`, taken straight from the facts of the year when
        they are known (the pattern rules ask for a million episodes' main codes, often)."""
        moment = episode.discharge or episode.admission
        known = self.facts.by_year.get(moment.year if moment else 0)
        found = known.get(raw) if known is not None else None
        if found is None:
            found = self.facts.get(raw, moment.date() if moment else None)
        return found

    def drg_of(self, episode: Episode) -> str | None:
        """The episode's DRG when definition tables were given (None otherwise or on failure)."""
        if self.drg is None:
            return None
        key = id(episode)
        if key not in self._drg:
            self._drg[key] = self.drg(episode)
        return self._drg[key]

    # -- the whole batch -----------------------------------------------------------------
    @cached_property
    def totals(self) -> BatchTotals:
        """The figures about the whole batch: those handed in when the view holds a part of
        it, else counted from its own episodes."""
        if self._given is not None:
            return self._given
        counts: dict[str, Counter[Key]] = {}
        for name, function in TALLIES.items():
            counts[name] = Counter(chain.from_iterable(function(self, e) for e in self.episodes))
        return BatchTotals(self.period, self._own_indicators, self._previous, counts, self._targets)

    @property
    def indicators(self) -> list[IndicatorValue]:
        """The indicator values of the whole batch, per unit and period."""
        return self.totals.indicators

    @property
    def previous_indicators(self) -> list[IndicatorValue]:
        """The previous period's indicator values (M05 compares with them)."""
        return self.totals.previous_indicators

    @property
    def targets(self) -> Mapping[str, float] | None:
        """Reference values per indicator key for M04, instead of the pooled value."""
        return self.totals.targets

    def count(self, name: str) -> Counter[Key]:
        """The whole batch's counts of tally `name` (see `tally`)."""
        return self.totals.count(name)

    # -- indicators ----------------------------------------------------------------------
    @cached_property
    def measures(self) -> list[tuple[float | None, ...]]:
        """Every current episode's contribution to each indicator (`INDICATORS` order).

        Equal tuples are held once: the values come from a small set (0, 1, None, small
        counts), so a million episodes share a few thousand tuples instead of a million.
        """
        shared: dict[tuple[float | None, ...], tuple[float | None, ...]] = {}
        one = shared.setdefault
        # Episodes coded alike are measured once (`measure_key`); at most `_MEASURED` kept.
        measured: dict[tuple[object, ...], tuple[float | None, ...]] = {}
        facts = self.facts
        found = []
        for episode, findings in zip(self.episodes, self.findings, strict=True):
            key = measure_key(episode, findings, facts)
            values = measured.get(key) if key is not None else None
            if values is None:
                values = measure(Measured(episode, findings, facts))
                values = one(values, values)
                if key is not None and len(measured) < _MEASURED:
                    measured[key] = values
            found.append(values)
        return found

    @cached_property
    def _own_indicators(self) -> list[IndicatorValue]:
        """The indicator values of the view's own episodes, per unit and period."""
        # Episodes of one unit and period with the same measures are counted at once: a
        # million episodes fall into some tens of thousands of such groups.
        first: dict[tuple[object, ...], tuple[Episode, tuple[float | None, ...]]] = {}
        times: Counter[tuple[object, ...]] = Counter()
        for episode, values in zip(self.episodes, self.measures, strict=True):
            tertial = None if self.period else episode_tertial(episode)
            key = (episode.institution, episode.department, tertial, values)
            times[key] += 1
            if key not in first:
                first[key] = (episode, values)
        totals = IndicatorTotals()
        for group, (episode, values) in first.items():
            totals.add(episode, values, self.period, times[group])
        return totals.values()

    @cached_property
    def members(self) -> dict[tuple[UnitKind, str, str], array[int]]:
        """Indexes of the current episodes in each (unit kind, unit, period), as machine
        integers (three per episode: a million episodes' as Python integers are 100 MB)."""
        found: dict[tuple[UnitKind, str, str], array[int]] = {}
        for i, episode in enumerate(self.episodes):
            label = self.period_of(episode)
            for kind, unit, _ in unit_keys(episode):
                found.setdefault((kind, unit, label), array("q")).append(i)
        return found

    def unit_episodes(self, kind: UnitKind, unit: str, period: str) -> Iterator[int]:
        yield from self.members.get((kind, unit, period), ())

    @cached_property
    def _departments(self) -> dict[tuple[str, str], set[str]]:
        found: dict[tuple[str, str], set[str]] = {}
        for episode in self.episodes:
            units = unit_keys(episode)
            institution, department = units[1][1], units[2][1]
            found.setdefault((institution, self.period_of(episode)), set()).add(department)
        return found

    def single_department(self, institution: str, period: str) -> bool:
        """Whether the institution has one department only in the period: a finding about
        the institution would then repeat the one about its department."""
        return len(self._departments.get((institution, period), ())) == 1
