"""Worklists for coders: one row per finding, most severe first, as xlsx or CSV.

Rows are sorted by severity (error, warning, info), then department, then episode, so a coder
works down the list department by department. The xlsx has a bold header row, frozen panes,
an autofilter and column widths; the CSV uses `;` and a BOM so that Excel reads æøå right.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from kodevakt.rules.finding import Severity

# Column header and width (characters) in the order written.
COLUMNS: tuple[tuple[str, int], ...] = (
    ("Episode", 16),
    ("Pasient (pseudonym)", 14),
    ("Avdeling", 10),
    ("Utskrivningsdato", 14),
    ("Regel", 7),
    ("Alvorlighet", 11),
    ("Melding", 70),
    ("Forslag", 40),
    ("Kilde", 22),
    ("Status", 10),
    ("Nøkkel", 20),
)
FILL = {Severity.ERROR: "F8D7D3", Severity.WARNING: "FCEFCF", Severity.INFO: "DCEBF7"}


@dataclass(frozen=True, slots=True)
class WorklistRow:
    """One finding on the list; `patient` is already a pseudonym, `status` in Norwegian."""

    episode_id: str
    patient: str
    department: str
    discharge: date | None
    rule: str
    severity: Severity
    message: str
    suggestion: str | None
    source: str
    status: str
    key: str

    def cells(self) -> list[Any]:
        return [
            self.episode_id,
            self.patient,
            self.department,
            self.discharge,
            self.rule,
            self.severity.norwegian,
            self.message,
            self.suggestion or "",
            self.source,
            self.status,
            self.key,
        ]


def sort_key(row: WorklistRow) -> tuple[int, str, str, str, str]:
    return (-row.severity.rank, row.department, row.episode_id, row.rule, row.key)


def sorted_rows(rows: Iterable[WorklistRow]) -> list[WorklistRow]:
    return sorted(rows, key=sort_key)


def write_worklist(rows: Iterable[WorklistRow], path: Path, *, title: str = "") -> int:
    """Write the sorted list as xlsx or csv, chosen by the file extension; returns the rows."""
    ordered = sorted_rows(rows)
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        write_xlsx(ordered, path, title=title)
    elif suffix == ".csv":
        write_csv(ordered, path)
    else:
        raise ValueError(f"unknown worklist extension {suffix!r}: use .xlsx or .csv")
    return len(ordered)


def write_csv(rows: Iterable[WorklistRow], path: Path) -> None:
    with open(path, "w", encoding="utf-8-sig", newline="") as stream:
        writer = csv.writer(stream, delimiter=";", lineterminator="\r\n")
        writer.writerow([name for name, _ in COLUMNS])
        for row in rows:
            cells = row.cells()
            cells[3] = row.discharge.isoformat() if row.discharge else ""
            writer.writerow(cells)


def write_xlsx(rows: Iterable[WorklistRow], path: Path, *, title: str = "") -> None:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Arbeidsliste")
    for i, (_, width) in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = width
    sheet.freeze_panes = "B2"
    bold = Font(bold=True)
    header_fill = PatternFill("solid", fgColor="E8EAED")
    header = []
    for name, _ in COLUMNS:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = bold
        cell.fill = header_fill
        header.append(cell)
    sheet.append(header)
    fills = {s: PatternFill("solid", fgColor=c) for s, c in FILL.items()}
    wrap = Alignment(wrap_text=True, vertical="top")
    count = 0
    for row in rows:
        cells: list[Any] = row.cells()
        severity = WriteOnlyCell(sheet, value=cells[5])
        severity.fill = fills[row.severity]
        cells[5] = severity
        if row.discharge is not None:
            day = WriteOnlyCell(sheet, value=row.discharge)
            day.number_format = "DD.MM.YYYY"
            cells[3] = day
        message = WriteOnlyCell(sheet, value=cells[6])
        message.alignment = wrap
        cells[6] = message
        sheet.append(cells)
        count += 1
    last = get_column_letter(len(COLUMNS))
    sheet.auto_filter.ref = f"A1:{last}{count + 1}"
    about = book.create_sheet("Om listen")
    about.column_dimensions["A"].width = 100
    for line in (
        title or "Arbeidsliste fra kodevakt",
        f"{count} funn, sortert etter alvorlighet (feil, advarsel, info), avdeling og episode.",
        "Pasient-id-er er pseudonymisert med en nøkkel som hører til databasen.",
        "Nøkkel identifiserer funnet på tvers av kjøringer; bruk den når status meldes tilbake.",
    ):
        about.append([line])
    book.save(path)
