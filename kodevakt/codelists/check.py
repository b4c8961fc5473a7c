"""Checking a department's code list against one year's code lists and rules.

What each problem means and where it comes from:

    invalid         not valid that year (unknown, expired, a WHO code Norway does not use)
    not-reportable  a heading or a code NPR does not take
    meaning         the official text differs from the year before (when both are loaded)
    not-main        may not be the main condition: the checker's own rules (T02 asterisk,
                    T04 codes Norway forbids first, T05 additional-only codes) fire on an
                    episode with the code as its only, main condition
    unspecific      flagged unspecific, while more specific codes under the same heading
                    exist that the list does not offer
    own-text        the department's text and the official one have little in common, and
                    a search for the department's text (`kodevakt.search`, which knows lay
                    words and synonyms: «lungebetennelse» finds J18.9) does not find the code
    not-in-list     a well-formed procedure code outside the loaded (partial) list

The checks use the same `CodeBase` and rules as `kodevakt check`, so loading the year's
official files (`KODEVAKT_CODE_FILES`) makes them exact.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from rapidfuzz import fuzz

from kodevakt.codes.codebase import CodeBase, Resolution, Status
from kodevakt.codes.model import Code
from kodevakt.codes.release import Family
from kodevakt.codes.tabular import Column, map_columns, read_table, rows
from kodevakt.episodes.model import CareLevel, Episode
from kodevakt.errors import CodeListError
from kodevakt.rules.engine import Checker
from kodevakt.rules.finding import Severity
from kodevakt.rules.registry import select
from kodevakt.search.searcher import Searcher

COLUMNS = (
    Column("code", ("Kode", "Code", "Kodeverdi", "Diagnosekode", "Prosedyrekode")),
    Column(
        "text",
        ("Egen tekst", "Tekst", "Text", "Beskrivelse", "Kodetekst", "Navn"),
        required=False,
    ),
)
NOT_MAIN_RULES = ("T02", "T04", "T05")
OWN_TEXT_SIMILARITY = 60  # rapidfuzz token-set ratio below which the texts disagree
SEARCHED = 20  # hits of a search for the own text among which the code should be
SPECIFIC_SHOWN = 6

KINDS = {
    "invalid": "Ikke gyldig",
    "not-reportable": "Kan ikke rapporteres",
    "meaning": "Ny offisiell tekst",
    "not-main": "Ikke hovedtilstand i Norge",
    "unspecific": "Uspesifikk",
    "own-text": "Egen tekst avviker",
    "not-in-list": "Ikke i innlastet liste",
}


@dataclass(frozen=True, slots=True)
class ListedCode:
    """One row of the department's list."""

    row: int
    code: str  # as written
    own_text: str


@dataclass(frozen=True, slots=True)
class Problem:
    kind: str
    severity: Severity
    message: str

    @property
    def label(self) -> str:
        return KINDS[self.kind]


@dataclass(frozen=True, slots=True)
class CheckedCode:
    listed: ListedCode
    canonical: str
    official_text: str
    problems: tuple[Problem, ...] = ()


@dataclass(frozen=True, slots=True)
class ListCheck:
    file: str
    year: int
    codes: tuple[CheckedCode, ...]
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def with_problems(self) -> int:
        return sum(1 for c in self.codes if c.problems)


def read_list(path: Path) -> list[ListedCode]:
    """The codes of a CSV or xlsx list (a column «Kode», optionally «Egen tekst»)."""
    table = read_table(path, frozenset())
    columns = map_columns(table, COLUMNS, "kodelisten")
    listed = []
    for row in rows(table, columns):
        code = row.text("code")
        if not code:
            continue
        own = row.text("text") if "text" in columns else None
        listed.append(ListedCode(row.number, code, own or ""))
    if not listed:
        raise CodeListError("kodelisten inneholder ingen koder", file=path.name)
    return listed


def check_list(
    path: Path, year: int, base: CodeBase, searcher: Searcher | None = None
) -> ListCheck:
    """Read and check the list at `path` for `year`."""
    if not 1990 <= year <= 2100:
        raise CodeListError(f"året {year} er ikke mulig", file=path.name)
    listed = read_list(path)
    return check_codes(path.name, listed, year, base, searcher)


def check_codes(
    file: str,
    listed: list[ListedCode],
    year: int,
    base: CodeBase,
    searcher: Searcher | None = None,
) -> ListCheck:
    day, before = date(year, 1, 1), date(year - 1, 1, 1)
    checker = Checker(base, select(list(NOT_MAIN_RULES)))
    searcher = searcher or Searcher.for_codebase(base)
    in_list = {base.resolve(item.code, day).normalised.code for item in listed}
    checked = []
    for item in listed:
        found = base.resolve(item.code, day)
        canonical = found.normalised.code or item.code.strip()
        official = found.code.display_text if found.code is not None else ""
        problems = _validity(found, year)
        if found.status in (Status.OK, Status.NOT_REPORTABLE) and found.code is not None:
            problems += _meaning(base, canonical, found, before, year)
            problems += _not_main(checker, item.code, year)
            problems += _unspecific(base, found.code, day, in_list)
            problems += _own_text(searcher, canonical, item.own_text, official)
        checked.append(CheckedCode(item, canonical, official, tuple(problems)))
    return ListCheck(file, year, tuple(checked), tuple(_notes(base, year)))


