"""`kodevakt finding assign|ask|answer|due` and what `finding show` and `findings` show of the
work, as a user meets them (SQLite; the service runs on both databases in test_worklog.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kodevakt.batch.deadlines import ENV_DEADLINES
from kodevakt.cli import app
from kodevakt.storage import ENV_DB
from tests.storage.helpers import episode, write_jsonl

runner = CliRunner()


@pytest.fixture
def keys(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Two T02 findings in a fresh SQLite database (KODEVAKT_DB)."""
    db = f"sqlite:///{tmp_path / 'kodevakt.db'}"
    monkeypatch.setenv(ENV_DB, db)
    monkeypatch.delenv(ENV_DEADLINES, raising=False)
    path = write_jsonl(
        tmp_path / "t1.jsonl", [episode("ep-1", [["H36.0"]]), episode("ep-2", [["H36.0"]])]
    )
    assert runner.invoke(app, ["import", str(path), "--period", "2025T1"]).exit_code == 0
    result = runner.invoke(app, ["findings", "--rule", "T02", "--format", "json"])
    return [str(found["key"]) for found in json.loads(result.stdout)]


def _run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["finding", *args])
    return result.exit_code, result.output


def test_assign_ask_answer_accept_and_the_log(keys: list[str]) -> None:
    first = keys[0]
    assert _run("assign", *keys, "--to", "kari", "--by", "leder") == (0, "Endret 2 funn.\n")
    code, output = _run("assign", first[:8], "--to", "kari", "--by", "leder")
    assert (code, output) == (0, "Endret 0 funn (1 var det allerede).\n")
    assert _run("ask", first, "--question", "Var <b>retinopati</b> påvist?", "--by", "kari")[0] == 0
    assert _run("answer", first, "--answer", "Ja, ved øyeundersøkelse.", "--by", "ola")[0] == 0
    assert _run("due", first, "--date", "2025-06-01", "--by", "leder")[0] == 0
    code, shown = _run("show", first)
    assert code == 0, shown
    assert "spurt lege" in shown
    assert "Tildelt: kari · frist 01.06.2025" in shown
    assert "Spørsmål til lege (kari, " in shown and "Var <b>retinopati</b> påvist?" in shown
    assert "Svar (ola, " in shown and "Ja, ved øyeundersøkelse." in shown
    for line in (
        "tildelt: ingen → kari  leder",
        "åpen → spurt lege  kari: Var <b>retinopati</b> påvist?",
        "svar fra lege: Ja, ved øyeundersøkelse.  ola",
        "frist: periodens frist → 01.06.2025  leder",
    ):
        assert line in shown
    code, shown = _run("show", keys[1])
    assert "Tildelt: kari · frist 23.05.2025 (periodens rettefrist)" in shown
    listed = runner.invoke(app, ["findings", "--status", "asked"])
    assert listed.exit_code == 0 and first in listed.stdout and keys[1] not in listed.stdout
    assert "1 funn: 1 spurt lege." in listed.output
    assert _run("accept", first, "--comment", "Bekreftet av lege", "--by", "kari")[0] == 0
    assert "spurt lege → godtatt  kari: Bekreftet av lege" in _run("show", first)[1]
    assert _run("assign", first, "--nobody", "--by", "leder") == (0, "Endret 1 funn.\n")
    assert _run("due", first, "--clear", "--by", "leder")[0] == 0
    assert "Tildelt: ingen · frist 23.05.2025 (periodens rettefrist)" in _run("show", first)[1]


def test_refusals_exit_2_and_change_nothing(keys: list[str]) -> None:
    code, output = _run("answer", *keys, "--answer", "Ja", "--by", "ola")
    assert code == 2 and f"funnet {keys[0]} er åpen, ikke spurt lege" in output
    code, output = _run("ask", keys[0], "--question", " ", "--by", "kari")
    assert code == 2 and "spørsmålet til legen må fylles ut" in output
    code, output = _run("assign", keys[0], "--by", "leder")
    assert code == 2 and "--to NAVN eller --nobody" in output
    code, output = _run("assign", keys[0], "--to", "kari", "--nobody", "--by", "leder")
    assert code == 2
    code, output = _run("due", keys[0], "--date", "1. juni", "--by", "leder")
    assert code == 2 and "fristen «1. juni» er ikke en dato" in output
    code, output = _run("assign", keys[0], "ffffffffffff", "--to", "kari", "--by", "leder")
    assert code == 2 and "fant ikke funnet «ffffffffffff»" in output
    _, shown = _run("show", keys[0])
    assert "Tildelt: ingen" in shown and "Logg:" not in shown
    result = runner.invoke(app, ["finding", "show", keys[0]], env={ENV_DEADLINES: "frist=1"})
    assert result.exit_code == 1 and "KODEVAKT_DEADLINES, «frist»: ukjent navn" in result.output


def test_approve_a_fix_shows_it_and_refuses_a_finding_without_one(
    keys: list[str], tmp_path: Path
) -> None:
    stay = {"care_level": "inpatient", "admission": "2025-03-03", "discharge": "2025-03-07"}
    path = write_jsonl(tmp_path / "t1b.jsonl", [episode("ep-3", [["U07.1"], ["I10"]], **stay)])
    assert runner.invoke(app, ["import", str(path), "--period", "2025T1"]).exit_code == 0
    listed = runner.invoke(app, ["findings", "--rule", "T04", "--format", "json"])
    [fixable] = [str(found["key"]) for found in json.loads(listed.stdout)]
    code, shown = _run("show", fixable)
    assert "Rettingsforslag: tilstander I10+U07.1" in shown
    code, output = _run("approve", fixable, keys[0], "--by", "kari")
    assert code == 2 and f"funnet {keys[0]} har ikke noe rettingsforslag å godkjenne" in output
    assert _run("approve", fixable, "--by", "kari", "--comment", "Enig") == (0, "Endret 1 funn.\n")
    code, shown = _run("show", fixable)
    assert "retting godkjent" in shown and "åpen → retting godkjent  kari: Enig" in shown
    listed = runner.invoke(app, ["findings", "--status", "approved"])
    assert fixable in listed.stdout and keys[0] not in listed.stdout
    assert "1 funn: 1 med godkjent retting." in listed.output
    code, output = _run("accept", fixable, "--comment", "Riktig", "--by", "kari")
    assert code == 1 and "har godkjent retting (åpne det igjen først) og kan ikke godtas" in output
    assert _run("reopen", fixable, "--by", "kari")[0] == 0
    assert "retting godkjent → åpen  kari" in _run("show", fixable)[1]
