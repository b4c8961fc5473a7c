"""Writing episodes as an NPR flat extract (CSV, `;`), in the columns the CSV reader reads.

The flat form has a column per code place (`tilstand_2_1`, `ncsp_3`, `ATC_1`), and its
header must come first, but how many places the episodes need is known only at the end. So
the rows are written to a temporary file first, with the widest condition, code group and
procedure family noted, and copied under the header with empty cells filled in: memory
stays bounded, whatever the number of episodes.

What the flat form cannot hold is lost, as in NPR's own extracts (docs/formats.md, section
2): procedure dates, which additional code belongs to which procedure (the reader rebuilds
it and marks the episode), the hospital a patient was transferred from or to (only that
there was one), the epicrisis text, and the birth date beyond its year and the age in days.
"""

from __future__ import annotations

import csv
import io
import json
import tempfile
from collections.abc import Iterable
from typing import IO, Any

from kodevakt.codes.normalise import CodeKind, normalise
from kodevakt.codes.procedures import parse_procedure
from kodevakt.episodes.model import Episode
from kodevakt.episodes.npr_message import TRANSFER, URGENCY_CODES, care_code, sex_code

FIXED = (
    "episodeID",
    "lopenr",
    "kjonn",
    "fodselsar",
    "alderIDager",
    "institusjonID",
    "fagenhetKode",
    "innDato",
    "innTid",
    "utDato",
    "utTid",
    "omsorgsniva",
    "innmateHast",
    "fraSted",
    "tilSted",
)
FAMILIES = ("ncsp", "ncmp", "ncrp", "ATC")


def write_npr_csv(episodes: Iterable[Episode], stream: IO[bytes]) -> int:
    """Write `episodes` as a flat extract (UTF-8) to `stream`; the number written."""
    widths = {"conditions": 0, "codes": 0, **dict.fromkeys(FAMILIES, 0)}
    count = 0
    with tempfile.TemporaryFile("w+", encoding="utf-8", errors="surrogateescape") as rows:
        for episode in episodes:
            row = _row(episode)
            widths["conditions"] = max(widths["conditions"], len(row["conditions"]))
            for group in row["conditions"]:
                widths["codes"] = max(widths["codes"], len(group))
            for family in FAMILIES:
                widths[family] = max(widths[family], len(row[family]))
            rows.write(json.dumps(row, ensure_ascii=False) + "\n")
            count += 1
        rows.seek(0)
        text = io.TextIOWrapper(stream, encoding="utf-8", errors="surrogateescape", newline="")
        writer = csv.writer(text, delimiter=";", lineterminator="\n")
        writer.writerow(_header(widths))
        for line in rows:
            writer.writerow(_cells(json.loads(line), widths))
        text.flush()
        text.detach()
    return count


def _header(widths: dict[str, int]) -> list[str]:
    header = list(FIXED)
    for n in range(1, widths["conditions"] + 1):
        header.extend(f"tilstand_{n}_{k}" for k in range(1, widths["codes"] + 1))
    for family in FAMILIES:
        header.extend(f"{family}_{i}" for i in range(1, widths[family] + 1))
    return header


def _cells(row: dict[str, Any], widths: dict[str, int]) -> list[object]:
    cells = list(row["fixed"])
    conditions = row["conditions"]
    for n in range(widths["conditions"]):
        group = conditions[n] if n < len(conditions) else []
        cells.extend(group + [""] * (widths["codes"] - len(group)))
    for family in FAMILIES:
        codes = row[family]
        cells.extend(codes + [""] * (widths[family] - len(codes)))
    return cells


def _row(episode: Episode) -> dict[str, Any]:
    patient = episode.patient
    admission, discharge = episode.admission, episode.discharge
    age_days = episode.age_days if patient.age_days is not None or patient.birth_date else None
    birth_year = patient.birth_date.year if patient.birth_date else None
    if birth_year is None and patient.age_years is not None and admission is not None:
        birth_year = admission.year - patient.age_years
    fixed = [
        episode.id,
        patient.id,
        sex_code(episode),
        birth_year,
        age_days,
        episode.institution,
        episode.department,
        admission.date().isoformat() if admission else None,
        admission.strftime("%H:%M") if admission else None,
        discharge.date().isoformat() if discharge else None,
        discharge.strftime("%H:%M") if discharge else None,
        care_code(episode),
        URGENCY_CODES[episode.urgency] if episode.urgency else None,
        TRANSFER if episode.transferred_from else None,
        TRANSFER if episode.transferred_to else None,
    ]
    families: dict[str, list[object]] = {family: [] for family in FAMILIES}
    for group in episode.procedures:
        family = _family(group.codes[0])
        for code in group.codes:
            found = "ATC" if normalise(code).kind is CodeKind.ATC else family
            families[found].append(code)
    return {
        "fixed": ["" if cell is None else cell for cell in fixed],
        "conditions": [list(group) for group in episode.conditions],
        **families,
    }


def _family(code: str) -> str:
    shape = parse_procedure(normalise(code).code)
    if shape is None:
        return "ncsp"
    return {"NCMP": "ncmp", "NCRP": "ncrp"}.get(shape.system.value, "ncsp")
