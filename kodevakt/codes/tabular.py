"""Reading the official code list files: an xlsx sheet or a JSON list becomes rows by column name.

The official lists come as a workbook (first sheet, one header row) or as JSON (a list of
objects with the same keys, possibly wrapped in an object); a department's own list or a
review worksheet may also be CSV (`;`, `,` or tab, UTF-8 or Windows-1252, as Excel saves
it). All are read into one `Table`:
header names as written in the file and, per row, the row number a user finds the row under
(the spreadsheet row as Excel shows it; for JSON the record's position counted from 1).

Each loader declares its columns as a table of `Column`s (internal key, accepted header names,
required or not); `map_columns` matches them to the file's header case-insensitively and
tolerant of spaces/underscores/hyphens and æøå spelled as ae/o/a (`Kjønn` = `Kjonn` = `KJØNN`).
`Row` reads typed values (text, date, yes/no flag, sex) and raises a `CodeListError` naming file,
row and column when a value cannot be read. Loaders build everything before returning, so a
failure never leaves a half-loaded list.
"""

from __future__ import annotations

import csv
import io
import json
import re
import warnings
import zipfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from os import PathLike
from pathlib import Path

from kodevakt.cells import csv_value
from kodevakt.codes.model import Code, Sex
from kodevakt.errors import CodeListError

# Values accepted in yes/no columns (after strip + casefold). Empty cells mean "no".
YES_VALUES = frozenset({"ja", "j", "x", "1", "*", "true", "sann", "yes", "y"})
NO_VALUES = frozenset({"nei", "n", "0", "false", "usann", "no", "-"})

# Values accepted in the sex restriction column (after strip + casefold). Empty means none.
SEX_VALUES: Mapping[str, Sex] = {
    "m": Sex.MALE,
    "mann": Sex.MALE,
    "menn": Sex.MALE,
    "1": Sex.MALE,
    "k": Sex.FEMALE,
    "kvinne": Sex.FEMALE,
    "kvinner": Sex.FEMALE,
    "2": Sex.FEMALE,
}

# Keys a JSON file may hold its list of records under, when the list is wrapped in an object.
JSON_LIST_KEYS = ("koder", "codes", "data", "items", "rows", "kodeverk", "result", "results")

_HEADER_SEARCH_ROWS = 20  # a workbook's header row is looked for among its first rows
_EXCEL_SUFFIXES = frozenset({".xlsx", ".xlsm"})


@dataclass(frozen=True, slots=True)
class Column:
    """One column a loader reads: internal key, accepted header names (official name first)."""

    key: str
    names: tuple[str, ...]
    required: bool = True


@dataclass(frozen=True, slots=True)
class Table:
    """A code list file read into rows: `rows` holds (row number, values by header name)."""

    file: str
    columns: tuple[str, ...]
    rows: tuple[tuple[int, dict[str, object]], ...]
    header_row: int  # spreadsheet row of the header (0 for JSON)


def header_key(name: str) -> str:
    """Comparison form of a header name: `Kjønn` → `kjonn`, `NPR Gyldig-fra` → `npr_gyldig_fra`."""
    text = name.strip().casefold()
    for letter, plain in (("æ", "ae"), ("ø", "o"), ("å", "a"), ("ö", "o"), ("ä", "a")):
        text = text.replace(letter, plain)
    return re.sub(r"[\s_\-]+", "_", text).strip("_")


def known_names(*specs: Iterable[Column]) -> frozenset[str]:
    """Comparison forms of every header name the given column tables accept."""
    return frozenset(header_key(name) for spec in specs for col in spec for name in col.names)


def year_from_name(name: str) -> int | None:
    """A four-digit year (1990–2099) in a file name: `icd10_2025.xlsx` → 2025."""
    found = re.findall(r"(?<![0-9])(199[0-9]|20[0-9]{2})(?![0-9])", Path(name).stem)
    return int(found[-1]) if found else None


def release_year(file: str, codes: Iterable[Code], year: int | None = None) -> int:
    """The year of a release: `year`, else a year in the file name, else the latest start date."""
    if year is not None:
        return year
    from_name = year_from_name(file)
    if from_name is not None:
        return from_name
    starts = [code.valid_from for code in codes if code.valid_from is not None]
    if starts:
        return max(starts).year
    raise CodeListError(
        "årgangen kan ikke bestemmes: filnavnet har ikke noe årstall og ingen kode har "
        "gyldig-fra-dato; oppgi året",
        file=file,
    )


