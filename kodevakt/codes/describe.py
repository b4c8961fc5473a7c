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
from kodevakt.codes.model import Code

STATUS_TEXT = {
    Status.OK: "gyldig",
    Status.UNKNOWN: "finnes ikke i kodeverket",
    Status.NOT_IN_LOADED_LIST: "velformet, men ikke i den innlastede (ufullstendige) kodelisten",
    Status.NOT_VALID: "ikke gyldig på datoen",
    Status.NOT_REPORTABLE: "overskrift eller kode som ikke rapporteres til NPR",
    Status.WHO_ONLY: "WHO-kode som ikke brukes i norsk utgave",
    Status.FORMAT_ONLY: "bare formatkontrollert (ingen kodeliste innlastet)",
}

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
            text=code.text,
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
                {"code": p.code, "text": p.display_text, "level": p.level.value}
                for p in base.ancestors(code.code, at)
            ],
            children=len(base.children(code.code, at)),
        )
    if found.shape is not None:
        shape = asdict(found.shape)
        shape["system"] = found.shape.system.value
        out["structure"] = shape
    return out


def _release(found: Resolution) -> str | None:
    return f"{found.release.source} ({found.release.year})" if found.release else None


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None
