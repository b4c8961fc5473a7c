"""Quality indicators per unit (whole batch, institution, department) and period.

Each indicator is a per-episode measure: an episode either stays out of the indicator's
denominator (`None`) or contributes a value (1 or 0 for a share, a count for a mean).
`compute_indicators` sums them in one pass over (episode, findings) pairs, so a batch of any
size needs memory only for the units × periods × indicators it holds.

- `episodes_with_error` (share): episodes with a finding of severity error / all episodes.
- `main_symptom_code`, `main_z_code`, `main_unspecific` (shares): episodes whose main
  condition's first code is an R-code / a Z-code / marked unspecific in the code list, of
  the episodes with an ICD-10 main condition.
- `dagger_asterisk_errors` (share): episodes with a T02 or T03 finding / episodes with an
  asterisk code (or such a finding).
- `other_conditions_mean` (mean): other conditions (groups after the main condition) per
  inpatient episode.
- `inpatient_without_procedure` (share): inpatient episodes without any procedure code.
- `multiple_coding_groups` (share): episodes where a condition group holds more than one
  code / episodes with two or more condition codes.
- `uncertain_neoplasm_clinical` (share): episodes with a D37–D48 code whose 5th character
  is 1 / episodes with a D37–D48 code.

Every indicator names the direction that suggests a coding problem (`concern`): high for all
but multiple coding, where a low share is the problem once grouping is required (2024 on).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import cache

from kodevakt.batch.periods import Tertial, episode_tertial, period_label
from kodevakt.codes.codebase import CodeBase
from kodevakt.codes.loading import default_codebase
from kodevakt.codes.normalise import CodeKind
from kodevakt.episodes.model import CareLevel, Episode
from kodevakt.rules import code_facts as F
from kodevakt.rules.code_facts import CodeFacts, FactsCache
from kodevakt.rules.finding import Finding, Severity

UNKNOWN = "ukjent"
ALL_UNITS = "alle"


class UnitKind(StrEnum):
    TOTAL = "total"
    INSTITUTION = "institution"
    DEPARTMENT = "department"

    @property
    def norwegian(self) -> str:
        return {"total": "hele partiet", "institution": "institusjon", "department": "avdeling"}[
            self.value
        ]


class IndicatorKind(StrEnum):
    SHARE = "share"
    MEAN = "mean"


class Measured:
    """One episode with its findings and resolved condition codes, as the measures read it."""

    __slots__ = ("conditions", "episode", "findings", "rules")

    def __init__(self, episode: Episode, findings: Sequence[Finding], facts: FactsCache) -> None:
        self.episode = episode
        self.findings = findings
        self.rules = {f.rule for f in findings}
        day = episode.rule_date
        # an empty first group is a missing main condition, not the next one (readers keep it)
        self.conditions: list[list[CodeFacts]] = [
            [facts.get(code, day) for code in group] for group in episode.conditions
        ]

    @property
    def main(self) -> CodeFacts | None:
        """The main condition's first code when it is an ICD-10 code."""
        if not self.conditions or not self.conditions[0]:
            return None
        first = self.conditions[0][0]
        return first if first.kind is CodeKind.ICD10 else None

    def condition_codes(self) -> Iterable[CodeFacts]:
        for group in self.conditions:
            yield from group


Measure = Callable[[Measured], float | None]


@dataclass(frozen=True, slots=True)
class Indicator:
    """One quality indicator: what it counts (in Norwegian) and how to measure an episode."""

    key: str
    label: str
    description: str
    denominator: str
    kind: IndicatorKind
    concern: int  # +1: high values suggest a coding problem; −1: low values do
    measure: Measure
    flag_from: int | None = None  # M04/M05 judge the indicator from this year on

    @property
    def is_share(self) -> bool:
        return self.kind is IndicatorKind.SHARE


def _flag(condition: bool) -> float:
    return 1.0 if condition else 0.0


def _any_error(m: Measured) -> float | None:
    return _flag(any(f.severity is Severity.ERROR for f in m.findings))


def _main_with(flag: int) -> Measure:
    def measure(m: Measured) -> float | None:
        main = m.main
        return None if main is None else _flag(bool(main.flags & flag))

    return measure


