"""Worklists for coders: one row per finding, most severe first, as xlsx or CSV.

Rows are sorted by severity (error, warning, info), then institution, department and episode,
so a coder works down the list department by department. Institution and department are shown
by name when a units file names them (`kodevakt.batch.units`), with the code. The xlsx has a
bold header row, frozen panes, an autofilter and column widths; the CSV uses `;` and a BOM
so that Excel reads æøå right, and its cells are neutralised against formula injection
(`kodevakt.cells`). Either file is replaced whole or not at all (`kodevakt.report.atomic`).
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import IO, Any
from xml.sax.saxutils import escape

from kodevakt.batch.units import NO_UNITS, Units
from kodevakt.cells import SafeCsvWriter
from kodevakt.report.atomic import replaced_binary, replaced_text
from kodevakt.rules.finding import Severity

# Column header and width (characters) in the order written (`WorklistRow.cells`).
COLUMNS: tuple[tuple[str, int], ...] = (
    ("Episode", 16),
    ("Pasient (pseudonym)", 14),
    ("Institusjon", 24),
    ("Avdeling", 20),
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
    """One finding on the list; `patient` is already a pseudonym, `status` in Norwegian,
    `institution` and `department` are codes ("" when the extract names none)."""

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
    institution: str = ""

    def cells(self, institution: str, department: str) -> list[Any]:
        """The row's cells in `COLUMNS` order, with the texts that show its institution and
        department (`_Named`: by name from a units file, else the codes)."""
        return [
            self.episode_id,
            self.patient,
            institution,
            department,
            self.discharge,
            self.rule,
            self.severity.norwegian,
            self.message,
            self.suggestion or "",
            self.source,
            self.status,
            self.key,
        ]


def sort_key(row: WorklistRow) -> tuple[int, str, str, str, str, str]:
    return (-row.severity.rank, row.institution, row.department, row.episode_id, row.rule, row.key)


def sorted_rows(rows: Iterable[WorklistRow]) -> list[WorklistRow]:
    return sorted(rows, key=sort_key)


def write_worklist(
    rows: Iterable[WorklistRow], path: Path, *, title: str = "", units: Units = NO_UNITS
) -> int:
    """Write the sorted list as xlsx or csv, chosen by the file extension; returns the rows.
    `units` names the institutions and departments."""
    ordered = sorted_rows(rows)
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        write_xlsx(ordered, path, title=title, units=units)
    elif suffix == ".csv":
        write_csv(ordered, path, units=units)
    else:
        raise ValueError(f"unknown worklist extension {suffix!r}: use .xlsx or .csv")
    return len(ordered)


def write_csv(rows: Iterable[WorklistRow], path: Path, *, units: Units = NO_UNITS) -> None:
    named = _Named(units)
    with replaced_text(path, encoding="utf-8-sig", newline="") as stream:
        writer = SafeCsvWriter(stream, lineterminator="\r\n")
        writer.writerow([name for name, _ in COLUMNS])
        for row in rows:
            cells = named.cells(row)
            cells[_DISCHARGE] = row.discharge.isoformat() if row.discharge else ""
            writer.writerow(cells)


class _Named:
    """`WorklistRow.cells` with each unit's texts looked up once (a million rows, a few
    hundred units)."""

    def __init__(self, units: Units) -> None:
        self.units = units
        self._texts: dict[tuple[str, str], tuple[str, str]] = {}

    def cells(self, row: WorklistRow) -> list[Any]:
        place = (row.institution, row.department)
        texts = self._texts.get(place)
        if texts is None:
            texts = self._texts[place] = (
                self.units.institution_text(row.institution),
                self.units.department_text(row.institution, row.department),
            )
        return row.cells(*texts)


def write_xlsx(
    rows: Iterable[WorklistRow], path: Path, *, title: str = "", units: Units = NO_UNITS
) -> None:
    """The list as an xlsx workbook: bold header, frozen panes, autofilter, widths, a fill per
    severity, dates as dates, and an "Om listen" sheet.

    Written straight as SpreadsheetML (a zip of XML parts), streamed: a worklist can have a
    million rows, and a general-purpose xlsx library takes minutes for that. A sheet holds at
    most 1,048,575 rows under its header (Excel's limit); more go on "Arbeidsliste 2", ….
    Every text is an inline string cell, never a formula, so `=1+1` from the data stays text.
    """
    sheets: list[tuple[str, int]] = []  # (name, data rows)
    named = _Named(units)
    with (
        replaced_binary(path) as stream,
        zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as book,
    ):
        pending = iter(rows)
        row: WorklistRow | None = next(pending, None)
        while row is not None or not sheets:
            name = _SHEET if not sheets else f"{_SHEET} {len(sheets) + 1}"
            with book.open(
                f"xl/worksheets/sheet{len(sheets) + 1}.xml", "w", force_zip64=True
            ) as out:
                row, count = _write_sheet(out, row, pending, named)
            sheets.append((name, count))
        total = sum(count for _, count in sheets)
        about = [
            title or "Arbeidsliste fra kodevakt",
            f"{total} funn, sortert etter alvorlighet (feil, advarsel, info), institusjon, "
            "avdeling og episode.",
            "Pasient-id-er er pseudonymisert med en nøkkel som hører til databasen.",
            "Nøkkel identifiserer funnet på tvers av kjøringer; bruk den når status meldes "
            "tilbake.",
        ]
        if units.file:
            about.append(
                f"Navn på institusjoner og avdelinger er hentet fra {Path(units.file).name}."
            )
        book.writestr(f"xl/worksheets/sheet{len(sheets) + 1}.xml", _about_sheet(about))
        names = [name for name, _ in sheets] + [_ABOUT]
        book.writestr("[Content_Types].xml", _content_types(len(names)))
        book.writestr("_rels/.rels", _ROOT_RELS)
        book.writestr("xl/workbook.xml", _workbook(names, sheets))
        book.writestr("xl/_rels/workbook.xml.rels", _workbook_rels(len(names)))
        book.writestr("xl/styles.xml", _STYLES)


_SHEET = "Arbeidsliste"
_ABOUT = "Om listen"
_SHEET_ROWS = 1_048_575  # data rows under the header row
_LETTERS = [chr(ord("A") + i) for i in range(len(COLUMNS))]
_LAST = _LETTERS[-1]
_EPOCH = date(1899, 12, 30).toordinal()  # Excel's day 0 (with its 1900 leap year)
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_SPECIAL = re.compile("[&<>\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# How each column's cell is written: its own text, a text repeated across rows (escaped
# once), a date, the severity (with its fill), the wrapped message.
_OWN, _REPEATED, _DAY, _SEVERITY, _MESSAGE = range(5)
_KIND_OF = {
    "Institusjon": _REPEATED,
    "Avdeling": _REPEATED,
    "Utskrivningsdato": _DAY,
    "Regel": _REPEATED,
    "Alvorlighet": _SEVERITY,
    "Melding": _MESSAGE,
    "Forslag": _REPEATED,
    "Kilde": _REPEATED,
    "Status": _REPEATED,
}
_KINDS = tuple(_KIND_OF.get(name, _OWN) for name, _ in COLUMNS)
_SHARED = (_REPEATED, _SEVERITY)  # texts escaped once per sheet
_OPENINGS = tuple(f'<c r="{letter}' for letter in _LETTERS)  # a cell's start, before its row
_NAMES = [name for name, _ in COLUMNS]
_DISCHARGE = _NAMES.index("Utskrivningsdato")
# cell styles (xf index in _STYLES): header, date, wrapped message, severity fills
_HEADER, _DATE, _WRAP = 1, 2, 3
_FILL_STYLE = {Severity.ERROR: 4, Severity.WARNING: 5, Severity.INFO: 6}
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


def _inline(value: str) -> str:
    """The `<is>` element of an inline string cell: escaped, characters XML cannot hold
    left out, surrounding spaces kept."""
    text = value
    if _SPECIAL.search(value):
        value = _ILLEGAL.sub("", value)
        text = escape(value)
    if value != value.strip():
        return f'<is><t xml:space="preserve">{text}</t></is>'
    return f"<is><t>{text}</t></is>"


def _text_cell(ref: str, value: str, style: int = 0) -> str:
    styled = f' s="{style}"' if style else ""
    return f'<c r="{ref}"{styled} t="inlineStr">{_inline(value)}</c>'


def _row_xml(n: int, cells: list[Any], severity: Severity, shared: dict[str, str]) -> str:
    """Row `n` of the sheet from a row's cells (`WorklistRow.cells`), each written as its
    column's kind says (`_KINDS`). Texts that repeat (units, rule, severity, suggestion,
    source, status) are escaped once, through `shared`."""
    row = str(n)
    parts = [f'<row r="{row}">']
    append = parts.append
    for opening, kind, value in zip(_OPENINGS, _KINDS, cells, strict=True):
        if kind in _SHARED:
            if not value:
                continue
            text = shared.get(value)
            if text is None:
                text = shared[value] = _inline(value)
            style = f' s="{_FILL_STYLE[severity]}"' if kind == _SEVERITY else ""
            append(f'{opening}{row}"{style} t="inlineStr">{text}</c>')
        elif value is None or value == "":
            continue
        elif kind == _DAY:
            append(f'{opening}{row}" s="{_DATE}"><v>{value.toordinal() - _EPOCH}</v></c>')
        elif kind == _MESSAGE:
            append(f'{opening}{row}" s="{_WRAP}" t="inlineStr">{_inline(value)}</c>')
        else:
            append(f'{opening}{row}" t="inlineStr">{_inline(value)}</c>')
    append("</row>")
    return "".join(parts)


def _write_sheet(
    out: IO[bytes], row: WorklistRow | None, pending: Iterator[WorklistRow], named: _Named
) -> tuple[WorklistRow | None, int]:
    """One sheet from `row` on; returns the first row that did not fit and the rows written."""
    widths = "".join(
        f'<col min="{i}" max="{i}" width="{width}" customWidth="1"/>'
        for i, (_, width) in enumerate(COLUMNS, start=1)
    )
    header = "".join(
        _text_cell(f"{_LETTERS[i]}1", name, _HEADER) for i, (name, _) in enumerate(COLUMNS)
    )
    out.write(
        (
            f'{_XML}<worksheet xmlns="{_MAIN}" xmlns:r="{_REL}"><sheetViews>'
            '<sheetView workbookViewId="0"><pane xSplit="1" ySplit="1" topLeftCell="B2" '
            'activePane="bottomRight" state="frozen"/><selection pane="topRight"/>'
            '<selection pane="bottomLeft"/><selection pane="bottomRight" activeCell="B2" '
            f'sqref="B2"/></sheetView></sheetViews><sheetFormatPr defaultRowHeight="15"/>'
            f'<cols>{widths}</cols><sheetData><row r="1">{header}</row>'
        ).encode()
    )
    count, chunk = 0, []
    shared: dict[str, str] = {}
    while row is not None and count < _SHEET_ROWS:
        count += 1
        chunk.append(_row_xml(count + 1, named.cells(row), row.severity, shared))
        if len(chunk) >= 2000:
            out.write("".join(chunk).encode())
            chunk = []
        row = next(pending, None)
    out.write("".join(chunk).encode())
    out.write(f'</sheetData><autoFilter ref="A1:{_LAST}{count + 1}"/></worksheet>'.encode())
    return row, count


def _about_sheet(lines: list[str]) -> str:
    body = "".join(
        f'<row r="{n}">{_text_cell(f"A{n}", line)}</row>' for n, line in enumerate(lines, start=1)
    )
    return (
        f'{_XML}<worksheet xmlns="{_MAIN}" xmlns:r="{_REL}"><sheetFormatPr defaultRowHeight="15"/>'
        f'<cols><col min="1" max="1" width="100" customWidth="1"/></cols>'
        f"<sheetData>{body}</sheetData></worksheet>"
    )


def _content_types(sheets: int) -> str:
    kind = "application/vnd.openxmlformats-officedocument.spreadsheetml"
    parts = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="{kind}.worksheet+xml"/>'
        for i in range(1, sheets + 1)
    )
    return (
        f'{_XML}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{kind}.sheet.main+xml"/>'
        f'<Override PartName="/xl/styles.xml" ContentType="{kind}.styles+xml"/>{parts}</Types>'
    )


_ROOT_RELS = (
    f'{_XML}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)


def _workbook(names: list[str], sheets: list[tuple[str, int]]) -> str:
    listed = "".join(
        f'<sheet name="{escape(name)}" sheetId="{i}" r:id="rId{i}"/>'
        for i, name in enumerate(names, start=1)
    )
    filters = "".join(
        f'<definedName name="_xlnm._FilterDatabase" localSheetId="{i}" hidden="1">'
        f"{_quoted(name)}!$A$1:${_LAST}${count + 1}"
        "</definedName>"
        for i, (name, count) in enumerate(sheets)
    )
    return (
        f'{_XML}<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><bookViews><workbookView/>'
        f"</bookViews><sheets>{listed}</sheets><definedNames>{filters}</definedNames></workbook>"
    )


def _quoted(name: str) -> str:
    return escape("'" + name.replace("'", "''") + "'")


def _workbook_rels(sheets: int) -> str:
    links = "".join(
        f'<Relationship Id="rId{i}" Type="{_REL}/worksheet" Target="worksheets/sheet{i}.xml"/>'
        for i in range(1, sheets + 1)
    )
    return (
        f'{_XML}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'{links}<Relationship Id="rId{sheets + 1}" Type="{_REL}/styles" Target="styles.xml"/>'
        "</Relationships>"
    )


def _fill(color: str) -> str:
    return f'<fill><patternFill patternType="solid"><fgColor rgb="FF{color}"/></patternFill></fill>'


def _xf(fill: int = 0, font: int = 0, number: int = 0, extra: str = "") -> str:
    applied = (
        (' applyFill="1"' if fill else "")
        + (' applyFont="1"' if font else "")
        + (' applyNumberFormat="1"' if number else "")
        + (' applyAlignment="1"' if extra else "")
    )
    attributes = f'numFmtId="{number}" fontId="{font}" fillId="{fill}" borderId="0" xfId="0"'
    return f"<xf {attributes}{applied}>{extra}</xf>" if extra else f"<xf {attributes}{applied}/>"


_STYLES = (
    f'{_XML}<styleSheet xmlns="{_MAIN}">'
    '<numFmts count="1"><numFmt numFmtId="164" formatCode="DD.MM.YYYY"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="6"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill>'
    + _fill("E8EAED")
    + "".join(_fill(FILL[s]) for s in (Severity.ERROR, Severity.WARNING, Severity.INFO))
    + "</fills>"
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="7">'
    + _xf()
    + _xf(fill=2, font=1)
    + _xf(number=164)
    + _xf(extra='<alignment vertical="top" wrapText="1"/>')
    + _xf(fill=3)
    + _xf(fill=4)
    + _xf(fill=5)
    + "</cellXfs>"
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)
