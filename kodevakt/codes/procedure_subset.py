"""The embedded procedure codes and special codes: those the 2018 rulebook names.

No procedure code list can be shipped offline, so kodevakt carries the codes that "Regler og
veiledning for bruk av kliniske kodeverk i spesialisthelsetjenesten 2018" (Kodeveiledning
2018) names in its text and worked examples, with the code text it gives and the section and
page where it appears. The releases are marked incomplete: a well-formed code missing from them
is "not in the loaded list", not unknown. An official procedure list of the same year replaces
them.

Files (UTF-8, tab-separated, `#` comment lines before the header):

- `data/procedures_kv2018.tsv`: code, system (NCSP/NCMP/NCRP), text, additional_only (0/1),
  sex (K, M or empty), source.
- `data/special_codes_kv2018.tsv`: code, text, source.

A malformed file is a `CodeListError` naming file, line and column; nothing is half-loaded.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from importlib.resources import files

from kodevakt.codes.model import Code, Level, Sex, System
from kodevakt.codes.normalise import CodeKind, normalise
from kodevakt.codes.procedures import parse_procedure
from kodevakt.codes.release import CodeList, Family, Release
from kodevakt.errors import CodeListError

PROCEDURES_FILE = "procedures_kv2018.tsv"
SPECIAL_CODES_FILE = "special_codes_kv2018.tsv"
YEAR = 2018

PROCEDURE_COLUMNS = ("code", "system", "text", "additional_only", "sex", "source")
SPECIAL_COLUMNS = ("code", "text", "source")

_PROCEDURE_SYSTEMS = {s.value: s for s in (System.NCSP, System.NCMP, System.NCRP)}
_FLAGS = {"0": False, "1": True}
_SEXES = {"": None, "K": Sex.FEMALE, "M": Sex.MALE}
# Særkoder as the rulebook writes them (B0007): one letter and four digits.
_SPECIAL = re.compile(r"[A-Z][0-9]{4}")

_Row = tuple[int, dict[str, str]]


def load_embedded_procedures() -> CodeList:
    """The procedure codes Kodeveiledning 2018 names (an incomplete 2018 release)."""
    release = Release(
        Family.PROCEDURE,
        YEAR,
        "innebygd: prosedyrekoder nevnt i Kodeveiledning 2018",
        embedded=True,
        complete=False,
    )
    return CodeList(release, dict(_embedded(PROCEDURES_FILE, read_procedures)))


def load_embedded_special_codes() -> CodeList:
    """The special codes (særkoder) Kodeveiledning 2018 names (an incomplete 2018 release)."""
    release = Release(
        Family.SPECIAL,
        YEAR,
        "innebygd: særkoder nevnt i Kodeveiledning 2018",
        embedded=True,
        complete=False,
    )
    return CodeList(release, dict(_embedded(SPECIAL_CODES_FILE, read_special_codes)))


@cache
def _embedded(name: str, reader: Callable[[str, str], dict[str, Code]]) -> dict[str, Code]:
    try:
        text = (files("kodevakt.data") / name).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CodeListError(f"innebygde kodedata kan ikke leses ({exc})", file=name) from exc
    return reader(text, name)


def read_procedures(text: str, file: str) -> dict[str, Code]:
    """Codes of a procedure table in the embedded format, keyed by canonical code."""
    codes: dict[str, Code] = {}
    for line, row in _rows(text, file, PROCEDURE_COLUMNS):
        code = _unique_code(row["code"], codes, file, line)
        if normalise(code).kind is not CodeKind.PROCEDURE or parse_procedure(code) is None:
            raise _error(f"«{code}» har ikke formen til en prosedyrekode", file, line, "code")
        system = _PROCEDURE_SYSTEMS.get(row["system"])
        if system is None:
            raise _error(
                f"ukjent kodeverk «{row['system']}» (bruk NCSP, NCMP eller NCRP)",
                file,
                line,
                "system",
            )
        if row["additional_only"] not in _FLAGS:
            raise _error("må være 0 eller 1", file, line, "additional_only")
        if row["sex"] not in _SEXES:
            raise _error("må være K, M eller tom", file, line, "sex")
        codes[code] = Code(
            code=code,
            system=system,
            text=_required(row, "text", file, line),
            level=Level.CODE,
            additional_only=_FLAGS[row["additional_only"]],
            sex=_SEXES[row["sex"]],
            notes=(_required(row, "source", file, line),),
        )
    return codes


def read_special_codes(text: str, file: str) -> dict[str, Code]:
    """Codes of a special-code table in the embedded format, keyed by code."""
    codes: dict[str, Code] = {}
    for line, row in _rows(text, file, SPECIAL_COLUMNS):
        code = _unique_code(row["code"], codes, file, line)
        if not _SPECIAL.fullmatch(code):
            raise _error(
                f"«{code}» har ikke formen til en særkode (bokstav og fire sifre)",
                file,
                line,
                "code",
            )
        codes[code] = Code(
            code=code,
            system=System.SPECIAL,
            text=_required(row, "text", file, line),
            level=Level.CODE,
            notes=(_required(row, "source", file, line),),
        )
    return codes


def _rows(text: str, file: str, columns: tuple[str, ...]) -> list[_Row]:
    """Rows as column → value with their 1-based line numbers; checks header and widths."""
    rows: list[_Row] = []
    header_seen = False
    for number, raw in enumerate(text.splitlines(), start=1):
        if not header_seen and (not raw.strip() or raw.startswith("#")):
            continue
        values = raw.split("\t")
        if not header_seen:
            if tuple(v.strip() for v in values) != columns:
                raise _error(f"overskriftsraden skal være {', '.join(columns)}", file, number, None)
            header_seen = True
            continue
        if not raw.strip():
            continue
        if len(values) != len(columns):
            raise _error(
                f"raden har {len(values)} kolonner, skal ha {len(columns)}", file, number, None
            )
        rows.append((number, {c: v.strip() for c, v in zip(columns, values, strict=True)}))
    if not header_seen:
        raise _error("filen mangler overskriftsrad", file, None, None)
    return rows


def _unique_code(raw: str, seen: dict[str, Code], file: str, line: int) -> str:
    code = normalise(raw).npr if raw else raw
    if not code:
        raise _error("koden mangler", file, line, "code")
    if code in seen:
        raise _error(f"koden {code} står to ganger", file, line, "code")
    return code


def _required(row: dict[str, str], column: str, file: str, line: int) -> str:
    value = row[column]
    if not value:
        raise _error("verdien mangler", file, line, column)
    return value


def _error(message: str, file: str, line: int | None, field: str | None) -> CodeListError:
    return CodeListError(message, file=file, line=line, field=field)
