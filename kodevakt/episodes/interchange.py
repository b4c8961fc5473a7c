"""The episode interchange JSON (one object, an array, or JSON Lines; `-` reads stdin).

Files can hold millions of episodes, so objects are decoded one at a time from a buffered
stream (json_stream): an array is never loaded whole. A record that is not valid JSON is
rejected once, with the line it starts on, and reading goes on at the next record. A line that
holds one whole episode of the usual types is read by the fast way (`interchange_lines`), to
the same result.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from kodevakt.episodes import values
from kodevakt.episodes.decoding import decoded
from kodevakt.episodes.interchange_lines import episode_from_line
from kodevakt.episodes.json_stream import read_records
from kodevakt.episodes.model import Episode, Patient, ProcedureGroup, Source
from kodevakt.episodes.records import UNEXPECTED, Record, Rejected
from kodevakt.episodes.values import ValueProblem


def read_interchange(
    path: str | Path, *, encoding: str | None = None, notices: list[str] | None = None
) -> Iterator[Record]:
    """Episodes from an interchange JSON/JSONL file, or stdin for `-`.

    Raises InputError before the first record when the file is not in `encoding` (None:
    UTF-8, with or without a byte order mark). `notices` is accepted for the same signature
    as the other readers; this format has nothing to say at file level.
    """
    with decoded(str(path), encoding) as (text, name):
        yield from read_records(text, name, episode_from_dict, episode_from_line)


def episode_from_dict(obj: Any, source: Source) -> Record:
    """One interchange object → Episode, or Rejected naming the field that made it unreadable.

    Never raises: a record that trips anything unforeseen is rejected, so that one odd record
    cannot stop a batch of millions.
    """
    if not isinstance(obj, dict):
        return Rejected(source.file, source.line, None, "posten er ikke et JSON-objekt")
    try:
        return _episode(obj, source)
    except ValueProblem as problem:
        return Rejected(source.file, source.line, problem.field, problem.message)
    except Exception:  # deliberate: see the docstring; the message must not echo the value
        return Rejected(source.file, source.line, None, UNEXPECTED)


def _episode(obj: dict[str, Any], source: Source) -> Episode:
    # Patient and Episode are built with positional arguments, in their field order: with
    # this many fields, keyword arguments cost a microsecond per episode.
    get = obj.get
    text = values.text
    episode_id = text(get("id"))
    if episode_id is None:
        raise ValueProblem("id", "episoden mangler id")
    patient_obj = get("patient") or {}
    if not isinstance(patient_obj, dict):
        raise ValueProblem("patient", "pasient må være et objekt")
    patient_get = patient_obj.get
    sex, sex_raw = values.sex(patient_get("sex"))
    patient = Patient(
        text(patient_get("id")),
        sex,
        sex_raw,
        values.day(patient_get("birth_date"), "patient.birth_date"),
        values.integer(patient_get("age"), "patient.age"),
        values.integer(patient_get("age_days"), "patient.age_days"),
    )
    care_raw = text(get("care_level"))
    procedures = get("procedures")
    return Episode(
        episode_id,
        patient,
        text(get("institution")),
        text(get("department")),
        values.care_level(care_raw),
        care_raw,
        values.urgency(get("urgency")),
        values.moment(get("admission"), "admission"),
        values.moment(get("discharge"), "discharge"),
        text(get("transferred_from")),
        text(get("transferred_to")),
        _conditions(get("conditions")),
        # the common case, an empty list, without a call
        [] if procedures is None or procedures == [] else _procedures(procedures),
        text(get("text")),
        source,
        get("grouping_inferred") is True,
    )


def _codes(group: Any, field: str) -> list[str]:
    """The codes of one group (a list of codes, or a string `A+B`); blanks dropped."""
    if type(group) is list and all(type(code) is str for code in group):
        return [code for code in group if code.strip()]
    if type(group) is str:
        return [code for code in group.split("+") if code.strip()]
    raise ValueProblem(field, "en kodegruppe må være en liste av koder")


def _conditions(raw: Any) -> list[list[str]]:
    if raw is None:
        return []
    if type(raw) is not list:
        raise ValueProblem("conditions", "tilstander må være en liste av kodegrupper")
    groups = []
    for i, group in enumerate(raw):
        if type(group) is list and all(type(code) is str for code in group):
            codes = [code for code in group if code.strip()]  # the common case, no f-string
        else:
            codes = _codes(group, f"conditions[{i}]")
        groups.append(codes)
    return values.condition_groups(groups)


def _procedures(raw: Any) -> list[ProcedureGroup]:
    if raw is None:
        return []
    if type(raw) is not list:
        raise ValueProblem("procedures", "prosedyrer må være en liste av prosedyregrupper")
    groups = []
    for i, group in enumerate(raw):
        if type(group) is dict:
            codes = _codes(group.get("codes"), f"procedures[{i}].codes")
            when = group.get("date")
            day = values.day(when, f"procedures[{i}].date") if when else None
        else:
            codes, day = _codes(group, f"procedures[{i}]"), None
        if codes:
            groups.append(ProcedureGroup(codes, day))
    return groups
