"""One entry point for code list files, and the default `CodeBase` every command starts from.

`load_code_file` reads an official list (xlsx or JSON) and tells the ICD-10 list from the
procedure list by its header columns (falling back on the shape of its first codes).
`default_codebase` starts from the embedded offline data (ICD-10 of every year its code
history covers, and the procedure subset the rulebook names) and adds official files: those
given, plus those named in the environment variable `KODEVAKT_CODE_FILES` (paths separated
by `os.pathsep`), so the CLI and batch jobs load official lists without flags. Several years
sit side by side; an official release of the same family and year replaces the embedded one.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from os import PathLike
from pathlib import Path

from kodevakt.codes import official_icd10, official_procedures
from kodevakt.codes.codebase import CodeBase
from kodevakt.codes.embedded import load_embedded_icd10_years
from kodevakt.codes.normalise import CodeKind, normalise
from kodevakt.codes.procedure_subset import load_embedded_procedures, load_embedded_special_codes
from kodevakt.codes.procedures import parse_procedure
from kodevakt.codes.release import CodeList, Family
from kodevakt.codes.tabular import Table, header_key, known_names, read_table
from kodevakt.errors import CodeListError

ENV_CODE_FILES = "KODEVAKT_CODE_FILES"

_SNIFF_ROWS = 50  # rows looked at when the header does not tell the list apart


def load_code_file(path: str | PathLike[str], year: int | None = None) -> CodeList:
    """Load an official ICD-10 or procedure code list, whichever the file holds."""
    table = read_table(path, known_names(official_icd10.COLUMNS, official_procedures.COLUMNS))
    family = _family_of(table)
    if family is Family.ICD10:
        return official_icd10.icd10_from_table(table, year)
    return official_procedures.procedures_from_table(table, year)


def code_files_from_env() -> list[Path]:
    """The files named in `KODEVAKT_CODE_FILES` (empty entries ignored)."""
    value = os.environ.get(ENV_CODE_FILES, "")
    return [Path(part.strip()) for part in value.split(os.pathsep) if part.strip()]


def default_codebase(extra_files: Iterable[str | PathLike[str]] = ()) -> CodeBase:
    """Embedded releases, then the official files from `KODEVAKT_CODE_FILES` and `extra_files`.

    Two different official files of the same family and year are an error (which one should
    win is not ours to guess); the same file named twice is loaded once.
    """
    base = CodeBase(
        [
            *load_embedded_icd10_years(),
            load_embedded_procedures(),
            load_embedded_special_codes(),
        ]
    )
    loaded: dict[tuple[Family, int], Path] = {}
    seen: set[Path] = set()
    for raw in [*code_files_from_env(), *(Path(p) for p in extra_files)]:
        resolved = raw.expanduser().resolve()
        if resolved in seen:
            continue
        seen.add(resolved)
        code_list = load_code_file(raw.expanduser())
        key = (code_list.release.family, code_list.release.year)
        if key in loaded:
            raise CodeListError(
                f"to filer gir samme kodeverk og år ({_FAMILY_NAMES[key[0]]} {key[1]}): "
                f"{loaded[key].name} og {raw.name}; ta med bare én av dem",
                file=raw.name,
            )
        loaded[key] = raw
        base.add(code_list)
    return base


_FAMILY_NAMES = {
    Family.ICD10: "ICD-10",
    Family.PROCEDURE: "prosedyrekoder",
    Family.SPECIAL: "særkoder",
}


def _family_of(table: Table) -> Family:
    header = {header_key(column) for column in table.columns}
    if any(header_key(name) in header for name in official_icd10.SIGNATURE_COLUMNS):
        return Family.ICD10
    if any(header_key(name) in header for name in official_procedures.SIGNATURE_COLUMNS):
        return Family.PROCEDURE
    # No telling column: look at the shape of the first codes.
    code_columns = {
        header_key(name)
        for spec in (official_icd10.COLUMNS, official_procedures.COLUMNS)
        for column in spec
        if column.key == "code"
        for name in column.names
    }
    titles = [column for column in table.columns if header_key(column) in code_columns]
    icd10 = procedure = 0
    for _, values in table.rows[:_SNIFF_ROWS]:
        for title in titles:
            value = values.get(title)
            if not isinstance(value, str) or not value.strip():
                continue
            bare = "".join(value.split()).upper()
            if parse_procedure(bare) is not None:
                procedure += 1
            elif normalise(value).kind is CodeKind.ICD10:
                icd10 += 1
    if icd10 > procedure:
        return Family.ICD10
    if procedure > icd10:
        return Family.PROCEDURE
    raise CodeListError(
        "filen ser verken ut som ICD-10-kodelisten eller prosedyrekodelisten (fant ingen av "
        f"kolonnene {', '.join(official_icd10.SIGNATURE_COLUMNS)} eller "
        f"{', '.join(official_procedures.SIGNATURE_COLUMNS)}, og kodene har ingen kjent form)",
        file=table.file,
    )
