"""Reading the definition workbook (.xlsx) fast enough for a 150,000-row first load.

openpyxl needs about six seconds for the yearly workbook. The sheets are plain tables (text
and numbers, no formulas that matter, no merged cells), so the cells are read straight from the
sheet XML with one regular expression per sheet, which takes about half a second. Every cell
the expression does not account for (an unusual writer, rich text in a cell) sends the whole
workbook to openpyxl instead, so the fast path never guesses.
"""

from __future__ import annotations

import io
import lzma
import re
import zipfile
import zlib
from collections.abc import Callable
from typing import Any
from xml.etree import ElementTree
from xml.sax.saxutils import unescape

from kodevakt.errors import CodeListError

WORKBOOK = "xl/workbook.xml"
_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
_P = rb"(?:\w+:)?"  # an optional namespace prefix (x:c)
_CELL = re.compile(
    rb"<" + _P + rb'c r="([A-Z]{1,3})(\d+)"(?:[^>]*?\bt="(\w+)")?[^>]*?'
    rb"(?:/>|>"
    rb"(?:<" + _P + rb"f[^>]*?(?:/>|>[^<]*</" + _P + rb"f>))?"
    rb"(?:<" + _P + rb"v>([^<]*)</" + _P + rb"v>"
    rb"|<" + _P + rb"is><" + _P + rb"t[^>]*>([^<]*)</" + _P + rb"t></" + _P + rb"is>)?"
    rb"</" + _P + rb"c>)"
)
_ANY_CELL = re.compile(rb"<" + _P + rb"c[\s>/]")
_INTEGER_FLOAT = re.compile(r"-?\d+\.0+")
_ENTITIES = {"&quot;": '"', "&apos;": "'"}

Rows = list[tuple[str, ...]]
# What a damaged or encrypted zip raises while it is read (NotImplementedError is a RuntimeError)
ARCHIVE_ERRORS = (zipfile.BadZipFile, zlib.error, lzma.LZMAError, EOFError, RuntimeError)


class _Unusual(Exception):
    """The sheet holds something the fast path does not read; use openpyxl."""


def read_workbook(
    data: bytes, name: str, sheet_key: Callable[[str], str | None]
) -> dict[str, tuple[tuple[str, ...], Rows]]:
    """Sheets whose title `sheet_key` recognises → (header, rows), all cells as text."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return _fast(archive, sheet_key)
    except (_Unusual, KeyError, IndexError, ElementTree.ParseError, UnicodeDecodeError, ValueError):
        return _openpyxl(data, name, sheet_key)
    except ARCHIVE_ERRORS as exc:
        raise CodeListError("arbeidsboken er skadet", file=name) from exc


def sheet_titles(archive: zipfile.ZipFile) -> list[str]:
    """The titles of a workbook's sheets, from its small workbook part alone."""
    book = ElementTree.fromstring(archive.read(WORKBOOK))
    return [sheet.get("name", "") for sheet in book.iter(_MAIN + "sheet")]


def _fast(
    archive: zipfile.ZipFile, sheet_key: Callable[[str], str | None]
) -> dict[str, tuple[tuple[str, ...], Rows]]:
    book = ElementTree.fromstring(archive.read(WORKBOOK))
    rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    targets = {rel.get("Id"): rel.get("Target", "") for rel in rels.iter(_PKG_REL)}
    shared = _shared_strings(archive)
    out = {}
    for sheet in book.iter(_MAIN + "sheet"):
        key = sheet_key(sheet.get("name", ""))
        if key is None:
            continue
        target = targets[sheet.get(_REL)]
        path = target.lstrip("/") if target.startswith("/") else "xl/" + target
        out[key] = _rows(archive.read(path), shared)
    return out


def _shared_strings(archive: zipfile.ZipFile) -> list[str]:
    if "xl/sharedStrings.xml" not in archive.namelist():
        return []
    root = ElementTree.fromstring(archive.read("xl/sharedStrings.xml"))
    return [
        "".join(t.text or "" for t in si.iter(_MAIN + "t")).strip()
        for si in root.iter(_MAIN + "si")
    ]


def _rows(data: bytes, shared: list[str]) -> tuple[tuple[str, ...], Rows]:
    found = _CELL.findall(data)
    if len(found) != len(_ANY_CELL.findall(data)):
        raise _Unusual
    columns: dict[bytes, int] = {}
    rows: list[dict[int, str]] = []
    current = b""
    cells: dict[int, str] = {}
    for column, row, kind, value, inline in found:
        if row != current:
            if cells:
                rows.append(cells)
            current, cells = row, {}
        if kind == b"s":
            text = shared[int(value)] if value else ""
        elif kind == b"inlineStr" and b"&" not in inline:
            text = inline.decode("utf-8").strip()
        else:
            text = _value(kind, value, inline, shared)
        if text:
            index = columns.get(column)
            if index is None:
                index = columns[column] = _column_index(column)
            cells[index] = text
    if cells:
        rows.append(cells)
    if not rows:
        return (), []
    header_cells = rows[0]
    width = max(header_cells) + 1
    header = tuple(header_cells.get(i, "") for i in range(width))
    body = [tuple(cells.get(i, "") for i in range(width)) for cells in rows[1:]]
    return header, body


def _value(kind: bytes, value: bytes, inline: bytes, shared: list[str]) -> str:
    if kind == b"s":
        return shared[int(value)] if value else ""
    raw = inline if kind == b"inlineStr" else value
    text = raw.decode("utf-8")
    if "&" in text:
        text = unescape(text, _ENTITIES)
    if kind == b"e":
        return ""
    if kind in (b"", b"n") and _INTEGER_FLOAT.fullmatch(text):
        return text.split(".")[0]
    return text.strip()


def _column_index(letters: bytes) -> int:
    number = 0
    for char in letters:
        number = number * 26 + char - 64
    return number - 1


def _openpyxl(
    data: bytes, name: str, sheet_key: Callable[[str], str | None]
) -> dict[str, tuple[tuple[str, ...], Rows]]:
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            return _openpyxl_sheets(book, sheet_key)
        finally:
            book.close()
    except Exception as exc:  # openpyxl raises many types for a broken file
        raise CodeListError(f"arbeidsboken kan ikke leses: {exc}", file=name) from exc


def _openpyxl_sheets(
    book: Any, sheet_key: Callable[[str], str | None]
) -> dict[str, tuple[tuple[str, ...], Rows]]:
    out = {}
    for title in book.sheetnames:
        key = sheet_key(title)
        if key is None:
            continue
        rows = book[title].iter_rows(values_only=True)
        header = tuple(_cell(c) for c in next(rows, ()))
        width = len(header)
        body = []
        for row in rows:
            cells = tuple(_cell(c) for c in row)[:width]
            if any(cells):
                body.append(cells + ("",) * (width - len(cells)))
        out[key] = (header, body)
    return out


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()
