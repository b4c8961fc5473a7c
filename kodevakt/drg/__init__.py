"""DRG grouping (NordDRG, Norway) from the official definition tables the user supplies.

    >>> from kodevakt.drg import group, load_definitions
    >>> definitions = load_definitions("DefinitionData_NOR_2015_Pr1cN.zip")  # doctest: +SKIP
    >>> group("1,10248,H,2,,R060," + "," * 158, definitions).drg  # doctest: +SKIP
    '100'

`group()` takes a kodevakt `Episode`, a `DrgInput` or a DRG string; the year comes from the
episode's discharge date unless given. See docs/drg.md for the semantics of the tables.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from kodevakt.drg.grouper import Definitions, DrgTables, load_definitions
from kodevakt.drg.input import episode_input
from kodevakt.drg.model import DrgInput, DrgResult, LogicRow, describe_return_code
from kodevakt.drg.strings import format_drg_string, parse_drg_string
from kodevakt.episodes.model import Episode
from kodevakt.errors import CodeListError

__all__ = [
    "Definitions",
    "DrgInput",
    "DrgResult",
    "DrgTables",
    "LogicRow",
    "describe_return_code",
    "episode_input",
    "format_drg_string",
    "group",
    "load_definitions",
    "parse_drg_string",
]

_DEFAULT: dict[str, Definitions] = {}


def group(
    case: Episode | DrgInput | str,
    definitions: Definitions | DrgTables | str | Path | None = None,
    *,
    year: int | None = None,
    discharge: str | None = None,
    explain: bool = True,
) -> DrgResult:
    """Group one stay.

    `definitions` is a `Definitions`, one year's `DrgTables`, or a path (workbook, JSON/zip
    file or folder); by default the path in `KODEVAKT_DRG_DEFINITIONS`. `year` overrides the
    year the episode's discharge date picks. `discharge` gives the discharge mode of an
    episode (`E` died; the episode model only knows transfers).
    """
    tables = _tables(definitions, _year(case, definitions, year))
    if isinstance(case, Episode):
        found = episode_input(case, year=tables.year, discharge=discharge)
        result = tables.group(found, explain_row=explain)
        return _with_id(result, case.id)
    if isinstance(case, str):
        case = parse_drg_string(case)
    return tables.group(case, explain_row=explain)


def _year(
    case: Episode | DrgInput | str,
    definitions: Definitions | DrgTables | str | Path | None,
    year: int | None,
) -> int | None:
    if year is not None:
        return year
    if isinstance(case, Episode) and case.rule_date is not None:
        return case.rule_date.year
    return None


def _tables(
    definitions: Definitions | DrgTables | str | Path | None, year: int | None
) -> DrgTables:
    if isinstance(definitions, DrgTables):
        if year is not None and year != definitions.year:
            raise CodeListError(
                f"tabellene gjelder {definitions.year}, men episoden skal grupperes for {year}"
            )
        return definitions
    if not isinstance(definitions, Definitions):
        key = str(definitions) if definitions is not None else ""
        found = _DEFAULT.get(key)
        if found is None:
            found = _DEFAULT[key] = load_definitions(definitions)
        definitions = found
    if year is None:
        year = definitions.only_year()
        if year is None:
            raise CodeListError(
                "flere års DRG-tabeller er lastet; oppgi hvilket år som skal brukes (--year)"
            )
    return definitions.tables(year)


def _with_id(result: DrgResult, episode_id: str) -> DrgResult:
    return replace(result, episode_id=episode_id)
