"""Reading the official DRG definition tables: the yearly workbook and its JSON form.

Helsedirektoratet publishes the NordDRG logic for Norway every year as a workbook with the
sheets `drglogic`, `dg`, `proc`, `complcat`, `complexcl` and `drgnames`. The same six tables
also travel as one JSON object (often zipped) that is not quite JSON: a byte-order mark, CRLF
line ends, trailing commas before `}`/`]` and raw control characters inside strings. This
module reads all of these into `RawTables` (sheet → column map + rows) without interpreting a
single cell; `kodevakt.drg.compile` gives the cells their meaning.

The tables are licensed by their publisher: kodevakt never ships them, the user points to them
(`--definitions` or `KODEVAKT_DRG_DEFINITIONS`): a workbook, a JSON/zip file, or a folder with
one such file per year. The year comes from the file name (`…_2017_…`).
"""

from __future__ import annotations

import io
import json
import os
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from operator import itemgetter
from pathlib import Path
from typing import Any

from kodevakt.drg.workbook import read_workbook
from kodevakt.errors import CodeListError

ENV_DEFINITIONS = "KODEVAKT_DRG_DEFINITIONS"
SHEETS = ("drglogic", "dg", "proc", "complcat", "complexcl", "drgnames")
REQUIRED = {
    "drglogic": ("ord", "drg", "rtc"),
    "dg": ("code", "vartype", "varval"),
    "proc": ("code", "vartype", "varval"),
    "complexcl": ("compl", "code"),
}
SUFFIXES = (".json", ".zip", ".xlsx", ".xlsm")
_YEAR = re.compile(r"(?<!\d)(20\d\d)(?!\d)")
_TRAILING_COMMA = re.compile(r",(?=\s*[}\]])")


@dataclass(frozen=True, slots=True)
class DefinitionSource:
    """One definition file and the year it defines."""

    path: Path
    year: int


@dataclass(slots=True)
class Sheet:
    """One table: rows as the file gave them, and normalised column name → the file's key."""

    name: str
    columns: dict[str, Any]
    rows: list[Any]

    def has(self, column: str) -> bool:
        return column in self.columns

    def values(self, *columns: str) -> Iterator[tuple[str, ...]]:
        """Stripped text of the named columns (missing columns read as empty) for every row."""
        keys = [self.columns.get(c) for c in columns]
        if None not in keys and self.rows:
            fast = self._fast(keys)
            if fast is not None:
                yield from fast
                return
        for row in self.rows:
            if isinstance(row, dict):
                yield tuple(_text(row.get(k)) if k is not None else "" for k in keys)
            else:
                yield tuple(_text(row[k]) if k is not None else "" for k in keys)

    def _fast(self, keys: list[Any]) -> list[tuple[str, ...]] | None:
        """All rows at C speed when every cell is text and every row has every column."""
        getter = itemgetter(*keys) if len(keys) > 1 else lambda row: (row[keys[0]],)
        strip = str.strip
        try:
            return [tuple(map(strip, values)) for values in map(getter, self.rows)]
        except (KeyError, TypeError, IndexError):
            return None


RawTables = dict[str, Sheet]


def year_from_name(name: str) -> int | None:
    """The year in a definition file's name (`DefinitionData_NOR_2016_PR1cN.zip` → 2016)."""
    found = _YEAR.findall(Path(name).name)
    return int(found[-1]) if found else None


def discover(path: str | Path, year: int | None = None) -> list[DefinitionSource]:
    """The definition files at `path` (a file or a folder with one file per year).

    `year` labels a single file whose name carries no year.
    """
    root = Path(path)
    if root.is_dir():
        files = sorted(p for p in root.iterdir() if p.suffix.lower() in SUFFIXES and p.is_file())
        if not files:
            raise CodeListError(
                "mappen inneholder ingen DRG-definisjonstabeller (.xlsx, .json eller .zip)",
                file=str(root),
            )
        return _by_year(files, None)
    if not root.is_file():
        raise CodeListError("finner ikke DRG-definisjonstabellene", file=str(root))
    if root.suffix.lower() not in SUFFIXES:
        raise CodeListError(
            "ukjent filtype for DRG-definisjonstabeller; bruk .xlsx, .json eller .zip",
            file=str(root),
        )
    return _by_year([root], year)


def _by_year(files: Iterable[Path], year: int | None) -> list[DefinitionSource]:
    sources: dict[int, DefinitionSource] = {}
    for file in files:
        found = year_from_name(file.name) or year
        if found is None:
            raise CodeListError(
                "filnavnet sier ikke hvilket år tabellene gjelder; oppgi året (--year)",
                file=str(file),
            )
        if found in sources:
            raise CodeListError(
                f"to filer for år {found}: {sources[found].path.name} og {file.name}",
                file=str(file.parent),
            )
        sources[found] = DefinitionSource(file, found)
    return [sources[y] for y in sorted(sources)]


def read_tables(source: DefinitionSource) -> RawTables:
    """All sheets of one definition file, checked for the required sheets and columns."""
    name = str(source.path)
    try:
        data = source.path.read_bytes()
    except OSError as exc:
        raise CodeListError(f"kan ikke lese filen: {exc.strerror}", file=name) from exc
    return read_tables_bytes(data, name)


