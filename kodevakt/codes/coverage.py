"""What the loaded ICD-10 data covers, said plainly: which years have a list of their own, what
the code history knows before them, and how many headings have a Norwegian title.

`kodevakt data status` prints these lines, so a user knows before checking old episodes that
a year without its own list is checked against the nearest one (rule K07 says so once per run).
"""

from __future__ import annotations

from dataclasses import dataclass

from kodevakt.codes.codebase import CodeBase
from kodevakt.codes.history import History
from kodevakt.codes.model import Level
from kodevakt.codes.release import CodeList, Family


@dataclass(frozen=True, slots=True)
class TitleCoverage:
    """Headings used in Norway (blocks, categories and non-reportable codes with Norwegian
    codes under them) by where their title comes from."""

    headings: int
    listed: int  # a Norwegian text from the code list
    own: int  # kodevakt's own wording
    english: int  # WHO's English title only

    @property
    def norwegian(self) -> int:
        return self.listed + self.own


def title_coverage(code_list: CodeList) -> TitleCoverage:
    """Count the headings of `code_list` that Norway uses, by the source of their title."""
    listed = own = english = 0
    for code in code_list:
        if code.level is Level.CHAPTER or code.reportable or code.who_only:
            continue
        if code.text is not None:
            listed += 1
        elif code.own_title is not None:
            own += 1
        else:
            english += 1
    return TitleCoverage(listed + own + english, listed, own, english)


def coverage_lines(base: CodeBase, history: History) -> list[str]:
    """Norwegian sentences on what the loaded ICD-10 lists and the code history cover."""
    releases = [r for r in base.releases if r.family is Family.ICD10]
    if not releases:
        return ["Ingen ICD-10-liste er lastet inn."]
    years = sorted(r.year for r in releases)
    first, last = years[0], years[-1]
    official = [str(r.year) for r in releases if not r.embedded]
    lines = [
        f"ICD-10: kodelister for {_span(years)}; hver episode kontrolleres mot listen for sitt "
        "eget år."
    ]
    if official:
        lines.append(
            "Offisielle lister (vinner over de innebygde for sitt år): " + ", ".join(official)
        )
    before = sorted({c.year for changes in history.changes.values() for c in changes} - set(years))
    earlier = [year for year in before if year < first]
    known = f" (kjente endringer fra {', '.join(map(str, earlier))})" if earlier else ""
    lines.append(
        f"Kodehistorikken er komplett fra {history.baseline} ({history.baseline_source}). "
        f"Episoder fra før {first}{known} eller etter {last} kontrolleres mot nærmeste liste: "
        "en kode som ikke finnes i noen liste kan ha vært gyldig da, og gir ikke K01, men én "
        "informasjon (K07) per kjøring."
    )
    newest = base.code_list(Family.ICD10, last)
    if newest is not None:
        titles = title_coverage(newest)
        lines.append(
            f"Norske titler på overskrifter (blokker og kategorier med norske koder, {last}): "
            f"{titles.norwegian} av {titles.headings}, hvorav {titles.own} er kodevakts egne "
            f"(merket som det); {titles.english} har bare WHOs engelske tittel."
        )
    return lines


def _span(years: list[int]) -> str:
    """`2019–2026`, or the years one by one when they are not consecutive."""
    if years == list(range(years[0], years[-1] + 1)):
        return str(years[0]) if len(years) == 1 else f"{years[0]}–{years[-1]}"
    return ", ".join(map(str, years))
