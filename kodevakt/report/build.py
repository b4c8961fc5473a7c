"""Turn a loaded period into the plain data the renderers take: report and worklist rows.

No database here: `build_report` takes what was read of a period (the findings' summary, the
stored indicator values, the episodes it shows) and `build_worklist` the period's findings
with their episodes' ids and dates as they stream from the store, so tests can fill them by
hand. Funnels come from `kodevakt.batch`; nothing is computed from episodes.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata

from kodevakt.batch import (
    INDICATORS,
    Funnel,
    IndicatorValue,
    UnitKind,
    funnel_curve,
    funnels,
)
from kodevakt.batch.catalogue import all_rules
from kodevakt.batch.compare import MIN_DENOMINATOR
from kodevakt.batch.indicators import ALL_UNITS, UNKNOWN
from kodevakt.report.effect import TO_CORRECT, DrgSources, effect_summary
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
from kodevakt.rules.finding import Severity
from kodevakt.storage import FindingStatus, PeriodFinding

TREND_DEPARTMENTS = 6  # largest departments drawn in a trend chart, besides the total
EXAMPLES_PER_RULE = 3
EXAMPLES = 15
CURVE_POINTS = 80
CURVE_FROM_N = 5  # below this the exact limits jump about and no unit is judged anyway
LABEL_ALL_UNITS_UP_TO = 20  # with more units, only those outside the 95 % limits are labelled
TOTAL_LABEL = "Alle avdelinger"


@dataclass(slots=True)
class FindingSummary:
    """What the report keeps of a period's findings, read in one pass: counts, the pattern
    findings (M01–M07) and, for the DRG section, the open findings with a fix and those whose
    fix a coder approved (the coding is still as it was)."""

    by_severity: Counter[Severity] = field(default_factory=Counter)
    statuses: Counter[FindingStatus] = field(default_factory=Counter)
    with_findings: set[Place] = field(default_factory=set)
    rule_counts: Counter[tuple[str, Severity]] = field(default_factory=Counter)
    rule_places: defaultdict[tuple[str, Severity], set[Place]] = field(
        default_factory=lambda: defaultdict(set)
    )
    patterns: list[Item] = field(default_factory=list)
    fixes: list[Item] = field(default_factory=list)

    def add(self, item: Item) -> None:
        self.statuses[item.status] += 1
        if item.status is FindingStatus.FIXED:
            return
        if item.status in TO_CORRECT and item.finding.fix is not None:
            self.fixes.append(item)
        rule = (item.rule, item.severity)
        self.by_severity[item.severity] += 1
        self.rule_counts[rule] += 1
        if item.finding.about_unit:
            self.rule_places[rule].update(_places(item))
        else:  # the common case, a million times a period: no list per finding
            self.rule_places[rule].add(item.place)
            self.with_findings.add(item.place)
        if item.rule.startswith("M"):
            self.patterns.append(item)

    @classmethod
    def of(cls, items: Iterable[Item]) -> FindingSummary:
        summary = cls()
        for item in items:
            summary.add(item)
        return summary


def build_report(
    batch: PeriodBatch,
    summary: FindingSummary,
    values: list[IndicatorValue],
    departments: Counter[str],
    episodes: int,
    pseudonyms: Pseudonymiser,
    *,
    history: Sequence[tuple[str, list[IndicatorValue]]] = (),
    notes: Sequence[str] = (),
    now: datetime | None = None,
    drg: DrgSources | None = None,
) -> ReportData:
    """The report from what was read of the period: the findings' summary, the indicator
    values, and the episodes per department and in all; `history` = earlier periods'
    indicator values, `notes` = what the report should say about how it was made. `batch`
    needs to hold only the episodes of the pattern examples (`example_places`) and, with
    `drg`, of the fixes.

    With `drg` (definition tables and weights, possibly none), the report also shows what the
    fixes of the open and approved findings move in DRG and weight (`kodevakt.report.effect`).
    """
    notes = [*notes, *_status_notes(summary.statuses)]
    indicators, left_out = _indicators(values, history, batch.period)
    if left_out:
        notes.append(
            "Utelatt fordi færre enn to avdelinger har episoder i nevneren: "
            + ", ".join(left_out)
            + "."
        )
    patterns, examples = _patterns(batch, summary.patterns, pseudonyms)
    effect = None
    if drg is not None:
        fixes = PeriodBatch(batch.period, batch.institution, batch.episodes, summary.fixes)
        effect = effect_summary(fixes, pseudonyms, drg)
    return ReportData(
        period=batch.period,
        institution=batch.institution,
        generated=(now or datetime.now(UTC)).astimezone(),
        episodes=episodes,
        episodes_with_findings=len(summary.with_findings),
        by_severity={s: summary.by_severity.get(s, 0) for s in Severity},
        rules=_rule_counts(summary),
        departments=tuple(sorted(departments.items(), key=lambda d: (-d[1], d[0]))),
        indicators=indicators,
        patterns=patterns,
        pattern_examples=examples,
        notes=tuple(notes),
        version=_version(),
        effect=effect,
    )


def _version() -> str:
    try:
        return metadata.version("kodevakt")
    except metadata.PackageNotFoundError:
        return ""


def _titles() -> dict[str, str]:
    return {rule.code: rule.title for rule in all_rules()}


def _status_notes(statuses: Counter[FindingStatus]) -> list[str]:
    accepted, fixed = statuses.get(FindingStatus.ACCEPTED, 0), statuses.get(FindingStatus.FIXED, 0)
    approved = statuses.get(FindingStatus.APPROVED, 0)
    notes = []
    if accepted or fixed:
        notes.append(
            f"Av funnene i rapporten er {accepted} godtatt av en koder (kodingen er riktig "
            f"likevel). {fixed} tidligere funn er rettet og telles ikke med."
        )
    if approved:
        notes.append(
            f"{approved} av funnene har godkjent retting: en koder er enig i "
            "rettingsforslaget, men den rettede kodingen er ikke lest inn ennå."
        )
    return notes


def _rule_counts(summary: FindingSummary) -> tuple[RuleCount, ...]:
    titles = _titles()
    return tuple(
        RuleCount(
            rule, titles.get(rule, ""), severity, n, len(summary.rule_places[(rule, severity)])
        )
        for (rule, severity), n in summary.rule_counts.items()
    )


def _places(item: Item) -> list[Place]:
    """The episodes a finding is about: its own, or those behind a unit finding."""
    if item.finding.about_unit:
        return [(item.institution, episode_id) for episode_id in item.finding.episodes]
    return [item.place]


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


def example_places(summary: FindingSummary) -> set[Place]:
    """The episodes the report shows as pattern examples (their patients' pseudonyms)."""
    return {f.place for f in _examples(summary.patterns) if not f.finding.about_unit}


def _by_rule(patterns: Iterable[Item]) -> dict[str, list[Item]]:
    by_rule: dict[str, list[Item]] = defaultdict(list)
    for f in patterns:
        by_rule[f.rule].append(f)
    return by_rule


def _examples(patterns: Iterable[Item]) -> list[Item]:
    return [f for found in _by_rule(patterns).values() for f in _chosen(found)]


def _chosen(found: list[Item]) -> list[Item]:
    """Up to three examples of one rule, one per place the pattern is about (a unit, or an
    episode with the others): the most severe and the largest units first."""
    ordered = sorted(
        found,
        key=lambda f: (
            -f.severity.rank,
            -len(f.finding.episodes),
            f.department or "",
            f.finding.episode_id,
        ),
    )
    seen: set[str] = set()
    chosen: list[Item] = []
    for f in ordered:
        place = f.finding.location or f.key
        if place not in seen and len(chosen) < EXAMPLES_PER_RULE:
            seen.add(place)
            chosen.append(f)
    return chosen


def _patterns(
    batch: PeriodBatch, patterns: Sequence[Item], pseudonyms: Pseudonymiser
) -> tuple[tuple[PatternSummary, ...], tuple[PatternExample, ...]]:
    titles = _titles()
    summaries, examples = [], []
    ranked = sorted(
        _by_rule(patterns).items(),
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
                episodes=len({place for f in found for place in _places(f)}),
            )
        )
        for f in _chosen(found):
            episode = batch.episode(f)
            examples.append(
                PatternExample(
                    rule=f.rule,
                    severity=f.severity,
                    department=f.department or UNKNOWN,
                    episode_id=f.finding.episode_id,
                    patient=pseudonyms.patient(episode.patient.id if episode else None),
                    message=f.finding.message,
                    episodes=len(f.finding.episodes) or 1,
                )
            )
    return tuple(summaries), tuple(examples[:EXAMPLES])


