"""Next year before it comes: real differences from the rules' year logic, the official code
lists of two years, and DRG tables of two years."""

from __future__ import annotations

import csv
from datetime import date, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kodevakt.cli import app
from kodevakt.codes.loading import default_codebase
from kodevakt.drg import load_definitions
from kodevakt.drg.weights import load_weights
from kodevakt.episodes.model import Episode, Patient, ProcedureGroup
from kodevakt.pipeline import Pipeline
from kodevakt.report.effect import DrgSources
from kodevakt.rules.engine import Checker
from kodevakt.simulation.html import render_simulation
from kodevakt.simulation.run import INVALID, MEANING, SimulationError, simulate
from kodevakt.simulation.shift import shifted
from kodevakt.storage import Store
from kodevakt.synth import generate
from tests.storage.helpers import episode, write_jsonl

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
LISTS = FIXTURES / "codelists"
TABLES = FIXTURES / "drg" / "DefinitionData_TEST_2020.json"
runner = CliRunner()


def _store(
    tmp_path: Path, records: list[dict[str, object]], period: str, checker: Checker
) -> Store:
    store = Store(f"sqlite:///{tmp_path / 'k.db'}")
    Pipeline(store, checker).import_files([write_jsonl(tmp_path / "e.jsonl", records)], period)
    return store


def test_an_episode_moves_whole_years_and_keeps_its_age() -> None:
    found = Episode(
        "e1",
        Patient(birth_date=date(1960, 2, 29)),
        admission=datetime(2024, 2, 28, 10, 0),
        discharge=datetime(2024, 2, 29, 12, 30),
        procedures=[ProcedureGroup(["JKA20"], date(2024, 2, 29))],
        conditions=[["K35.8"]],
    )
    moved = shifted(found, 2027)
    assert moved.admission == datetime(2027, 2, 28, 10, 0)
    assert moved.discharge == datetime(2027, 2, 28, 12, 30)  # no 29 February in 2027
    assert moved.procedures[0].date == date(2027, 2, 28)
    assert moved.age_years == found.age_years
    assert found.discharge == datetime(2024, 2, 29, 12, 30)  # the original is left alone


def test_the_rules_of_the_target_year_decide(tmp_path: Path) -> None:
    """2022: grouping an additional code is an error (T30); from 2024 it is required (T29)."""
    dates = {"admission": "2022-05-02T10:00", "discharge": "2022-05-02T11:00"}
    records = [
        episode("grouped", [["N30.0", "B96.2"]], **dates),
        episode("apart", [["N30.0"], ["B96.2"]], **dates),
        episode("clean", [["I10"]], **dates),
    ]
    checker = Checker(default_codebase())
    with _store(tmp_path, records, "2022T2", checker) as store:
        result = simulate(store, "2022T2", 2024, checker)
    changes = {r.rule: r for r in result.rule_changes}
    assert [p[1] for p in changes["T30"].vanish] == ["grouped"]
    assert [p[1] for p in changes["T29"].appear] == ["apart"]
    assert result.from_years == (2022,) and result.episodes == 3
    page = render_simulation(result)
    assert "Funn som kommer og går" in page and "T29" in page and "apart" in page


def test_codes_that_become_invalid_or_change_meaning(tmp_path: Path) -> None:
    checker = Checker(default_codebase([LISTS / "icd10_2025.xlsx", LISTS / "icd10_2026.xlsx"]))
    records = [
        episode("b", [["B34.2"]]),  # in the 2025 list only
        episode("j", [["J12.8"]]),  # another text in 2026
        episode("j2", [["J12.8"], ["B34.2"]]),
    ]
    with _store(tmp_path, records, "2025T1", checker) as store:
        result = simulate(store, "2025T1", 2026, checker)
    changes = {(c.code, c.kind): c for c in result.code_changes}
    invalid = changes[("B34.2", INVALID)]
    assert [p[1] for p in invalid.episodes] == ["b", "j2"]
    assert invalid.status_before == "gyldig" and invalid.status_after == "ikke gyldig"
    meaning = changes[("J12.8", MEANING)]
    assert meaning.text_before == "Annen spesifisert viruspneumoni"
    assert meaning.text_after == "Annen spesifisert virusbetinget pneumoni"
    appear = {r.rule: r for r in result.rule_changes}
    assert {p[1] for p in appear["K02"].appear} == {"b", "j2"}


