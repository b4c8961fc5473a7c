"""A whole audit round through the command line, as a coding lead runs it: sample, worksheet,
two auditors' filled sheets (made by the demo script), import, report."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from kodevakt.cli import app
from tests.storage.helpers import episode, extract, write_jsonl

runner = CliRunner()
ROOT = Path(__file__).resolve().parents[2]
FILL = ROOT / "scripts" / "fill_audit_worksheet.py"


def _ok(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def _fails(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 2, result.output
    return result.output


@pytest.fixture
def db(tmp_path: Path) -> str:
    path = str(tmp_path / "kodevakt.db")
    records = [
        episode(f"ep-{i}", [["H36.0"]] if i % 5 == 0 else [["I10"], ["E11.9"]])
        for i in range(1, 41)
    ]
    _ok(
        "import",
        str(write_jsonl(tmp_path / "e.jsonl", records)),
        "--period",
        "2025T1",
        "--db",
        path,
    )
    return path


def _fill(sheet: Path, out: Path, auditor: str, seed: int, like: Path | None = None) -> None:
    command = [sys.executable, str(FILL), str(sheet), "--auditor", auditor, "--seed", str(seed)]
    command += ["--out", str(out)] + (["--like", str(like)] if like else [])
    subprocess.run(command, check=True, capture_output=True, cwd=ROOT)


def test_an_audit_round_from_sample_to_report(db: str, tmp_path: Path) -> None:
    sheet = tmp_path / "ark.xlsx"
    output = _ok(
        "audit",
        "sample",
        "--period",
        "2025T1",
        "--size",
        "20",
        "--strata",
        "severity",
        "--allocation",
        "equal",
        "--seed",
        "7",
        "--db",
        db,
        "--out",
        str(sheet),
    )
    assert "Utvalg 1: stratifisert etter alvorlighet (lik fordeling), 20 av 40" in output
    # the same seed gives the same file, byte for byte
    again = tmp_path / "igjen.xlsx"
    _ok(
        "audit",
        "sample",
        "--period",
        "2025T1",
        "--size",
        "20",
        "--strata",
        "severity",
        "--allocation",
        "equal",
        "--seed",
        "7",
        "--db",
        db,
        "--out",
        str(again),
    )
    assert sheet.read_bytes() == again.read_bytes()
    rows = list(openpyxl.load_workbook(sheet)["Revisjon"].iter_rows(values_only=True))
    header, body = rows[0], rows[1:]
    assert len(body) == 20
    assert {"Vurdering", "Hovedtilstand (revisor)", "Bitilstand mangler"} <= set(header)
    first = dict(zip(header, body[0], strict=True))
    assert first["Kodet hovedtilstand"] == first["Hovedtilstand (revisor)"]
    # 8 episodes with T02 in a stratum of their own, taken whole; the other 12 of 32
    chances = {
        row[header.index("Stratum")]: row[header.index("Inklusjonssannsynlighet")] for row in body
    }
    assert chances == {"feil": 1.0, "ingen funn": pytest.approx(12 / 32)}

    one, two = tmp_path / "kari.xlsx", tmp_path / "ola.xlsx"
    _fill(sheet, one, "kari", 1)
    _fill(sheet, two, "ola", 2, like=one)
    assert "20 vurderinger lest inn av kari" in _ok("audit", "import", str(one), "--db", db)
    assert "20 vurderinger lest inn av ola" in _ok("audit", "import", str(two), "--db", db)
    listed = _ok("audit", "list", "--db", db)
    assert "vurdert: kari 20, ola 20" in listed

    page = tmp_path / "revisjon.html"
    output = _ok(
        "audit",
        "report",
        "--sample",
        "1",
        "--db",
        db,
        "--out",
        str(page),
        "--auditor",
        "kari",
        "--standard",
        "90",
    )
    assert "vurderte episoder" in output and "minst én feil" in output
    html = page.read_text(encoding="utf-8")
    for section in (
        "Feil etter type",
        "Riktig hovedtilstand mot standarden",
        "Samsvar mellom revisorene",
        "kodevakts treffsikkerhet",
        "Standard: 90\u00a0%",
    ):
        assert section in html
    assert "kari og ola har begge vurdert" in html
    assert "<script" not in html and "http://" not in html.replace("http://www.w3.org", "")


def test_a_csv_worksheet_round_and_contradictions_refused(db: str, tmp_path: Path) -> None:
    sheet = tmp_path / "ark.csv"
    _ok(
        "audit",
        "sample",
        "--period",
        "2025T1",
        "--size",
        "5",
        "--seed",
        "3",
        "--db",
        db,
        "--out",
        str(sheet),
        "--auditor",
        "kari",
    )
    text = sheet.read_text(encoding="utf-8-sig")
    rows = list(csv.reader(text.splitlines(), delimiter=";"))
    header = rows[0]
    verdict, main = header.index("Vurdering"), header.index("Hovedtilstand (revisor)")
    rows[1][verdict] = "riktig"
    rows[2][verdict] = "endret"
    rows[2][main] = "I11.9"
    rows[2][header.index("Hovedtilstand feil")] = "x"
    rows[3][header.index("Kommentar")] = '=HYPERLINK("http://x")'  # text, not a formula
    rows[3][header.index("Bitilstand mangler")] = "x"  # a mark without a verdict: changed
    filled = tmp_path / "fylt.csv"
    with filled.open("w", encoding="utf-8-sig", newline="") as stream:
        csv.writer(stream, delimiter=";").writerows(rows)
    output = _ok("audit", "import", str(filled), "--db", db)
    assert "3 vurderinger lest inn av kari" in output
    assert "2 rader er ikke vurdert ennå" in output
    assert "1 rader uten vurdering" in output

    rows[1][main] = "J18.9"  # «riktig» with changed codes
    with filled.open("w", encoding="utf-8-sig", newline="") as stream:
        csv.writer(stream, delimiter=";").writerows(rows)
    refused = _fails("audit", "import", str(filled), "--db", db)
    assert "fylt.csv" in refused and "linje 2" in refused and "«Vurdering»" in refused


def test_worksheet_texts_never_become_formulas(tmp_path: Path) -> None:
    db = str(tmp_path / "kodevakt.db")
    record = episode("=1+1", [["I10"]], department="@SUM(A1)")
    _ok(
        "import", str(write_jsonl(tmp_path / "e.jsonl", [record])), "--period", "2025T1", "--db", db
    )
    xlsx, csv_file = tmp_path / "ark.xlsx", tmp_path / "ark.csv"
    _ok(
        "audit",
        "sample",
        "--period",
        "2025T1",
        "--size",
        "1",
        "--seed",
        "1",
        "--db",
        db,
        "--out",
        str(xlsx),
    )
    _ok("audit", "worksheet", "--sample", "1", "--db", db, "--out", str(csv_file))
    sheet = openpyxl.load_workbook(xlsx)["Revisjon"]
    assert sheet["C2"].value == "=1+1" and sheet["C2"].data_type == "s"
    assert sheet["E2"].value == "@SUM(A1)" and sheet["E2"].data_type == "s"
    assert ";'=1+1;" in csv_file.read_text(encoding="utf-8-sig")


def test_mistakes_are_refused_in_norwegian(db: str, tmp_path: Path) -> None:
    out = str(tmp_path / "ark.xlsx")
    assert "ukjent stratum «avd»" in _fails(
        "audit", "sample", "--period", "2025T1", "--strata", "avd", "--db", db, "--out", out
    )
    assert "for lite for 2 strata" in _fails(
        "audit",
        "sample",
        "--period",
        "2025T1",
        "--size",
        "3",
        "--strata",
        "severity",
        "--db",
        db,
        "--out",
        out,
    )
    assert "filendelsen .xlsx eller .csv" in _fails(
        "audit", "sample", "--period", "2025T1", "--db", db, "--out", str(tmp_path / "a.ods")
    )
    assert "krever DRG-tabeller" in _fails(
        "audit", "sample", "--period", "2025T1", "--strata", "drg", "--db", db, "--out", out
    )
    assert "utvalg 9 finnes ikke" in _fails("audit", "report", "--sample", "9", "--db", db)
    _ok(
        "audit",
        "sample",
        "--period",
        "2025T1",
        "--size",
        "4",
        "--seed",
        "1",
        "--db",
        db,
        "--out",
        out,
    )
    assert "ingen vurderinger ennå" in _fails("audit", "report", "--sample", "1", "--db", db)
    assert "standarden «150»" in _fails(
        "audit", "report", "--sample", "1", "--db", db, "--standard", "150"
    )


def test_strata_by_department_and_outliers(tmp_path: Path) -> None:
    db = str(tmp_path / "kodevakt.db")
    path = extract(tmp_path)
    _ok("import", str(path), "--period", "2025T1", "--db", db)
    out = tmp_path / "ark.csv"
    _ok(
        "audit",
        "sample",
        "--period",
        "2025T1",
        "--size",
        "4",
        "--strata",
        "department,outlier",
        "--seed",
        "1",
        "--db",
        db,
        "--out",
        str(out),
    )
    text = out.read_text(encoding="utf-8-sig")
    assert "974557746/MED · avdeling innenfor grensene" in text
