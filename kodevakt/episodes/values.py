"""Parsing of the field values every reader shares: sex, care level, urgency, dates.

Two kinds of bad value are told apart. A value the rules can judge (sex `X`) is kept raw and
becomes a finding; a value nothing can be made of (care level `7`, date `2025-13-45`) makes
the record unreadable, and the reader rejects it with file, line and field.

A problem's message never quotes the value: a date field may hold a birth date or a name typed
into the wrong column, and rejections are shown and stored where patient data must not go.
The message says what was expected instead.
"""

from __future__ import annotations

import math
from datetime import date, datetime

from kodevakt.codes.model import Sex
from kodevakt.episodes.model import CareLevel, Urgency

_SEX = {
    "m": Sex.MALE,
    "mann": Sex.MALE,
    "male": Sex.MALE,
    "1": Sex.MALE,
    "k": Sex.FEMALE,
    "f": Sex.FEMALE,
    "kvinne": Sex.FEMALE,
    "female": Sex.FEMALE,
    "2": Sex.FEMALE,
}
# NPR's codes for "not known" (0) and "not specified" (9): accepted values without a sex.
UNKNOWN_SEX = frozenset({"0", "9", "u", "ukjent"})

_CARE = {
    "inpatient": CareLevel.INPATIENT,
    "døgn": CareLevel.INPATIENT,
    "dogn": CareLevel.INPATIENT,
    "1": CareLevel.INPATIENT,
    "day": CareLevel.DAY,
    "dag": CareLevel.DAY,
    "dagbehandling": CareLevel.DAY,
    "2": CareLevel.DAY,
    "outpatient": CareLevel.OUTPATIENT,
    "poliklinikk": CareLevel.OUTPATIENT,
    "poliklinisk": CareLevel.OUTPATIENT,
    "poli": CareLevel.OUTPATIENT,
    "3": CareLevel.OUTPATIENT,
    # 8: outpatient contact during an inpatient stay
    "8": CareLevel.OUTPATIENT,
}

_URGENCY = {
    "acute": Urgency.ACUTE,
    "akutt": Urgency.ACUTE,
    "øyeblikkelig hjelp": Urgency.ACUTE,
    "ø-hjelp": Urgency.ACUTE,
    "1": Urgency.ACUTE,
    "2": Urgency.ACUTE,
    "3": Urgency.ACUTE,
    "elective": Urgency.ELECTIVE,
    "elektiv": Urgency.ELECTIVE,
    "planlagt": Urgency.ELECTIVE,
    "4": Urgency.ELECTIVE,
}


BAD_DATE = "ikke en gyldig dato (forventet ÅÅÅÅ-MM-DD eller DD.MM.ÅÅÅÅ, ev. med klokkeslett)"
BAD_TIME = "ikke et gyldig klokkeslett (forventet TT:MM)"
# Ages, birth years and days stay far below this; beyond it a number is a typing error, and
# letting it through would overflow date arithmetic and fixed-width columns downstream.
MAX_INTEGER = 1_000_000
OUT_OF_RANGE = f"tallet er utenfor det gyldige området (±{MAX_INTEGER:,})".replace(",", " ")


class ValueProblem(ValueError):
    """A field value that makes the record unreadable; the reader adds file and line."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        self.message = message
        super().__init__(message)


def text(value: object) -> str | None:
    """A stripped string, or None for empty values."""
    if value is None:
        return None
    result = (value if type(value) is str else str(value)).strip()
    return result or None


def sex(value: object) -> tuple[Sex | None, str | None]:
    """The sex and the raw value (kept so E03 can show what was wrong)."""
    raw = text(value)
    if raw is None:
        return None, None
    return _SEX.get(raw.lower()), raw


def care_level(value: object, field: str = "care_level") -> CareLevel | None:
    raw = text(value)
    if raw is None:
        return None
    found = _CARE.get(raw.lower())
    if found is None:
        raise ValueProblem(
            field,
            "ukjent omsorgsnivå (gyldig: inpatient/døgn/1, day/dag/2, outpatient/poliklinikk/3, 8)",
        )
    return found


def urgency(value: object, field: str = "urgency") -> Urgency | None:
    raw = text(value)
    if raw is None or raw == "5":
        return None
    found = _URGENCY.get(raw.lower())
    if found is None:
        raise ValueProblem(
            field, "ukjent hastegrad (gyldig: acute/akutt/1–3, elective/elektiv/planlagt/4, 5)"
        )
    return found


def moment(value: object, field: str, clock: object = None) -> datetime | None:
    """A date or date-time (ISO, or Norwegian dd.mm.yyyy); `clock` adds an `HH:MM` time."""
    if value is None or value == "":
        return None
    if type(value) is str and clock is None:
        try:  # the common case: a clean ISO date or date-time
            parsed = datetime.fromisoformat(value)
            return parsed if parsed.tzinfo is None else parsed.replace(tzinfo=None)
        except ValueError:
            pass
    raw = text(value)
    if raw is None:
        return None
    try:
        if len(raw) == 10 and raw[2] == "." and raw[5] == ".":
            parsed = datetime.strptime(raw, "%d.%m.%Y")
        else:
            parsed = datetime.fromisoformat(raw.replace(" ", "T") if len(raw) > 10 else raw)
    except ValueError:
        raise ValueProblem(field, BAD_DATE) from None
    time_raw = text(clock)
    if time_raw:
        try:
            hours, minutes = time_raw.replace(".", ":").split(":")[:2]
            parsed = parsed.replace(hour=int(hours), minute=int(minutes))
        except ValueError:
            raise ValueProblem(field, BAD_TIME) from None
    return parsed if parsed.tzinfo is None else parsed.replace(tzinfo=None)


def day(value: object, field: str) -> date | None:
    if type(value) is str and len(value) == 10:
        try:  # the common case: a clean ISO date
            return date.fromisoformat(value)
        except ValueError:
            pass
    found = moment(value, field)
    return found.date() if found else None


def integer(value: object, field: str) -> int | None:
    if value is None:
        return None
    raw = text(value)
    if raw is None:
        return None
    try:
        found = int(raw)
    except ValueError:
        try:  # `1.0`, `2.5e1`: whole years written as decimals
            number = float(raw)
        except ValueError:
            raise ValueProblem(field, "ikke et tall") from None
        if not math.isfinite(number):
            raise ValueProblem(field, OUT_OF_RANGE) from None
        found = int(number)
    if abs(found) > MAX_INTEGER:
        raise ValueProblem(field, OUT_OF_RANGE)
    return found


def condition_groups(groups: list[list[str]]) -> list[list[str]]:
    """An episode's condition groups as read, `groups` in order with blank codes removed:
    empty groups left out, except the main condition's place. An empty first group followed
    by others stays (empty), so the episode is checked as having no main condition (T01)
    rather than the next condition silently taking its place; with no code at all the
    episode has no groups."""
    if all(groups):
        return groups
    kept = [group for group in groups if group]
    if groups and not groups[0] and kept:
        return [[], *kept]
    return kept
