"""`kodevakt drg` as a user meets it: formats, years, errors and exit codes."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kodevakt.cli import app

runner = CliRunner()
TABLES_2020 = Path(__file__).parent / "fixtures" / "drg" / "DefinitionData_TEST_2020.json"


def line(*codes: str, procedures: tuple[str, ...] = ()) -> str:
    """A DRG string: a man of 27 years, home after 3 days; codes as `A01` or `E103+H360`."""
    pairs = [part for code in codes for part in [*code.split("+"), ""][:2]]
    fields = ["1", "10000", "H", "3", ""] + pairs + [""] * (60 - len(pairs))
    return ",".join(fields + list(procedures) + [""] * (100 - len(procedures)))


@pytest.fixture(autouse=True)
def _cache_in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KODEVAKT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("KODEVAKT_DRG_DEFINITIONS", raising=False)


@pytest.fixture
def strings(tmp_path: Path) -> Path:
    path = tmp_path / "strenger.txt"
    lines = [line("A01", "A03"), line("Q99"), "", line("A01", procedures=("P0101", "P0102"))]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def episodes(tmp_path: Path) -> Path:
    path = tmp_path / "episoder.jsonl"
    rows = [
        {
            "id": "e1",
            "patient": {"sex": "M", "age": 30},
            "care_level": "inpatient",
            "admission": "2020-05-01",
            "discharge": "2020-05-04",
            "conditions": [["A01"], ["A03"]],
        },
        {
            "id": "e2",
            "patient": {"sex": "K", "age": 30},
            "care_level": "inpatient",
            "admission": "2021-05-01",
            "discharge": "2021-05-04",
            "conditions": [["A01"]],
        },
    ]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    return path


def test_drg_strings_as_json_lines_in_input_order(strings: Path) -> None:
    result = runner.invoke(
        app,
        ["drg", "--definitions", str(TABLES_2020), "--drg-strings", str(strings), "-f", "jsonl"],
    )
    assert result.exit_code == 0, result.output
    objects = [json.loads(text) for text in result.stdout.splitlines()]
    assert [(o["line"], o["drg"], o["return_code"], o["logic_row"]) for o in objects] == [
        (1, "10", "0", "401D010"),
        (2, "470", "1", "000D001"),
        (4, "1A", "0", "401D001"),
    ]
    assert objects[0]["complication"] is True
    assert objects[0]["why"][0] == "regel 401D010 i drglogic (2020) gir DRG 10"


def test_definitions_from_the_environment(strings: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KODEVAKT_DRG_DEFINITIONS", str(TABLES_2020))
    result = runner.invoke(app, ["drg", "--drg-strings", str(strings), "-f", "json"])
    assert result.exit_code == 0, result.output
    assert [o["drg"] for o in json.loads(result.stdout)] == ["10", "470", "1A"]


def test_episodes_table_shows_drg_and_why(episodes: Path) -> None:
    result = runner.invoke(
        app, ["drg", str(episodes), "--definitions", str(TABLES_2020)], env={"COLUMNS": "160"}
    )
    assert result.exit_code == 1  # e2 is from 2021, and there are no tables for 2021
    assert "401D010" in result.stdout
    assert "med" in result.stdout
    assert "komplikasjon eller komorbiditet: A03" in result.stdout
    assert "ingen DRG-definisjonstabeller for år 2021" in result.stdout
    assert "Gruppert 1" in result.output


def test_year_option_overrides_the_discharge_year(episodes: Path) -> None:
    result = runner.invoke(
        app,
        ["drg", str(episodes), "--definitions", str(TABLES_2020), "--year", "2020", "-f", "csv"],
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout), delimiter=";"))
    assert [(r["episode_id"], r["drg"], r["complication"]) for r in rows] == [
        ("e1", "10", "ja"),
        ("e2", "11", "nei"),
    ]


def test_malformed_drg_string_stops_with_the_line(tmp_path: Path) -> None:
    path = tmp_path / "feil.txt"
    path.write_text(line("A01") + "\n1,2,H\n", encoding="utf-8")
    result = runner.invoke(
        app,
        ["drg", "--definitions", str(TABLES_2020), "--drg-strings", str(path), "-f", "jsonl"],
    )
    assert result.exit_code == 2
    assert "linje 2" in result.output
    assert "DRG-strengen har 3 felt, ventet 165" in result.output


def test_missing_definitions_exit_2() -> None:
    result = runner.invoke(app, ["drg", "--drg-strings", "-"], input=line("A01"))
    assert result.exit_code == 2
    assert "KODEVAKT_DRG_DEFINITIONS" in result.output


def test_strings_from_stdin(tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        ["drg", "--definitions", str(TABLES_2020), "--drg-strings", "-", "-f", "jsonl"],
        input=line("A01") + "\n",
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["drg"] == "11"


def test_several_years_need_a_year_for_strings(tmp_path: Path, strings: Path) -> None:
    (tmp_path / "DRG_2020.json").write_bytes(TABLES_2020.read_bytes())
    (tmp_path / "DRG_2021.json").write_bytes(TABLES_2020.read_bytes())
    args = ["drg", "--definitions", str(tmp_path), "--drg-strings", str(strings), "-f", "jsonl"]
    refused = runner.invoke(app, args)
    assert refused.exit_code == 2
    assert "--year" in refused.output
    chosen = runner.invoke(app, [*args, "--year", "2021"])
    assert chosen.exit_code == 0
    assert json.loads(chosen.stdout.splitlines()[0])["year"] == 2021


def test_episodes_or_strings_not_both(strings: Path, episodes: Path) -> None:
    result = runner.invoke(
        app,
        ["drg", str(episodes), "--drg-strings", str(strings), "--definitions", str(TABLES_2020)],
    )
    assert result.exit_code == 2
