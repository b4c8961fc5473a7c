"""Coding practice of whole units on the quality indicators: deviating (M04), changing (M05).

Both judge a unit (institution, or department within its institution) on an indicator and
give one finding per unit, indicator and period. It names the episodes of the unit that carry
what the indicator counts (an R-code main condition, a stay without procedure code, …) in
`Finding.episodes`, so that the episodes behind the number can be reviewed, and its message
gives their number and the most frequent codes among them; the location names the unit,
indicator and period.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterator
from functools import partial

from kodevakt.batch.compare import Change, Funnel, FunnelUnit, changes, funnels
from kodevakt.batch.funnel import Z_998
from kodevakt.batch.indicators import (
    INDICATORS,
    UNKNOWN,
    Indicator,
    IndicatorValue,
    UnitKind,
    is_clinically_uncertain,
)
from kodevakt.batch.patterns.common import UNIT_NAMES, number, pct, unit_location
from kodevakt.batch.patterns.registry import Scope, pattern_rule
from kodevakt.batch.periods import consecutive_tertials, parse_tertial
from kodevakt.batch.totals import BatchTotals
from kodevakt.batch.view import BatchView, UnitHit
from kodevakt.rules.finding import Hit, Severity

UNIT_KINDS = (UnitKind.INSTITUTION, UnitKind.DEPARTMENT)
_POSITION = {indicator.key: i for i, indicator in enumerate(INDICATORS)}


def judged(indicator: Indicator, period: str) -> bool:
    """Whether M04/M05 judge the indicator in a period (multiple coding only from 2024)."""
    if indicator.flag_from is None:
        return True
    match = re.match(r"\s*(\d{4})", period)
    return match is not None and int(match.group(1)) >= indicator.flag_from


def involved_in(indicator: Indicator, contribution: float | None, reference: float) -> bool:
    """Whether an episode carries what makes the unit's value high (or low) on the indicator."""
    if contribution is None:
        return False
    if indicator.is_share:
        return contribution > 0 if indicator.concern > 0 else contribution == 0
    return contribution > reference if indicator.concern > 0 else contribution < reference


TOP_ITEMS = 5  # most frequent codes (or rules) a unit finding names


def _contents(batch: BatchView, index: int, key: str) -> list[str]:
    """What the episode contributes to the indicator: codes (or error rules) to count."""
    episode, findings = batch.episodes[index], batch.findings[index]
    if key.startswith("main_"):
        main = batch.main_code(episode)
        return [main.code] if main is not None else []
    if key == "uncertain_neoplasm_clinical":
        day = episode.rule_date
        return [
            code
            for group in episode.conditions
            for code in (batch.facts.get(raw, day).code for raw in group)
            if is_clinically_uncertain(code)
        ]
    if key == "dagger_asterisk_errors":
        return list(dict.fromkeys(c for f in findings if f.rule in ("T02", "T03") for c in f.codes))
    if key == "episodes_with_error":
        return sorted({f.rule for f in findings if f.severity is Severity.ERROR})
    return []


_CONTENT_NAMES = {
    "episodes_with_error": "vanligste feilregler",
    "dagger_asterisk_errors": "vanligste koder i funnene",
}


def _summary(count: int, key: str, contents: Counter[str]) -> str:
    """`42 episoder bidrar (vanligste koder: R10.4 (12), R07.4 (8)).`"""
    text = f"{count} {'episode' if count == 1 else 'episoder'} bidrar"
    if contents:
        top = ", ".join(f"{item} ({n})" for item, n in contents.most_common(TOP_ITEMS))
        text += f" ({_CONTENT_NAMES.get(key, 'vanligste koder')}: {top})"
    return text + "."


