"""Writing episodes as the interchange JSON Lines, the form every other format converts from.

`episode_dict` is the inverse of the interchange reader: reading its output gives the same
episode. Raw values are written where the model keeps them (sex `X`, care level `8`), so
that a record the rules flag is still flagged after a conversion; empty fields are left out.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import IO, Any

from kodevakt.episodes.model import Episode

BATCH = 4096  # lines joined per write


def episode_dict(episode: Episode) -> dict[str, Any]:
    """The interchange object of `episode` (docs/formats.md, section 1)."""
    patient = episode.patient
    sex = patient.sex_raw if patient.sex_raw is not None else patient.sex
    person = {
        "id": patient.id,
        "sex": str(sex) if sex is not None else None,
        "birth_date": patient.birth_date.isoformat() if patient.birth_date else None,
        "age": patient.age_years,
        "age_days": patient.age_days,
    }
    care = episode.care_level_raw if episode.care_level_raw is not None else episode.care_level
    content: dict[str, Any] = {
        "id": episode.id,
        "patient": {k: v for k, v in person.items() if v is not None},
        "institution": episode.institution,
        "department": episode.department,
        "care_level": str(care) if care is not None else None,
        "urgency": str(episode.urgency) if episode.urgency is not None else None,
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
    return {k: v for k, v in content.items() if v is not None}


def write_jsonl(episodes: Iterable[Episode], stream: IO[bytes]) -> int:
    """Write `episodes` as JSON Lines (UTF-8) to `stream`; the number written."""
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    batch: list[str] = []
    count = 0
    for episode in episodes:
        batch.append(dumps(episode_dict(episode)))
        count += 1
        if len(batch) >= BATCH:
            stream.write(("\n".join(batch) + "\n").encode("utf-8", "surrogateescape"))
            batch.clear()
    if batch:
        stream.write(("\n".join(batch) + "\n").encode("utf-8", "surrogateescape"))
    return count
