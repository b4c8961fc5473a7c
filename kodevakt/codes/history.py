"""The code history of the embedded ICD-10 list, and the list of each year it gives back.

kodevakt embeds one year's list (2026). Codes change every 1 January: some are introduced,
some retired, some get a new text. Checked against the 2026 list alone, a code retired in
2023 would be "unknown" on a 2021 episode, and a code introduced in 2022 would pass on a 2015
episode. `kodevakt/data/icd10_history.tsv` records those changes, one sourced line each, and
this module lays them over the embedded list:

- `with_history` gives every code its history and validity dates, and adds the codes the
  2026 list no longer holds (a retired code keeps its last text);
- `year_lists` undoes the changes year by year, giving the list of every year from the
  table's baseline (the first year whose complete list is known) to the embedded year, each
  a release of its own. `CodeBase` picks the list of an episode's year like any other release,
  so an official list loaded for a year replaces the one made here.

Before the baseline only single changes are known (the guide's dated notes): an episode from
such a year is checked against the baseline list with those changes, and what cannot be known
(a code retired before the baseline) is reported as not covered, not as an error.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib.resources import files
from importlib.resources.abc import Traversable

from kodevakt.codes.curated_table import table_rows, table_text
from kodevakt.codes.model import ChangeKind, Code, CodeChange, Level, System
from kodevakt.codes.normalise import CodeKind, normalise
from kodevakt.codes.release import CodeList, Release
from kodevakt.errors import CodeListError

HISTORY_FILE = "icd10_history.tsv"
COLUMNS = ("code", "year", "change", "detail", "source")
BASELINE = "baseline"
_FIRST_YEAR = 1999  # ICD-10 came into use in Norway on 1 January 1999


@dataclass(frozen=True, slots=True)
class History:
    """The parsed change table: each code's changes in year order, and the baseline year."""

    file: str
    baseline: int
    baseline_source: str
    changes: Mapping[str, tuple[CodeChange, ...]]

    def counts(self) -> dict[int, Counter[ChangeKind]]:
        """How many codes were introduced, retired and retexted in each year."""
        by_year: dict[int, Counter[ChangeKind]] = {}
        for changes in self.changes.values():
            for change in changes:
                by_year.setdefault(change.year, Counter())[change.kind] += 1
        return by_year


def load_history(path: str | os.PathLike[str] | Traversable) -> History:
    """Read and validate a change table; any defect raises `CodeListError`."""
    text, name = table_text(path, "kodehistorikken")
    return parse_history(text, name)


def parse_history(text: str, name: str) -> History:
    """Parse the table text; `name` is used in error messages."""
    by_code: dict[str, list[CodeChange]] = {}
    baseline: tuple[int, str] | None = None
    for number, fields in table_rows(
        text, name, COLUMNS, missing_header="kodehistorikken mangler kolonnenavn"
    ):
        code, year_text, kind_text, detail, source = fields

        def fail(message: str, field: str, number: int = number) -> CodeListError:
            return CodeListError(message, file=name, line=number, field=field)

        if not (year_text.isascii() and year_text.isdigit() and len(year_text) == 4):
            raise fail(f"«{year_text}» er ikke et årstall", "year")
        year = int(year_text)
        if year < _FIRST_YEAR:
            raise fail(f"{year} er før ICD-10 ble tatt i bruk i Norge ({_FIRST_YEAR})", "year")
        if not source:
            raise fail("kilde mangler", "source")
        if kind_text == BASELINE:
            if code != "*" or baseline is not None:
                raise fail("bare én grunnlinjerad, med kode *", "code")
            baseline = (year, source)
            continue
        try:
            kind = ChangeKind(kind_text)
        except ValueError:
            known = ", ".join([*(k.value for k in ChangeKind), BASELINE])
            raise fail(f"ukjent endring «{kind_text}» (kjente: {known})", "change") from None
        norm = normalise(code)
        if norm.kind is not CodeKind.ICD10 or norm.code != code:
            raise fail(f"«{code}» er ikke en ICD-10-kode skrevet på standard måte", "code")
        if kind is not ChangeKind.INTRODUCED and not detail:
            raise fail("teksten koden hadde før endringen mangler", "detail")
        earlier = by_code.setdefault(code, [])
        if earlier and earlier[-1].year > year:
            raise fail(f"{code}: endringene må stå i årsrekkefølge", "year")
        if any(c.year == year and c.kind is kind for c in earlier):
            raise fail(f"{code} har samme endring i {year} to ganger", "change")
        earlier.append(CodeChange(year, kind, detail, source))
    if baseline is None:
        raise CodeListError("kodehistorikken mangler grunnlinjeraden (kode *)", file=name)
    changes = {code: tuple(found) for code, found in by_code.items()}
    return History(name, baseline[0], baseline[1], changes)


@cache
def default_history() -> History:
    """The table shipped with kodevakt, parsed once per process."""
    return load_history(files("kodevakt.data") / HISTORY_FILE)