def _observed(indicator: Indicator, value: IndicatorValue) -> str:
    if indicator.is_share:
        count = f"{int(value.numerator)} av {value.denominator} {indicator.denominator}"
        return f"{pct(value.value)} ({count})"
    return f"{number(value.value)} i snitt ({value.denominator} {indicator.denominator})"


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _unit_hit(
    batch: BatchView,
    kind: UnitKind,
    value: IndicatorValue,
    indicator: Indicator,
    reference: float,
    message: str,
    location: str,
    suggestion: str,
) -> Iterator[UnitHit]:
    """One finding for the unit, naming the episodes that count towards its value."""
    position = _POSITION[indicator.key]
    involved: list[int] = []
    contents: Counter[str] = Counter()
    for index in batch.unit_episodes(kind, value.unit, value.period):
        contribution = batch.measures[index][position]
        if contribution is not None and involved_in(indicator, contribution, reference):
            involved.append(index)
            contents.update(_contents(batch, index, indicator.key))
    if involved:
        summary = _summary(len(involved), indicator.key, contents)
        yield UnitHit(
            [batch.episodes[index] for index in involved],
            Hit(f"{message} {summary}", location=location, suggestion=suggestion),
        )


@pattern_rule(
    "M04",
    "deviating-practice",
    Severity.INFO,
    title="Avvikende kodepraksis: enhetens indikator ligger utenfor 99,8 %-grensene",
    source="Foredrag (Avregningsutvalgets kontrolltemaer: avvikende kodepraksis)",
    fixable=False,
    scope=Scope.INSTITUTION,
)
def deviating_practice(batch: BatchView) -> Iterator[UnitHit]:
    """Checks: for every quality indicator (see `kodevakt.batch.indicators`) and period, each
    institution and each department whose value lies outside the 99.8 % funnel limits around
    the pooled value of all units of its kind in the batch (or a given reference value), on
    the side that suggests a coding problem (high, except multiple coding: low, judged from
    2024). Only units with at least 20 episodes in the denominator are judged, and only when
    the batch has two or more units of the kind (or a reference). Shares use binomial limits
    (exact while n·p·(1−p) < 50, else the normal approximation), means p ± 3.09·sd/√n. One
    finding per unit and indicator names the episodes that count towards the unit's high (low)
    value and their most frequent codes; an institution with a single department is reported
    as that department only.

    Why: the settlement committee (Avregningsutvalget) follows up units whose coding deviates
    from others' (the talk, "Avvikende kodepraksis"); equal registration practice is needed for
    funding to go where it is meant to.
    """
    for kind in UNIT_KINDS:
        for funnel in batch.totals.derived(f"M04/{kind.value}", partial(_funnels, kind)):
            indicator = funnel.indicator
            if funnel.period == UNKNOWN or not judged(indicator, funnel.period):
                continue
            for unit in funnel.deviating():
                if kind is UnitKind.INSTITUTION and batch.single_department(
                    unit.value.unit, unit.value.period
                ):
                    continue
                yield from _unit_hit(
                    batch,
                    kind,
                    unit.value,
                    indicator,
                    funnel.target,
                    _funnel_message(funnel.reference, len(funnel.units), kind, indicator, unit),
                    unit_location(kind, unit.value.unit, indicator.key, unit.value.period),
                    "Gjennomgå enhetens episoder med dette kjennetegnet og sammenlign med "
                    "kodeveiledningen og andre enheters praksis",
                )


def _funnels(kind: UnitKind, totals: BatchTotals) -> list[Funnel]:
    """Every indicator's funnel for the units of `kind` in the whole batch."""
    return funnels(totals.indicators, kind, targets=totals.targets)


def _funnel_message(
    reference: bool, units: int, kind: UnitKind, indicator: Indicator, unit: FunnelUnit
) -> str:
    name, plural = UNIT_NAMES[kind]
    value, limits = unit.value, unit.limits
    shown = pct if indicator.is_share else number
    above = unit.side > 0
    border = limits.upper998 if above else limits.lower998
    around = (
        f"referanseverdien {shown(limits.target)}"
        if reference
        else f"samlet verdi {shown(limits.target)} for {units} {plural} i partiet"
    )
    return (
        f"{name} {value.unit}: {_lower_first(indicator.label)} er {_observed(indicator, value)} "
        f"i {value.period}, {'over' if above else 'under'} 99,8 %-grensen {shown(border)} "
        f"rundt {around}."
    )


