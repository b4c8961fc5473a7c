"""The coded content of an episode as stored: canonical JSON, its hash, and what changed.

The content is the episode in the interchange shape (docs/formats.md), built from the parsed
`Episode`, so the same episode read from JSON or from an NPR CSV extract gives the same text.
Where the record came from (file, line) is not content: an episode that only moved in the file
is unchanged. `episode_from_content` rebuilds the `Episode` through the interchange reader, so
stored episodes are checked exactly like read ones.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import msgspec

from kodevakt.episodes import values
from kodevakt.episodes.interchange import episode_from_dict
from kodevakt.episodes.model import Episode, Patient, ProcedureGroup, Source
from kodevakt.episodes.records import Rejected
from kodevakt.errors import StorageError

Content = dict[str, Any]


def episode_content(episode: Episode) -> Content:
    """The interchange dict of `episode`; empty values left out."""
    patient = episode.patient
    person = {
        "id": patient.id,
        "sex": patient.sex_raw if patient.sex_raw is not None else patient.sex,
        "birth_date": patient.birth_date.isoformat() if patient.birth_date else None,
        "age": patient.age_years,
        "age_days": patient.age_days,
    }
    content: Content = {
        "id": episode.id,
        "patient": {k: str(v) if k == "sex" else v for k, v in person.items() if v is not None},
        "institution": episode.institution,
        "department": episode.department,
        "care_level": episode.care_level_raw
        if episode.care_level_raw is not None
        else episode.care_level,
        "urgency": episode.urgency,
        "admission": episode.admission.isoformat() if episode.admission else None,
        "discharge": episode.discharge.isoformat() if episode.discharge else None,
        "transferred_from": episode.transferred_from,
        "transferred_to": episode.transferred_to,
        "conditions": episode.conditions or None,
        "procedures": [
            {"codes": g.codes, "date": g.date.isoformat()} if g.date else {"codes": g.codes}
            for g in episode.procedures
        ]
        or None,
        "text": episode.text,
        "grouping_inferred": episode.grouping_inferred or None,
    }
    return {
        k: str(v) if k in ("care_level", "urgency") else v
        for k, v in content.items()
        if v is not None
    }


_ENCODER = msgspec.json.Encoder(order="sorted")


def canonical(content: Content) -> str:
    """Stable JSON text: sorted keys, no spaces, UTF-8 kept: the text of `json.dumps(content,
    sort_keys=True, separators=(",", ":"), ensure_ascii=False)` (a test holds them equal),
    written by msgspec, several times faster for an import's million episodes."""
    return _ENCODER.encode(content).decode("utf-8")


def canonical_hashed(content: Content) -> tuple[str, str]:
    """`canonical(content)` and its `content_hash`, encoded once."""
    data = _ENCODER.encode(content)
    return data.decode("utf-8"), hashlib.sha256(data).hexdigest()


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def episode_from_content(
    text: str, source: Source | None, shared: dict[str, str] | None = None
) -> Episode:
    """The `Episode` stored as `text`: the same `Episode` the interchange reader makes of it.

    Content in the shape `episode_content` writes is rebuilt directly (a period is read back
    whole for the pattern rules and the report, so this is hot); anything else goes through
    the interchange reader. `source`: where the episode was read from (None: not kept).
    `shared`: a dict kept across the episodes of one read, so that repeated strings (codes,
    institution, department, care level) are held once.
    """
    content = json.loads(text)
    try:
        built = _stored_episode(content, source, shared)
    except (AttributeError, KeyError, TypeError, ValueError):
        built = None
    if built is not None:
        return built
    record = episode_from_dict(content, source or Source("database", 0))
    if isinstance(record, Rejected):  # only if the stored text was edited by hand
        raise StorageError(
            f"lagret episode kan ikke leses: {record.message}",
            file=record.file,
            field=record.field,
        )
    record.grouping_inferred = bool(content.get("grouping_inferred"))
    record.source = source
    return record