def read_tables_bytes(data: bytes, name: str) -> RawTables:
    """Sheets from the bytes of a workbook, a JSON file or a zip holding one of them."""
    if data[:2] == b"PK" and not _is_workbook(data):
        data, name = _unzip(data, name)
    tables = _read_workbook(data, name) if data[:2] == b"PK" else _read_json(data, name)
    _check(tables, name)
    return tables


def _is_workbook(data: bytes) -> bool:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return "[Content_Types].xml" in archive.namelist()


def _unzip(data: bytes, name: str) -> tuple[bytes, str]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = [
                m
                for m in archive.namelist()
                if not m.endswith("/") and Path(m).suffix.lower() in (".json", ".xlsx", ".xlsm")
            ]
            if len(members) != 1:
                raise CodeListError(
                    f"zip-filen skal inneholde nøyaktig én JSON- eller Excel-fil, fant "
                    f"{len(members)}",
                    file=name,
                )
            return archive.read(members[0]), f"{name}:{members[0]}"
    except zipfile.BadZipFile as exc:
        raise CodeListError("zip-filen er skadet", file=name) from exc


# --- JSON ---------------------------------------------------------------------------------


def parse_lenient_json(text: str, name: str) -> Any:
    """JSON with trailing commas and raw control characters in strings, as the tables come.

    Trailing commas are removed outside strings only: the text is cut at its quote marks, the
    pieces between strings are cleaned in one pass, and the text is put back together.
    """
    text = text.removeprefix("\ufeff")
    parts = _split_strings(text)
    outside = "\x00".join(parts[0::2])
    parts[0::2] = _TRAILING_COMMA.sub("", outside).split("\x00")
    try:
        return json.loads('"'.join(parts), strict=False)
    except json.JSONDecodeError as exc:
        raise CodeListError(
            f"ugyldig JSON (linje {exc.lineno}, tegn {exc.colno}): {exc.msg}", file=name
        ) from exc


def _split_strings(text: str) -> list[str]:
    """`text` split at the quote marks that open or close strings (even pieces are outside)."""
    parts = text.split('"')
    if "\\" not in text and "\x00" not in text:
        return parts
    merged: list[str] = []
    for part in parts:
        if merged and _escapes_quote(merged[-1]) and len(merged) % 2 == 0:
            merged[-1] += '"' + part
        else:
            merged.append(part)
    if "\x00" in text:
        merged[0::2] = [p.replace("\x00", " ") for p in merged[0::2]]
    return merged


def _escapes_quote(piece: str) -> bool:
    backslashes = len(piece) - len(piece.rstrip("\\"))
    return backslashes % 2 == 1


def _read_json(data: bytes, name: str) -> RawTables:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CodeListError("filen er ikke UTF-8", file=name) from exc
    obj = parse_lenient_json(text, name)
    if not isinstance(obj, dict):
        raise CodeListError("JSON-filen skal være ett objekt med en liste per tabell", file=name)
    tables: RawTables = {}
    for key, rows in obj.items():
        sheet = _sheet_name(str(key))
        if sheet is None:
            continue
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            raise CodeListError(f"tabellen «{key}» skal være en liste av objekter", file=name)
        keys: dict[str, None] = dict.fromkeys(rows[0]) if rows else {}
        for row in rows:
            if row.keys() != keys.keys():
                keys.update(dict.fromkeys(row))
        columns: dict[str, Any] = {}
        for column in keys:
            columns.setdefault(normalise_column(str(column)), column)
        tables[sheet] = Sheet(sheet, columns, rows)
    return tables


# --- Workbook -----------------------------------------------------------------------------


def _read_workbook(data: bytes, name: str) -> RawTables:
    tables: RawTables = {}
    for sheet, (header, rows) in read_workbook(data, name, _sheet_name).items():
        columns = {normalise_column(h): i for i, h in enumerate(header) if h}
        tables[sheet] = Sheet(sheet, columns, rows)
    return tables


# --- Shared ---------------------------------------------------------------------------------


def normalise_column(header: str) -> str:
    """`loc_drg (link to ndms)` → `loc_drg`; `ORD` → `ord`."""
    head = header.strip().lower()
    return re.split(r"[\s(]", head, maxsplit=1)[0] if head else head


def _sheet_name(title: str) -> str | None:
    key = title.strip().lower().replace(" ", "").replace("_", "").replace(".", "")
    return key if key in SHEETS else None


def _check(tables: RawTables, name: str) -> None:
    for sheet, columns in REQUIRED.items():
        if sheet not in tables:
            raise CodeListError(f"tabellen «{sheet}» mangler", file=name)
        missing = [c for c in columns if not tables[sheet].has(c)]
        if missing and tables[sheet].rows:
            raise CodeListError(
                f"tabellen «{sheet}» mangler kolonnen «{missing[0]}»", file=name, field=sheet
            )


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def default_path() -> str | None:
    """The definitions named in `KODEVAKT_DRG_DEFINITIONS`, if set."""
    value = os.environ.get(ENV_DEFINITIONS, "").strip()
    return value or None