_DAGGER_ASTERISK_RULES = frozenset({"T02", "T03"})


def _dagger_asterisk(m: Measured) -> float | None:
    wrong = bool(m.rules & _DAGGER_ASTERISK_RULES)
    if not wrong and not any(c.flags & F.ASTERISK for c in m.condition_codes()):
        return None
    return _flag(wrong)


def _inpatient(m: Measured) -> bool:
    return m.episode.care_level is CareLevel.INPATIENT


def _other_conditions(m: Measured) -> float | None:
    return float(max(0, len(m.conditions) - 1)) if _inpatient(m) else None


def _without_procedure(m: Measured) -> float | None:
    if not _inpatient(m):
        return None
    return _flag(not any(group.codes for group in m.episode.procedures))


def _multiple_coding(m: Measured) -> float | None:
    if sum(len(group) for group in m.conditions) < 2:
        return None
    return _flag(any(len(group) > 1 for group in m.conditions))


def is_clinically_uncertain(code: str) -> bool:
    """`D37.01`-style codes: D37–D48 with 5th character 1 (clinically uncertain potential)."""
    compact = code.replace(".", "")
    return len(compact) == 5 and compact[4] == "1" and F.in_range(compact, "D37", "D48")


def _uncertain_neoplasm(m: Measured) -> float | None:
    codes = [c.code for c in m.condition_codes() if c.flags & F.UNCERTAIN_NEOPLASM]
    if not codes:
        return None
    return _flag(any(is_clinically_uncertain(code) for code in codes))


INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        "episodes_with_error",
        "Andel episoder med feil",
        "Episoder med minst ett funn av alvorlighet feil, av alle episoder.",
        "episoder",
        IndicatorKind.SHARE,
        +1,
        _any_error,
    ),
    Indicator(
        "main_symptom_code",
        "Andel hovedtilstander med R-kode",
        "Episoder der hovedtilstandens første kode er en symptom- eller funnkode (R00–R99), "
        "av episoder med ICD-10-hovedtilstand.",
        "hovedtilstander",
        IndicatorKind.SHARE,
        +1,
        _main_with(F.SYMPTOM),
    ),
    Indicator(
        "main_z_code",
        "Andel hovedtilstander med Z-kode",
        "Episoder der hovedtilstandens første kode er en Z-kode (Z00–Z99), av episoder med "
        "ICD-10-hovedtilstand.",
        "hovedtilstander",
        IndicatorKind.SHARE,
        +1,
        _main_with(F.Z_FACTOR),
    ),
    Indicator(
        "main_unspecific",
        "Andel hovedtilstander med uspesifikk kode",
        "Episoder der hovedtilstandens første kode er merket uspesifikk i kodeverket, av "
        "episoder med ICD-10-hovedtilstand.",
        "hovedtilstander",
        IndicatorKind.SHARE,
        +1,
        _main_with(F.UNSPECIFIC),
    ),
    Indicator(
        "dagger_asterisk_errors",
        "Andel sverd/stjerne-feil",
        "Episoder med funn fra T02 eller T03 (stjernekode uten passende sverdkode), av "
        "episoder med stjernekode.",
        "episoder med stjernekode",
        IndicatorKind.SHARE,
        +1,
        _dagger_asterisk,
    ),
    Indicator(
        "other_conditions_mean",
        "Andre tilstander per døgnopphold",
        "Gjennomsnittlig antall andre tilstander (tilstandsgrupper etter hovedtilstanden) "
        "per døgnopphold.",
        "døgnopphold",
        IndicatorKind.MEAN,
        +1,
        _other_conditions,
    ),
    Indicator(
        "inpatient_without_procedure",
        "Andel døgnopphold uten prosedyrekode",
        "Døgnopphold uten noen prosedyrekode, av alle døgnopphold.",
        "døgnopphold",
        IndicatorKind.SHARE,
        +1,
        _without_procedure,
    ),
    Indicator(
        "multiple_coding_groups",
        "Andel episoder med multippel koding",
        "Episoder der minst én tilstand er registrert som en gruppe med flere koder, av "
        "episoder med minst to tilstandskoder.",
        "episoder med flere tilstandskoder",
        IndicatorKind.SHARE,
        -1,
        _multiple_coding,
        flag_from=2024,
    ),
    Indicator(
        "uncertain_neoplasm_clinical",
        "Andel D37–D48 med 5. tegn 1",
        "Episoder med en D37–D48-kode der 5. tegn er 1 (klinisk usikkert "
        "malignitetspotensial), av episoder med D37–D48-kode.",
        "episoder med D37–D48",
        IndicatorKind.SHARE,
        +1,
        _uncertain_neoplasm,
    ),
)
INDICATOR_BY_KEY = {indicator.key: indicator for indicator in INDICATORS}