def changes(old: Content, new: Content) -> dict[str, list[Any]]:
    """{field: [old, new]} for every field that differs; patient fields as `patient.sex`."""
    found: dict[str, list[Any]] = {}
    for key in sorted(old.keys() | new.keys()):
        before, after = old.get(key), new.get(key)
        if before == after:
            continue
        if key == "patient" and isinstance(before, dict) and isinstance(after, dict):
            for sub in sorted(before.keys() | after.keys()):
                if before.get(sub) != after.get(sub):
                    found[f"patient.{sub}"] = [before.get(sub), after.get(sub)]
        else:
            found[key] = [before, after]
    return found


_EPISODE_KEYS = frozenset(
    {
        "id",
        "patient",
        "institution",
        "department",
        "care_level",
        "urgency",
        "admission",
        "discharge",
        "transferred_from",
        "transferred_to",
        "conditions",
        "procedures",
        "text",
        "grouping_inferred",
    }
)
_PATIENT_KEYS = frozenset({"id", "sex", "birth_date", "age", "age_days"})
_GROUP_KEYS = frozenset({"codes", "date"})


def _unclean(value: Any) -> bool:
    """Whether the interchange reader would change the value: not None, and not a stripped,
    non-empty string."""
    return value is not None and (type(value) is not str or not value or value != value.strip())


def _groups(groups: Any, one: Callable[[str, str], str]) -> list[list[str]] | None:
    """Code groups as the reader keeps them (non-empty lists of non-blank strings), with each
    code through `one`; None for anything else."""
    if type(groups) is not list:
        return None
    result = []
    for group in groups:
        if type(group) is not list or not group:
            return None
        codes = []
        for code in group:
            if type(code) is not str or not code.strip():
                return None
            codes.append(one(code, code))
        result.append(codes)
    return result


def _stored_episode(
    content: Any, source: Source | None, shared: dict[str, str] | None
) -> Episode | None:
    """`content` as `episode_content` writes it, rebuilt without the reader's general parsing;
    None for anything else (the caller then reads it with the interchange reader)."""
    if type(content) is not dict or not content.keys() <= _EPISODE_KEYS:
        return None
    get = content.get
    person = get("patient", {})
    if type(person) is not dict or not person.keys() <= _PATIENT_KEYS:
        return None
    ident, care = get("id"), get("care_level")
    admission, discharge, born = get("admission"), get("discharge"), person.get("birth_date")
    age, age_days, inferred = person.get("age"), person.get("age_days"), get("grouping_inferred")
    if ident is None or (age is not None and type(age) is not int):
        return None
    if (age_days is not None and type(age_days) is not int) or (
        inferred is not None and type(inferred) is not bool
    ):
        return None
    for value in (
        ident,
        care,
        admission,
        discharge,
        born,
        person.get("id"),
        person.get("sex"),
        get("institution"),
        get("department"),
        get("transferred_from"),
        get("transferred_to"),
        get("text"),
    ):
        if _unclean(value):
            return None
    one = shared.setdefault if shared is not None else _same
    conditions = _groups(get("conditions", []), one)
    procedures = get("procedures", [])
    if conditions is None or type(procedures) is not list:
        return None
    groups = []
    for group in procedures:
        if type(group) is not dict or not group.keys() <= _GROUP_KEYS:
            return None
        codes = _groups([group["codes"]], one)
        if codes is None:
            return None
        when = group.get("date")
        groups.append(ProcedureGroup(codes[0], date.fromisoformat(when) if when else None))
    sex, sex_raw = values.sex(person.get("sex"))
    institution, department = get("institution"), get("department")
    return Episode(
        id=ident,
        patient=Patient(
            id=person.get("id"),
            sex=sex,
            sex_raw=sex_raw,
            birth_date=date.fromisoformat(born) if born else None,
            age_years=age,
            age_days=age_days,
        ),
        institution=one(institution, institution) if institution is not None else None,
        department=one(department, department) if department is not None else None,
        care_level=values.care_level(care),
        care_level_raw=one(care, care) if care is not None else None,
        urgency=values.urgency(get("urgency")),
        admission=_moment(admission),
        discharge=_moment(discharge),
        transferred_from=get("transferred_from"),
        transferred_to=get("transferred_to"),
        conditions=conditions,
        procedures=groups,
        text=get("text"),
        source=source,
        grouping_inferred=bool(inferred),
    )


def _same(value: str, _default: str) -> str:
    return value


def _moment(value: str | None) -> datetime | None:
    if value is None:
        return None
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo is None else parsed.replace(tzinfo=None)
