"""What a report shows, as plain frozen data: the renderers take these, never the database.

`kodevakt.report.data` fills them from the store and the batch indicators; tests build them by
hand. Patient ids in here are already pseudonyms.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from kodevakt.batch.topics import LearningProfile
from kodevakt.report.svg import LimitCurve, Series
from kodevakt.rules.finding import Severity


@dataclass(frozen=True, slots=True)
class RuleCount:
    """How often one rule fired in the period."""

    rule: str
    title: str
    severity: Severity
    findings: int
    episodes: int  # episodes with at least one finding from this rule


@dataclass(frozen=True, slots=True)
class UnitValue:
    """One department's value on an indicator; `outside` is "", "95" or "99.8".

    `judged` is False for a unit with too few episodes to be judged (M04's minimum); its
    `outside` is then "".
    """

    unit: str
    n: int
    value: float
    outside: str = ""
    judged: bool = True


@dataclass(frozen=True, slots=True)
class IndicatorView:
    """One quality indicator: per-department values with funnel limits, and its trend."""

    key: str
    title: str
    description: str
    is_share: bool
    pooled: float
    units: tuple[UnitValue, ...]
    limits: tuple[LimitCurve, ...]
    trend_periods: tuple[str, ...] = ()
    trend: tuple[Series, ...] = ()
    denominator: str = "episoder"
    label_all: bool = True  # label every point; else only those outside the 95 % limits
    min_judged: int = 0  # units with fewer in the denominator are not judged


@dataclass(frozen=True, slots=True)
class PatternSummary:
    """One pattern rule (M01–M07): how often it fired, on how many episodes, and where most."""

    rule: str
    title: str
    severity: Severity
    findings: int
    departments: tuple[tuple[str, int], ...]  # (department, findings), most first
    episodes: int = 0  # distinct episodes the findings name (a unit finding names many)


@dataclass(frozen=True, slots=True)
class PatternExample:
    """One pattern finding to show as an example (patient already pseudonymised)."""

    rule: str
    severity: Severity
    department: str
    episode_id: str  # "" for a unit finding (M04, M05, M07)
    patient: str
    message: str
    episodes: int = 1  # the episodes the finding names


@dataclass(frozen=True, slots=True)
class RuleEffect:
    """What one rule's fixes move: findings with a fix, DRG changes, weight changes.

    `weight_change` (sum, DRG points) and `largest` (the single change furthest from zero)
    are None when no weights were loaded for the fixes' years.
    """

    rule: str
    title: str
    fixes: int
    changed: int  # fixes that give another DRG
    weight_change: float | None = None
    largest: float | None = None


@dataclass(frozen=True, slots=True)
class EffectExample:
    """One episode whose fix moves the DRG (patient already pseudonymised)."""

    rule: str
    department: str
    episode_id: str
    patient: str
    year: int
    drg_before: str
    drg_after: str
    weight_before: float | None = None
    weight_after: float | None = None

    @property
    def weight_change(self) -> float | None:
        if self.weight_before is None or self.weight_after is None:
            return None
        return round(self.weight_after - self.weight_before, 6)


@dataclass(frozen=True, slots=True)
class EffectSummary:
    """ "What the errors move": open findings with a fix, grouped before and after the fix.

    `available` is False when no definition tables could be used; `problem` then says why.
    `weighted` is True when weights were loaded for at least one grouped year.
    """

    available: bool
    problem: str = ""
    years: tuple[int, ...] = ()
    weighted: bool = False
    rules: tuple[RuleEffect, ...] = ()
    examples: tuple[EffectExample, ...] = ()
    fixes: int = 0
    changed: int = 0
    weight_change: float | None = None
    episodes: int = 0  # episodes with at least one open finding with a fix, grouped
    not_grouped: int = 0  # such episodes without tables for their year (or without a date)
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ReportData:
    """Everything one report shows, for one period and optionally one institution."""

    period: str
    institution: str | None
    generated: datetime
    episodes: int
    episodes_with_findings: int
    by_severity: dict[Severity, int]
    rules: tuple[RuleCount, ...]
    departments: tuple[tuple[str, int], ...] = ()  # (department, episodes), most first
    indicators: tuple[IndicatorView, ...] = ()
    patterns: tuple[PatternSummary, ...] = ()
    pattern_examples: tuple[PatternExample, ...] = ()
    notes: tuple[str, ...] = field(default_factory=tuple)
    version: str = ""
    effect: EffectSummary | None = None  # None: not computed (no DRG tables asked for)
    learning: LearningProfile | None = None  # the departments' error profile by guide topic

    @property
    def findings(self) -> int:
        return sum(self.by_severity.values())
