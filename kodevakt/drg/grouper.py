"""Grouping: one year's tables (`DrgTables`), several years (`Definitions`) and `group()`.

`DrgTables.group(case)` finds the first `drglogic` row the stay satisfies (see `logic`) and
returns the DRG with its MDC, return code, the row's `ord` and, on request, the row's
conditions in Norwegian with the codes that met them. `Definitions` holds one file per year
and loads a year the first time a stay needs it; the stay's discharge date picks the year.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from kodevakt.drg import cache
from kodevakt.drg.compile import Compiled
from kodevakt.drg.explain import explain
from kodevakt.drg.logic import Index, build_index
from kodevakt.drg.model import CONDITION_COLUMNS, DrgInput, DrgResult, LogicRow
from kodevakt.drg.stay_facts import Facts, PropertySets, case_facts
from kodevakt.drg.tables import DefinitionSource, default_path, discover
from kodevakt.errors import CodeListError

UNGROUPABLE = "470"
_COMPL = CONDITION_COLUMNS.index("compl")
_OR = CONDITION_COLUMNS.index("or")
_PROCPRO1 = CONDITION_COLUMNS.index("procpro1")


class DrgTables:
    """One year's definition tables, ready to group."""

    def __init__(self, compiled: Compiled) -> None:
        self.year: int = compiled["year"]
        self.source: str = compiled["source"]
        self.dx: dict[str, PropertySets] = compiled["dx"]
        self.pairs: dict[tuple[str, str], tuple[Any, ...]] = compiled["pairs"]
        self.proc: dict[str, tuple[frozenset[str], frozenset[str], frozenset[str], bool]] = (
            compiled["proc"]
        )
        self.excl: dict[tuple[str, str], frozenset[str]] = compiled["excl"]
        self.incl: dict[str, frozenset[str]] = compiled["incl"]
        self.drg_mdc: dict[str, str] = compiled["drg_mdc"]
        self.drg_name: dict[str, str] = compiled["drg_name"]
        self.rows = [LogicRow(o, d, r, tuple(c)) for o, d, r, c in compiled["rows"]]
        self.index: Index = build_index(self.rows)
        self._split = _complication_split(self.rows)

    def __repr__(self) -> str:
        return f"DrgTables(year={self.year}, rows={len(self.rows)}, source={self.source!r})"

    def facts(self, case: DrgInput) -> Facts:
        return case_facts(self, case)

    def first_row(self, case: DrgInput, facts: Facts) -> int:
        """Index of the first row `case` satisfies, or -1."""
        index = self.index
        mask = (
            index.icd[facts.known]
            & index.operation[(facts.major, facts.minor)]
            & index.compl[facts.cc]
            & index.sex[case.sex if case.sex in ("1", "2") else ""]
            & index.discharge(case.discharge)
        )
        principal = index.principal
        mask &= principal["mdc"].holds(facts.mdc)
        mask &= principal["dgcat1"].holds(facts.dgcat)
        mask &= principal["pdgprop"].holds(facts.pdg)
        comparison = index.comparison
        mask &= comparison["agelim"].holds(case.age_days)
        mask &= comparison["dur"].holds(case.los)
        for column in index.procedure:
            if mask:
                mask &= column.holds(facts.procpr)
        for column in index.diagnosis:
            if mask:
                mask &= column.holds(facts.dgprop)
        while mask:
            low = mask & -mask
            row = low.bit_length() - 1
            if low & index.no_other_operation and not _no_other_operation(self.rows[row], facts):
                mask ^= low
                continue
            return row
        return -1

    def group(self, case: DrgInput, *, explain_row: bool = True) -> DrgResult:
        """Group one stay. Unknown codes never fail: they take the tables' own way (DRG 470)."""
        facts = case_facts(self, case)
        found = self.first_row(case, facts)
        if found < 0:
            raise CodeListError(
                "ingen regel i drglogic passet, og tabellen mangler en oppsamlingsregel",
                file=self.source,
            )
        row = self.rows[found]
        return DrgResult(
            drg=row.drg,
            mdc=self._mdc(row, facts),
            return_code=_return_code(row, facts),
            logic_row=row.ord,
            year=self.year,
            surgical=_surgical(row, facts),
            complication=True if row.cells[_COMPL] else (False if found in self._split else None),
            complication_codes=tuple(facts.cc_codes),
            why=explain(self, row, case, facts) if explain_row else (),
            drg_name=self.drg_name.get(row.drg),
        )

    def _mdc(self, row: LogicRow, facts: Facts) -> str:
        known = self.drg_mdc.get(row.drg)
        if known:
            return known
        return ",".join(sorted(facts.mdc))


