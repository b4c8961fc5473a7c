"""The NPR flat extract (CSV, one row per episode) as hospitals and analysts receive it.

Columns follow NPR's delivery names (`lopenr`, `kjonn`, `innDato`, `tilstand_1_1`, `ncsp_1`,
…; see docs/formats.md). The flat form loses which additional code belongs to which
procedure, so the reader rebuilds the groups as well as it can: a procedure additional code
(chapter Z) joins the procedure before it in the same column family, and ATC codes join the
first procedure that needs them (a radiopharmaceutical V09/V10 joins a nuclear-medicine code,
other drugs join WBOC, WBGM or AXFX00), else the last procedure. Episodes read this way are
marked `grouping_inferred`.
"""

from __future__ import annotations

import csv
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from kodevakt.codes.normalise import normalise
from kodevakt.codes.procedures import parse_procedure
from kodevakt.episodes import values
from kodevakt.episodes.model import Episode, Patient, ProcedureGroup, Source
from kodevakt.episodes.records import Record, Rejected
from kodevakt.episodes.values import ValueProblem

_CONDITION = re.compile(r"tilstand_(\d+)_(\d+)", re.IGNORECASE)
_PROCEDURE = re.compile(r"(ncsp|ncmp|ncrp)_(\d+)", re.IGNORECASE)
_ATC = re.compile(r"atc_(\d+)", re.IGNORECASE)
_ID_COLUMNS = ("episodeID", "episode_id", "id", "aggrshoppID_LNr")
_DRUG_PREFIXES = ("WBOC", "WBGM", "AXFX00")


def read_npr_csv(path: str | Path) -> Iterator[Record]:
    """Episodes from an NPR flat extract; delimiter `;`, `,` or tab is detected."""
    name = str(path)
    if name == "-":
        yield from _read(sys.stdin, "<stdin>")
        return
    with open(path, encoding="utf-8-sig", newline="") as stream:
        yield from _read(stream, name)


def _read(stream: IO[str], name: str) -> Iterator[Record]:
    header_line = stream.readline()
    if not header_line:
        return
    delimiter = max(";,\t", key=header_line.count)
    header = next(csv.reader([header_line], delimiter=delimiter))
    layout = _Layout([column.strip() for column in header])
    reader = csv.reader(stream, delimiter=delimiter)
    for row in reader:
        line = reader.line_num + 1
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            yield Rejected(
                name, line, None, f"raden har {len(row)} felt, overskriften har {len(header)}"
            )
            continue
        try:
            yield layout.episode(row, Source(name, line))
        except ValueProblem as problem:
            yield Rejected(name, line, problem.field, problem.message)


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
        self.id_column = next((lower[c.lower()] for c in _ID_COLUMNS if c.lower() in lower), None)

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
            id=self.get(row, "lopenr", "pasientNr"),
            sex=sex,
            sex_raw=sex_raw,
            age_days=values.integer(self.get(row, "alderIDager"), "alderIDager"),
        )
        birth_year = values.integer(self.get(row, "fodselsar"), "fodselsar")
        if patient.age_days is None and birth_year is not None and admission is not None:
            patient.age_years = admission.year - birth_year
        care_raw = self.get(row, "omsorgsniva")
        episode_id = row[self.id_column].strip() if self.id_column is not None else ""
        return Episode(
            id=episode_id or f"{Path(source.file).name}:{source.line}",
            patient=patient,
            institution=self.get(row, "institusjonID", "behandlingsstedKode"),
            department=self.get(row, "fagenhetKode", "episodeFag"),
            care_level=values.care_level(care_raw, "omsorgsniva"),
            care_level_raw=care_raw,
            urgency=values.urgency(self.get(row, "innmateHast"), "innmateHast"),
            admission=admission,
            discharge=discharge,
            transferred_from=self._transfer(row, "fraSted"),
            transferred_to=self._transfer(row, "tilSted"),
            conditions=self._conditions(row),
            procedures=self._procedures(row),
            source=source,
            grouping_inferred=bool(self.procedures or self.atc),
        )

    def _transfer(self, row: list[str], column: str) -> str | None:
        # NPR place codes: 2 = another institution in the specialist health service.
        value = self.get(row, column)
        return value if value == "2" else None

    def _conditions(self, row: list[str]) -> list[list[str]]:
        groups: dict[int, list[str]] = {}
        for number, _, i in self.conditions:
            code = row[i].strip()
            if code:
                groups.setdefault(number, []).append(code)
        return [groups[number] for number in sorted(groups)]

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
