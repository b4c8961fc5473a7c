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

import msgspec

from kodevakt.episodes import values
from kodevakt.episodes.model import Episode, Patient, ProcedureGroup, Source


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
    sex, sex_raw = values.sex(patient.sex)
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
    urgency = record.urgency
    conditions = record.conditions
    procedures = record.procedures
    return Episode(
        episode_id,
        person,
        _text(record.institution),
        _text(record.department),
        values.care_level(care_raw) if care_raw is not None else None,
        care_raw,
        values.urgency(urgency) if urgency is not None else None,
        values.moment(record.admission, "admission"),
        values.moment(record.discharge, "discharge"),
        _text(record.transferred_from),
        _text(record.transferred_to),
        _conditions(conditions) if conditions else [],
        _procedures(procedures) if procedures else [],
        _text(record.text),
        source,
        record.grouping_inferred is True,
    )


def _conditions(groups: list[list[str]]) -> list[list[str]]:
    found = []
    for group in groups:
        codes = [code for code in group if code.strip()]
        if codes:
            found.append(codes)
    return found


def _procedures(groups: list[_Procedure]) -> list[ProcedureGroup]:
    found = []
    for i, group in enumerate(groups):
        listed = group.codes
        if listed is None:
            raise ValueError("no codes")  # the careful reader rejects it
        codes = [code for code in listed if code.strip()]
        when = group.date
        day = values.day(when, f"procedures[{i}].date") if when else None
        if codes:
            found.append(ProcedureGroup(codes, day))
    return found