def period_pairs(totals: BatchTotals) -> list[tuple[str, str]]:
    """(earlier, later) periods to compare; the later one always a period of this batch.

    Tertial labels: every pair of consecutive tertials. Other labels (`2025`): the latest
    previous period against the batch's period.
    """
    current = {v.period for v in totals.indicators} - {UNKNOWN}
    previous = {v.period for v in totals.previous_indicators} - {UNKNOWN}
    labels = current | previous
    if all(parse_tertial(label) is not None for label in labels):
        return [pair for pair in consecutive_tertials(labels) if pair[1] in current]
    if totals.period is not None and previous:
        return [(max(previous), totals.period)]
    return []


def _changes(totals: BatchTotals) -> list[Change]:
    """Every unit's change on every indicator between the periods `period_pairs` gives."""
    return changes([*totals.previous_indicators, *totals.indicators], period_pairs(totals))


@pattern_rule(
    "M05",
    "change-in-practice",
    Severity.INFO,
    title="Endret kodepraksis: enhetens indikator har endret seg mer enn tilfeldig fra forrige "
    "tertial",
    source="Foredrag (Avregningsutvalgets kontrolltemaer: endringer i kodepraksis)",
    fixable=False,
    scope=Scope.INSTITUTION,
)
def change_in_practice(batch: BatchView) -> Iterator[UnitHit]:
    """Checks: for every quality indicator, each institution and department whose value
    changed between two consecutive tertials (the previous period given to `run_patterns`, or
    consecutive tertials within the batch) more than chance explains, on the side that suggests
    a coding problem. Shares: two-proportion z-test with pooled standard error; means: Welch's
    z. The change counts when |z| ≥ 3.09 (two-sided p < 0.002), both periods have at least 20
    episodes in the denominator and the change is at least 2 percentage points (0.25 for
    means). One finding per unit and indicator names the episodes of the later period that
    count towards the change; an institution with a single department is reported as that
    department only.

    Why: the settlement committee follows up changes in coding practice (the talk, "Endringer i
    kodepraksis"): a sudden shift without a change in patients often means a new habit, a new
    template or a new code list in the patient system.
    """
    for change in batch.totals.derived("M05", _changes):
        kind = change.after.unit_kind
        indicator = change.indicator
        if kind is UnitKind.TOTAL or not change.of_concern:
            continue
        if kind is UnitKind.INSTITUTION and batch.single_department(
            change.after.unit, change.after.period
        ):
            continue
        if not judged(indicator, change.after.period):
            continue
        yield from _unit_hit(
            batch,
            kind,
            change.after,
            indicator,
            change.before.value,
            _change_message(kind, indicator, change),
            unit_location(
                kind,
                change.after.unit,
                indicator.key,
                f"{change.before.period}..{change.after.period}",
            ),
            "Finn ut hva som er endret (kodere, maler, kodelister i journalsystemet) og om den "
            "nye praksisen følger kodeveiledningen",
        )


def _z_text(z: float) -> str:
    sign = "−" if z < 0 else ""
    return f"{sign}∞" if math.isinf(z) else sign + number(abs(z), 1)


def _change_message(kind: UnitKind, indicator: Indicator, change: Change) -> str:
    name, _ = UNIT_NAMES[kind]
    before, after = change.before, change.after
    return (
        f"{name} {after.unit}: {_lower_first(indicator.label)} endret seg fra "
        f"{_observed(indicator, before)} i {before.period} til {_observed(indicator, after)} i "
        f"{after.period} (z = {_z_text(change.z)}). Endringen er større enn tilfeldig variasjon "
        f"forklarer (|z| ≥ {number(Z_998)})."
    )