def build_worklist(
    found: Iterable[PeriodFinding],
    pseudonyms: Pseudonymiser,
    statuses: Iterable[FindingStatus] = (FindingStatus.OPEN,),
) -> list[WorklistRow]:
    """One row per finding with one of `statuses` (the writer sorts them), from a period's
    stored findings read with their episodes (`Store.period_findings(..., episodes=True)`),
    streamed: a row is made straight from each, without holding the findings or episodes.

    An episode shows its patient, its discharge date (else admission) and, for a finding
    stored without a department, the department of the first finding read of the episode.
    """
    wanted = set(statuses)
    departments: dict[tuple[str, str], str | None] = {}  # the first finding's, per episode
    rows = []
    for stored in found:
        if stored.status not in wanted:
            continue
        f = stored.finding
        institution = stored.institution or ""
        patient_id: str | None = None
        department: str | None = None
        discharge = None
        if stored.episode_found:
            place = (institution, f.episode_id)
            department = departments.setdefault(place, stored.department)
            patient_id = stored.patient_id
            discharge = stored.discharge or stored.admission
        rows.append(
            WorklistRow(
                # a unit finding: its episodes are listed by `kodevakt finding <key>`
                episode_id=f"{len(f.episodes)} episoder" if f.about_unit else f.episode_id,
                patient=pseudonyms.patient(patient_id),
                department=stored.department or department or UNKNOWN,
                discharge=discharge.date() if discharge else None,
                rule=f.rule,
                severity=f.severity,
                message=f.message,
                suggestion=f.suggestion,
                source=f.source,
                status=stored.status.norwegian,
                key=stored.key,
                institution=institution,
            )
        )
    return rows
