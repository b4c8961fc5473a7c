"""A hand-made report (no database): departments, indicators with funnel limits, patterns."""

from __future__ import annotations

import math
from datetime import datetime

from kodevakt.report.model import (
    IndicatorView,
    PatternExample,
    PatternSummary,
    ReportData,
    RuleCount,
    UnitValue,
)
from kodevakt.report.svg import LimitCurve, Series
from kodevakt.rules.finding import Severity

Z = {"95": 1.959964, "99.8": 3.090232}


def share_limits(pooled: float, max_n: int) -> tuple[LimitCurve, ...]:
    """Normal-approximation binomial limits, sampled from n = 5 to max_n."""
    ns = [5 + (max_n - 5) * i / 60 for i in range(61)]
    curves = []
    for level, z in Z.items():
        points = []
        for n in ns:
            half = z * math.sqrt(pooled * (1 - pooled) / n)
            points.append((n, max(0.0, pooled - half), min(1.0, pooled + half)))
        curves.append(LimitCurve(level, tuple(points)))
    return tuple(curves)


def outside(value: float, n: int, pooled: float) -> str:
    half = math.sqrt(pooled * (1 - pooled) / n)
    if abs(value - pooled) > Z["99.8"] * half:
        return "99.8"
    if abs(value - pooled) > Z["95"] * half:
        return "95"
    return ""


def indicator(key: str, title: str, units: dict[str, tuple[int, int]]) -> IndicatorView:
    total = sum(n for n, _ in units.values())
    pooled = sum(k for _, k in units.values()) / total
    values = tuple(
        UnitValue(unit, n, k / n, outside(k / n, n, pooled)) for unit, (n, k) in units.items()
    )
    periods = ("2024T2", "2024T3", "2025T1")
    trend = [Series("Alle", (pooled * 0.9, pooled * 1.05, pooled), emphasis=True)]
    for i, u in enumerate(values[:4]):
        trend.append(
            Series(u.unit, (u.value * (0.8 + 0.1 * i), None if i == 2 else u.value * 1.1, u.value))
        )
    return IndicatorView(
        key=key,
        title=title,
        description="Andel episoder der hovedtilstanden er en symptomkode (R00–R99).",
        is_share=True,
        pooled=pooled,
        units=values,
        limits=share_limits(pooled, max(n for n, _ in units.values()) * 11 // 10),
        trend_periods=periods,
        trend=tuple(trend),
    )


UNITS = {
    "MED": (820, 131),
    "KARD": (410, 30),
    "KIR": (530, 52),
    "ORT": (300, 60),
    "NEVRO": (140, 12),
    "PED": (90, 9),
    "GYN": (60, 2),
    "PSYK <b>&": (45, 5),
}

HALF = UNITS.items()


def sample_report() -> ReportData:
    return ReportData(
        period="2025T1",
        institution="983974724",
        generated=datetime(2025, 5, 12, 9, 30),
        episodes=2395,
        episodes_with_findings=412,
        by_severity={Severity.ERROR: 120, Severity.WARNING: 260, Severity.INFO: 190},
        rules=(
            RuleCount("K01", "Koden finnes ikke", Severity.ERROR, 40, 38),
            RuleCount("T04", "U07 først i hovedtilstand", Severity.ERROR, 80, 80),
            RuleCount("T13", "Uspesifikk hovedtilstand", Severity.INFO, 190, 190),
            RuleCount("M01", "Oppsplittet opphold", Severity.WARNING, 260, 230),
        ),
        departments=(("MED", 820), ("KIR", 530), ("KARD", 410)),
        indicators=(
            indicator("r_main", "Symptomkode som hovedtilstand", UNITS),
            indicator(
                "any_error", "Episoder med feil", {u: (n, k // 2) for u, (n, k) in UNITS.items()}
            ),
        ),
        patterns=(
            PatternSummary(
                "M01", "Oppsplittet opphold", Severity.WARNING, 260, (("MED", 120), ("KIR", 90))
            ),
            PatternSummary(
                "M06",
                "Flere polikliniske kontakter samme dag",
                Severity.WARNING,
                31,
                (("ORT", 31),),
            ),
        ),
        pattern_examples=(
            PatternExample(
                "M01",
                Severity.WARNING,
                "MED",
                "ep-0000017",
                "P-3f9a2c81",
                "Ny innleggelse 6 timer etter utskrivning",
            ),
        ),
        version="0.1.0",
    )
