"""Everything kodevakt knows about one code, as one plain dictionary.

The CLI (`kodevakt code`), JSON output and later the web app show the same description, so it
is assembled once here: the code, its texts, system, parent chain, validity, flags and what the
shape of a procedure code says.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import Any

from kodevakt.codes.codebase import CodeBase, Resolution, Status
from kodevakt.codes.model import ChangeKind, Code, System
from kodevakt.codes.release import Family

STATUS_TEXT = {
    Status.OK: "gyldig",
    Status.UNKNOWN: "finnes ikke i kodeverket",
    Status.NOT_IN_LOADED_LIST: "velformet, men ikke i den innlastede (ufullstendige) kodelisten",
    Status.NOT_VALID: "ikke gyldig på datoen",
    Status.NOT_REPORTABLE: "overskrift eller kode som ikke rapporteres til NPR",
    Status.WHO_ONLY: "WHO-kode som ikke brukes i norsk utgave",
    Status.FORMAT_ONLY: "bare formatkontrollert (ingen kodeliste innlastet)",
    Status.NOT_COVERED: "finnes ikke i noen innlastet kodeliste, og kodelisten for året mangler",
}

CHANGE_TEXT = {
    ChangeKind.INTRODUCED: "innført",
    ChangeKind.RETIRED: "utgått",
    ChangeKind.TEXT: "ny tekst",
}
DETAIL_TEXT = {ChangeKind.RETIRED: "siste tekst", ChangeKind.TEXT: "tekst før"}

FLAG_TEXT = {
    "asterisk": "stjernekode",
    "dagger": "sverdkode",
    "additional_only": "kun tilleggskode",
    "unspecific": "uspesifikk kode",
    "who_only": "brukes ikke i Norge",
    "synthetic": "norsk gruppering laget av kodevakt",
}


def flags_of(code: Code) -> list[str]:
    """Norwegian names of the flags set on `code`."""
    flags = [text for name, text in FLAG_TEXT.items() if getattr(code, name)]
    if code.sex is not None:
        flags.append("bare menn" if code.sex.value == "M" else "bare kvinner")
    if code.age_min_days is not None or code.age_max_days is not None:
        flags.append(f"aldersgrense {_age_range(code)}")
    if not code.reportable and not code.who_only:
        flags.append("rapporteres ikke til NPR")
    return flags


def _age_range(code: Code) -> str:
    low = "" if code.age_min_days is None else _days(code.age_min_days)
    high = "" if code.age_max_days is None else _days(code.age_max_days)
    return f"{low}–{high}"


def _days(days: int) -> str:
    return f"{days // 365} år" if days >= 365 and days % 365 == 0 else f"{days} dager"


def describe(base: CodeBase, raw: str, at: date | None = None) -> dict[str, Any]:
    """A JSON-ready description of `raw` as of `at` (today's lists when `None`)."""
    found = base.resolve(raw, at)
    out: dict[str, Any] = {
        "input": raw,
        "code": found.normalised.code,
        "normalised": list(found.normalised.changes),
        "status": found.status.value,
        "status_text": STATUS_TEXT[found.status],
        "system": found.system.value if found.system else None,
        "release": _release(found),
    }
    code = found.code
    if code is not None:
        out.update(
            title=code.display_text,
            text=code.text,
            own_title=code.own_title,
            full_text=code.full_text,
            text_en=code.text_en,
            level=code.level.value,
            reportable=code.reportable,
            valid_from=_iso(code.valid_from),
            valid_to=_iso(code.valid_to),
            npr_from=_iso(code.npr_from),
            npr_to=_iso(code.npr_to),
            flags=flags_of(code),
            notes=list(code.notes),
            parents=[
                {
                    "code": p.code,
                    "text": p.display_text,
                    "own_title": p.text is None and p.own_title is not None,
                    "level": p.level.value,
                }
                for p in base.ancestors(code.code, at)
            ],
            children=len(base.children(code.code, at)),
            history=[
                {
                    "year": change.year,
                    "change": change.kind.value,
                    "change_text": CHANGE_TEXT[change.kind],
                    "detail": change.detail or None,
                    "detail_text": DETAIL_TEXT.get(change.kind),
                    "source": change.source,
                }
                for change in code.history
            ],
        )
        if code.system is System.ICD10:
            out["validity_by_year"] = validity_by_year(base, code.code)
    if found.shape is not None:
        shape = asdict(found.shape)
        shape["system"] = found.shape.system.value
        out["structure"] = shape
    return out


def validity_by_year(base: CodeBase, code: str) -> list[dict[str, Any]]:
    """The ICD-10 code's standing in each year, consecutive years alike in one span.

    Every loaded ICD-10 list is asked (the embedded ones cover the code history's years, an
    official list its own year). Years before the first list are told as the code history
    knows them: from the year the code was introduced if that is known, else as not covered.
    """
    years = sorted(r.year for r in base.releases if r.family is Family.ICD10)
    if not years:
        return []
    spans: list[dict[str, Any]] = []
    first: Code | None = None
    for year in years:
        code_list = base.code_list(Family.ICD10, year)
        found = code_list.get(code) if code_list is not None else None
        first = first or found
        label = _standing(found, year)
        if spans and spans[-1]["status"] == label and spans[-1]["to"] == year - 1:
            spans[-1]["to"] = year
        else:
            spans.append({"from": year, "to": year, "status": label})
    earliest = years[0]
    start = first.valid_from if first is not None else None
    if start is not None and start.year < earliest:
        if spans[0]["status"] == "gyldig":
            spans[0]["from"] = start.year
        else:
            spans.insert(0, {"from": start.year, "to": earliest - 1, "status": "gyldig"})
        spans.insert(0, {"from": None, "to": start.year - 1, "status": "fantes ikke"})
    else:
        spans.insert(
            0,
            {
                "from": None,
                "to": earliest - 1,
                "status": f"ikke dekket: kodevakt har ingen kodeliste fra før {earliest}",
            },
        )
    return spans


def _standing(code: Code | None, year: int) -> str:
    if code is None:
        return "finnes ikke i listen"
    if code.who_only:
        return "WHO-kode som ikke brukes i Norge"
    if not code.reportable:
        return "overskrift, rapporteres ikke"
    if code.npr_to is not None and code.npr_to.year == year and code.npr_to.month < 12:
        return f"gyldig til {code.npr_to.isoformat()}"
    return "gyldig"


def _release(found: Resolution) -> str | None:
    return f"{found.release.source} ({found.release.year})" if found.release else None


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None
