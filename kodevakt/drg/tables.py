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

from kodevakt.drg.workbook import ARCHIVE_ERRORS, WORKBOOK, read_workbook, sheet_titles
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
EXPECTED = (
    "ventet Helsedirektoratets DRG-definisjonstabeller: en Excel-arbeidsbok med arkene "
    + ", ".join(SHEETS[:-1])
    + f" og {SHEETS[-1]}, eller de samme tabellene som JSON (gjerne i en .zip)"
)
_YEAR = re.compile(r"(?<!\d)(20\d\d)(?!\d)")
_TRAILING_COMMA = re.compile(r",(?=\s*[}\]])")
_SNIFF = 64 * 1024
_TABLE_KEY = re.compile(rb'"([^"\\]{1,40})"\s*:\s*\[')


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
        check_file(file)
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
    if data[:2] == b"PK":
        member = _zip_member(data, name)
        if member is not None:
            return read_tables_bytes(*member)
        tables = _read_workbook(data, name)
    else:
        _check_start(data, name)
        tables = _read_json(data, name)
    _check(tables, name)
    return tables


def not_definitions(reason: str, name: str) -> CodeListError:
    """The error for a file that is not definition tables at all: why, and what was expected."""
    return CodeListError(f"{reason}. Filen er ikke DRG-definisjonstabeller; {EXPECTED}", file=name)


def check_file(path: Path) -> None:
    """Refuse a file that cannot be definition tables, reading only its start or zip directory.

    Years are loaded when a stay needs them; this check names a wrong file at once, even when
    no stay of its year comes (and the user would otherwise only hear that the year is missing).
    """
    name = str(path)
    try:
        with path.open("rb") as stream:
            start = stream.read(_SNIFF)
            if start[:2] != b"PK":
                _check_json_start(start, name)
                return
            try:
                with zipfile.ZipFile(stream) as archive:
                    if _is_workbook(archive, name):
                        _check_sheet_names(archive, name)
                        return
                    member = _only_member(archive, name)
                    if member.lower().endswith(".json"):
                        with archive.open(member) as inner:
                            _check_json_start(inner.read(_SNIFF), f"{name}:{member}")
            except ARCHIVE_ERRORS as exc:
                raise not_definitions("zip-filen er skadet eller ufullstendig", name) from exc
    except OSError as exc:
        raise CodeListError(f"kan ikke lese filen: {exc.strerror or exc}", file=name) from exc


def _check_start(data: bytes, name: str) -> None:
    """JSON definitions are one object: `{` first (after a byte-order mark and white space)."""
    start = data.removeprefix(b"\xef\xbb\xbf").lstrip()
    if not start:
        raise not_definitions("filen er tom", name)
    if not start.startswith(b"{"):
        raise not_definitions("filen er verken en Excel-arbeidsbok, en zip-fil eller JSON", name)


def _check_json_start(start: bytes, name: str) -> None:
    """The first tables of the JSON form begin in its first bytes (`"drglogic": [` first)."""
    _check_start(start, name)
    keys = (key.decode("utf-8", "replace") for key in _TABLE_KEY.findall(start))
    if not any(_sheet_name(key) for key in keys):
        raise not_definitions("JSON-filen har ingen av DRG-tabellene", name)


def _is_workbook(archive: zipfile.ZipFile, name: str) -> bool:
    names = archive.namelist()
    if "[Content_Types].xml" not in names:
        return False
    if WORKBOOK not in names:
        raise not_definitions("filen er et Office-dokument, men ikke en Excel-arbeidsbok", name)
    return True


def _check_sheet_names(archive: zipfile.ZipFile, name: str) -> None:
    try:
        titles = sheet_titles(archive)
    except (SyntaxError, KeyError, *ARCHIVE_ERRORS) as exc:  # ParseError is a SyntaxError
        raise not_definitions("arbeidsboken er skadet", name) from exc
    _check_present(map(_sheet_name, titles), name)


def _zip_member(data: bytes, name: str) -> tuple[bytes, str] | None:
    """The one definition file inside a plain zip; None when `data` is itself a workbook."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if _is_workbook(archive, name):
                return None
            member = _only_member(archive, name)
            return archive.read(member), f"{name}:{member}"
    except ARCHIVE_ERRORS as exc:
        raise not_definitions("zip-filen er skadet eller ufullstendig", name) from exc


def _only_member(archive: zipfile.ZipFile, name: str) -> str:
    members = [
        m
        for m in archive.namelist()
        if not m.endswith("/") and Path(m).suffix.lower() in (".json", ".xlsx", ".xlsm")
    ]
    if len(members) != 1:
        listed = f" ({', '.join(members)})" if members else ""
        raise not_definitions(
            f"zip-filen skal inneholde nøyaktig én JSON- eller Excel-fil, fant {len(members)}"
            + listed,
            name,
        )
    return members[0]


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
        raise not_definitions("JSON-filen er ikke ett objekt med en liste per tabell", name)
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


def _check_present(found: Iterable[str | None], name: str) -> None:
    present = set(found)
    missing = [sheet for sheet in REQUIRED if sheet not in present]
    if missing:
        which = ", ".join(f"«{sheet}»" for sheet in missing)
        raise not_definitions(
            f"{'tabellen' if len(missing) == 1 else 'tabellene'} {which} mangler", name
        )


def _check(tables: RawTables, name: str) -> None:
    _check_present(tables, name)
    for sheet, columns in REQUIRED.items():
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
