"""Which year's tables group a stay, and what the user is told when no loaded table fits.

The README's example ran 2025 episodes against the 2017 tables and printed a table of blank
rows. These tests pin what a user sees instead: one notice on stderr naming the years the
tables cover, the years that were missing and how to choose a year; no blank result rows;
`--year` on both `drg` and `effect`, refused with a Norwegian error when no table has it.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from kodevakt.cli import app
from kodevakt.drg.years import NotCovered, TableYears
from kodevakt.errors import CodeListError

runner = CliRunner()
TABLES_2020 = Path(__file__).parent / "fixtures" / "drg" / "DefinitionData_TEST_2020.json"
SHARED_2017 = sorted((Path(__file__).resolve().parents[2] / "shared" / "drg").glob("*_2017_*"))


@pytest.fixture(autouse=True)
def _cache_in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KODEVAKT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("KODEVAKT_DRG_DEFINITIONS", raising=False)
    monkeypatch.delenv("KODEVAKT_DRG_WEIGHTS", raising=False)


def stay(episode_id: str, day: str | None, *conditions: list[str]) -> dict[str, Any]:
    row: dict[str, Any] = {
        "id": episode_id,
        "patient": {"sex": "K", "age": 60},
        "care_level": "inpatient",
        "conditions": list(conditions) or [["A01"]],
    }
    if day is not None:  # three nights, discharged on `day`
        row["admission"] = (date.fromisoformat(day) - timedelta(days=3)).isoformat()
        row["discharge"] = day
    return row


def episodes(tmp_path: Path, *rows: dict[str, Any]) -> str:
    path = tmp_path / "episoder.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    return str(path)


def drg(*args: str) -> Any:
    return runner.invoke(app, ["drg", *args], env={"COLUMNS": "200"})


# -- the README example: every stay from a year the tables do not cover -------------------------


def test_stays_from_a_year_without_tables_say_why_once_and_print_no_blank_rows(
    tmp_path: Path,
) -> None:
    path = episodes(tmp_path, *(stay(f"e{n}", f"2025-03-0{n}") for n in range(1, 4)))
    result = drg(path, "--definitions", str(TABLES_2020))
    assert result.exit_code == 1
    # no result table with empty cells: the stays are summarised under their reason
    assert "Episode" not in result.stdout
    assert "Ingen episoder ble gruppert:" in result.stdout
    assert "ingen DRG-definisjonstabeller for år 2025 (lastet: 2020) – 3 episoder: e1, e2, e3" in (
        result.stdout
    )
    # one notice for the run (not one per stay) with the covered and missing years and the way out
    notice = [line for line in result.stderr.splitlines() if line.startswith("Merk:")]
    assert len(notice) == 1
    assert "tabellene som er lastet gjelder 2020" in result.stderr
    assert "3 episoder er fra 2025" in result.stderr
    assert "Oppgi tabellene for 2025 med --definitions" in result.stderr
    assert "--year 2020 for å gruppere alle episodene med tabellene for 2020" in result.stderr


def test_the_notice_comes_with_machine_formats_too(tmp_path: Path) -> None:
    path = episodes(tmp_path, stay("e1", "2020-05-01"), stay("e2", "2024-01-02"))
    result = drg(path, "--definitions", str(TABLES_2020), "-f", "jsonl")
    assert result.exit_code == 1
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert rows[0]["drg"] == "11"
    assert rows[1] == {
        "episode_id": "e2",
        "line": 2,
        "error": "ingen DRG-definisjonstabeller for år 2024 (lastet: 2020)",
    }
    assert result.stderr.count("Merk:") == 1
    assert "én episode er fra 2024" in result.stderr


def test_a_mixed_run_shows_grouped_rows_and_the_rest_by_reason(tmp_path: Path) -> None:
    path = episodes(tmp_path, stay("e1", "2020-05-01"), stay("e2", "2025-01-02"))
    result = drg(path, "--definitions", str(TABLES_2020))
    assert result.exit_code == 1
    table_rows = [line for line in result.stdout.splitlines() if line.startswith("│")]
    assert len(table_rows) == 1 and "e1" in table_rows[0]  # e2 gets no blank row
    assert "Ikke gruppert:" in result.stdout
    assert "ingen DRG-definisjonstabeller for år 2025 (lastet: 2020) – 1 episode: e2" in (
        result.stdout
    )


@pytest.mark.skipif(not SHARED_2017, reason="de ekte 2017-tabellene finnes ikke i ../shared/drg")
def test_readme_example_2025_episodes_with_the_2017_tables(tmp_path: Path) -> None:
    path = episodes(tmp_path, stay("e1", "2025-03-01", ["J18.9"]), stay("e2", "2025-04-01"))
    result = drg(path, "--definitions", str(SHARED_2017[0]))
    assert result.exit_code == 1
    assert "gjelder 2017, men 2 episoder er fra 2025" in result.stderr
    assert "--year 2017" in result.stderr
    chosen = drg(path, "--definitions", str(SHARED_2017[0]), "--year", "2017", "-f", "jsonl")
    assert chosen.exit_code == 0
    assert [json.loads(line)["year"] for line in chosen.stdout.splitlines()] == [2017, 2017]
    assert "2 episoder fra 2025 er gruppert med tabellene for 2017 (--year)" in chosen.stderr


def test_stays_without_a_date_ask_for_a_year(tmp_path: Path) -> None:
    path = episodes(tmp_path, stay("e1", None))
    result = drg(path, "--definitions", str(TABLES_2020))
    assert result.exit_code == 1
    assert "episoden har ingen dato; oppgi tabellår med --year – 1 episode: e1" in result.stdout
    assert "Én episode har verken utskrivnings- eller innleggelsesdato" in result.stderr
    chosen = drg(path, "--definitions", str(TABLES_2020), "--year", "2020", "-f", "jsonl")
    assert chosen.exit_code == 0
    assert json.loads(chosen.stdout)["year"] == 2020


# -- --year on drg and effect --------------------------------------------------------------------


@pytest.mark.parametrize("command", ["drg", "effect"])
def test_a_year_no_table_covers_is_refused_before_any_output(command: str, tmp_path: Path) -> None:
    path = episodes(tmp_path, stay("e1", "2020-05-01"))
    result = runner.invoke(
        app, [command, path, "--definitions", str(TABLES_2020), "--year", "2025"]
    )
    assert result.exit_code == 2
    assert result.stdout == ""
    assert (
        "--year 2025: ingen DRG-definisjonstabeller for 2025 er lastet "
        "(tabellene som er lastet gjelder 2020)"
    ) in result.stderr


def test_effect_groups_with_the_chosen_year(tmp_path: Path) -> None:
    # B96.2 before N30.0 in 2021: without --year there are no tables; with it the 2020 tables
    # group the stay, and the T05 fix (infection first) moves it out of DRG 470.
    path = episodes(tmp_path, stay("e2", "2021-03-04", ["B96.2"], ["N30.0"]))
    plain = runner.invoke(app, ["effect", path, "--definitions", str(TABLES_2020), "-f", "jsonl"])
    assert plain.exit_code == 1
    assert plain.stdout == ""
    assert "ingen DRG-definisjonstabeller for år 2021 (lastet: 2020) – 1 episode: e2" in (
        plain.stderr
    )
    assert "--year 2020" in plain.stderr
    chosen = runner.invoke(
        app, ["effect", path, "--definitions", str(TABLES_2020), "--year", "2020", "-f", "jsonl"]
    )
    assert chosen.exit_code == 0, chosen.output
    rows = [json.loads(line) for line in chosen.stdout.splitlines()]
    assert [(r["year"], r["rule"], r["drg_before"], r["drg_after"]) for r in rows] == [
        (2020, "T05", "470", "320")
    ]
    assert "Én episode fra 2021 er gruppert med tabellene for 2020 (--year)" in chosen.stderr


def test_year_names_a_single_file_without_a_year(tmp_path: Path) -> None:
    tables = tmp_path / "definisjoner.json"
    tables.write_bytes(TABLES_2020.read_bytes())
    path = episodes(tmp_path, stay("e1", "2021-05-01"))
    for command in ("drg", "effect"):
        result = runner.invoke(app, [command, path, "--definitions", str(tables), "--year", "2021"])
        assert result.exit_code == 0, result.output


# -- TableYears itself ---------------------------------------------------------------------------


def test_table_years_choose_and_count() -> None:
    years = TableYears([2016, 2017])
    assert years.choose(date(2017, 3, 1)) == 2017
    with pytest.raises(NotCovered, match="ingen DRG-definisjonstabeller for år 2025"):
        years.choose(date(2025, 1, 1))
    with pytest.raises(NotCovered, match="ingen dato"):
        years.choose(None)
    notice = years.notice()
    assert notice is not None
    assert "gjelder 2016 og 2017, men én episode er fra 2025" in notice
    assert "--year ÅR (et av årene 2016 og 2017)" in notice
    assert TableYears([2017]).notice() is None
    with pytest.raises(CodeListError):
        TableYears([2017], 2018)
