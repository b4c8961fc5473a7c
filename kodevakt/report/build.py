"""Turn a loaded period into the plain data the renderers take: report and worklist rows.

No database here: `build_report` and `build_worklist` read a `PeriodBatch`, which tests can
fill with checker output directly. Indicators and funnels come from `kodevakt.batch`.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from importlib import metadata

from kodevakt.batch import (
    INDICATORS,
    Funnel,
    IndicatorValue,
    UnitKind,
    compute_indicators,
    funnel_curve,
    funnels,
)
from kodevakt.batch.compare import MIN_DENOMINATOR
from kodevakt.batch.indicators import ALL_UNITS, UNKNOWN, default_facts
from kodevakt.report.effect import DrgSources, effect_summary
from kodevakt.report.loaded import Item, PeriodBatch, Place
from kodevakt.report.model import (
    IndicatorView,
    PatternExample,
    PatternSummary,
    ReportData,
    RuleCount,
    UnitValue,
)
from kodevakt.report.pseudonym import Pseudonymiser
from kodevakt.report.svg import LimitCurve, Series
from kodevakt.report.worklist import WorklistRow
from kodevakt.rules.facts import FactsCache
from kodevakt.rules.finding import Severity
from kodevakt.rules.registry import all_rules
from kodevakt.storage import FindingStatus

TREND_DEPARTMENTS = 6  # largest departments drawn in a trend chart, besides the total
EXAMPLES_PER_RULE = 3
EXAMPLES = 15
CURVE_POINTS = 80
CURVE_FROM_N = 5  # below this the exact limits jump about and no unit is judged anyway
LABEL_ALL_UNITS_UP_TO = 20  # with more units, only those outside the 95 % limits are labelled
TOTAL_LABEL = "Alle avdelinger"


def build_report(
    batch: PeriodBatch,
    pseudonyms: Pseudonymiser,
    *,
    history: Sequence[tuple[str, list[IndicatorValue]]] = (),
    facts: FactsCache | None = None,
    now: datetime | None = None,
    drg: DrgSources | None = None,
) -> ReportData:
    """The report of one loaded period; `history` = earlier periods' indicator values.

    With `drg` (definition tables and weights, possibly none), the report also shows what the
    open findings' fixes move in DRG and weight (`kodevakt.report.effect`).
    """
    current = batch.current
    values = compute_indicators(batch.pairs(), batch.period, facts=facts or default_facts())
    by_severity = Counter(f.severity for f in current)
    with_findings = {f.place for f in current}
    departments = Counter(e.department or UNKNOWN for e in batch.episodes)
    notes = _status_notes(batch)
    if batch.computed_patterns:
        notes.append(
            "Mønsterfunnene (M01–M07) er beregnet for denne rapporten fra episodene i "
            "databasen; de er ikke lagret der ennå."
        )
    indicators, left_out = _indicators(values, history, batch.period)
    if left_out:
        notes.append(
            "Utelatt fordi færre enn to avdelinger har episoder i nevneren: "
            + ", ".join(left_out)
            + "."
        )
    patterns, examples = _patterns(batch, current, pseudonyms)
    return ReportData(
        period=batch.period,
        institution=batch.institution,
        generated=(now or datetime.now(UTC)).astimezone(),
        episodes=len(batch.episodes),
        episodes_with_findings=len(with_findings),
        by_severity={s: by_severity.get(s, 0) for s in Severity},
        rules=_rule_counts(current),
        departments=tuple(sorted(departments.items(), key=lambda d: (-d[1], d[0]))),
        indicators=indicators,
        patterns=patterns,
        pattern_examples=examples,
        notes=tuple(notes),
        version=_version(),
        effect=effect_summary(batch, pseudonyms, drg) if drg is not None else None,
    )


def _version() -> str:
    try:
        return metadata.version("kodevakt")
    except metadata.PackageNotFoundError:
        return ""


def _titles() -> dict[str, str]:
    return {rule.code: rule.title for rule in all_rules()}


def _status_notes(batch: PeriodBatch) -> list[str]:
    statuses = Counter(f.status for f in batch.findings)
    accepted, fixed = statuses.get(FindingStatus.ACCEPTED, 0), statuses.get(FindingStatus.FIXED, 0)
    if not accepted and not fixed:
        return []
    return [
        f"Av funnene i rapporten er {accepted} godtatt av en koder (kodingen er riktig "
        f"likevel). {fixed} tidligere funn er rettet og telles ikke med."
    ]


def _rule_counts(current: Sequence[Item]) -> tuple[RuleCount, ...]:
    titles = _titles()
    counts: Counter[tuple[str, Severity]] = Counter()
    episodes: dict[tuple[str, Severity], set[Place]] = defaultdict(set)
    for f in current:
        counts[(f.rule, f.severity)] += 1
        episodes[(f.rule, f.severity)].add(f.place)
    return tuple(
        RuleCount(rule, titles.get(rule, ""), severity, n, len(episodes[(rule, severity)]))
        for (rule, severity), n in counts.items()
    )


def _unit_label(value: IndicatorValue, single_institution: bool) -> str:
    if single_institution and value.institution and value.unit.startswith(value.institution + "/"):
        return value.unit[len(value.institution) + 1 :]
    return value.unit


def _indicators(
    values: list[IndicatorValue],
    history: Sequence[tuple[str, list[IndicatorValue]]],
    period: str,
) -> tuple[tuple[IndicatorView, ...], list[str]]:
    institutions = {v.institution for v in values if v.unit_kind is UnitKind.DEPARTMENT}
    single = len(institutions) <= 1
    by_key = {
        f.indicator.key: f for f in funnels(values, UnitKind.DEPARTMENT) if f.period == period
    }
    periods = [label for label, _ in history] + [period]
    all_values = [*(v for _, vs in history for v in vs), *values]
    views, left_out = [], []
    for indicator in INDICATORS:
        funnel = by_key.get(indicator.key)
        if funnel is None or len(funnel.units) < 2:
            left_out.append(indicator.label)
            continue
        units = tuple(
            UnitValue(
                _unit_label(u.value, single),
                u.value.denominator,
                u.value.value,
                u.outside if u.value.denominator >= MIN_DENOMINATOR else "",
                judged=u.value.denominator >= MIN_DENOMINATOR,
            )
            for u in funnel.units
        )
        top = sorted(funnel.units, key=lambda u: (-u.value.denominator, u.value.unit))
        trend = _trend(
            indicator.key,
            periods,
            all_values,
            [u.value.unit for u in top[:TREND_DEPARTMENTS]],
            single,
        )
        views.append(
            IndicatorView(
                key=indicator.key,
                title=indicator.label,
                description=indicator.description,
                is_share=indicator.is_share,
                pooled=funnel.target,
                units=units,
                limits=_curves(funnel),
                trend_periods=tuple(periods),
                trend=trend,
                denominator=indicator.denominator,
                label_all=len(units) <= LABEL_ALL_UNITS_UP_TO,
                min_judged=MIN_DENOMINATOR,
            )
        )
    return tuple(views), left_out


def _curves(funnel: Funnel) -> tuple[LimitCurve, ...]:
    sizes = [u.value.denominator for u in funnel.units]
    curve = funnel_curve(
        funnel.target,
        max(sizes) * 1.05,
        spread=funnel.spread,
        min_denominator=min(CURVE_FROM_N, max(sizes)),
        points=CURVE_POINTS,
    )
    return (
        LimitCurve("95", tuple((c.denominator, c.lower95, c.upper95) for c in curve)),
        LimitCurve("99.8", tuple((c.denominator, c.lower998, c.upper998) for c in curve)),
    )


def _trend(
    key: str,
    periods: list[str],
    values: Iterable[IndicatorValue],
    units: list[str],
    single: bool,
) -> tuple[Series, ...]:
    if len(periods) < 2:
        return ()
    index = {p: i for i, p in enumerate(periods)}
    total: list[float | None] = [None] * len(periods)
    lines: dict[str, list[float | None]] = {u: [None] * len(periods) for u in units}
    labels: dict[str, str] = {}
    for v in values:
        if v.indicator != key or v.period not in index:
            continue
        if v.unit_kind is UnitKind.TOTAL and v.unit == ALL_UNITS:
            total[index[v.period]] = v.value
        elif v.unit_kind is UnitKind.DEPARTMENT and v.unit in lines:
            lines[v.unit][index[v.period]] = v.value
            labels[v.unit] = _unit_label(v, single)
    series = [Series(TOTAL_LABEL, tuple(total), emphasis=True)]
    series += [Series(labels.get(u, u), tuple(lines[u])) for u in units]
    return tuple(series)


def _patterns(
    batch: PeriodBatch, current: Sequence[Item], pseudonyms: Pseudonymiser
) -> tuple[tuple[PatternSummary, ...], tuple[PatternExample, ...]]:
    titles = _titles()
    by_rule: dict[str, list[Item]] = defaultdict(list)
    for f in current:
        if f.rule.startswith("M"):
            by_rule[f.rule].append(f)
    summaries, examples = [], []
    ranked = sorted(
        by_rule.items(),
        key=lambda item: (-max(f.severity.rank for f in item[1]), -len(item[1]), item[0]),
    )
    for rule, found in ranked:
        where = Counter(f.department or UNKNOWN for f in found)
        summaries.append(
            PatternSummary(
                rule,
                titles.get(rule, found[0].finding.name),
                max((f.severity for f in found), key=lambda s: s.rank),
                len(found),
                tuple(sorted(where.items(), key=lambda d: (-d[1], d[0]))),
            )
        )
        ordered = sorted(
            found, key=lambda f: (-f.severity.rank, f.department or "", f.finding.episode_id)
        )
        # One example per place the pattern is about: a unit-level finding (M04, M05, M07)
        # repeats on every episode of its unit with the same location.
        seen: set[str] = set()
        chosen: list[Item] = []
        for f in ordered:
            place = f.finding.location or f.key
            if place not in seen and len(chosen) < EXAMPLES_PER_RULE:
                seen.add(place)
                chosen.append(f)
        for f in chosen:
            episode = batch.episode(f)
            examples.append(
                PatternExample(
                    rule=f.rule,
                    severity=f.severity,
                    department=f.department or UNKNOWN,
                    episode_id=f.finding.episode_id,
                    patient=pseudonyms.patient(episode.patient.id if episode else None),
                    message=f.finding.message,
                )
            )
    return tuple(summaries), tuple(examples[:EXAMPLES])


def build_worklist(
    batch: PeriodBatch,
    pseudonyms: Pseudonymiser,
    statuses: Iterable[FindingStatus] = (FindingStatus.OPEN,),
) -> list[WorklistRow]:
    """One row per finding with one of `statuses` (the writer sorts them)."""
    wanted = set(statuses)
    rows = []
    for item in batch.findings:
        if item.status not in wanted:
            continue
        f = item.finding
        episode = batch.episode(item)
        discharge = episode.discharge or episode.admission if episode else None
        rows.append(
            WorklistRow(
                episode_id=f.episode_id,
                patient=pseudonyms.patient(episode.patient.id if episode else None),
                department=item.department or (episode.department if episode else None) or UNKNOWN,
                discharge=discharge.date() if discharge else None,
                rule=f.rule,
                severity=f.severity,
                message=f.message,
                suggestion=f.suggestion,
                source=f.source,
                status=item.status.norwegian,
                key=item.key,
            )
        )
    return rows
