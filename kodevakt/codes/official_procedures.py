"""Importer for the yearly combined procedure code workbook ("Alle prosedyrekoder YYYY").

One sheet holds NCSP, NCMP and NCRP codes with a column naming the system, the sex
restriction and an additional-code-only flag. The exact column names were not found in public
sources, so the columns are matched by name against the alias table `COLUMNS` below; when a
required column is missing the error lists every accepted name. Add a name to the table when a
real file spells a column differently.

Codes become canonical (upper case, no spaces) and must have a procedure shape
(`kodevakt.codes.procedures.parse_procedure`); the system comes from the system column, or
from the code's shape when the file has no such column.
"""

from __future__ import annotations

from collections.abc import Mapping
from os import PathLike

from kodevakt.codes.model import Code, Level, System
from kodevakt.codes.procedures import parse_procedure
from kodevakt.codes.release import CodeList, Family, Release
from kodevakt.codes.tabular import (
    Column,
    Row,
    Table,
    known_names,
    map_columns,
    read_table,
    release_year,
    rows,
    unique_codes,
)
from kodevakt.errors import CodeListError

# Column table: internal key (the `Code` field it feeds), accepted header names in order of
# preference. Matching ignores case, spaces vs underscores and æøå spelling.
COLUMNS: tuple[Column, ...] = (
    Column("code", ("Kode", "Prosedyrekode", "Kodeverdi", "Code")),
    Column(
        "text",
        ("Tekst_med_maksimalt_60_tegn", "Kodetekst", "Tekst", "Kort tekst", "Beskrivelse"),
        required=False,
    ),
    Column(
        "full_text",
        ("Tekst_uten_lengdebegrensning", "Fullstendig tekst", "Full tekst", "Lang tekst"),
        required=False,
    ),
    Column("system", ("Kodeverk", "Kodesystem", "Klassifikasjon", "System"), required=False),
    Column("valid_from", ("Gyldig_fra", "Gyldig fra dato", "Fra dato"), required=False),
    Column("valid_to", ("Gyldig_til", "Gyldig til dato", "Til dato"), required=False),
    Column("sex", ("Kjønn", "Kjønnsbegrensning", "Kjønnsspesifikk"), required=False),
    Column(
        "additional_only",
        ("Tilleggskode", "Kun_tilleggskode", "Kun som tilleggskode", "Bare tilleggskode"),
        required=False,
    ),
)

# Values of the system column (after strip + casefold); the letters are NPR's `kodeverk` codes.
SYSTEM_VALUES: Mapping[str, System] = {
    "ncsp": System.NCSP,
    "ncsp-n": System.NCSP,
    "k": System.NCSP,
    "ncmp": System.NCMP,
    "m": System.NCMP,
    "ncrp": System.NCRP,
    "r": System.NCRP,
}

# Columns that mark a file as the procedure list (for `loading.load_code_file`).
SIGNATURE_COLUMNS = ("Prosedyrekode", "Kodeverk", "Kodesystem", "Kun_tilleggskode")

_WHAT = "prosedyrekodelisten"


def load_procedure_file(path: str | PathLike[str], year: int | None = None) -> CodeList:
    """Load the combined procedure list (xlsx or JSON) as one complete `Family.PROCEDURE` release.

    The release year is `year`, else a four-digit year in the file name, else the latest
    valid-from year in the list.
    """
    return procedures_from_table(read_table(path, known_names(COLUMNS)), year)


def procedures_from_table(table: Table, year: int | None = None) -> CodeList:
    """Build the release from a file already read (used by `loading.load_code_file`)."""
    columns = map_columns(table, COLUMNS, _WHAT)
    if "text" not in columns and "full_text" not in columns:
        names = [n for col in COLUMNS if col.key in ("text", "full_text") for n in col.names]
        raise CodeListError(
            f"{_WHAT} mangler en tekstkolonne (godtatte navn: "
            f"{' / '.join(f'«{n}»' for n in names)})",
            file=table.file,
            line=table.header_row or None,
            field=names[0],
        )
    codes = unique_codes(table, rows(table, columns), _read_code, _WHAT)
    found_year = release_year(table.file, codes.values(), year)
    release = Release(Family.PROCEDURE, found_year, source=table.file, complete=True)
    return CodeList(release, codes)


def _read_code(row: Row) -> Code | None:
    raw = row.text("code")
    if raw is None:
        if row.text("text") is not None or row.text("full_text") is not None:
            raise row.error("code", "raden har tekst, men ingen kode")
        return None
    code = "".join(raw.split()).upper()
    shape = parse_procedure(code)
    if shape is None:
        raise row.error("code", f"«{raw}» har ikke formen til en NCSP-, NCMP- eller NCRP-kode")
    system = shape.system
    raw_system = row.text("system")
    if raw_system is not None:
        found = SYSTEM_VALUES.get(raw_system.casefold())
        if found is None:
            raise row.error(
                "system", f"kodeverket «{raw_system}» er ukjent (godtatt: NCSP, NCMP, NCRP)"
            )
        system = found
    short = row.text("text")
    full = row.text("full_text")
    return Code(
        code=code,
        system=system,
        text=short if short is not None else full,
        level=Level.CODE,
        full_text=full,
        valid_from=row.date("valid_from"),
        valid_to=row.date("valid_to"),
        # Chapter Z holds the additional codes whatever the flag column says.
        additional_only=row.flag("additional_only") or shape.additional,
        sex=row.sex("sex"),
    )