def read_table(path: str | PathLike[str], known: frozenset[str] = frozenset()) -> Table:
    """Read an xlsx workbook (first sheet) or a JSON file; `known` helps find the header row."""
    file = Path(path)
    name = file.name
    try:
        data = file.read_bytes()
    except OSError as exc:
        raise CodeListError(f"filen kan ikke åpnes ({exc.strerror or exc})", file=name) from exc
    if not data.strip():
        raise CodeListError("filen er tom", file=name)
    suffix = file.suffix.casefold()
    if suffix == ".xls":
        raise CodeListError(
            "det gamle Excel-formatet (.xls) kan ikke leses; lagre filen som .xlsx", file=name
        )
    if suffix in _EXCEL_SUFFIXES or (suffix != ".json" and data[:2] == b"PK"):
        return _read_xlsx(file, known)
    if suffix == ".json" or data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"[", b"{"):
        return _read_json(name, data)
    if suffix in (".csv", ".txt"):
        return _read_csv(name, data, known)
    raise CodeListError(
        f"filtypen «{file.suffix or '(ingen)'}» er ukjent; bruk .xlsx, .csv eller .json",
        file=name,
    )


def _read_xlsx(file: Path, known: frozenset[str]) -> Table:
    import openpyxl  # imported here: only workbooks need it, and it takes a while to import

    name = file.name
    try:
        with warnings.catch_warnings():
            # Workbooks saved by other tools make openpyxl warn about styles; irrelevant here.
            warnings.simplefilter("ignore")
            workbook = openpyxl.load_workbook(file, read_only=True, data_only=True)
            try:
                if not workbook.worksheets:
                    raise CodeListError("arbeidsboken har ingen ark", file=name)
                sheet = workbook.worksheets[0]
                sheet.reset_dimensions()  # some writers record a wrong sheet size
                raw_rows = [tuple(row) for row in sheet.iter_rows(values_only=True)]
            finally:
                workbook.close()
    except CodeListError:
        raise
    except (zipfile.BadZipFile, KeyError, ValueError, TypeError, OSError) as exc:
        raise CodeListError(
            f"filen kan ikke leses som Excel-arbeidsbok ({exc})", file=name
        ) from exc
    except Exception as exc:  # openpyxl raises its own exception types for broken packages
        if type(exc).__module__.startswith("openpyxl"):
            raise CodeListError(
                f"filen kan ikke leses som Excel-arbeidsbok ({exc})", file=name
            ) from exc
        raise

    header_index = _find_header(raw_rows, known)
    if header_index is None:
        raise CodeListError("arbeidsboken har ingen rader", file=name)
    header_row = header_index + 1
    columns: list[tuple[int, str]] = []
    seen: dict[str, str] = {}
    for position, cell in enumerate(raw_rows[header_index]):
        title = _cell_str(cell)
        if title is None:
            continue
        key = header_key(title)
        if key in seen:
            raise CodeListError(
                f"kolonnen «{title}» finnes mer enn én gang i overskriftsraden",
                file=name,
                line=header_row,
                field=title,
            )
        seen[key] = title
        columns.append((position, title))
    rows: list[tuple[int, dict[str, object]]] = []
    for number, raw in enumerate(raw_rows[header_index + 1 :], start=header_row + 1):
        if all(_is_blank(value) for value in raw):
            continue
        values = {title: raw[pos] if pos < len(raw) else None for pos, title in columns}
        rows.append((number, values))
    return Table(name, tuple(title for _, title in columns), tuple(rows), header_row)


