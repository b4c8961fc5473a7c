"""The code history: each year from the baseline gets the list it had, and years without a list
are said to be so (K07), never met with a false "does not exist" (K01)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

import kodevakt
from kodevakt.cli import app
from kodevakt.codes.codebase import CodeBase, Status
from kodevakt.codes.embedded import load_embedded_icd10_years
from kodevakt.codes.history import default_history, parse_history
from kodevakt.codes.loading import default_codebase
from kodevakt.codes.model import ChangeKind
from kodevakt.codes.release import Family
from kodevakt.errors import CodeListError

LISTS = Path(__file__).parent / "fixtures" / "codelists"
HEADER = "code\tyear\tchange\tdetail\tsource\n*\t2019\tbaseline\t\tliste 2019\n"


@pytest.fixture(scope="module")
def base() -> CodeBase:
    return default_codebase()


def _episode(codes: str, year: int, episode_id: str = "e1") -> dict[str, object]:
    return {
        "id": episode_id,
        "patient": {"sex": "K", "age": 60},
        "admission": f"{year}-03-03",
        "discharge": f"{year}-03-07",
        "care_level": "inpatient",
        "conditions": [[code.strip()] for code in codes.split(";")],
    }


def _rules(codes: str, year: int) -> set[str]:
    return {f.rule for f in kodevakt.check([_episode(codes, year)])}


# --- the table ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("J12.8\t20x5\tintroduced\t\tkilde", "ikke et årstall"),
        ("J12.8\t1990\tintroduced\t\tkilde", "før ICD-10 ble tatt i bruk"),
        ("J12.8\t2020\tvanished\t\tkilde", "ukjent endring"),
        ("J12.8\t2020\tintroduced\t\t", "kilde mangler"),
        ("j128\t2020\tintroduced\t\tkilde", "standard måte"),
        ("J12.8\t2020\tretired\t\tkilde", "teksten koden hadde"),
        ("J12.8\t2020\tintroduced\tkilde", "forventet 5"),
        ("*\t2020\tbaseline\t\tkilde", "bare én grunnlinjerad"),
    ],
)
def test_a_defective_row_is_named_with_its_line(row: str, message: str) -> None:
    with pytest.raises(CodeListError, match=message) as error:
        parse_history(HEADER + row + "\n", "h.tsv")
    assert error.value.line == 3


def test_changes_out_of_year_order_and_a_missing_baseline_are_refused() -> None:
    rows = "J12.8\t2022\ttext\tB\tk\nJ12.8\t2021\ttext\tA\tk\n"
    with pytest.raises(CodeListError, match="årsrekkefølge"):
        parse_history(HEADER + rows, "h.tsv")
    with pytest.raises(CodeListError, match="grunnlinjeraden"):
        parse_history("code\tyear\tchange\tdetail\tsource\n", "h.tsv")


def test_every_line_of_the_shipped_table_has_a_source() -> None:
    history = default_history()
    changes = [c for found in history.changes.values() for c in found]
    assert len(changes) > 1000 and all(c.source for c in changes)
    assert history.baseline == 2019


def test_the_table_agrees_with_the_embedded_list() -> None:
    """An introduced code is in the 2026 list unless retired later; a retired code is not
    reported in 2026 unless introduced again; a retexted code is in the list of its year."""
    lists = {cl.release.year: cl for cl in load_embedded_icd10_years()}
    current = lists[2026]
    for code, changes in default_history().changes.items():
        last = changes[-1]
        found = current.get(code)
        if last.kind is ChangeKind.RETIRED:
            assert found is None or not found.reportable or found.who_only, code
        else:
            assert found is not None and found.reportable, code
        for change in changes:
            if change.kind is ChangeKind.TEXT and change.year in lists:
                assert lists[change.year].get(code) is not None, code


def test_each_years_list_has_as_many_reportable_codes_as_the_directorates_list() -> None:
    """The lists made by undoing the changes have the sizes of the yearly code lists they were
    compared from (NAV's copies of the directorate's lists)."""
    sizes = {
        cl.release.year: sum(1 for c in cl if c.reportable and not c.who_only)
        for cl in load_embedded_icd10_years()
    }
    assert sizes == {
        2019: 19609,
        2020: 19521,
        2021: 19536,
        2022: 19630,
        2023: 19637,
        2024: 19637,
        2025: 19639,
        2026: 19634,
    }


# --- what a lookup answers, year by year --------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "day", "status"),
    [
        ("I21.4a", date(2014, 6, 1), Status.NOT_VALID),  # the 5th character came in 2015
        ("I21.4a", date(2015, 1, 1), Status.OK),
        ("M19.06", date(2025, 12, 31), Status.OK),  # retired 2026
        ("M19.06", date(2026, 1, 1), Status.NOT_VALID),
        ("D37.0", date(2021, 6, 1), Status.OK),  # subdivided 2022
        ("D37.0", date(2022, 6, 1), Status.NOT_REPORTABLE),
        ("D37.00", date(2021, 6, 1), Status.NOT_VALID),
        ("Z51.5", date(2022, 6, 1), Status.OK),  # out of the Norwegian list 2023
        ("Z51.5", date(2023, 6, 1), Status.WHO_ONLY),
        ("F64.0", date(2015, 6, 1), Status.OK),  # before the baseline: the 2019 list
        ("B48.5", date(2015, 6, 1), Status.NOT_VALID),  # introduced 2020
        ("K63.80", date(2024, 6, 1), Status.NOT_VALID),  # introduced 2025
        ("K35.0", date(2012, 6, 1), Status.NOT_COVERED),  # in no list; 2012 has none
        ("J12.7", date(2031, 6, 1), Status.NOT_COVERED),  # after the newest list
        ("J12.7", date(2024, 6, 1), Status.UNKNOWN),  # 2024 has its own list
        ("Q99.99", date(2012, 6, 1), Status.NOT_COVERED),
        ("ZZ9.9", date(2012, 6, 1), Status.UNKNOWN),  # no such category in any list
    ],
)
def test_a_code_is_judged_by_the_list_of_its_year(
    base: CodeBase, code: str, day: date, status: Status
) -> None:
    assert base.resolve(code, day).status is status


def test_texts_and_headings_are_those_of_the_year(base: CodeBase) -> None:
    def text(code: str, year: int) -> str | None:
        found = base.get(code, date(year, 6, 1))
        return found.text if found else None

    assert text("U07.1", 2019) == "Bruk av U07.1 for beredskapsformål"
    assert text("U07.1", 2021) == "Covid-19 med påvist virus"
    f64_2019, f64_2020 = base.get("F64", date(2019, 6, 1)), base.get("F64", date(2020, 6, 1))
    assert f64_2019 is not None and not f64_2019.who_only  # F64.0 was reported in 2019
    assert f64_2020 is not None and f64_2020.who_only


def test_an_official_list_of_a_year_replaces_that_years_embedded_list() -> None:
    base = default_codebase([LISTS / "icd10_2025.xlsx"])
    chosen = base.code_list(Family.ICD10, 2025)
    assert chosen is not None and not chosen.release.embedded
    earlier = base.code_list(Family.ICD10, 2024)
    assert earlier is not None and earlier.release.embedded
    # The small fixture list lacks I21.4b: with it loaded, the code is not valid in 2025.
    assert base.resolve("I21.4b", date(2025, 6, 1)).status is Status.NOT_VALID
    assert base.resolve("I21.4b", date(2024, 6, 1)).status is Status.OK


# --- the checker ------------------------------------------------------------------------------


def test_a_2015_episode_with_codes_valid_in_2015_gets_no_k01_or_k02() -> None:
    rules = _rules("I21.4a; Z51.5; F64.0; D37.0", 2015)
    assert not rules & {"K01", "K02", "K03", "T06"}
    assert "K07" in rules  # 2015 has no list of its own: said once


def test_a_code_used_before_it_existed_or_after_it_was_retired_is_caught() -> None:
    assert "K02" in _rules("I21.4a", 2014)
    assert "K02" in _rules("D37.01", 2021)
    assert "K02" in _rules("M19.06", 2026)
    assert "K01" not in _rules("M19.06", 2025)
    assert "K02" not in _rules("M19.06", 2025)


def test_the_missing_list_is_said_once_per_run_naming_the_unchecked_codes() -> None:
    episodes = [_episode("K35.0", 2012, f"e{i}") for i in range(5)]
    episodes.append(_episode("J12.8", 2013, "e9"))
    findings = [f for f in kodevakt.check(episodes) if f.rule == "K07"]
    assert len(findings) == 1
    (finding,) = findings
    assert finding.episode_id == "e0" and finding.severity.value == "info"
    assert finding.codes == ("K35.0",) and "2012" in finding.message
    assert not [f for f in kodevakt.check(episodes) if f.rule == "K01"]
    assert not [f for f in kodevakt.check([_episode("K35.0", 2024)]) if f.rule == "K07"]


# --- the CLI ----------------------------------------------------------------------------------


def test_data_status_shows_every_year_and_what_the_history_covers() -> None:
    result = CliRunner().invoke(app, ["data", "status"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    for year in range(2019, 2027):
        assert f"│ {year} │" in result.stdout
    assert "kodelister for 2019–2026" in result.stdout
    assert "K07" in result.stdout
    assert "0 har bare WHOs engelske tittel" in result.stdout


def test_code_shows_validity_by_year_and_history() -> None:
    result = CliRunner().invoke(app, ["code", "D37.0", "--format", "json"])
    assert result.exit_code == 0, result.output
    info = json.loads(result.stdout)
    spans = [(s["from"], s["to"], s["status"]) for s in info["validity_by_year"]]
    assert (2019, 2021, "gyldig") in spans
    assert (2022, 2026, "overskrift, rapporteres ikke") in spans
    assert [(h["year"], h["change"]) for h in info["history"]] == [(2022, "retired")]
    result = CliRunner().invoke(app, ["code", "I21.4a"], env={"COLUMNS": "200"})
    assert "til og med 2014: fantes ikke" in result.stdout
    assert "2015–2026: gyldig" in result.stdout
    assert "2015 innført" in result.stdout
