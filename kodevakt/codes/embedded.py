"""The embedded offline default: Norwegian ICD-10 2026 joined with the WHO hierarchy, and the
list of every earlier year back to the code history's baseline.

The data file is built by `scripts/build_embedded_icd10.py` and committed, so the runtime
needs no network. Three curated tables are laid over it here, because the npm list carries
the reportable codes and their texts only:

- Norwegian titles for the blocks and categories that have only WHO's English title
  (`icd10_titles_no.tsv`), kodevakt's own wording and kept apart (`Code.own_title`); a heading
  Norway subdivided keeps the last text the code list gave it (`history.subdivided_titles`);
- the code history (`icd10_history.tsv`, see `kodevakt.codes.history`), which gives each year
  from its baseline a list of its own;
- the attributes (asterisk, additional-only, sex, age, …; `kodevakt.codes.attributes`).
"""

from __future__ import annotations

import gc
import json
from functools import cache
from importlib.resources import files
from typing import Any

from kodevakt.codes.attributes import apply_attributes
from kodevakt.codes.history import default_history, subdivided_titles, with_history, year_lists
from kodevakt.codes.model import Code, Level, System
from kodevakt.codes.release import CodeList, Family, Release
from kodevakt.codes.titles import default_titles
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
    """The embedded ICD-10 release of its own year (2026), with the curated tables applied."""
    return load_embedded_icd10_years()[-1]


def load_embedded_icd10_years() -> list[CodeList]:
    """The embedded ICD-10 release of every year the code history covers, oldest first.

    Some 30 000 codes are made and none is garbage, so the cyclic collector's passes over
    them would only cost time (a third of the load): it is paused while they are made.
    """
    paused = gc.isenabled()
    gc.disable()
    try:
        return _year_lists()
    finally:
        if paused:
            gc.enable()


def _year_lists() -> list[CodeList]:
    data = _raw()
    meta = data["meta"]
    source = " + ".join(f"{s['name']} {s['version']}" for s in meta["sources"])
    year = int(meta["year"])
    release = Release(Family.ICD10, year, f"innebygd: {source}", embedded=True)
    levels = {level.value: level for level in Level}
    history = default_history()
    titles = default_titles()
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
            own_title=titles.get(code) if text is None else None,
        )
    for code, title in subdivided_titles(codes, history).items():
        codes[code] = codes[code].with_changes(text=title, own_title=None)
    current = with_history(codes, history, year)
    return year_lists(CodeList(release, apply_attributes(current, official=False)), history)