def _read_csv(name: str, data: bytes, known: frozenset[str]) -> Table:
    """A CSV file as a table: the delimiter the first line uses most; a cell kodevakt wrote
    with a leading apostrophe against formula injection (`kodevakt.cells`) is read back
    without it."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    first = text.split("\n", 1)[0]
    delimiter = max((";", ",", "\t"), key=first.count)
    raw_rows = [
        tuple(csv_value(cell) for cell in row)
        for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    ]
    header_index = _find_header(list(raw_rows), known)
    if header_index is None:
        raise CodeListError("filen har ingen rader", file=name)
    titles = [(i, _cell_str(cell)) for i, cell in enumerate(raw_rows[header_index])]
    columns = [(i, title) for i, title in titles if title is not None]
    keys = [header_key(title) for _, title in columns]
    for position, (_, title) in enumerate(columns):
        if keys.index(keys[position]) != position:
            raise CodeListError(
                f"kolonnen «{title}» finnes mer enn én gang i overskriftsraden",
                file=name,
                line=header_index + 1,
                field=title,
            )
    rows: list[tuple[int, dict[str, object]]] = []
    for number, raw in enumerate(raw_rows[header_index + 1 :], start=header_index + 2):
        if all(_is_blank(value) for value in raw):
            continue
        values: dict[str, object] = {
            title: raw[pos] if pos < len(raw) else None for pos, title in columns
        }
        rows.append((number, values))
    return Table(name, tuple(title for _, title in columns), tuple(rows), header_index + 1)


def _find_header(rows: list[tuple[object, ...]], known: frozenset[str]) -> int | None:
    first_filled = None
    for index, row in enumerate(rows[:_HEADER_SEARCH_ROWS]):
        cells = [text for text in (_cell_str(cell) for cell in row) if text is not None]
        if not cells:
            continue
        if first_filled is None:
            first_filled = index
        if known and sum(header_key(cell) in known for cell in cells) >= 2:
            return index
    if first_filled is None:
        first_filled = next(
            (i for i, row in enumerate(rows) if not all(_is_blank(v) for v in row)), None
        )
    return first_filled


def _read_json(name: str, data: bytes) -> Table:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CodeListError(f"filen er ikke UTF-8-tekst ({exc.reason})", file=name) from exc
    try:
        parsed = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CodeListError(
            f"filen er ikke gyldig JSON: feil ved tegn {exc.colno} på linje {exc.lineno} "
            f"({exc.msg})",
            file=name,
            line=exc.lineno,
        ) from exc
    records = _json_records(parsed, name)
    columns: dict[str, str] = {}  # comparison key -> first spelling seen
    rows: list[tuple[int, dict[str, object]]] = []
    for index, record in enumerate(records, start=1):
        if not isinstance(record, dict):
            raise CodeListError(
                "posten er ikke et JSON-objekt med kolonnenavn som nøkler", file=name, line=index
            )
        values: dict[str, object] = {}
        for key, value in record.items():
            title = columns.setdefault(header_key(str(key)), str(key))
            values[title] = value
        rows.append((index, values))
    return Table(name, tuple(columns.values()), tuple(rows), 0)


def _json_records(parsed: object, name: str) -> list[object]:
    if isinstance(parsed, list):
        return parsed
    if isinstance(parsed, dict):
        by_key = {str(key).casefold(): value for key, value in parsed.items()}
        for key in JSON_LIST_KEYS:
            if isinstance(by_key.get(key), list):
                return list(by_key[key])
        lists = [value for value in parsed.values() if isinstance(value, list)]
        if len(lists) == 1:
            return list(lists[0])
    raise CodeListError(
        "JSON-filen må være en liste med koder, eller et objekt med en slik liste under "
        f"nøkkelen {' / '.join(JSON_LIST_KEYS[:3])}",
        file=name,
    )


def map_columns(table: Table, spec: Iterable[Column], what: str) -> dict[str, str]:
    """Match a loader's column table to the file header: internal key → header name in file.

    A file without rows, or without a required column, raises one `CodeListError`; a missing
    column is named with every name accepted for it. `what` names the list in the message
    ("ICD-10-kodelisten").
    """
    if not table.rows:
        raise CodeListError(f"{what} inneholder ingen koder", file=table.file)
    by_key = {header_key(title): title for title in table.columns}
    mapped: dict[str, str] = {}
    missing: list[Column] = []
    for column in spec:
        found = next((by_key[header_key(n)] for n in column.names if header_key(n) in by_key), None)
        if found is not None:
            mapped[column.key] = found
        elif column.required:
            missing.append(column)
    if missing:
        first = missing[0]
        parts = []
        for column in missing:
            if len(column.names) == 1:
                parts.append(f"«{column.names[0]}»")
            else:
                accepted = " / ".join(f"«{n}»" for n in column.names)
                parts.append(f"«{column.names[0]}» (godtatte navn: {accepted})")
        noun = "kolonne" if len(missing) == 1 else "kolonner"
        found_text = ", ".join(f"«{c}»" for c in table.columns) or "ingen"
        raise CodeListError(
            f"{what} mangler {noun} {'; '.join(parts)}. Kolonner i filen: {found_text}",
            file=table.file,
            line=table.header_row or None,
            field=first.names[0],
        )
    return mapped


class Row:
    """One row of a table, read through a column mapping; errors name file, row and column."""

    __slots__ = ("_columns", "_values", "file", "number")

    def __init__(
        self, file: str, number: int, values: Mapping[str, object], columns: Mapping[str, str]
    ) -> None:
        self.file = file
        self.number = number
        self._values = values
        self._columns = columns

    def has(self, key: str) -> bool:
        """Whether the file has the column `key` at all."""
        return key in self._columns

    def field(self, key: str) -> str:
        """The column's name as written in the file (for messages)."""
        return self._columns.get(key, key)

    def raw(self, key: str) -> object:
        column = self._columns.get(key)
        return None if column is None else self._values.get(column)

    def error(self, key: str, message: str) -> CodeListError:
        return CodeListError(message, file=self.file, line=self.number, field=self.field(key))

    def text(self, key: str) -> str | None:
        """Stripped text; empty cells and whitespace give `None`."""
        value = self.raw(key)
        if isinstance(value, (dict, list)):
            raise self.error(key, "verdien er ikke tekst")
        return _cell_str(value)

    def date(self, key: str) -> date | None:
        """A date from a date cell, `1999-01-01`, `1999-01-01T00:00:00` or `01.01.1999`."""
        value = self.raw(key)
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        text = self.text(key)
        if text is None:
            return None
        parsed = _parse_date(text)
        if parsed is None:
            raise self.error(key, f"datoen «{text}» kan ikke leses")
        return parsed

    def flag(self, key: str) -> bool:
        """A yes/no column (`Ja`/empty, also J, X, 1, *); unknown values are an error."""
        value = self.raw(key)
        if isinstance(value, bool):
            return value
        text = self.text(key)
        if text is None:
            return False
        folded = text.casefold()
        if folded in YES_VALUES:
            return True
        if folded in NO_VALUES:
            return False
        raise self.error(
            key, f"verdien «{text}» er verken ja eller nei (godtatt: Ja, J, X, 1, * eller tom)"
        )

    def sex(self, key: str) -> Sex | None:
        """A sex restriction (`M`/`K`, `Mann`/`Kvinne`); empty means none."""
        text = self.text(key)
        if text is None:
            return None
        found = SEX_VALUES.get(text.casefold())
        if found is None:
            raise self.error(
                key, f"kjønnet «{text}» er ukjent (godtatt: M, K, Mann, Kvinne eller tom)"
            )
        return found