def _validity(found: Resolution, year: int) -> list[Problem]:
    status = found.status
    if status in (Status.UNKNOWN, Status.NOT_VALID):
        what = "finnes ikke" if status is Status.UNKNOWN else f"er ikke gyldig i {year}"
        return [Problem("invalid", Severity.ERROR, f"Koden {what}; fjern eller erstatt den.")]
    if status is Status.WHO_ONLY:
        return [
            Problem(
                "invalid",
                Severity.ERROR,
                "WHO-kode som ikke brukes i den norske utgaven av ICD-10.",
            )
        ]
    if status is Status.NOT_REPORTABLE:
        return [
            Problem(
                "not-reportable",
                Severity.ERROR,
                "Overskrift eller kode som ikke rapporteres til NPR; bruk en kode på nivået under.",
            )
        ]
    if status is Status.NOT_IN_LOADED_LIST:
        return [
            Problem(
                "not-in-list",
                Severity.INFO,
                "Prosedyrekoden er ikke i den innlastede listen; last den offisielle "
                "prosedyrelisten for å kontrollere den.",
            )
        ]
    return []


def _meaning(
    base: CodeBase, canonical: str, found: Resolution, before: date, year: int
) -> list[Problem]:
    earlier = base.resolve(canonical, before)
    if (
        found.release is None
        or earlier.release is None
        or earlier.release.year != year - 1
        or found.release.year != year
        or earlier.code is None
        or found.code is None
    ):
        return []
    old, new = earlier.code.display_text, found.code.display_text
    if not old or not new or _plain(old) == _plain(new):
        return []
    return [
        Problem(
            "meaning",
            Severity.WARNING,
            f"Den offisielle teksten er endret fra «{old}» ({year - 1}) til «{new}» ({year}); "
            "sjekk at koden fortsatt betyr det avdelingen bruker den til.",
        )
    ]


def _not_main(checker: Checker, code: str, year: int) -> list[Problem]:
    moment = datetime(year, 1, 1, 12, 0)
    episode = Episode(
        "kodeliste",
        admission=moment,
        discharge=moment,
        care_level=CareLevel.OUTPATIENT,
        conditions=[[code]],
    )
    reasons = [f for f in checker.check_episode(episode) if f.rule in NOT_MAIN_RULES]
    if not reasons:
        return []
    message = f"Kan ikke være hovedtilstand: {reasons[0].message}"
    return [Problem("not-main", Severity.WARNING, message)]


def _unspecific(base: CodeBase, code: Code, day: date, in_list: set[str]) -> list[Problem]:
    if not code.unspecific or code.parent is None:
        return []
    siblings = [
        c
        for c in base.children(code.parent, day)
        if c.code != code.code and c.reportable and not c.unspecific and c.valid_on(day)
    ]
    missing = [c for c in siblings if c.code not in in_list]
    if not missing:
        return []
    shown = ", ".join(f"{c.code} {c.display_text}".strip() for c in missing[:SPECIFIC_SHOWN])
    more = len(missing) - SPECIFIC_SHOWN
    if more > 0:
        shown += f" og {more} til"
    return [
        Problem(
            "unspecific",
            Severity.INFO,
            f"Uspesifikk kode; listen kan tilby de spesifikke kodene {shown}.",
        )
    ]


def _plain(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(folded.replace(",", " ").replace(".", " ").split())


def _own_text(searcher: Searcher, code: str, own: str, official: str) -> list[Problem]:
    if not own or not official or _plain(own) == _plain(official):
        return []
    if fuzz.token_set_ratio(_plain(own), _plain(official)) >= OWN_TEXT_SIMILARITY:
        return []
    category = code.split(".")[0]
    found = {hit.code for hit in searcher.search(own, SEARCHED)}
    if code in found or category in {hit.split(".")[0] for hit in found}:
        return []
    return [
        Problem(
            "own-text",
            Severity.WARNING,
            f"Avdelingens tekst «{own}» stemmer ikke med den offisielle «{official}».",
        )
    ]


def _notes(base: CodeBase, year: int) -> list[str]:
    notes = []
    for family, name in ((Family.ICD10, "ICD-10"), (Family.PROCEDURE, "prosedyrekodene")):
        chosen = base.code_list(family, year)
        if chosen is not None and chosen.release.year != year:
            notes.append(
                f"Kodelisten for {name} {year} er ikke lastet; {chosen.release.year} er brukt "
                "i stedet (last de offisielle filene med KODEVAKT_CODE_FILES)."
            )
        elif chosen is not None and not chosen.release.complete:
            notes.append(
                f"Listen over {name} er ufullstendig (bare kodene kodeveiledningen nevner)."
            )
    return notes
