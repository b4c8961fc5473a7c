"""What the Oversikt page shows: per unit the work on a period's findings, and the batch
report's indicators, funnel plots, trends and DRG effect, drawn on the server.

- Progress: findings per status (open, asked the doctor, fix approved, accepted, fixed) for
  each institution and department of the period (`storage.worklog.progress`), and the share
  that needs no more work (accepted or fixed; an approved fix waits for the corrected coding
  to be imported).
- The rest is read as `kodevakt report` reads it (`report.data.collect_report`), so the page
  and the downloaded report show the same numbers; the charts are the report's own inline
  SVG (`report.svg`), with hover titles on every point, drawn here with unit names.
- Stale results: reports read only current pattern findings and indicator values, and make
  stale ones current first, which is a pattern run: minutes for a large period, and a write.
  A page view must not start that, so `stale` names the periods whose results are not
  current, the page says so and shows the progress only, and a lead has them computed
  again as a background job (`import_jobs`).
- Units by name from the units file the server was started with (`batch.units`); a file
  that cannot be read is named on the page, and the codes are shown.

`Overview.of(request)` is the one per application (made on first use).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, replace

from fastapi import Request
from markupsafe import Markup

from kodevakt.batch.units import NO_UNITS, Units, read_units
from kodevakt.errors import KodevaktError
from kodevakt.pipeline import Pipeline
from kodevakt.pipeline.patterns import stale_periods
from kodevakt.report import fmt
from kodevakt.report.data import collect_report, trend_periods
from kodevakt.report.effect import DrgSources
from kodevakt.report.model import EffectSummary, IndicatorView, ReportData
from kodevakt.report.svg import (
    Bar,
    Change,
    FunnelChart,
    FunnelPoint,
    LineChart,
    bar_chart,
    change_chart,
    funnel_plot,
    line_chart,
)
from kodevakt.rules.finding import Severity
from kodevakt.storage import Store
from kodevakt.storage.worklog import UnitProgress, progress
from kodevakt.web import code_data
from kodevakt.web.settings import WebSettings

SEVERITY_COLOUR = {Severity.ERROR: "#C0392B", Severity.WARNING: "#E69F00", Severity.INFO: "#0072B2"}
SEVERITY_TITLE = {Severity.ERROR: "Feil", Severity.WARNING: "Advarsler", Severity.INFO: "Info"}
ORDER = (Severity.ERROR, Severity.WARNING, Severity.INFO)
CHART_RULES = 12  # rules in the DRG weight chart, largest changes first
_CREATING = threading.Lock()


class Names:
    """Unit labels (an institution, a department, `institution/department`) by name."""

    def __init__(self, units: Units, institution: str | None = None) -> None:
        self.units = units
        self.institution = institution

    def text(self, label: str) -> str:
        """`Medisinsk avdeling (MED)`, for tables."""
        return self.units.unit_text(label, self.institution)

    def short(self, label: str) -> str:
        """`Medisinsk avdeling`, for charts."""
        return self.units.unit_name(label, self.institution) or label


@dataclass(frozen=True, slots=True)
class UnitRow:
    """One unit's work on the period's findings, with its codes (for links) and names."""

    counts: UnitProgress
    institution: str
    department: str  # "" for findings about the institution as a whole

    @property
    def done_share(self) -> float:
        return self.counts.done / self.counts.total if self.counts.total else 0.0


@dataclass(frozen=True, slots=True)
class Progress:
    """The period's units and their sum."""

    rows: list[UnitRow]
    total: UnitProgress

    @property
    def done_share(self) -> float:
        return self.total.done / self.total.total if self.total.total else 0.0


@dataclass(frozen=True, slots=True)
class UnitLine:
    """One department's value on an indicator, as the table beside the funnel shows it."""

    unit: str  # the chart's name for it: rows and points are matched by it
    text: str
    n: str
    value: str
    verdict: str
    level: str  # "", "95", "998" or "few"


@dataclass(frozen=True, slots=True)
class IndicatorPanel:
    view: IndicatorView
    funnel: Markup
    trend: Markup | None
    units: list[UnitLine]
    pooled: str


@dataclass(frozen=True, slots=True)
class ReportPanels:
    """The report's content as the page draws it."""

    data: ReportData
    severity_chart: Markup
    indicators: list[IndicatorPanel]
    effect_chart: Markup | None
    names: Names


