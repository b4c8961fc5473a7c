"""The interchange format's common case read fast: one episode on one line, with the usual types.

Decoding with `json` into dictionaries and then reading the dictionaries costs several times
what the rules cost on a clean episode. Most files are JSON Lines whose values have the types
the format documents (strings, whole numbers, lists of code strings), so such a line is
decoded by msgspec straight into typed records and read from them, at a fraction of the cost.

The careful reader (`interchange.episode_from_dict` over `json_stream`) stays the definition:
a line that is not one whole object, holds a value of another type (an age written as a
string, a code group written `A+B`), or holds a value the careful reader would reject, is not
read here (None), and the careful reader reads it as before. What is read here is exactly what
the careful reader makes of the same line (tests/episodes/test_fast_reading.py).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

import msgspec

from kodevakt.codes.model import Sex
from kodevakt.episodes import values
from kodevakt.episodes.model import CareLevel, Episode, Patient, ProcedureGroup, Source, Urgency


class _Patient(msgspec.Struct, gc=False):
    id: str | None = None
    sex: str | None = None
    birth_date: str | None = None
    age: int | None = None
    age_days: int | None = None


class _Procedure(msgspec.Struct, gc=False):
    codes: list[str] | None = None
    date: str | None = None


class _Episode(msgspec.Struct, gc=False):
    id: str | None = None
    patient: _Patient | None = None
    institution: str | None = None
    department: str | None = None
    care_level: str | None = None
    urgency: str | None = None
    admission: str | None = None
    discharge: str | None = None
    transferred_from: str | None = None
    transferred_to: str | None = None
    conditions: list[list[str]] | None = None
    procedures: list[_Procedure] | None = None
    text: str | None = None
    grouping_inferred: bool | None = None


_decode = msgspec.json.Decoder(_Episode).decode
_NO_PATIENT = _Patient()
_MISSING = object()
# The values read so far, by their text: the same few sexes, care levels, urgencies and
# (within a year) dates and times come back in every file. What they hold is immutable.
_MAX_CACHED = 50_000
_SEXES: dict[str, tuple[Sex | None, str | None]] = {}
_CARE_LEVELS: dict[str, CareLevel | None] = {}
_URGENCIES: dict[str, Urgency | None] = {}
_MOMENTS: dict[str, datetime | None] = {}
T = TypeVar("T")


def _remember(known: dict[str, T], value: str, read: Callable[[str], T]) -> T:
    """`read(value)`, kept in `known` (a value `read` refuses is not: it raises each time)."""
    found = read(value)
    if len(known) >= _MAX_CACHED:
        known.clear()
    known[value] = found
    return found


def _moment(value: str) -> datetime | None:
    return values.moment(value, "admission")


def episode_from_line(line: str, source: Source) -> Episode | None:
    """The episode on `line` (one JSON object), or None to leave the line to the careful
    reader: it is not one object of the usual types, or the careful reader would reject it."""
    try:
        record = _decode(line)
    except msgspec.MsgspecError:
        return None
    try:
        return _episode(record, source)
    except Exception:  # a rejection: the careful reader says why, with the field
        return None


def _text(value: str | None) -> str | None:
    return (value.strip() or None) if value is not None else None


def _episode(record: _Episode, source: Source) -> Episode | None:
    # The same fields, in the same order and with the same value functions, as
    # interchange._episode: only the dictionary lookups and type tests are gone.
    episode_id = _text(record.id)
    if episode_id is None:
        return None
    patient = record.patient or _NO_PATIENT
    raw_sex = patient.sex
    if raw_sex is None:
        sex, sex_raw = None, None
    else:
        found_sex = _SEXES.get(raw_sex)
        sex, sex_raw = found_sex or _remember(_SEXES, raw_sex, values.sex)
    birth = patient.birth_date
    age, age_days = patient.age, patient.age_days
    person = Patient(
        _text(patient.id),
        sex,
        sex_raw,
        values.day(birth, "patient.birth_date") if birth is not None else None,
        values.integer(age, "patient.age") if age is not None else None,
        values.integer(age_days, "patient.age_days") if age_days is not None else None,
    )
    care_raw = _text(record.care_level)
    # the values' caches, inline: a call each would cost as much as the lookup
    care: Any = None if care_raw is None else _CARE_LEVELS.get(care_raw, _MISSING)
    if care is _MISSING:
        care = _remember(_CARE_LEVELS, care_raw, values.care_level)  # type: ignore[arg-type]
    urgency: Any = record.urgency
    if urgency is not None:
        raw_urgency, urgency = urgency, _URGENCIES.get(urgency, _MISSING)
        if urgency is _MISSING:
            urgency = _remember(_URGENCIES, raw_urgency, values.urgency)
    admission: Any = record.admission
    if admission:
        raw_admission, admission = admission, _MOMENTS.get(admission, _MISSING)
        if admission is _MISSING:
            admission = _remember(_MOMENTS, raw_admission, _moment)
    else:
        admission = None
    discharge: Any = record.discharge
    if discharge:
        raw_discharge, discharge = discharge, _MOMENTS.get(discharge, _MISSING)
        if discharge is _MISSING:
            discharge = _remember(_MOMENTS, raw_discharge, _moment)
    else:
        discharge = None
    conditions = record.conditions
    procedures = record.procedures
    return Episode(
        episode_id,
        person,
        _text(record.institution),
        _text(record.department),
        care,
        care_raw,
        urgency,
        admission,
        discharge,
        _text(record.transferred_from),
        _text(record.transferred_to),
        _conditions(conditions) if conditions else [],
        _procedures(procedures) if procedures else [],
        _text(record.text),
        source,
        record.grouping_inferred is True,
    )


def _conditions(groups: list[list[str]]) -> list[list[str]]:
    # the decoded lists are the episode's own: kept as they are when no code is blank
    found = [
        group if all(map(str.strip, group)) else [code for code in group if code.strip()]
        for group in groups
    ]
    return values.condition_groups(found)


def _procedures(groups: list[_Procedure]) -> list[ProcedureGroup]:
    found = []
    for i, group in enumerate(groups):
        listed = group.codes
        if listed is None:
            raise ValueError("no codes")  # the careful reader rejects it
        codes = listed if all(map(str.strip, listed)) else [c for c in listed if c.strip()]
        when = group.date
        day = values.day(when, f"procedures[{i}].date") if when else None
        if codes:
            found.append(ProcedureGroup(codes, day))
    return found
