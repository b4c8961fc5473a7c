"""The embedded offline default: Norwegian ICD-10 2026 joined with the WHO hierarchy.

The data file is built by `scripts/build_embedded_icd10.py` and committed, so the runtime
needs no network. The curated attribute table (asterisk, additional-only, sex, age, …) is laid
over it here, because the npm list carries codes and texts only.
"""

from __future__ import annotations

import json
from functools import cache
from importlib.resources import files
from typing import Any

from kodevakt.codes.attributes import apply_attributes
from kodevakt.codes.model import Code, Level, System
from kodevakt.codes.release import CodeList, Family, Release
from kodevakt.errors import CodeListError

ICD10_FILE = "icd10_no_2026.json"


def embedded_meta() -> dict[str, Any]:
    """Source packages, versions and licences of the embedded ICD-10 data."""
    meta: dict[str, Any] = _raw()["meta"]
    return meta


@cache
def _raw() -> dict[str, Any]:
    path = files("kodevakt.data") / ICD10_FILE
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise CodeListError(
            f"innebygde ICD-10-data kan ikke leses ({exc})", file=ICD10_FILE
        ) from exc
    return data


def load_embedded_icd10() -> CodeList:
    """The embedded ICD-10 release, with the curated attributes applied."""
    data = _raw()
    meta = data["meta"]
    source = " + ".join(f"{s['name']} {s['version']}" for s in meta["sources"])
    release = Release(Family.ICD10, int(meta["year"]), f"innebygd: {source}", embedded=True)
    levels = {level.value: level for level in Level}
    codes: dict[str, Code] = {}
    for code, level, parent, text, text_en, reportable, who_only, synthetic in data["rows"]:
        codes[code] = Code(
            code=code,
            system=System.ICD10,
            text=text,
            level=levels[level],
            parent=parent,
            text_en=text_en,
            reportable=bool(reportable),
            who_only=bool(who_only),
            synthetic=bool(synthetic),
        )
    return CodeList(release, apply_attributes(codes, official=False))