class Overview:
    """The Oversikt's reading side on one application's store and settings."""

    def __init__(self, store: Store, settings: WebSettings) -> None:
        self.store = store
        self.settings = settings
        self.units = NO_UNITS
        self.units_problem: str | None = None
        if settings.units_file is not None:
            try:
                self.units = read_units(settings.units_file)
            except KodevaktError as exc:
                self.units_problem = (
                    f"Enhetsfilen kunne ikke leses ({exc}); enhetene vises med koder."
                )

    @classmethod
    def of(cls, request: Request) -> Overview:
        state = request.app.state
        with _CREATING:
            found: Overview | None = getattr(state, "overview", None)
            if found is None:
                services = state.services
                found = state.overview = cls(services.store, services.settings)
        return found

    def periods(self) -> list[str]:
        return self.store.periods()

    def stale(self, period: str, *, trend: bool = True) -> list[str]:
        """The periods whose stored pattern results the report of `period` would have to
        compute again: the period and, with `trend`, the earlier ones its trends show."""
        wanted = trend_periods(self.store, period) if trend else [period]
        return stale_periods(self.store, wanted)

    def progress(self, period: str, institution: str | None = None) -> Progress:
        counted = progress(self.store.engine, period=period, institution=institution)
        rows = [
            UnitRow(
                unit,
                self.units.institution_text(unit.institution or None) or "–",
                self.units.department_text(unit.institution or None, unit.department)
                if unit.department
                else "",
            )
            for unit in counted
        ]
        total = UnitProgress(
            period,
            institution or "",
            None,
            open=sum(u.open for u in counted),
            asked=sum(u.asked for u in counted),
            approved=sum(u.approved for u in counted),
            accepted=sum(u.accepted for u in counted),
            fixed=sum(u.fixed for u in counted),
        )
        return Progress(rows, total)

    def institutions(self, period: str) -> list[tuple[str, str]]:
        """(code, name) of the institutions with findings in the period, by name."""
        codes = {u.institution for u in progress(self.store.engine, period=period)}
        named = [(code, self.units.institution_text(code)) for code in codes if code]
        return sorted(named, key=lambda item: item[1].lower())

    @property
    def drg(self) -> DrgSources | None:
        definitions = self.settings.drg_definitions
        if definitions is None:
            return None
        return DrgSources(definitions, self.settings.drg_weights)

    def report(self, period: str, institution: str | None = None) -> ReportData:
        """The report's data for the period; only when nothing is `stale`."""
        pipeline = Pipeline(self.store, code_data.checker())
        return collect_report(pipeline, period, institution, drg=self.drg)

    def panels(self, data: ReportData) -> ReportPanels:
        names = Names(self.units, data.institution)
        bars = [
            Bar(SEVERITY_TITLE[s], data.by_severity.get(s, 0), SEVERITY_COLOUR[s]) for s in ORDER
        ]
        return ReportPanels(
            data,
            Markup(bar_chart("Funn etter alvorlighet", bars)),
            [_panel(i, view, names) for i, view in enumerate(data.indicators)],
            _effect_chart(data.effect),
            names,
        )


def signed(value: float | None, digits: int = 3) -> str:
    """+0,750 / −0,250 / 0,000 (a weight change); "" when unknown."""
    if value is None:
        return ""
    text = fmt.decimal(abs(value), digits)
    if round(value, digits) == 0:
        return text
    return ("+" if value > 0 else "−") + text


def _panel(index: int, view: IndicatorView, names: Names) -> IndicatorPanel:
    chart = FunnelChart(
        title=f"{view.title}: trakteplott",
        points=tuple(
            FunnelPoint(
                names.short(u.unit),
                u.n,
                u.value,
                u.outside,
                view.label_all or bool(u.outside),
                u.judged,
            )
            for u in view.units
        ),
        pooled=view.pooled,
        limits=view.limits,
        is_share=view.is_share,
        x_title=f"Antall {view.denominator} (nevner)",
        y_title="Andel" if view.is_share else "Gjennomsnitt",
    )
    trend = None
    if view.trend and len(view.trend_periods) > 1:
        tertials = all(len(p) == 6 and p[4] == "T" for p in view.trend_periods)
        trend = Markup(
            line_chart(
                LineChart(
                    title=f"{view.title}: utvikling",
                    x_labels=view.trend_periods,
                    series=tuple(replace(s, label=names.short(s.label)) for s in view.trend),
                    is_share=view.is_share,
                    x_title="Tertial" if tertials else "Periode",
                    y_title="Andel" if view.is_share else "Gjennomsnitt",
                )
            )
        )
    ordered = sorted(
        view.units, key=lambda u: ({"99.8": 0, "95": 1}.get(u.outside, 2), names.text(u.unit))
    )
    lines = []
    for u in ordered:
        verdict, level = "innenfor", ""
        if not u.judged:
            verdict, level = "for få", "few"
        elif u.outside:
            side = "over" if u.value > view.pooled else "under"
            verdict = f"{side} {u.outside.replace('.', ',')}{fmt.NBSP}%-grensen"
            level = u.outside.replace(".", "")
        lines.append(
            UnitLine(
                names.short(u.unit),
                names.text(u.unit),
                fmt.integer(u.n),
                fmt.value(u.value, is_share=view.is_share),
                verdict,
                level,
            )
        )
    return IndicatorPanel(
        view,
        Markup(funnel_plot(chart, clip_id=f"trakt-{index}")),
        trend,
        lines,
        fmt.value(view.pooled, is_share=view.is_share),
    )


def _effect_chart(effect: EffectSummary | None) -> Markup | None:
    if effect is None or not effect.available or not effect.weighted:
        return None
    drawn = [r for r in effect.rules if r.weight_change]
    if not drawn:
        return None
    changes = [Change(r.rule, r.weight_change or 0.0) for r in drawn[:CHART_RULES]]
    return Markup(change_chart("Vektendring per regel (DRG-poeng)", changes))