_MEASURES = [indicator.measure for indicator in INDICATORS]
_INPATIENT = CareLevel.INPATIENT
_ERROR = Severity.ERROR


def measure_key(
    episode: Episode, findings: Sequence[Finding], facts: FactsCache
) -> tuple[object, ...] | None:
    """Everything `measure` reads of the episode, as a key under which its measures can be
    kept for the next episode coded alike; None when a code's facts depend on the day, not
    only the year (then the episode is measured itself).

    The measures read the condition codes' facts, whether the episode is inpatient, whether
    it has a procedure code, whether it has an error finding, and whether T02 or T03 fired:
    a test holds measures through this key equal to measures taken one by one.
    """
    moment = episode.discharge or episode.admission
    year = moment.year if moment else 0
    known = facts.by_year.get(year)
    if known is None:
        return None
    conditions = []
    for group in episode.conditions:
        for code in group:
            if code not in known:
                return None
        conditions.append(tuple(group))
    error = wrong = False
    for found in findings:
        error = error or found.severity is _ERROR
        wrong = wrong or found.rule in _DAGGER_ASTERISK_RULES
    return (
        year,
        tuple(conditions),
        episode.care_level is _INPATIENT,
        any(group.codes for group in episode.procedures),
        error,
        wrong,
    )


def measure(m: Measured) -> tuple[float | None, ...]:
    """The episode's contribution to every indicator, in `INDICATORS` order."""
    return tuple([measured(m) for measured in _MEASURES])


@dataclass(frozen=True, slots=True)
class IndicatorValue:
    """One indicator for one unit and period.

    `unit` is unique within its kind: the institution, `institution/department` for a
    department (the department alone when the institution is not given), `alle` for the total.
    For a share `numerator` counts episodes and `value` = numerator / denominator; for a mean
    `numerator` is the sum, `value` the mean and `spread` the standard deviation of single
    episodes' values. Units whose denominator is 0 are left out.
    """

    unit_kind: UnitKind
    unit: str
    period: str
    indicator: str
    label: str
    kind: IndicatorKind
    numerator: float
    denominator: int
    value: float
    spread: float | None = None
    institution: str | None = None


def unit_keys(episode: Episode) -> tuple[tuple[UnitKind, str, str | None], ...]:
    """(kind, unit, institution) of the three units an episode counts in."""
    institution = episode.institution or None
    department = episode.department or UNKNOWN
    qualified = f"{institution}/{department}" if institution else department
    return (
        (UnitKind.TOTAL, ALL_UNITS, None),
        (UnitKind.INSTITUTION, institution or UNKNOWN, institution),
        (UnitKind.DEPARTMENT, qualified, institution),
    )


@cache
def _default_base() -> CodeBase:
    return default_codebase()


def default_facts(base: CodeBase | None = None) -> FactsCache:
    """A facts cache over `base`, or over the default code base (loaded once)."""
    return FactsCache(base or _default_base())


