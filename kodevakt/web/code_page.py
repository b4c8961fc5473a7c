"""Everything the code page (and `GET /api/codes/{code}`) shows about one code.

The description is `kodevakt.codes.describe`, the one `kodevakt code` prints, extended with
what a page has room for: the codes under it, its validity in every loaded year side by side,
and the rules that concern it (`kodevakt.web.code_rules` says exactly what "concern" means).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from kodevakt.codes.codebase import CodeBase, Status
from kodevakt.codes.describe import describe
from kodevakt.codes.model import Code, System
from kodevakt.codes.release import Family, Release
from kodevakt.rules.engine import Checker
from kodevakt.web.code_rules import RuleConcern, rules_for_code

_FAMILY = {System.ICD10: Family.ICD10, System.SPECIAL: Family.SPECIAL}
_PROCEDURES = {System.NCSP, System.NCMP, System.NCRP}


@dataclass(frozen=True, slots=True)
class YearEntry:
    """The code in one loaded release: `code` is None when that release does not hold it."""

    release: Release
    code: Code | None

    @property
    def status(self) -> str:
        code = self.code
        if code is None:
            if self.release.complete:
                return "finnes ikke i kodelisten"
            return "ikke i den innlastede kodelisten (bare et utvalg er lastet)"
        if code.who_only:
            return "WHO-kode som ikke brukes i norsk utgave"
        if not code.reportable:
            return "overskrift eller kode som ikke rapporteres til NPR"
        return "gyldig"

    @property
    def valid(self) -> str:
        """`2024-01-01 – …`, or "" when the list gives no dates."""
        code = self.code
        return _span(code.valid_from, code.valid_to) if code else ""

    @property
    def npr(self) -> str:
        code = self.code
        return _span(code.npr_from, code.npr_to) if code else ""

    def to_dict(self) -> dict[str, Any]:
        code = self.code
        return {
            "year": self.release.year,
            "source": self.release.source,
            "complete": self.release.complete,
            "in_list": code is not None,
            "status_text": self.status,
            "text": code.display_text if code else None,
            "valid": self.valid or None,
            "npr_valid": self.npr or None,
        }


@dataclass(frozen=True, slots=True)
class CodePage:
    info: dict[str, Any]  # `describe()`: what `kodevakt code --format json` prints
    children: list[Code]
    years: list[YearEntry]
    rules: list[RuleConcern]

    @property
    def code(self) -> str:
        code: str = self.info["code"]
        return code

    @property
    def hierarchy(self) -> list[dict[str, str]]:
        """The codes above this one, chapter first."""
        return list(reversed(self.info.get("parents", [])))

    def to_dict(self) -> dict[str, Any]:
        """`describe()` plus `child_codes`, `years` and `rules`."""
        return {
            **self.info,
            "child_codes": [
                {"code": c.code, "text": c.display_text, "reportable": c.reportable}
                for c in self.children
            ],
            "years": [entry.to_dict() for entry in self.years],
            "rules": [concern.to_dict() for concern in self.rules],
        }


def code_page(base: CodeBase, checker: Checker, raw: str, today: date) -> CodePage | None:
    """The page of the code `raw` (written any way), or None when there is no such code."""
    info = describe(base, raw)
    if Status(info["status"]) is Status.UNKNOWN:
        return None
    code = info["code"]
    system = System(info["system"]) if info["system"] else None
    return CodePage(
        info,
        base.children(code),
        _years(base, code, system),
        rules_for_code(base, checker, code, today),
    )


def _years(base: CodeBase, code: str, system: System | None) -> list[YearEntry]:
    """The code in every loaded release of its family that the code base would use."""
    family = _family(system)
    if family is None:  # ATC: no list is loaded, the shape alone is checked
        return []
    entries = []
    for release in base.releases:
        if release.family is not family:
            continue
        chosen = base.code_list(family, release.year)
        # A subset release is never used once a complete list of the family is loaded.
        if chosen is None or chosen.release is not release:
            continue
        entries.append(YearEntry(release, chosen.get(code)))
    return entries


def _family(system: System | None) -> Family | None:
    if system is None:
        return None
    return Family.PROCEDURE if system in _PROCEDURES else _FAMILY.get(system)


def _span(start: date | None, end: date | None) -> str:
    if start is None and end is None:
        return ""
    return f"{start.isoformat() if start else '…'} – {end.isoformat() if end else '…'}"
