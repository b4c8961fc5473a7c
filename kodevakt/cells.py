"""Cells that are safe wherever a user opens them: CSV in a spreadsheet, text on a console.

CSV files kodevakt writes are opened in Excel or LibreOffice, and a cell that starts with
`=`, `+`, `-`, `@`, a tab or a carriage return is run there as a formula (CSV injection).
Every text cell from the data is therefore neutralised as OWASP recommends: a leading
apostrophe makes the spreadsheet show the text as text. Numbers are written as numbers (a
negative weight is not a formula). The `csv` module quotes any cell holding the delimiter,
a quote, CR or LF, so no value can split a row.

In an xlsx workbook written with openpyxl, `sheet_cell` stores text as text: the same data
cannot become a formula there either.

Console output goes through rich, which reads `[...]` as markup; `console_text` escapes a
data value so an episode id `[/]` or a comment `Bekreftet [se epikrise]` is shown as written.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import Any, TextIO

from rich.markup import escape

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: object) -> object:
    """`value` as a CSV cell: None → "", text that a spreadsheet would run → quoted as text."""
    if value is None:
        return ""
    if isinstance(value, str):
        return "'" + value if value.startswith(FORMULA_START) else value
    return value


def csv_value(text: str) -> str:
    """A CSV cell as read back: `csv_cell`'s apostrophe before a formula start removed."""
    if text[:1] == "'" and text[1:2] and text[1:2] in FORMULA_START:
        return text[1:]
    return text


def sheet_cell(cell: Any, value: object) -> None:
    """Put `value` in an openpyxl worksheet cell as data, never as a formula: openpyxl takes
    any text starting with `=` for a formula, so text is stored as a string cell, which a
    spreadsheet shows as written (`=1+1` stays text)."""
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"


class SafeCsvWriter:
    """A `csv.writer` whose every cell passes through `csv_cell`."""

    def __init__(self, stream: TextIO, *, delimiter: str = ";", lineterminator: str = "\n"):
        self._writer = csv.writer(
            stream, delimiter=delimiter, lineterminator=lineterminator, quoting=csv.QUOTE_MINIMAL
        )

    def writerow(self, row: Iterable[Any]) -> None:
        self._writer.writerow([csv_cell(value) for value in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def console_text(value: object) -> str:
    """A data value for rich console markup: shown exactly as written, never interpreted."""
    return escape("" if value is None else str(value))
