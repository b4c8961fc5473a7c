"""The command line as a user meets it: output, exit codes and the JSON contract."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from kodevakt.cli import app

runner = CliRunner()
ACCEPTANCE = Path(__file__).parent / "acceptance" / "rules"


def test_code_shows_text_parents_and_flags() -> None:
    result = runner.invoke(app, ["code", "J12.8"])
    assert result.exit_code == 0
    assert "Annen spesifisert viruspneumoni" in result.output
    assert "J09-J18" in result.output
    assert "Sykdommer i åndedrettssystemet" in result.output


def test_code_json_and_children() -> None:
    result = runner.invoke(app, ["code", "i214a", "--format", "json"])
    assert result.exit_code == 0
    info = json.loads(result.output)
    assert info["code"] == "I21.4a"
    assert info["status"] == "ok"
    assert [p["code"] for p in info["parents"]][:2] == ["I21.4", "I21"]
    listed = runner.invoke(app, ["code", "--list", "J12", "--format", "json"])
    assert [c["code"] for c in json.loads(listed.output)][:2] == ["J12.0", "J12.1"]


def test_unknown_code_is_a_norwegian_error_with_exit_1() -> None:
    result = runner.invoke(app, ["code", "Q99.99"])
    assert result.exit_code == 1
    assert "ikke en kjent kode" in result.output


def test_procedure_code_not_in_subset_is_informational() -> None:
    result = runner.invoke(app, ["code", "JKA21"])
    assert result.exit_code == 0
    assert "ikke i den innlastede" in result.output


def _kodevakt(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).with_name("kodevakt")
    return subprocess.run([str(exe), *args], input=stdin, capture_output=True, text=True)


def test_check_json_contract_and_exit_codes() -> None:
    case = json.loads((ACCEPTANCE / "asterisk-first.json").read_text())
    result = _kodevakt("check", "--format", "json", "-", stdin=json.dumps(case["episode"]))
    assert result.returncode == 1, result.stderr
    findings = json.loads(result.stdout)
    t02 = next(f for f in findings if f["rule"] == "T02")
    assert set(t02) == {
        "episode_id",
        "rule",
        "name",
        "severity",
        "message",
        "codes",
        "location",
        "source",
        "suggestion",
        "rule_year",
        "fix",
    }
    assert set(t02["fix"]) == {"conditions", "procedures"}
    assert t02["severity"] == "error"
    assert t02["episode_id"] == "v08"
    assert "H36.0" in t02["message"]
    assert "Lest 1 poster: 1 kontrollert, 0 avvist" in result.stderr

    clean = json.loads((ACCEPTANCE / "clean-pneumococcal-pneumonia.json").read_text())
    ok = _kodevakt("check", "--format", "json", "-", stdin=json.dumps(clean["episode"]))
    assert ok.returncode == 0
    assert json.loads(ok.stdout) == []

    missing = _kodevakt("check", "finnes-ikke.json")
    assert missing.returncode == 2
    assert "finnes ikke" in missing.stderr


def test_check_reports_rejected_records_and_counts(tmp_path: Path) -> None:
    path = tmp_path / "batch.jsonl"
    good = json.loads((ACCEPTANCE / "clean-pneumococcal-pneumonia.json").read_text())["episode"]
    path.write_text(json.dumps(good) + "\n{not json\n")
    result = _kodevakt("check", "--format", "jsonl", str(path))
    assert result.returncode == 0
    assert "linje 2" in result.stderr
    assert "Lest 2 poster: 1 kontrollert, 1 avvist" in result.stderr


def test_check_from_compact_notation_and_filters() -> None:
    result = runner.invoke(
        app, ["check", "-c", "E11; j12,8", "--format", "csv", "--min-severity", "error"]
    )
    assert result.exit_code == 1
    lines = result.stdout.strip().splitlines()
    assert lines[0].startswith("episode_id;rule;name;severity")
    assert all(";error;" in line for line in lines[1:])
    assert any(";K03;" in line for line in lines[1:])


def test_check_csv_carries_the_fix() -> None:
    """The correction is in the CSV too: the complete code groups after it, as JSON."""
    result = runner.invoke(app, ["check", "-c", "j128; A00.00", "--format", "csv"])
    rows = {row["rule"]: row for row in csv.DictReader(io.StringIO(result.stdout), delimiter=";")}
    assert json.loads(rows["K04"]["fix"])["conditions"] == [["J12.8"], ["A00.00"]]
    assert rows["K01"]["fix"] == ""  # an unknown code: no correction to make


def test_rules_lists_the_registry() -> None:
    result = runner.invoke(app, ["rules", "--format", "json"])
    codes = {r["code"] for r in json.loads(result.output)}
    assert {"K01", "K03", "E01", "E05"} <= codes
