"""Unusual code use in a unit (M07): a main condition, or a main condition with a main
procedure, used far more often in one unit than elsewhere in the batch."""

from __future__ import annotations

from array import array
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

from kodevakt.batch.compare import binomial_tail
from kodevakt.batch.indicators import UNKNOWN, UnitKind, unit_keys
from kodevakt.batch.patterns.common import (
    CARE_LEVEL_DEFINITE,
    UNIT_NAMES,
    number,
    pct,
    unit_location,
)
from kodevakt.batch.patterns.registry import Scope, pattern_rule
from kodevakt.batch.totals import Key
from kodevakt.batch.view import BatchView, UnitHit, tally
from kodevakt.episodes.model import Episode
from kodevakt.rules.finding import Hit, Severity

MIN_COUNT = 5  # episodes with the code in the unit
MIN_OTHERS = 20  # episodes in the comparison group outside the unit
MIN_RATIO = 3.0  # the unit's share at least this many times the share elsewhere
MAX_P = 1e-4  # one-sided exact binomial test; strict, since a batch holds thousands of codes


@dataclass(frozen=True, slots=True)
class Overuse:
    """A code's count in a unit and elsewhere, with the one-sided p-value of the unit's count."""

    count: int
    total: int
    other_count: int
    other_total: int
    p_value: float

    @property
    def share(self) -> float:
        return self.count / self.total

    @property
    def other_share(self) -> float:
        return self.other_count / self.other_total

    def describe(self) -> str:
        """`4,0 ganger så høy andel, p = 0,000012`."""
        ratio = (
            "ikke brukt andre steder"
            if self.other_count == 0
            else f"{number(self.share / self.other_share, 1)} ganger så høy andel"
        )
        p = "p < 0,000001" if self.p_value < 1e-6 else f"p = {number(self.p_value, 6)}"
        return f"{ratio}, {p}"


def overuse(count: int, total: int, other_count: int, other_total: int) -> Overuse | None:
    """The overuse when it is far above elsewhere, else None.

    Far above: count ≥ 5, ≥ 20 episodes elsewhere, share ≥ 3 × the share elsewhere, and
    P(X ≥ count) < 0.0001 for X ~ Binomial(total, rate elsewhere), the rate elsewhere
    estimated as (other_count + ½) / (other_total + 1) so that a code unused elsewhere is
    still tested.
    """
    if count < MIN_COUNT or total <= 0 or other_total < MIN_OTHERS:
        return None
    if count / total < MIN_RATIO * other_count / other_total:
        return None
    p_value = binomial_tail(count, total, (other_count + 0.5) / (other_total + 1))
    if p_value >= MAX_P:
        return None
    return Overuse(count, total, other_count, other_total, p_value)


Stratum = tuple[str, str]  # (period, care level) or (period, main procedure)
Cell = tuple[Stratum, str, str]  # (stratum, unit, item)


class Cells:
    """The episode indexes of each (stratum, unit, item), in batch order: what `overused`
    compares. Held as machine integers, and each stratum once: a million episodes give
    millions of them."""

    def __init__(self) -> None:
        self.indexes: dict[Cell, array[int]] = {}
        self._strata: dict[Stratum, Stratum] = {}

    def add(self, stratum: Stratum, unit: str, item: str, index: int) -> None:
        key = (self._strata.setdefault(stratum, stratum), unit, item)
        found = self.indexes.get(key)
        if found is None:
            found = self.indexes[key] = array("q")
        found.append(index)


def overused(
    cells: Cells, strata: Counter[Key]
) -> Iterator[tuple[Stratum, str, str, Overuse, list[int]]]:
    """(stratum, unit, item, overuse, episode indexes) for every item a unit overuses within
    its stratum, compared with all other units of the stratum. `cells` hold every episode of
    each unit they name; `strata` counts the whole batch's rows per stratum
    (`(STRATUM, *stratum)`) and per stratum and item (`(ITEM, *stratum, item)`)."""
    unit_total: Counter[tuple[Stratum, str]] = Counter()
    for (stratum, unit, _), indexes in cells.indexes.items():
        unit_total[(stratum, unit)] += len(indexes)
    for (stratum, unit, item), indexes in sorted(cells.indexes.items()):
        count, total = len(indexes), unit_total[(stratum, unit)]
        found = overuse(
            count,
            total,
            strata[(ITEM, *stratum, item)] - count,
            strata[(STRATUM, *stratum)] - total,
        )
        if found is not None:
            yield stratum, unit, item, found, list(indexes)


MAIN_CONDITIONS = "M07/main-condition"
COMBINATIONS = "M07/combination"
STRATUM, ITEM = "stratum", "item"


@tally(MAIN_CONDITIONS)
def _main_conditions(batch: BatchView, episode: Episode) -> Iterator[Key]:
    """Episodes with an ICD-10 main condition per (period, care level), and per code."""
    main = batch.main_code(episode)
    if main is None:
        return
    stratum = (batch.period_of(episode), episode.care_level.value if episode.care_level else "")
    yield (STRATUM, *stratum)
    yield (ITEM, *stratum, main.code)


