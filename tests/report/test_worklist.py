"""Worklists: xlsx that opens with openpyxl, sorted by severity; csv by extension."""

from __future__ import annotations

import csv
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from kodevakt.batch.units import read_units
from kodevakt.report.worklist import COLUMNS, WorklistRow, write_worklist
from kodevakt.rules.finding import Severity


def _row(episode: str, dept: str, severity: Severity, rule: str = "T13") -> WorklistRow:
    return WorklistRow(
        episode_id=episode,
        patient="P-0badc0de",
        department=dept,
        discharge=date(2025, 3, 4),
        rule=rule,
        severity=severity,
        message=f"Melding om {rule} – æøå",
        suggestion="Bruk J12.8" if severity is Severity.ERROR else None,
        source="KV2018 §4.3",
        status="åpen",
        key=f"{episode}-{rule}",
        institution="974557746",
    )


ROWS = [
    _row("e5", "MED", Severity.INFO),
    _row("e2", "MED", Severity.ERROR, "T04"),
    _row("e9", "KIR", Severity.WARNING, "T10"),
    _row("e1", "MED", Severity.ERROR, "K01"),
    _row("e3", "KIR", Severity.INFO),
    _row("e4", "KIR", Severity.ERROR, "K03"),
]


def test_xlsx_is_sorted_and_formatted(tmp_path: Path) -> None:
    path = tmp_path / "arbeidsliste.xlsx"
    assert write_worklist(ROWS, path, title="Arbeidsliste 2025T1") == 6
    book = load_workbook(path)
    sheet = book["Arbeidsliste"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == tuple(name for name, _ in COLUMNS)
    assert rows[0][:7] == (
        "Episode", "Pasient (pseudonym)", "Institusjon", "Avdeling", "Utskrivningsdato", "Regel",
        "Alvorlighet",
    )  # fmt: skip
    body = rows[1:]
    assert [r[6] for r in body] == ["feil", "feil", "feil", "advarsel", "info", "info"]
    assert [(r[3], r[0]) for r in body] == [
        ("KIR", "e4"), ("MED", "e1"), ("MED", "e2"), ("KIR", "e9"), ("KIR", "e3"), ("MED", "e5")
    ]  # fmt: skip
    assert {r[2] for r in body} == {"974557746"}
    assert body[0][4] == datetime(2025, 3, 4)
    assert body[0][10] == "åpen"
    assert body[0][8] == "Bruk J12.8" and body[-1][8] is None
    assert sheet.freeze_panes == "B2"
    assert sheet.auto_filter.ref == "A1:L7"
    assert sheet.column_dimensions["H"].width == 70
    assert all(cell.font.bold for cell in sheet[1])
    assert "Om listen" in book.sheetnames


def test_csv_by_extension(tmp_path: Path) -> None:
    path = tmp_path / "arbeidsliste.csv"
    write_worklist(ROWS, path)
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")  # BOM for Excel
    with open(path, encoding="utf-8-sig", newline="") as stream:
        rows = list(csv.reader(stream, delimiter=";"))
    assert rows[0][0] == "Episode" and rows[0][-1] == "Nøkkel"
    assert [r[6] for r in rows[1:]] == ["feil", "feil", "feil", "advarsel", "info", "info"]
    assert rows[1][4] == "2025-03-04"
    assert "æøå" in rows[1][7]


def test_unknown_extension(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="xlsx"):
        write_worklist(ROWS, tmp_path / "liste.txt")


def test_empty_list(tmp_path: Path) -> None:
    path = tmp_path / "tom.xlsx"
    assert write_worklist([], path) == 0
    rows = list(load_workbook(path)["Arbeidsliste"].iter_rows(values_only=True))
    assert len(rows) == 1


UNITS = (
    "institution;department;name\n"
    "974557746;;Haukeland universitetssjukehus\n"
    "974557746;MED;Medisinsk avdeling\n"
    "983974899;KIR;Kirurgisk klinikk\n"
)


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_units_file_names_institution_and_department(tmp_path: Path, suffix: str) -> None:
    units_path = tmp_path / "enheter.csv"
    units_path.write_text(UNITS, encoding="utf-8")
    other = replace(_row("e7", "KIR", Severity.ERROR), institution="983974899")
    nameless = replace(_row("e8", "", Severity.INFO), institution="")
    path = tmp_path / f"arbeidsliste{suffix}"
    write_worklist([*ROWS, other, nameless], path, units=read_units(units_path))
    if suffix == ".xlsx":
        book = load_workbook(path)
        rows = [[str(c or "") for c in r] for r in book["Arbeidsliste"].iter_rows(values_only=True)]
        about = [r[0] for r in book["Om listen"].iter_rows(values_only=True)]
        assert "hentet fra enheter.csv." in " ".join(str(a) for a in about)
    else:
        with open(path, encoding="utf-8-sig", newline="") as stream:
            rows = list(csv.reader(stream, delimiter=";"))
    header, body = rows[0], rows[1:]
    institution, department = header.index("Institusjon"), header.index("Avdeling")
    places = {(r[0], r[institution], r[department]) for r in body}
    assert (
        "e1",
        "Haukeland universitetssjukehus (974557746)",
        "Medisinsk avdeling (MED)",
    ) in places
    assert ("e4", "Haukeland universitetssjukehus (974557746)", "KIR") in places  # no name: code
    assert ("e7", "983974899", "Kirurgisk klinikk (KIR)") in places
    assert ("e8", "", "") in places
    # sorted by severity, then institution: the other institution's error comes last of them
    assert [r[0] for r in body[:4]] == ["e4", "e1", "e2", "e7"]
