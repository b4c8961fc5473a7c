"""The sampling frame: every stored episode of a period, with its stratum.

Strata come from what kodevakt knows of each episode (any combination, crossed):

    department  the institution and department (`974589095/MED`)
    severity    the most severe current finding on it: feil, advarsel, info or ingen funn
    drg         whether one of its findings' corrections moves the DRG (needs DRG tables)
    outlier     whether its department lies outside the 95 % funnel limits on a quality
                indicator in the period (`kodevakt.batch.compare.funnels`)

Current findings are those not fixed (open, asked the doctor, or accepted): the checker's
signal when the sample is drawn, which the report later holds up against the auditors'
corrections. A finding about a unit's practice (M04, M05, M07) counts for each episode it
names.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from kodevakt.audit.sampling import SampleError, Unit, strata_label
from kodevakt.batch.compare import MIN_DENOMINATOR, funnels
from kodevakt.batch.indicators import UnitKind, unit_keys
from kodevakt.drg.effect import FIX, episode_effects
from kodevakt.drg.grouper import DrgTables
from kodevakt.episodes.model import Episode
from kodevakt.errors import KodevaktError
from kodevakt.pipeline import Pipeline
from kodevakt.report.effect import DrgSources
from kodevakt.rules.finding import Finding, Severity
from kodevakt.storage import FindingStatus, Store

CURRENT = (FindingStatus.OPEN, FindingStatus.ASKED, FindingStatus.ACCEPTED)
NO_FINDINGS = "ingen funn"
DRG_MOVES = "retting endrer DRG"
DRG_STAYS = "ingen DRG-endring"
OUTSIDE = "avdeling utenfor grensene"
INSIDE = "avdeling innenfor grensene"
NO_DEPARTMENT = "uten avdeling"


class Stratifier(StrEnum):
    DEPARTMENT = "department"
    SEVERITY = "severity"
    DRG = "drg"
    OUTLIER = "outlier"

    @property
    def norwegian(self) -> str:
        return _NORWEGIAN[self]


_NORWEGIAN = {
    Stratifier.DEPARTMENT: "avdeling",
    Stratifier.SEVERITY: "alvorlighet",
    Stratifier.DRG: "DRG-effekt",
    Stratifier.OUTLIER: "indikatoravvik",
}


def parse_strata(text: str | None) -> tuple[Stratifier, ...]:
    """`department,severity` → the stratifiers, in the order given; "" → none (simple)."""
    found: list[Stratifier] = []
    for part in (text or "").split(","):
        name = part.strip().lower()
        if not name:
            continue
        try:
            chosen = Stratifier(name)
        except ValueError:
            known = ", ".join(s.value for s in Stratifier)
            raise SampleError(f"ukjent stratum «{part.strip()}»; bruk {known}") from None
        if chosen not in found:
            found.append(chosen)
    return tuple(found)


@dataclass(slots=True)
class _Signal:
    """What the checker said about one episode."""

    rules: set[str] = field(default_factory=set)
    worst: Severity | None = None
    fixes: list[Finding] = field(default_factory=list)

    def add(self, finding: Finding) -> None:
        self.rules.add(finding.rule)
        if self.worst is None or finding.severity.rank > self.worst.rank:
            self.worst = finding.severity
        if finding.fix is not None:
            self.fixes.append(finding)


@dataclass(frozen=True, slots=True)
class FrameEntry:
    """One episode of the frame: its unit for the draw, department, and its findings' rules."""

    unit: Unit
    department: str | None
    rules: tuple[str, ...]


def build_frame(
    store: Store,
    period: str,
    stratifiers: Sequence[Stratifier],
    *,
    institution: str | None = None,
    drg: DrgSources | None = None,
) -> list[FrameEntry]:
    """Every stored episode of `period` (of `institution`, if given) with its stratum."""
    if Stratifier.DRG in stratifiers and (drg is None or drg.definitions is None):
        problem = " ".join(drg.problems) if drg is not None else ""
        raise SampleError(
            "strata etter DRG-effekt krever DRG-tabeller (--definitions eller "
            f"KODEVAKT_DRG_DEFINITIONS). {problem}".strip()
        )
    if Stratifier.OUTLIER in stratifiers:
        Pipeline(store).ensure_current([period])
    signals = _signals(store, period, institution)
    outside = _outside(store, period, institution) if Stratifier.OUTLIER in stratifiers else set()
    tables = _Tables(drg) if Stratifier.DRG in stratifiers and drg is not None else None
    entries = []
    for episode in store.episodes(period, institution, sources=False):
        place = (episode.institution or "", episode.id)
        signal = signals.get(place) or signals.get(("", episode.id)) or _Signal()
        parts = []
        for stratifier in stratifiers:
            if stratifier is Stratifier.DEPARTMENT:
                parts.append(_department(place[0], episode.department))
            elif stratifier is Stratifier.SEVERITY:
                parts.append(signal.worst.norwegian if signal.worst else NO_FINDINGS)
            elif stratifier is Stratifier.DRG and tables is not None:
                parts.append(DRG_MOVES if tables.moves(episode, signal.fixes) else DRG_STAYS)
            elif stratifier is Stratifier.OUTLIER:
                unit = unit_keys(episode)[2][1]
                parts.append(OUTSIDE if unit in outside else INSIDE)
        stratum = strata_label(parts) if parts else "alle"
        entries.append(
            FrameEntry(
                Unit(place[0], episode.id, stratum), episode.department, tuple(sorted(signal.rules))
            )
        )
    return entries


def _department(institution: str, department: str | None) -> str:
    name = department or NO_DEPARTMENT
    return f"{institution}/{name}" if institution else name


def _signals(store: Store, period: str, institution: str | None) -> dict[tuple[str, str], _Signal]:
    """The current findings per (institution, episode id); a unit finding's under each of
    its episodes (with "" as institution when its episodes are in several)."""
    signals: dict[tuple[str, str], _Signal] = defaultdict(_Signal)
    for item in store.period_findings(period, institution, CURRENT):
        found = item.finding
        for episode_id in found.episodes or (found.episode_id,):
            signals[(item.institution, episode_id)].add(found)
    return dict(signals)


def _outside(store: Store, period: str, institution: str | None) -> set[str]:
    """The department units outside the 95 % limits on any indicator (judged ones only)."""
    values = store.indicator_values(period, institution) or []
    return {
        u.value.unit
        for funnel in funnels(values, UnitKind.DEPARTMENT)
        for u in funnel.units
        if u.outside and u.value.denominator >= MIN_DENOMINATOR
    }


class _Tables:
    """DRG tables per year, read once; whether any fix of an episode moves its DRG."""

    def __init__(self, sources: DrgSources) -> None:
        self.sources = sources
        self.years: dict[int, DrgTables | None] = {}

    def moves(self, episode: Episode, fixes: Sequence[Finding]) -> bool:
        day = episode.rule_date
        if not fixes or day is None:
            return False
        tables = self._tables(day.year)
        if tables is None:
            return False
        try:
            effects = episode_effects(episode, fixes, tables, self.sources.weights)
        except KodevaktError:
            return False
        return any(e.kind == FIX and e.changed for e in effects)

    def _tables(self, year: int) -> DrgTables | None:
        if year not in self.years:
            definitions = self.sources.definitions
            try:
                self.years[year] = definitions.tables(year) if definitions is not None else None
            except KodevaktError:
                self.years[year] = None
        return self.years[year]