@tally(COMBINATIONS)
def _combinations(batch: BatchView, episode: Episode) -> Iterator[Key]:
    """Episodes with a main condition and a main procedure per (period, main procedure),
    and per main condition category."""
    main = batch.main_code(episode)
    procedure = batch.main_procedure(episode) if main is not None else None
    if main is None or not procedure:
        return
    stratum = (batch.period_of(episode), procedure)
    yield (STRATUM, *stratum)
    yield (ITEM, *stratum, main.category)


@pattern_rule(
    "M07",
    "unusual-code-use",
    Severity.INFO,
    title="Uvanlig kodebruk: hovedtilstand eller kodekombinasjon langt oftere enn ellers",
    source="Avregningsutvalgets årsrapporter 2021 og 2025 (uvanlig kodebruk, f.eks. Z03.8 som "
    "hovedtilstand, ryggsmerter med ryggkirurgi)",
    fixable=False,
    scope=Scope.INSTITUTION,
)
def unusual_code_use(batch: BatchView) -> Iterator[UnitHit]:
    """Checks: two comparisons within each period. (1) Main condition: an institution's share
    of episodes with a given main condition code, within one care level, against the share at
    all other institutions in the batch. (2) Combination: among episodes with a given main
    procedure (first procedure code), an institution's or department's share whose main
    condition lies in a given 3-character category, against the other units with that main
    procedure. Fires when the unit has at least 5 such episodes, the comparison group outside
    it at least 20, the unit's share is at least 3 times the share elsewhere, and a one-sided
    exact binomial test of the unit's count against the rate elsewhere gives p < 0.0001
    (strict, since a batch tests thousands of codes). One finding per unit and code
    (combination) names the episodes with it. Departments are compared only within a main
    procedure, since their main conditions differ by specialty anyway; an institution with a
    single department is reported as that department only.

    Why: the settlement committee (Avregningsutvalget) reports unusual code use that moves
    funding, e.g. `Z03.8` as main condition, or a back-pain code as main condition with spine
    surgery, which groups the stays to a higher DRG (annual reports 2021, 2025).
    """
    main_rows = Cells()
    combo_rows = {UnitKind.INSTITUTION: Cells(), UnitKind.DEPARTMENT: Cells()}
    for index, episode in enumerate(batch.episodes):
        main = batch.main_code(episode)
        if main is None:
            continue
        period = batch.period_of(episode)
        level = episode.care_level.value if episode.care_level else ""
        main_rows.add((period, level), episode.institution or UNKNOWN, main.code, index)
        procedure = batch.main_procedure(episode)
        if procedure:
            for kind, unit, _ in unit_keys(episode):
                if kind in combo_rows:
                    combo_rows[kind].add((period, procedure), unit, main.category, index)
    for stratum, unit, code, found, indexes in overused(main_rows, batch.count(MAIN_CONDITIONS)):
        period, level = stratum
        level_name = CARE_LEVEL_DEFINITE.get(level, "episodene")
        message = (
            f"{code} som hovedtilstand: {pct(found.share)} av {level_name} ved {unit} "
            f"({found.count} av {found.total}) mot {pct(found.other_share)} ved de andre "
            f"institusjonene i partiet ({found.other_count} av {found.other_total}); "
            f"{found.describe()}."
        )
        location = unit_location(
            UnitKind.INSTITUTION, unit, f"main_condition[{code}]", f"{period}/{level or '-'}"
        )
        yield UnitHit([batch.episodes[i] for i in indexes], _hit(message, (code,), location))
    for kind, rows in combo_rows.items():
        name, plural = UNIT_NAMES[kind]
        for stratum, unit, category, found, indexes in overused(rows, batch.count(COMBINATIONS)):
            period, procedure = stratum
            if kind is UnitKind.INSTITUTION and batch.single_department(unit, period):
                continue
            message = (
                f"Hovedtilstand i {category} ved hovedprosedyre {procedure}: {pct(found.share)} "
                f"av episodene med {procedure} ved {name.lower()} {unit} ({found.count} av "
                f"{found.total}) mot {pct(found.other_share)} ved andre {plural} "
                f"({found.other_count} av {found.other_total}); {found.describe()}."
            )
            location = unit_location(
                kind, unit, f"procedure[{procedure}].main_category[{category}]", period
            )
            yield UnitHit(
                [batch.episodes[i] for i in indexes], _hit(message, (category, procedure), location)
            )


def _hit(message: str, codes: tuple[str, ...], location: str) -> Hit:
    return Hit(
        message,
        codes=codes,
        location=location,
        suggestion="Kontroller at hovedtilstanden er dokumentert i epikrisen og valgt etter "
        "reglene (§2.2), og sammenlign med praksis ved andre enheter",
    )