def _return_code(row: LogicRow, facts: Facts) -> str:
    """The row's `rtc`, except that 1 (principal diagnosis missing or unknown) becomes 9 when
    the principal diagnosis is a known code (see docs/drg.md, "Return codes")."""
    if row.rtc == "1" and facts.known:
        return "9"
    return row.rtc


def _surgical(row: LogicRow, facts: Facts) -> bool | None:
    if row.drg.startswith(UNGROUPABLE):
        return None
    cell = row.cells[_OR]
    if cell == "S":
        return True
    if cell in ("N", "Z"):
        return False
    return facts.major


def _no_other_operation(row: LogicRow, facts: Facts) -> bool:
    wanted = row.cells[_PROCPRO1]
    if not wanted or wanted.startswith("-"):
        return not facts.operations
    return all(wanted in props for props in facts.operations)


def _complication_split(rows: Sequence[LogicRow]) -> frozenset[int]:
    """Rows without a complication cell that follow an otherwise identical row demanding one."""
    with_cc: set[tuple[str, ...]] = set()
    split = set()
    for i, row in enumerate(rows):
        key = row.cells[:_COMPL] + row.cells[_COMPL + 1 :]
        if row.cells[_COMPL]:
            with_cc.add(key)
        elif key in with_cc:
            split.add(i)
    return frozenset(split)


class Definitions:
    """Definition tables for several years; a year is read (or taken from the cache) on use."""

    def __init__(
        self,
        sources: Iterable[DefinitionSource] = (),
        *,
        tables: Iterable[DrgTables] = (),
        use_cache: bool = True,
    ) -> None:
        self.sources = {source.year: source for source in sources}
        self._loaded = {t.year: t for t in tables}
        self.use_cache = use_cache

    @property
    def years(self) -> list[int]:
        return sorted(set(self.sources) | set(self._loaded))

    def tables(self, year: int) -> DrgTables:
        """The tables for `year`; CodeListError naming the loaded years when there are none."""
        found = self._loaded.get(year)
        if found is None:
            source = self.sources.get(year)
            if source is None:
                available = ", ".join(str(y) for y in self.years) or "ingen"
                raise CodeListError(
                    f"ingen DRG-definisjonstabeller for år {year} (lastet: {available})"
                )
            found = DrgTables(cache.load(source, use_cache=self.use_cache))
            self._loaded[year] = found
        return found

    def only_year(self) -> int | None:
        years = self.years
        return years[0] if len(years) == 1 else None


def load_definitions(
    path: str | Path | None = None, *, year: int | None = None, use_cache: bool = True
) -> Definitions:
    """Definitions from a workbook, a JSON/zip file or a folder with one file per year.

    Without `path`, the environment variable `KODEVAKT_DRG_DEFINITIONS` names it.
    """
    chosen = path if path is not None else default_path()
    if chosen is None:
        raise CodeListError(
            "ingen DRG-definisjonstabeller er oppgitt: bruk --definitions eller "
            "miljøvariabelen KODEVAKT_DRG_DEFINITIONS"
        )
    return Definitions(discover(os.fspath(chosen), year), use_cache=use_cache)