def test_drg_and_weight_shifts_by_department(tmp_path: Path) -> None:
    folder = tmp_path / "tabeller"
    folder.mkdir()
    text = TABLES.read_text(encoding="utf-8-sig")
    (folder / "DefinitionData_TEST_2020.json").write_text(text, encoding="utf-8")
    moved = text.replace('"drg": " 11",', '"drg": " 12",', 1)  # A01's DRG in 2021
    assert moved != text
    (folder / "DefinitionData_TEST_2021.json").write_text(moved, encoding="utf-8")
    (tmp_path / "vekter_2020.csv").write_text("drg;vekt\n11;1,5\n", encoding="utf-8")
    (tmp_path / "vekter_2021.csv").write_text("drg;vekt\n12;2,0\n", encoding="utf-8")
    weights = load_weights(f"{tmp_path / 'vekter_2020.csv'}:{tmp_path / 'vekter_2021.csv'}")
    sources = DrgSources(load_definitions(folder), weights)
    dates = {"admission": "2020-03-01T10:00", "discharge": "2020-03-04T11:00"}
    records = [
        episode(f"m{i}", [["A01"]], care_level="inpatient", department="MED", **dates)
        for i in range(3)
    ]
    records.append(episode("k1", [["A01"]], care_level="inpatient", department="KIR", **dates))
    checker = Checker(default_codebase())
    with _store(tmp_path, records, "2020T1", checker) as store:
        result = simulate(store, "2020T1", 2021, checker, drg=sources)
    assert result.drg_available and result.weighted
    by_department = {d.department: d for d in result.departments}
    med = by_department["MED"]
    assert (med.grouped, med.changed) == (3, 3)
    assert (med.weight_before, med.weight_after, med.weight_change) == (4.5, 6.0, 1.5)
    assert {(m.drg_before, m.drg_after) for m in med.moves} == {("11", "12")}
    assert result.changed_drg == 4


def test_the_command_writes_html_or_csv(tmp_path: Path) -> None:
    db = str(tmp_path / "k.db")
    dates = {"admission": "2022-05-02T10:00", "discharge": "2022-05-02T11:00"}
    path = write_jsonl(tmp_path / "e.jsonl", [episode("apart", [["N30.0"], ["B96.2"]], **dates)])
    assert (
        runner.invoke(app, ["import", str(path), "--period", "2022T2", "--db", db]).exit_code == 0
    )
    out = tmp_path / "neste.csv"
    result = runner.invoke(
        app, ["simulate", "--period", "2022T2", "--to-year", "2024", "--db", db, "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "1 nye funn" in result.output
    rows = list(csv.reader(out.read_text(encoding="utf-8-sig").splitlines(), delimiter=";"))
    assert rows[0][:3] == ["Hva", "Endring", "Kode eller regel"]
    assert rows[1][:3] == ["funn", "kommer", "T29"] and rows[1][-1] == "apart"
    page = tmp_path / "neste.html"
    result = runner.invoke(
        app, ["simulate", "--period", "2022T2", "--to-year", "2024", "--db", db, "--out", str(page)]
    )
    assert result.exit_code == 0 and "kodet som i 2024" in page.read_text(encoding="utf-8")
    wrong = runner.invoke(app, ["simulate", "--period", "2021T1", "--to-year", "2024", "--db", db])
    assert wrong.exit_code == 2 and "ingen episoder i perioden 2021T1" in wrong.output


def test_an_impossible_year_is_refused(tmp_path: Path) -> None:
    checker = Checker(default_codebase())
    with (
        _store(tmp_path, [episode("e", [["I10"]])], "2025T1", checker) as store,
        pytest.raises(SimulationError, match="året 3025"),
    ):
        simulate(store, "2025T1", 3025, checker)


SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "drg"


@pytest.mark.skipif(
    not (SHARED / "DefinitionData_NOR_2017_PR1aN.zip").is_file(),
    reason="de ekte 2016/2017-tabellene finnes ikke i ../shared/drg",
)
def test_the_public_tables_of_2016_and_2017_move_real_episodes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KODEVAKT_CACHE_DIR", str(tmp_path / "cache"))
    folder = tmp_path / "tabeller"
    folder.mkdir()
    for name in ("DefinitionData_NOR_2016_PR1cN.zip", "DefinitionData_NOR_2017_PR1aN.zip"):
        (folder / name).symlink_to(SHARED / name)
    checker = Checker(default_codebase())
    records = list(generate(400, seed=5, year=2016))
    with _store(tmp_path, records, "2016", checker) as store:
        result = simulate(store, "2016", 2017, checker, drg=DrgSources(load_definitions(folder)))
    assert result.drg_available and sum(d.grouped for d in result.departments) == 400
    assert result.changed_drg > 0
    moved = [m for d in result.departments for m in d.moves]
    assert len(moved) == result.changed_drg
    assert any(m.drg_before != m.drg_after for m in moved)
