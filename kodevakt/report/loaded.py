"""What reports and worklists read of a period: stored findings and the episodes they show.

Everything here is read from the store as the pipeline stored it, the pattern findings
(M01–M07) among the episode findings; nothing is computed. `load_listed` reads the findings
a worklist lists with their episodes' ids and dates; the report streams a period's findings
and keeps only the episodes it shows (`data.collect_report`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from kodevakt.episodes.model import Episode, Patient
from kodevakt.rules.finding import Finding, Severity
from kodevakt.storage import FindingStatus, PeriodFinding, Store, StoredFinding, parse_period

Place = tuple[str, str]  # (institution or "", episode id)


@dataclass(frozen=True, slots=True)
class Item:
    """A finding as reports and worklists read it, with its key, place, status and scope."""

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
    """Findings read of one period (for one institution or all), with the episodes among
    theirs that a report or worklist shows."""

    period: str
    institution: str | None
    episodes: list[Episode]
    findings: list[Item]
    _by_place: dict[Place, Episode] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        self._by_place = {(e.institution or "", e.id): e for e in self.episodes}

    def episode(self, item: Item) -> Episode | None:
        return self._by_place.get(item.place)


def load_listed(
    store: Store,
    period: str,
    institution: str | None = None,
    statuses: Iterable[FindingStatus] = (FindingStatus.OPEN,),
) -> PeriodBatch:
    """The findings with `statuses` and, of their episodes, only what a worklist shows.

    The episodes here carry id, institution, department, patient id and dates from the
    episode table, not their codes: what `build_worklist` shows of them.
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
