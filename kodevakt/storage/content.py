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
from typing import Any

from kodevakt.episodes.interchange import episode_from_dict
from kodevakt.episodes.model import Episode, Source
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


def canonical(content: Content) -> str:
    """Stable JSON text: sorted keys, no spaces, UTF-8 kept."""
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def episode_from_content(text: str, source: Source) -> Episode:
    """The `Episode` stored as `text`."""
    content = json.loads(text)
    record = episode_from_dict(content, source)
    if isinstance(record, Rejected):  # only if the stored text was edited by hand
        raise StorageError(
            f"lagret episode kan ikke leses: {record.message}",
            file=source.file,
            field=record.field,
        )
    record.grouping_inferred = bool(content.get("grouping_inferred"))
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