def compute_indicators(
    episodes_with_findings: Iterable[tuple[Episode, Sequence[Finding]]],
    period: Tertial | str | None = None,
    *,
    base: CodeBase | None = None,
    facts: FactsCache | None = None,
) -> list[IndicatorValue]:
    """Every indicator for every unit and period in one pass.

    `period` labels the whole batch (`2025T1`, or any label such as `2025`); without it each
    episode counts in the tertial of its discharge date (`ukjent` when it has no dates). Codes
    are resolved against `base` (default: the embedded code lists and `KODEVAKT_CODE_FILES`).
    """
    facts = facts or default_facts(base)
    fixed = period_label(period) if period is not None else None
    totals = IndicatorTotals()
    for episode, findings in episodes_with_findings:
        totals.add(episode, measure(Measured(episode, findings, facts)), fixed)
    return totals.values()


UnitPeriod = tuple[str, UnitKind, str, str | None]  # (period, unit kind, unit, institution)


class IndicatorTotals:
    """Running sums per (period, unit) of episodes' measures: `compute_indicators` in parts,
    for callers that have the measures already (the pattern rules' `BatchView`).

    Per unit, period and indicator it keeps [Σ value, Σ value², count]: sums of small
    integers, exact in floating point whatever order they are added in, so totals of parts
    of a batch (`sums`, `add_sums`: a distributed run's partitions) give the whole batch's
    values exactly.
    """

    def __init__(self) -> None:
        self._sums: dict[UnitPeriod, list[list[float]]] = {}

    def sums(self) -> list[tuple[UnitPeriod, list[list[float]]]]:
        """Every (period, unit kind, unit, institution) with its [Σ, Σ², count] per indicator."""
        return list(self._sums.items())

    def add_sums(self, key: UnitPeriod, index: int, sums: Sequence[float]) -> None:
        """Add [Σ, Σ², count] of indicator number `index` (`INDICATORS` order) for `key`."""
        cells = self._sums.get(key)
        if cells is None:
            cells = self._sums[key] = [[0.0, 0.0, 0.0] for _ in INDICATORS]
        cell = cells[index]
        for i, value in enumerate(sums):
            cell[i] += value

    def add(
        self,
        episode: Episode,
        values: Sequence[float | None],
        period: str | None,
        times: int = 1,
    ) -> None:
        """Count one episode's measures (`measure(...)`) in `period`, else its tertial;
        `times`: as often as that (episodes of the same unit with the same measures, counted
        at once: the same sums, for measures that are whole numbers, as every other measure
        is added one at a time)."""
        label = period or _episode_period(episode)
        width = len(values)
        for kind, unit, institution in unit_keys(episode):
            key = (label, kind, unit, institution)
            sums = self._sums.get(key)
            if sums is None:
                sums = self._sums[key] = [[0.0, 0.0, 0.0] for _ in range(width)]
            for i, value in enumerate(values):
                if value is None:
                    continue
                cell = sums[i]
                if times == 1 or not float(value).is_integer():
                    for _ in range(times):
                        cell[0] += value
                        cell[1] += value * value
                        cell[2] += 1
                else:  # whole numbers: exact however they are added up
                    cell[0] += value * times
                    cell[1] += value * value * times
                    cell[2] += times

    def values(self) -> list[IndicatorValue]:
        return _values(self._sums)


def _episode_period(episode: Episode) -> str:
    tertial = episode_tertial(episode)
    return tertial.label if tertial else UNKNOWN


_KIND_ORDER = {UnitKind.TOTAL: 0, UnitKind.INSTITUTION: 1, UnitKind.DEPARTMENT: 2}


def _values(totals: dict[UnitPeriod, list[list[float]]]) -> list[IndicatorValue]:
    result = []
    for (label, kind, unit, institution), sums in sorted(
        totals.items(), key=lambda item: (item[0][0], _KIND_ORDER[item[0][1]], item[0][2])
    ):
        for indicator, (total, squares, count) in zip(INDICATORS, sums, strict=True):
            if not count:
                continue
            mean = total / count
            spread = None
            if indicator.kind is IndicatorKind.MEAN:
                spread = (
                    math.sqrt(max(0.0, squares - count * mean * mean) / (count - 1))
                    if (count > 1)
                    else 0.0
                )
            result.append(
                IndicatorValue(
                    kind,
                    unit,
                    label,
                    indicator.key,
                    indicator.label,
                    indicator.kind,
                    total,
                    int(count),
                    mean,
                    spread,
                    institution,
                )
            )
    return result
