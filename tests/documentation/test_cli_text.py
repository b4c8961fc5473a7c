"""`kodevakt text`, and `kodevakt check` on episodes that carry their discharge summary."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from kodevakt.cli import app

runner = CliRunner()
TEXT = "Diagnoser:\nPneumoni\nAnamnese: Mor hadde brystkreft. Ingen tegn til lungeemboli.\n"


def test_plain_text_as_a_norwegian_table(tmp_path: Path) -> None:
    path = tmp_path / "epikrise.txt"
    path.write_text(TEXT, encoding="utf-8")
    result = runner.invoke(app, ["text", str(path)])
    assert result.exit_code == 0, result.output
    assert "Foreslått hovedtilstand: J18.9" in result.output
    for word in ("bekreftet", "avkreftet", "familie", "Diagnoser", "«Pneumoni»"):
        assert word in result.output


def test_json_lines_in_and_out(tmp_path: Path) -> None:
    path = tmp_path / "tekster.jsonl"
    lines = [{"id": "a", "text": TEXT}, {"id": 7, "text": "Innlagt med NSTEMI, PCI av LAD."}]
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n", encoding="utf-8")
    result = runner.invoke(app, ["text", str(path), "--format", "jsonl"])
    assert result.exit_code == 0, result.output
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o["id"] for o in out] == ["a", "7"]
    assert [o["main"] for o in out] == ["J18.9", "I21.4"]
    certainty = {c["code"]: c["certainty"] for c in out[0]["codes"]}
    assert certainty == {"J18.9": "affirmed", "C50.9": "family", "I26.9": "negated"}
    assert {"FNG05"} <= {c["code"] for c in out[1]["codes"]}


def test_stdin_and_json_array() -> None:
    result = runner.invoke(app, ["text", "-", "--format", "json"], input=TEXT)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)[0]["main"] == "J18.9"


def test_a_bad_line_is_refused_without_echoing_the_text(tmp_path: Path) -> None:
    path = tmp_path / "tekster.jsonl"
    path.write_text('{"id": "a", "text": "Pasient Kari Hansen"}\n{"id": "b"}\n', encoding="utf-8")
    result = runner.invoke(app, ["text", str(path)])
    assert result.exit_code == 2
    assert "linje 2" in result.output and "mangler tekst" in result.output
    assert "Kari" not in result.output


def test_check_runs_the_documentation_rules_on_episodes_with_text(tmp_path: Path) -> None:
    episode = {
        "id": "e1",
        "patient": {"sex": "K", "age": 80},
        "care_level": "inpatient",
        "admission": "2025-03-01",
        "discharge": "2025-03-04",
        "conditions": [["I10"], ["I26.9"]],
        "text": "Diagnoser: Pneumoni. Vurdering: CT uten holdepunkter for lungeemboli.",
    }
    path = tmp_path / "e.jsonl"
    path.write_text(json.dumps(episode) + "\n", encoding="utf-8")
    result = runner.invoke(app, ["check", str(path), "--format", "jsonl"])
    rules = {json.loads(line)["rule"] for line in result.stdout.splitlines()}
    assert {"D01", "D02", "D03"} <= rules
    ignored = runner.invoke(app, ["check", str(path), "--format", "jsonl", "--ignore", "D"])
    assert not any(json.loads(line)["rule"].startswith("D") for line in ignored.stdout.splitlines())
