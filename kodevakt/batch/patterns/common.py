"""Wording shared by the pattern rules: Norwegian numbers, times, units and locations."""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import datetime, timedelta

from kodevakt.batch.indicators import UnitKind
from kodevakt.episodes.model import CareLevel, Episode

UNIT_NAMES = {
    UnitKind.TOTAL: ("Hele partiet", "enheter"),
    UnitKind.INSTITUTION: ("Institusjon", "institusjoner"),
    UnitKind.DEPARTMENT: ("Avdeling", "avdelinger"),
}
CARE_LEVEL_DEFINITE = {
    CareLevel.INPATIENT.value: "døgnoppholdene",
    CareLevel.DAY.value: "dagbehandlingene",
    CareLevel.OUTPATIENT.value: "de polikliniske kontaktene",
    "": "episodene uten omsorgsnivå",
}


def pct(share: float) -> str:
    """`0.1834` → `18,3 %`; below 1 % with two significant digits (`0.00035` → `0,035 %`),
    so that a rare code's share elsewhere does not read as 0,0 %."""
    value = share * 100
    digits = 1 if value == 0 or abs(value) >= 1 else min(4, 1 - math.floor(math.log10(abs(value))))
    return f"{value:.{digits}f} %".replace(".", ",")


def number(value: float, digits: int = 2) -> str:
    """`1.456` → `1,46`."""
    return f"{value:.{digits}f}".replace(".", ",")


def moment(value: datetime) -> str:
    """`2025-03-04 12:00`, or the date alone when the time is midnight."""
    if value.hour == 0 and value.minute == 0:
        return f"{value:%Y-%m-%d}"
    return f"{value:%Y-%m-%d %H:%M}"


def duration(gap: timedelta) -> str:
    """`5 timer`, `45 minutter`, `1 time`."""
    minutes = int(gap.total_seconds() // 60)
    if minutes < 60:
        return f"{minutes} minutt{'er' if minutes != 1 else ''}"
    hours = round(minutes / 60)
    return f"{hours} time{'r' if hours != 1 else ''}"


def episodes_location(episodes: Iterable[Episode]) -> str:
    """`episodes[ep-1,ep-2]`: the other episodes a pattern finding involves."""
    return f"episodes[{','.join(episode.id for episode in episodes)}]"


def unit_location(kind: UnitKind, unit: str, detail: str, period: str) -> str:
    """`department[HF1/MED].main_symptom_code@2025T1`: the unit a practice finding is about."""
    return f"{kind.value}[{unit}].{detail}@{period}"


def ids(episodes: Iterable[Episode]) -> str:
    """`ep-1, ep-2`."""
    return ", ".join(episode.id for episode in episodes)


def same_institution(a: Episode, b: Episode) -> bool:
    """Same institution; two episodes without one count as the same (a one-hospital extract)."""
    return (a.institution or None) == (b.institution or None)


def institution_text(episode: Episode) -> str:
    return episode.institution or "samme institusjon"