def rows(table: Table, columns: Mapping[str, str]) -> Iterable[Row]:
    """The table's rows read through `columns` (from `map_columns`)."""
    for number, values in table.rows:
        yield Row(table.file, number, values, columns)


_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ][0-9:.]+(?:Z|[+-]\d{2}:?\d{2})?)?")
_NORWEGIAN = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})(?: [0-9:.]+)?")


def _parse_date(text: str) -> date | None:
    iso = _ISO.fullmatch(text)
    if iso is not None:
        year, month, day = (int(part) for part in iso.groups())
    else:
        norwegian = _NORWEGIAN.fullmatch(text)
        if norwegian is None:
            return None
        day, month, year = (int(part) for part in norwegian.groups())
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _cell_str(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "Ja" if value else None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime):
        value = value.date()
    text = (value.isoformat() if isinstance(value, date) else str(value)).strip()
    return text or None


def _is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def unique_codes(
    table: Table, table_rows: Iterable[Row], read: Callable[[Row], Code | None], what: str
) -> dict[str, Code]:
    """Codes read row by row; a code twice (in any spelling) is an error naming both rows."""
    codes: dict[str, Code] = {}
    first_seen: dict[str, tuple[int, str | None]] = {}
    for row in table_rows:
        code = read(row)
        if code is None:
            continue
        if code.code in codes:
            number, written = first_seen[code.code]
            raise row.error(
                "code",
                f"koden {code.code} finnes to ganger: her som «{row.text('code')}», "
                f"og på rad {number} som «{written}»",
            )
        codes[code.code] = code
        first_seen[code.code] = (row.number, row.text("code"))
    if not codes:
        raise CodeListError(f"{what} inneholder ingen koder", file=table.file)
    return codes
