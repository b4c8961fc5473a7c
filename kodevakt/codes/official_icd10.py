"""Importer for the official Norwegian ICD-10 code list (Helsedirektoratet, Direktoratet for
e-helse).

The list is published every year as an xlsx workbook and as JSON (terminology API). Every row
is one chapter (`I`…`XXII`), block (`A00-A09`), category (`J12`) or code (`J128`, `I214a`,
`W0n0r`; registered without the dot). All columns are read: texts, validity, NPR reporting
and its dates, parent, asterisk, additional-code, sex and unspecific flags. Codes become the
canonical form (`J12.8`, `I21.4a`, `W0n.0r`); chapters and blocks keep theirs.

Which file column feeds which `Code` field is the `COLUMNS` table below: adjust it there when
the directorate renames a column. Anything unreadable raises one `CodeListError` naming file,
row and column, and nothing is returned half-loaded.
"""

from __future__ import annotations

import re
from os import PathLike

from kodevakt.codes.attributes import apply_attributes
from kodevakt.codes.model import Code, Level, System
from kodevakt.codes.normalise import CodeKind, normalise
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

# Column table: internal key (the `Code` field it feeds), then the accepted header names with
# the official name first. Matching ignores case, spaces vs underscores and æøå spelling.
COLUMNS: tuple[Column, ...] = (
    Column("code", ("Kode",)),
    Column("text", ("Tekst_med_maksimalt_60_tegn",)),
    Column("full_text", ("Tekst_uten_lengdebegrensning",)),
    Column("valid_from", ("Gyldig_fra",)),
    Column("valid_to", ("Gyldig_til",)),
    Column("parent", ("Foreldrekode",)),
    # The parent's text is on the parent's own row; the column is accepted, not required.
    Column("parent_text", ("Foreldrekodetekst",), required=False),
    Column("reportable", ("Rapporteres_til_NPR",)),
    Column("npr_from", ("NPR_Gyldig_fra",)),
    Column("npr_to", ("NPR_Gyldig_til",)),
    Column("asterisk", ("Stjernekode",)),
    Column("additional_only", ("Tilleggskode",)),
    Column("sex", ("Kjønn",)),
    Column("unspecific", ("Uspesifikk_kode",)),
)

# Columns only the ICD-10 list has; `loading.load_code_file` tells the lists apart by them.
SIGNATURE_COLUMNS = ("Foreldrekode", "Stjernekode", "Rapporteres_til_NPR", "Uspesifikk_kode")

_CHAPTER = re.compile(r"X{0,2}(?:IX|IV|V?I{0,3})")
_BLOCK = re.compile(r"[A-Z][0-9][0-9n]-[A-Z][0-9][0-9n]")
_WHAT = "ICD-10-kodelisten"


def load_icd10_file(path: str | PathLike[str], year: int | None = None) -> CodeList:
    """Load an official ICD-10 list (xlsx or JSON) as one release of `Family.ICD10`.

    The release year is `year`, else a four-digit year in the file name, else the latest
    `Gyldig_fra` year in the list.
    """
    return icd10_from_table(read_table(path, known_names(COLUMNS)), year)


def icd10_from_table(table: Table, year: int | None = None) -> CodeList:
    """Build the release from a file already read (used by `loading.load_code_file`)."""
    columns = map_columns(table, COLUMNS, _WHAT)
    codes = unique_codes(table, rows(table, columns), _read_code, _WHAT)
    found_year = release_year(table.file, codes.values(), year)
    release = Release(Family.ICD10, found_year, source=table.file, embedded=False, complete=True)
    return CodeList(release, apply_attributes(codes, official=True))


def canonical_icd10(raw: str) -> tuple[str, Level] | None:
    """Canonical form and level of an ICD-10 list entry: chapter, block, category or code."""
    compact = "".join(raw.split()).replace("–", "-").replace("—", "-")
    upper = compact.upper()
    if upper and _CHAPTER.fullmatch(upper):
        return upper, Level.CHAPTER
    block = upper[:1] + upper[1:3].replace("N", "n") + upper[3:5] + upper[5:7].replace("N", "n")
    if _BLOCK.fullmatch(block):
        return block, Level.BLOCK
    norm = normalise(compact)
    if norm.kind is not CodeKind.ICD10:
        return None
    bare = norm.code.replace(".", "")
    return norm.code, Level.CATEGORY if len(bare) == 3 else Level.CODE


def _read_code(row: Row) -> Code | None:
    raw = row.text("code")
    if raw is None:
        if row.text("text") is not None or row.text("full_text") is not None:
            raise row.error("code", "raden har tekst, men ingen kode")
        return None
    parsed = canonical_icd10(raw)
    if parsed is None:
        raise row.error("code", f"«{raw}» er ikke en ICD-10-kode, -blokk eller -kapittel")
    code, level = parsed
    parent = None
    raw_parent = row.text("parent")
    if raw_parent is not None:
        parsed_parent = canonical_icd10(raw_parent)
        if parsed_parent is None:
            raise row.error(
                "parent",
                f"foreldrekoden «{raw_parent}» er ikke en ICD-10-kode, -blokk eller -kapittel",
            )
        parent = parsed_parent[0]
    short = row.text("text")
    full = row.text("full_text")
    return Code(
        code=code,
        system=System.ICD10,
        # Chapters, blocks and categories often have only the unlimited text.
        text=short if short is not None else full,
        level=level,
        parent=parent,
        full_text=full,
        reportable=row.flag("reportable"),
        valid_from=row.date("valid_from"),
        valid_to=row.date("valid_to"),
        npr_from=row.date("npr_from"),
        npr_to=row.date("npr_to"),
        # A code written with its asterisk mark (H36.0*) is an asterisk code as well.
        asterisk=row.flag("asterisk") or normalise(raw).mark == "*",
        additional_only=row.flag("additional_only"),
        sex=row.sex("sex"),
        unspecific=row.flag("unspecific"),
    )
