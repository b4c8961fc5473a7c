"""A department's own code list checked for a year: each kind of problem, and the command."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from kodevakt.cli import app
from kodevakt.codelists.check import check_list
from kodevakt.codes.loading import ENV_CODE_FILES, default_codebase
from kodevakt.errors import CodeListError

LISTS = Path(__file__).resolve().parents[1] / "fixtures" / "codelists"
runner = CliRunner()


def _csv(tmp_path: Path, rows: list[tuple[str, str]], name: str = "liste.csv") -> Path:
    path = tmp_path / name
    body = "\n".join(f"{code};{text}" for code, text in rows)
    path.write_text("Kode;Egen tekst\n" + body + "\n", encoding="utf-8")
    return path


def _problems(result: object) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for checked in result.codes:  # type: ignore[attr-defined]
        found[checked.canonical] = {p.kind for p in checked.problems}
    return found


def test_each_kind_of_problem_on_the_embedded_lists(tmp_path: Path) -> None:
    path = _csv(
        tmp_path,
        [
            ("J18.9", "Lungebetennelse"),  # a lay word the search knows: the text is fine
            ("U07.1", "Covid-19"),  # may not be first in the main condition (T04)
            ("H36.0", "Diabetisk retinopati"),  # an asterisk code (T02)
            ("E11", "Diabetes type 2"),  # a heading
            ("I10", "Hjertesvikt"),  # the department's text means something else
            ("XYZ", "Rot"),
            ("i214a", "Hjerteinfarkt type 4a"),  # any spelling: the canonical code
        ],
    )
    result = check_list(path, 2026, default_codebase())
    found = _problems(result)
    assert found["J18.9"] == {"unspecific"}
    assert found["U07.1"] == {"not-main"}
    assert found["H36.0"] == {"not-main"}
    assert found["E11"] == {"not-reportable"}
    assert found["I10"] == {"own-text"}
    assert found["XYZ"] == {"invalid"}
    assert found["I21.4a"] == set()
    [unspecific] = result.codes[0].problems
    assert "J18.0" in unspecific.message and "J18.9" not in unspecific.message.split("kodene")[1]
    assert result.with_problems == 6


def test_the_year_s_official_lists_decide_validity_and_meaning(tmp_path: Path) -> None:
    base = default_codebase([LISTS / "icd10_2025.xlsx", LISTS / "icd10_2026.xlsx"])
    path = _csv(tmp_path, [("B34.2", "Koronavirus"), ("J12.8", "Viruspneumoni")])
    for_2025 = _problems(check_list(path, 2025, base))
    assert for_2025 == {"B34.2": set(), "J12.8": set()}
    for_2026 = check_list(path, 2026, base)
    found = _problems(for_2026)
    assert found["B34.2"] == {"invalid"}
    assert found["J12.8"] == {"meaning"}
    [meaning] = for_2026.codes[1].problems
    assert "«Annen spesifisert virusbetinget pneumoni» (2026)" in meaning.message


def test_an_xlsx_list_with_other_column_names(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Diagnosekode", "Beskrivelse"])
    sheet.append(["I10", "Essensiell hypertensjon"])
    sheet.append(["Z03.8", "Observasjon"])
    path = tmp_path / "favoritter.xlsx"
    book.save(path)
    found = _problems(check_list(path, 2026, default_codebase()))
    assert found == {"I10": set(), "Z03.8": {"not-main"}}


def test_a_list_without_a_code_column_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "liste.csv"
    path.write_text("Navn;Tekst\nx;y\n", encoding="utf-8")
    with pytest.raises(CodeListError, match="«Kode»"):
        check_list(path, 2026, default_codebase())


def test_the_command_exits_1_with_problems_and_writes_csv(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(ENV_CODE_FILES, raising=False)
    path = _csv(tmp_path, [("I10", "Essensiell hypertensjon"), ("=1+1", "formel")])
    result = runner.invoke(app, ["codelist", "check", str(path), "--year", "2026", "-f", "csv"])
    assert result.exit_code == 1, result.output
    rows = list(csv.reader(io.StringIO(result.stdout), delimiter=";"))
    assert rows[0][:2] == ["Rad", "Kode"]
    assert rows[1][1] == "'=1+1" and rows[1][4] == "Ikke gyldig"
    assert "2 koder kontrollert for 2026; 1 med problemer" in result.output
    clean = _csv(tmp_path, [("I10", "Essensiell (primær) hypertensjon")], "ren.csv")
    assert runner.invoke(app, ["codelist", "check", str(clean), "--year", "2026"]).exit_code == 0
    missing = runner.invoke(app, ["codelist", "check", str(tmp_path / "nei.csv"), "--year", "2026"])
    assert missing.exit_code == 2
