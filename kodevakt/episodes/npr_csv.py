"""The NPR flat extract (CSV, one row per episode) as hospitals and analysts receive it.

Columns follow NPR's delivery names (`lopenr`, `kjonn`, `innDato`, `tilstand_1_1`, `ncsp_1`,
…; see docs/formats.md). The flat form loses which additional code belongs to which
procedure, so the reader rebuilds the groups as well as it can: a procedure additional code
(chapter Z) joins the procedure before it in the same column family, and ATC codes join the
first procedure that needs them (a radiopharmaceutical V09/V10 joins a nuclear-medicine code,
other drugs join WBOC, WBGM or AXFX00), else the last procedure. Episodes read this way are
marked `grouping_inferred`.

Rows are read line by line (csv_lines), so a broken line costs one record. Without an
episode-id column, ids are derived from the data (identity); the reader says so in a notice.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from kodevakt.codes.normalise import normalise
from kodevakt.codes.procedures import parse_procedure
from kodevakt.episodes import values
from kodevakt.episodes.csv_lines import CsvLines
from kodevakt.episodes.decoding import decoded
from kodevakt.episodes.identity import (
    DEPARTMENT_COLUMNS,
    ID_COLUMNS,
    INSTITUTION_COLUMNS,
    PATIENT_COLUMNS,
    DerivedIds,
)
from kodevakt.episodes.model import Episode, Patient, ProcedureGroup, Source
from kodevakt.episodes.records import UNEXPECTED, Record, Rejected
from kodevakt.episodes.values import ValueProblem
from kodevakt.errors import InputError

_CONDITION = re.compile(r"tilstand_(\d+)_(\d+)", re.IGNORECASE)
_PROCEDURE = re.compile(r"(ncsp|ncmp|ncrp)_(\d+)", re.IGNORECASE)
_ATC = re.compile(r"atc_(\d+)", re.IGNORECASE)
_DRUG_PREFIXES = ("WBOC", "WBGM", "AXFX00")


def read_npr_csv(
    path: str | Path, *, encoding: str | None = None, notices: list[str] | None = None
) -> Iterator[Record]:
    """Episodes from an NPR flat extract; delimiter `;`, `,` or tab is detected.

    Raises InputError before the first record when the file is not in `encoding` (None:
    UTF-8, a byte order mark allowed) or its header cannot be read. How episodes are
    identified (and a warning when the extract has no stable key) goes to `notices`.
    """
    with decoded(str(path), encoding) as (text, name):
        yield from _read(CsvLines(text), name, notices)


def _read(lines: CsvLines, name: str, notices: list[str] | None) -> Iterator[Record]:
    found = lines.header()
    if found is None:
        return
    number, header = found
    if isinstance(header, str):
        raise InputError(f"overskriftslinjen kan ikke leses: {header}", file=name, line=number)
    layout = _Layout([column.strip() for column in header])
    if notices is not None:
        notices.extend(f"fil {name}: {notice}" for notice in layout.ids.notices)
    width = len(header)
    for line, row in lines.rows(width):
        if isinstance(row, str):
            yield Rejected(name, line, None, row)
        elif len(row) != width:
            yield Rejected(name, line, None, f"raden har {len(row)} felt, overskriften har {width}")
        else:
            try:
                yield layout.episode(row, Source(name, line))
            except ValueProblem as problem:
                yield Rejected(name, line, problem.field, problem.message)
            except Exception:  # deliberate: one odd row must not stop the batch
                yield Rejected(name, line, None, UNEXPECTED)


class _Layout:
    """Column positions of one extract, worked out once from its header."""

    def __init__(self, header: list[str]) -> None:
        lower = {column.lower(): i for i, column in enumerate(header)}
        self.index = lower
        conditions = []
        procedures = []
        atc = []
        for i, column in enumerate(header):
            if match := _CONDITION.fullmatch(column):
                conditions.append((int(match[1]), int(match[2]), i))
            elif match := _PROCEDURE.fullmatch(column):
                family = match[1].lower()
                procedures.append((["ncsp", "ncmp", "ncrp"].index(family), int(match[2]), i))
            elif match := _ATC.fullmatch(column):
                atc.append((int(match[1]), i))
        self.conditions = sorted(conditions)
        self.procedures = sorted(procedures)
        self.atc = [i for _, i in sorted(atc)]
        self.id_column = next((lower[c.lower()] for c in ID_COLUMNS if c.lower() in lower), None)
        self.ids = DerivedIds(set(header), self.id_column is not None)

    def get(self, row: list[str], *names: str) -> str | None:
        for name in names:
            i = self.index.get(name.lower())
            if i is not None and row[i].strip():
                return row[i].strip()
        return None

    def episode(self, row: list[str], source: Source) -> Episode:
        admission = values.moment(self.get(row, "innDato"), "innDato", self.get(row, "innTid"))
        discharge = values.moment(self.get(row, "utDato"), "utDato", self.get(row, "utTid"))
        sex, sex_raw = values.sex(self.get(row, "kjonn"))
        patient = Patient(
            id=self.get(row, *PATIENT_COLUMNS),
            sex=sex,
            sex_raw=sex_raw,
            age_days=values.integer(self.get(row, "alderIDager"), "alderIDager"),
        )
        birth_year = values.integer(self.get(row, "fodselsar"), "fodselsar")
        if patient.age_days is None and birth_year is not None and admission is not None:
            patient.age_years = admission.year - birth_year
        care_raw = self.get(row, "omsorgsniva")
        care_level = values.care_level(care_raw, "omsorgsniva")
        institution = self.get(row, *INSTITUTION_COLUMNS)
        department = self.get(row, *DEPARTMENT_COLUMNS)
        urgency = values.urgency(self.get(row, "innmateHast"), "innmateHast")
        conditions, procedures = self._conditions(row), self._procedures(row)
        # the id last: a row rejected above must not take an occurrence number
        episode_id = row[self.id_column].strip() if self.id_column is not None else ""
        if not episode_id:
            episode_id = self.ids.derive(
                patient.id, institution, department, admission, care_level, row
            )
        return Episode(
            id=episode_id,
            patient=patient,
            institution=institution,
            department=department,
            care_level=care_level,
            care_level_raw=care_raw,
            urgency=urgency,
            admission=admission,
            discharge=discharge,
            transferred_from=self._transfer(row, "fraSted"),
            transferred_to=self._transfer(row, "tilSted"),
            conditions=conditions,
            procedures=procedures,
            source=source,
            grouping_inferred=bool(self.procedures or self.atc),
        )

    def _transfer(self, row: list[str], column: str) -> str | None:
        # NPR place codes: 2 = another institution in the specialist health service.
        value = self.get(row, column)
        return value if value == "2" else None

    def _conditions(self, row: list[str]) -> list[list[str]]:
        # every group the header has, in number order: the first is the main condition's
        groups: dict[int, list[str]] = {}
        for number, _, i in self.conditions:
            code = row[i].strip()
            codes = groups.setdefault(number, [])
            if code:
                codes.append(code)
        return values.condition_groups([groups[number] for number in sorted(groups)])

    def _procedures(self, row: list[str]) -> list[ProcedureGroup]:
        groups: list[ProcedureGroup] = []
        family_start = 0
        last_family = -1
        for family, _, i in self.procedures:
            code = row[i].strip()
            if not code:
                continue
            if family != last_family:
                family_start, last_family = len(groups), family
            shape = parse_procedure(normalise(code).code)
            if shape is not None and shape.additional and len(groups) > family_start:
                groups[-1].codes.append(code)
            else:
                groups.append(ProcedureGroup([code]))
        for i in self.atc:
            code = row[i].strip()
            if not code:
                continue
            target = next((g for g in groups if _takes_drug(g, code)), None) or next(
                (g for g in groups if _takes_drug(g, None)), groups[-1] if groups else None
            )
            if target is None:
                groups.append(ProcedureGroup([code]))
            else:
                target.codes.append(code)
        return groups


def _takes_drug(group: ProcedureGroup, atc: str | None) -> bool:
    """Whether `group` needs a drug code: a radiopharmaceutical (ATC V09/V10) for nuclear
    medicine when `atc` is one, else a drug for WBOC/WBGM/AXFX00."""
    first = normalise(group.codes[0]).code
    if atc is not None:
        shape = parse_procedure(first)
        is_radiopharmaceutical = normalise(atc).code.startswith(("V09", "V10"))
        return is_radiopharmaceutical and shape is not None and shape.nuclear_medicine
    return first.startswith(_DRUG_PREFIXES)
