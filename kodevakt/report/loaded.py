"""One period as reports and worklists read it: episodes with their findings.

`load_batch` reads a period's episodes and stored findings (every status) from the store,
the pattern findings (M01–M07) that the import stored among them. `add_patterns` computes
pattern findings with `run_patterns` for a period whose patterns were never run and stored
(`Store.patterns_stored`): one imported with `import_files(..., patterns=False)`, or whose
pattern run failed. Such findings are shown but not stored, and the report says so. Findings
that count are the ones not `fixed` (open and accepted), since those describe the codes as
they are now.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from kodevakt.batch import IndicatorValue, run_patterns
from kodevakt.episodes.model import Episode
from kodevakt.rules.facts import FactsCache
from kodevakt.rules.finding import Finding, Severity
from kodevakt.storage import FindingStatus, Store, StoredFinding, finding_key, parse_period

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
    def stored(cls, found: StoredFinding) -> Item:
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
    period = parse_period(period)
    return PeriodBatch(
        period,
        institution,
        list(store.episodes(period, institution)),
        [Item.stored(found) for found in store.findings(period, institution)],
    )


def add_patterns(
    batch: PeriodBatch,
    previous: Sequence[IndicatorValue] = (),
    *,
    facts: FactsCache | None = None,
) -> None:
    """Compute M01–M07 into `batch` when it holds no pattern findings.

    The fallback for a period whose patterns the store never ran (see the module docstring);
    `previous` = the previous tertial's indicator values, for M05.
    """
    if any(f.scope == "batch" or f.rule.startswith("M") for f in batch.findings):
        return
    pairs = batch.pairs()
    if not pairs:
        return
    base = facts.base if facts is not None else None
    found = run_patterns(pairs, batch.period, list(previous) or None, base=base)
    places = {e.id: e for e in batch.episodes}
    for finding in found:
        episode = places.get(finding.episode_id)
        institution = (episode.institution if episode else None) or ""
        batch.findings.append(
            Item(
                key=finding_key(batch.period, institution, finding),
                institution=institution,
                department=episode.department if episode else None,
                status=FindingStatus.OPEN,
                scope="batch",
                finding=finding,
            )
        )
    batch.computed_patterns = True
