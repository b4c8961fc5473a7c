"""What reports and worklists read of a period: stored findings and the episodes they show.

Everything here is read from the store as the pipeline stored it, the pattern findings
(M01–M07) among the episode findings; nothing is computed. The report streams a period's
findings and keeps only the episodes it shows (`data.collect_report`); the worklist makes
its rows straight from the findings as they stream (`build.build_worklist`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kodevakt.episodes.model import Episode
from kodevakt.rules.finding import Finding, Severity
from kodevakt.storage import FindingStatus, PeriodFinding, StoredFinding

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
