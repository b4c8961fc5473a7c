"""One period as reports and worklists read it: episodes with their findings.

`load_batch` reads a period's episodes and stored findings (every status) from the store,
the pattern findings (M01–M07) that the import stored among them. `add_patterns` computes
the pattern findings with `run_patterns` instead, for a period whose stored patterns are not
current (`Store.patterns_stored`): never run, run before the last file was imported (e.g.
with `import_files(..., patterns=False)`), or failed. Such findings are shown but not
stored, and the report says so. Findings that count are the ones not `fixed` (open and
accepted), since those describe the codes as they are now.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from kodevakt.batch import IndicatorValue, run_patterns
from kodevakt.episodes.model import Episode, Patient
from kodevakt.rules.code_facts import FactsCache
from kodevakt.rules.finding import Finding, Severity
from kodevakt.storage import (
    FindingStatus,
    PeriodFinding,
    Store,
    StoredFinding,
    finding_key,
    parse_period,
)
from kodevakt.storage.findings import common_place

Place = tuple[str, str]  # (institution or "", episode id)


@dataclass(frozen=True, slots=True)
class Item:
    """A finding as reports and worklists read it: stored, or computed here (patterns)."""

    key: str
    institution: str  # "" when the extract names none
    department: str | None
    status: FindingStatus
    scope: str
    finding: Finding

    @classmethod
    def stored(cls, found: StoredFinding | PeriodFinding) -> Item:
        return cls(
            found.key,
            found.institution or "",
            found.department,
            found.status,
            found.scope,
            found.finding,
        )

    @property
    def place(self) -> Place:
        return (self.institution, self.finding.episode_id)

    @property
    def rule(self) -> str:
        return self.finding.rule

    @property
    def severity(self) -> Severity:
        return self.finding.severity


@dataclass(slots=True)
class PeriodBatch:
    """One period's stored episodes and findings (every status), for one institution or all."""

    period: str
    institution: str | None
    episodes: list[Episode]
    findings: list[Item]
    computed_patterns: bool = False
    _by_place: dict[Place, Episode] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        self._by_place = {(e.institution or "", e.id): e for e in self.episodes}

    def episode(self, item: Item) -> Episode | None:
        return self._by_place.get(item.place)

    @property
    def current(self) -> list[Item]:
        """Findings that describe the codes as they are now: open and accepted."""
        return [f for f in self.findings if f.status is not FindingStatus.FIXED]

    def pairs(self) -> list[tuple[Episode, list[Finding]]]:
        """Each episode with its current findings, as the batch functions take them."""
        found: dict[Place, list[Finding]] = defaultdict(list)
        for item in self.current:
            found[item.place].append(item.finding)
        return [(e, found.get((e.institution or "", e.id), [])) for e in self.episodes]


def load_batch(store: Store, period: str, institution: str | None = None) -> PeriodBatch:
    """The period's episodes (coded content) and findings (every status), whole in memory.

    A million episodes are tens of millions of objects: call it inside
    `kodevakt.storage.paused_gc()` (as `data.py` does) so the garbage collector does not
    scan them over and over while they are read.
    """
    period = parse_period(period)
    return PeriodBatch(
        period,
        institution,
        list(store.episodes(period, institution, sources=False)),
        [Item.stored(found) for found in store.period_findings(period, institution)],
    )


def load_listed(
    store: Store,
    period: str,
    institution: str | None = None,
    statuses: Iterable[FindingStatus] = (FindingStatus.OPEN,),
) -> PeriodBatch:
    """The findings with `statuses` and, of their episodes, only what a worklist shows.

    The episodes here carry id, institution, department, patient id and dates from the
    episode table, not their codes: enough for `build_worklist`, not for checking, indicators
    or patterns (use `load_batch` for those).
    """
    period = parse_period(period)
    items: list[Item] = []
    places: dict[Place, Episode] = {}
    for found in store.period_findings(period, institution, list(statuses), episodes=True):
        item = Item.stored(found)
        items.append(item)
        if found.episode_found and item.place not in places:
            places[item.place] = Episode(
                id=found.finding.episode_id,
                patient=Patient(id=found.patient_id),
                institution=found.institution or None,
                department=found.department,
                admission=found.admission,
                discharge=found.discharge,
            )
    return PeriodBatch(period, institution, list(places.values()), items)


def add_patterns(
    batch: PeriodBatch,
    previous: Sequence[IndicatorValue] = (),
    *,
    facts: FactsCache | None = None,
) -> None:
    """Compute M01–M07 into `batch`, in place of the pattern findings stored in it.

    The fallback for a period whose stored patterns are not current (see the module
    docstring): never run, or run before the last file was imported, so that the stored ones
    describe the episodes as they were. `previous` = the previous tertial's indicator values,
    for M05.
    """
    batch.findings[:] = [f for f in batch.findings if f.scope != "batch"]
    pairs = batch.pairs()
    if not pairs:
        return
    base = facts.base if facts is not None else None
    found = run_patterns(pairs, batch.period, list(previous) or None, base=base)
    places = {e.id: e for e in batch.episodes}
    for finding in found:
        institution, department = _place(finding, places)
        batch.findings.append(
            Item(
                key=finding_key(batch.period, institution, finding),
                institution=institution,
                department=department,
                status=FindingStatus.OPEN,
                scope="batch",
                finding=finding,
            )
        )
    batch.computed_patterns = True


def _place(finding: Finding, episodes: dict[str, Episode]) -> tuple[str, str | None]:
    """Institution and department of a finding, as the store places it: its episode's, or
    for a unit finding the institution its episodes share (and the department, if shared)."""
    ids = finding.episodes or (finding.episode_id,)
    where = {(e.institution or "", e.department) for e in (episodes.get(i) for i in ids) if e}
    return common_place(where, bool(finding.episodes))
