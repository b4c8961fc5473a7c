"""Names of institutions and departments, from a units file the hospital keeps.

Extracts name an institution by its organisation number and a department by a local code
(`974557746`, `MED`); coders and leads know them by name. The units file maps the codes to
names, for the HTML report, the worklist and the web pages (format: docs/formats.md, "Units
file"; example: examples/units.csv)::

    institution;department;name
    974557746;;Haukeland universitetssjukehus
    974557746;MED;Medisinsk avdeling

One row per institution (department empty: the institution's own name) and per department.
The delimiter is `;` or `,` (whichever the header uses), the file UTF-8 (a byte-order mark
is accepted, so Excel's "CSV UTF-8" works), the header may be in Norwegian
(`institusjon;avdeling;navn`), other columns are ignored, blank lines and lines starting with
`#` are skipped. A file that breaks any of this is refused whole, naming file, line and field.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from kodevakt.errors import InputError

ENV_UNITS = "KODEVAKT_UNITS"
MAX_NAME = 200  # characters in a name
MAX_CODE = 64  # characters in a code: as the database stores them
MAX_BYTES = 5 * 1024 * 1024  # a units file is a few hundred lines; this is not one

# column -> the header names accepted for it
_HEADERS = {
    "institution": ("institution", "institusjon"),
    "department": ("department", "avdeling"),
    "name": ("name", "navn"),
}
_DEPARTMENT_SEPARATOR = "/"  # indicator units name a department as `institution/department`


@dataclass(frozen=True, slots=True)
class Units:
    """Names by (institution code, department code or "" for the institution itself)."""

    names: Mapping[tuple[str, str], str] = field(default_factory=lambda: MappingProxyType({}))
    file: str | None = None

    def __bool__(self) -> bool:
        return bool(self.names)

    def institution_name(self, institution: str | None) -> str | None:
        return self.names.get((institution, "")) if institution else None

    def department_name(self, institution: str | None, department: str | None) -> str | None:
        """The department's name; without an institution, the name the file gives that
        department code wherever it lists it, when that is one name."""
        if not department:
            return None
        if institution:
            return self.names.get((institution, department))
        found = {name for (_, code), name in self.names.items() if code == department}
        return found.pop() if len(found) == 1 else None

    def institution_text(self, institution: str | None) -> str:
        """`Haukeland universitetssjukehus (974557746)`; the code alone when it has no name."""
        return _text(self.institution_name(institution), institution or "")

    def department_text(self, institution: str | None, department: str | None) -> str:
        """`Medisinsk avdeling (MED)`; the code alone when it has no name."""
        return _text(self.department_name(institution, department), department or "")

    def unit_name(self, label: str, institution: str | None = None) -> str | None:
        """The name of a unit as reports label it: `institution/department`, a department
        (of `institution`, when the report is about one) or an institution; None if unnamed."""
        head, sep, tail = label.partition(_DEPARTMENT_SEPARATOR)
        if sep:
            department = self.department_name(head, tail)
            if department is not None:
                own = self.institution_name(head)
                return f"{department}, {own}" if own else department
        if label == institution or (institution is None and (label, "") in self.names):
            return self.institution_name(label)
        return self.department_name(institution, label)

    def unit_text(self, label: str, institution: str | None = None) -> str:
        """`unit_name` with the label in brackets, or the label alone."""
        return _text(self.unit_name(label, institution), label)


NO_UNITS = Units()


def _text(name: str | None, code: str) -> str:
    return f"{name} ({code})" if name and code else name or code


def read_units(path: str | Path) -> Units:
    """The units file at `path`; `InputError` (file, line, field) when it cannot be used."""
    name = str(path)
    try:
        with open(path, "rb") as stream:
            raw = stream.read(MAX_BYTES + 1)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise InputError(f"enhetsfilen kan ikke leses ({reason})", file=name) from None
    if len(raw) > MAX_BYTES:
        raise InputError(
            f"enhetsfilen er større enn {MAX_BYTES // (1024 * 1024)} MB; er det riktig fil?",
            file=name,
        )
    return parse_units(raw, name)


def parse_units(raw: bytes, name: str) -> Units:
    """The units in the bytes of a units file called `name` (for messages)."""
    text = _decoded(raw, name)
    lines = text.splitlines()
    header_at = next(
        (i for i, line in enumerate(lines) if line.strip() and not _comment(line)), None
    )
    if header_at is None:
        raise InputError(
            "enhetsfilen er tom; første linje skal være institution;department;name", file=name
        )
    header = lines[header_at]
    delimiter = ";" if header.count(";") >= header.count(",") else ","
    columns = _columns(_fields(header, delimiter), name, header_at + 1)
    names: dict[tuple[str, str], str] = {}
    first_line: dict[tuple[str, str], int] = {}
    width = max(columns.values()) + 1
    for number, line in enumerate(lines[header_at + 1 :], start=header_at + 2):
        if not line.strip() or _comment(line):
            continue
        cells = _fields(line, delimiter)
        if len(cells) < width:
            raise InputError(
                f"linjen har {len(cells)} felt, men overskriften krever minst {width} "
                f"(skilletegn «{delimiter}»)",
                file=name,
                line=number,
            )
        institution = _code(cells[columns["institution"]], "institution", name, number)
        department = _code(cells[columns["department"]], "department", name, number)
        unit_name = cells[columns["name"]].strip()
        if not institution:
            raise InputError(
                "institusjonskoden mangler", file=name, line=number, field="institution"
            )
        if not unit_name:
            raise InputError("navnet mangler", file=name, line=number, field="name")
        if len(unit_name) > MAX_NAME:
            raise InputError(
                f"navnet er lengre enn {MAX_NAME} tegn", file=name, line=number, field="name"
            )
        key = (institution, department)
        if key in names:
            what = f"avdeling {department} i {institution}" if department else institution
            raise InputError(
                f"{what} står også på linje {first_line[key]}",
                file=name,
                line=number,
                field="department" if department else "institution",
            )
        names[key] = unit_name
        first_line[key] = number
    return Units(MappingProxyType(names), name)


def load_units(path: str | Path | None = None, environ: Mapping[str, str] | None = None) -> Units:
    """The units file at `path`, else at `KODEVAKT_UNITS`; no names when neither is set."""
    chosen = (
        path
        if path is not None
        else (os.environ if environ is None else environ).get(ENV_UNITS, "")
    )
    if not str(chosen).strip():
        return NO_UNITS
    return read_units(chosen)


def _decoded(raw: bytes, name: str) -> str:
    body = raw.removeprefix(b"\xef\xbb\xbf")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = body[: exc.start].count(b"\n") + 1
        raise InputError(
            "enhetsfilen er ikke UTF-8; lagre den som «CSV UTF-8» (Excel) eller UTF-8",
            file=name,
            line=line,
        ) from None


def _comment(line: str) -> bool:
    return line.lstrip().startswith("#")


def _fields(line: str, delimiter: str) -> list[str]:
    return next(csv.reader([line], delimiter=delimiter))


def _columns(header: list[str], name: str, line: int) -> dict[str, int]:
    found: dict[str, int] = {}
    spelled = [cell.strip().lower() for cell in header]
    for column, accepted in _HEADERS.items():
        hits = [i for i, cell in enumerate(spelled) if cell in accepted]
        if not hits:
            raise InputError(
                "overskriften mangler kolonnen; første linje skal være institution;department;name",
                file=name,
                line=line,
                field=column,
            )
        if len(hits) > 1:
            raise InputError(
                "kolonnen står to ganger i overskriften", file=name, line=line, field=column
            )
        found[column] = hits[0]
    return found


def _code(value: str, column: str, name: str, line: int) -> str:
    code = value.strip()
    if len(code) > MAX_CODE:
        raise InputError(f"koden er lengre enn {MAX_CODE} tegn", file=name, line=line, field=column)
    return code
