"""`kodevakt import`, `findings` and `finding` as a user meets them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kodevakt.cli import app
from kodevakt.pipeline import Pipeline
from kodevakt.storage import ENV_DB, Store
from tests.storage.helpers import CORRECTED, episode, extract, write_jsonl

runner = CliRunner()


def _json(db_url: str, *args: str) -> list[dict[str, object]]:
    result = runner.invoke(app, ["findings", "--db", db_url, "--format", "json", *args])
    assert result.exit_code == 0, result.output
    data: list[dict[str, object]] = json.loads(result.stdout)
    return data


def test_import_list_accept_reopen(db_url: str, tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path / "t1.jsonl",
        [*(episode(f"ep-{i}", [["H36.0"]] if i == 3 else [["I10"]]) for i in range(1, 5)), "{"],
    )
    result = runner.invoke(app, ["import", str(path), "--period", "2025T1", "--db", db_url])
    assert result.exit_code == 0, result.output
    assert "lest 5 poster, 1 avvist" in result.output
    assert "Avvist: fil" in result.output and "linje 5" in result.output
    assert "Funn: 1 nye" in result.output

    [found] = _json(db_url, "--period", "2025T1", "--status", "open", "--rule", "T02")
    key = str(found["key"])
    assert found["episode_id"] == "ep-3" and found["status"] == "open"

    table = runner.invoke(app, ["findings", "--db", db_url, "--period", "2025T1"])
    assert key in table.stdout and "åpen" in table.stdout
    assert "1 funn: 1 åpne." in table.output

    accepted = runner.invoke(
        app,
        ["finding", "accept", key[:8], "--comment", "Står i epikrisen", "--by", "kari"],
        env={ENV_DB: db_url},
    )
    assert accepted.exit_code == 0, accepted.output
    assert "godtatt" in accepted.stdout and "kari: Står i epikrisen" in accepted.stdout
    assert _json(db_url, "--status", "accepted")[0]["by"] == "kari"

    shown = runner.invoke(app, ["finding", "show", key, "--db", db_url])
    assert "åpen → godtatt  kari: Står i epikrisen" in shown.stdout

    reopened = runner.invoke(app, ["finding", "reopen", key, "--by", "ola", "--db", db_url])
    assert reopened.exit_code == 0
    assert _json(db_url, "--status", "open")[0]["key"] == key


def test_corrected_reimport_marks_fixed(db_url: str, tmp_path: Path) -> None:
    runner.invoke(app, ["import", str(extract(tmp_path)), "--period", "2025T1", "--db", db_url])
    corrected = extract(tmp_path, "c.jsonl", ep_3=CORRECTED)
    result = runner.invoke(app, ["import", str(corrected), "--period", "2025T1", "--db", db_url])
    assert "1 endret, 9 uendret" in result.output and "1 rettet" in result.output
    fixed = _json(db_url, "--status", "fixed")
    assert [f["episode_id"] for f in fixed] == ["ep-3"]
    shown = runner.invoke(app, ["finding", "show", str(fixed[0]["key"]), "--db", db_url])
    assert "åpen → rettet  automatisk" in shown.stdout
    assert "episoden endret (v2): conditions" in shown.stdout
    csv_out = runner.invoke(app, ["findings", "--db", db_url, "-f", "csv", "--rule", "T02"])
    assert csv_out.stdout.splitlines()[0].startswith("key;episode_id;rule;")
    lines = runner.invoke(app, ["findings", "--db", db_url, "-f", "jsonl"]).stdout.splitlines()
    assert len(lines) == 2 and all(json.loads(line)["rule"] == "T02" for line in lines)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["import", "missing.jsonl", "--period", "2025T1"], "finnes ikke"),
        (["import", "{file}", "--period", "2025T9"], "perioden «2025T9»"),
        (["finding", "accept", "abcdef0123456789", "--comment", "x", "--by", "y"], "fant ikke"),
        (["finding", "accept", "abcdef0123456789", "--comment", " ", "--by", "y"], "kommentar"),
        (["findings", "--period", "T1"], "perioden"),
        (["import", "{file}", "--period", "1899"], "året må være fra 1990"),
        (["import", "{file}", "--period", "2025-T1x"], "perioden «2025-T1x»"),
    ],
)
def test_errors_are_norwegian(tmp_path: Path, args: list[str], message: str) -> None:
    path = extract(tmp_path)
    db = f"sqlite:///{tmp_path / 'k.db'}"
    Store(db).close()
    args = [a.replace("{file}", str(path)) for a in args]
    result = runner.invoke(app, [*args, "--db", db])
    assert result.exit_code in (1, 2)
    assert "Feil:" in result.output and message in result.output


def test_default_database_is_kodevakt_db_here(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(ENV_DB, raising=False)
    path = extract(tmp_path)
    result = runner.invoke(app, ["import", str(path), "--period", "2025T1"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "kodevakt.db").is_file()


def test_reader_notices_are_shown_and_kept(db_url: str) -> None:
    extract_csv = Path(__file__).parents[1] / "fixtures" / "episodes" / "extract.csv"
    with Store(db_url) as store:  # an NPR extract without an episode id column
        [file] = Pipeline(store).import_files([extract_csv], "2025T1", encoding="utf-8").files
    assert file.error is None and any("episode-id" in notice for notice in file.notices)
    result = runner.invoke(app, ["import", str(extract_csv), "--period", "2025T1", "--db", db_url])
    assert result.exit_code == 0, result.output
    assert f"Advarsel: fil {extract_csv}: uttrekket har ingen kolonne for episode-id" in (
        result.stderr
    )