def with_history(codes: Mapping[str, Code], history: History, year: int) -> dict[str, Code]:
    """The codes of the `year` list with their history and validity dates, plus the codes the
    list no longer holds (retired before `year`), each with its last text.

    A code introduced in the table is valid from 1 January of that year; a retired code that
    the list lacks is valid to 31 December before its retirement; a retired code the list
    still holds as a heading or a WHO code not used in Norway was reported to NPR until then.
    """
    result = dict(codes)
    for code, changes in history.changes.items():
        current = codes.get(code)
        first, last = changes[0], changes[-1]
        fields: dict[str, object] = {"history": changes}
        if first.kind is ChangeKind.INTRODUCED:
            fields["valid_from"] = date(first.year, 1, 1)
        if last.kind is ChangeKind.RETIRED and last.year <= year:
            end = date(last.year - 1, 12, 31)
            if current is None:
                current = _retired_code(code, last.detail, result)
                fields["valid_to"] = end
            else:
                fields["npr_to"] = end
        elif current is None:
            continue  # a change after `year`, or a stale row: tests/test_history.py checks
        result[code] = current.with_changes(**fields)
    return result


def _retired_code(code: str, text: str, codes: Mapping[str, Code]) -> Code:
    """A code the list no longer holds, placed under its nearest listed ancestor."""
    parent = code[:-1].rstrip(".")
    while parent not in codes and len(parent) > 3:
        parent = parent[:-1].rstrip(".")
    return Code(
        code=code,
        system=System.ICD10,
        text=text,
        level=Level.CATEGORY if len(code) == 3 else Level.CODE,
        parent=parent if parent in codes else None,
    )


def year_lists(current: CodeList, history: History) -> list[CodeList]:
    """The list of every year from the baseline to `current`'s year, oldest first.

    `current` holds `with_history`'s codes, the retired ones too (those end before its
    year). Each earlier year's list is the next year's with that year's changes undone: codes
    introduced then removed, codes retired then reportable again (and their headings no
    longer marked as unused in Norway), texts changed then put back. Unchanged codes are
    shared between the lists.
    """
    top = current.release.year
    start_of_top = date(top, 1, 1)
    codes = {
        key: found
        for key, found in current.codes.items()
        if found.valid_to is None or found.valid_to >= start_of_top
    }
    by_year: dict[int, list[tuple[str, CodeChange]]] = {}
    for code, changes in history.changes.items():
        for change in changes:
            by_year.setdefault(change.year, []).append((code, change))
    release = current.release
    lists = [CodeList(release, codes)]
    for year in range(top - 1, history.baseline - 1, -1):
        codes = dict(codes)
        revived: list[str] = []
        for code, change in reversed(by_year.get(year + 1, [])):
            if change.kind is ChangeKind.INTRODUCED:
                codes.pop(code, None)
                continue
            found = codes.get(code) or current.codes.get(code)
            if found is None:
                continue
            if change.kind is ChangeKind.RETIRED:
                codes[code] = found.with_changes(
                    reportable=True, who_only=False, text=change.detail
                )
                revived.append(code)
            elif code in codes:
                codes[code] = found.with_changes(text=change.detail)
        _clear_who_only_above(revived, codes)
        source = f"innebygd: {top}-listen tilbakeført til {year} med kodehistorikken"
        lists.append(
            CodeList(
                Release(release.family, year, source, release.embedded, release.complete), codes
            )
        )
    return lists[::-1]


def _clear_who_only_above(revived: list[str], codes: dict[str, Code]) -> None:
    """A heading that holds a code reported that year is used in Norway that year."""
    for code in revived:
        parent = codes[code].parent
        while parent is not None and parent in codes and codes[parent].who_only:
            codes[parent] = codes[parent].with_changes(who_only=False)
            parent = codes[parent].parent


def subdivided_titles(codes: Mapping[str, Code], history: History) -> dict[str, str]:
    """Official titles for headings that were reportable codes until Norway subdivided them.

    A code retired the same year every one of its children was introduced (`D37.0` in 2022,
    when `D37.00` and `D37.01` came) names the same thing as before: its last text from the
    code list is a Norwegian title for the heading it became.
    """
    retired = {
        code
        for code, changes in history.changes.items()
        if changes[-1].kind is ChangeKind.RETIRED and code in codes and not codes[code].reportable
    }
    children: dict[str, list[str]] = {}
    for found in codes.values():
        if found.parent in retired:
            children.setdefault(found.parent, []).append(found.code)
    titles = {}
    for code in retired:
        last = history.changes[code][-1]
        kids = children.get(code, [])
        if kids and all(_introduced_in(history, kid) == last.year for kid in kids):
            titles[code] = last.detail
    return titles


def _introduced_in(history: History, code: str) -> int | None:
    for change in history.changes.get(code, ()):
        if change.kind is ChangeKind.INTRODUCED:
            return change.year
    return None
