"""Parquet's columns and bad rows; format detection by content with --input-format to
override; `kodevakt convert` and `kodevakt export` with their exit codes."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from kodevakt.cli import app
from kodevakt.episodes.formats import EpisodeFormat, detect_format
from kodevakt.episodes.model import Episode
from kodevakt.episodes.parquet_reader import read_parquet
from kodevakt.episodes.reading import read_file
from kodevakt.episodes.records import Rejected
from kodevakt.errors import InputError

runner = CliRunner()
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
BIRTH = "1951-07-23"


def test_parquet_with_loose_types_is_read_and_a_bad_row_rejected_by_its_number(
    tmp_path: Path,
) -> None:
    path = tmp_path / "plattform.parquet"
    table = pa.table(
        {
            "id": ["e1", "e2", "e3"],
            "sex": ["K", "M", "K"],
            "birth_date": [BIRTH, BIRTH, BIRTH],  # text, not date32
            "care_level": ["inpatient", "7", "1"],
            "admission": ["2025-03-01T10:00", "2025-03-01", "2025-03-02"],
            "conditions": [[["J12.8", "U07.1"]], [["I10"]], [["E11.9"]]],
        }
    )
    pq.write_table(table, path)
    records = list(read_parquet(path))
    assert isinstance(records[0], Episode) and records[0].conditions == [["J12.8", "U07.1"]]
    assert records[0].patient.birth_date == date(1951, 7, 23)
    rejected = records[1]
    assert isinstance(rejected, Rejected)
    assert (rejected.line, rejected.field, rejected.position) == (2, "care_level", "rad 2")
    assert "rad 2" in rejected.describe() and "7" not in rejected.message
    assert isinstance(records[2], Episode)


@pytest.mark.parametrize(
    ("table", "expected"),
    [
        (pa.table({"episode": ["e1"]}), "mangler kolonnen «id»"),
        (pa.table({"id": ["e1"], "conditions": [1]}), "kolonnen «conditions» har typen int64"),
    ],
)
def test_a_parquet_file_of_the_wrong_shape_is_refused_naming_the_column(
    tmp_path: Path, table: pa.Table, expected: str
) -> None:
    path = tmp_path / "feil.parquet"
    pq.write_table(table, path)
    with pytest.raises(InputError, match=expected):
        list(read_parquet(path))


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("episodes.jsonl", EpisodeFormat.JSONL),
        ("melding.xml", EpisodeFormat.NPR_XML),
        ("bundle.json", EpisodeFormat.FHIR),
        ("episodes.parquet", EpisodeFormat.PARQUET),
        ("uttrekk.csv", EpisodeFormat.NPR_CSV),
    ],
)
def test_the_format_is_told_by_content_whatever_the_name(
    tmp_path: Path, name: str, fmt: EpisodeFormat
) -> None:
    renamed = tmp_path / "leveranse.dat"
    renamed.write_bytes((EXAMPLES / name).read_bytes())
    assert detect_format(renamed) is fmt
    episodes = [r for r in read_file(renamed) if isinstance(r, Episode)]
    assert episodes


def test_input_format_overrides_detection(tmp_path: Path) -> None:
    path = tmp_path / "uttrekk.csv"
    path.write_bytes((EXAMPLES / "uttrekk.csv").read_bytes())
    result = runner.invoke(app, ["check", str(path), "--input-format", "jsonl"])
    assert result.exit_code == 0  # every line is rejected as JSON, nothing is checked
    assert "0 kontrollert" in result.stderr and "ugyldig JSON" in result.stderr


def test_convert_writes_every_format_and_reports_rejections_as_check_does(tmp_path: Path) -> None:
    source = tmp_path / "inn.jsonl"
    good = (EXAMPLES / "episodes.jsonl").read_text(encoding="utf-8").splitlines()[0]
    bad = json.dumps({"id": "e-bad", "admission": BIRTH + "x", "patient": {"id": "pas-1"}})
    source.write_text(good + "\n" + bad + "\n", encoding="utf-8")
    for to in ("npr-xml", "fhir", "parquet", "npr-csv", "jsonl"):
        out = tmp_path / f"ut.{to}"
        result = runner.invoke(app, ["convert", str(source), "--to", to, "--out", str(out)])
        assert result.exit_code == 1, result.output  # written, one record rejected
        assert "Avvist: fil" in result.stderr and "linje 2" in result.stderr
        assert "felt «admission»" in result.stderr and BIRTH not in result.stderr
        assert "Lest 2 poster: 1 skrevet" in result.stderr
        assert [type(r) for r in read_file(out)] == [Episode]


def test_convert_of_unreadable_input_leaves_the_output_alone(tmp_path: Path) -> None:
    broken = tmp_path / "melding.xml"
    broken.write_text('<?xml version="1.0"?><Melding xmlns="urn:feil"/>', encoding="utf-8")
    out = tmp_path / "ut.jsonl"
    out.write_text("før\n", encoding="utf-8")
    result = runner.invoke(app, ["convert", str(broken), "--to", "jsonl", "--out", str(out)])
    assert result.exit_code == 2
    assert "navnerommet «urn:feil»" in result.stderr
    assert out.read_text(encoding="utf-8") == "før\n"


def test_export_writes_a_period_with_approved_fixes_applied(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'k.db'}"
    source = tmp_path / "t1.jsonl"
    episode = {
        "id": "e1",
        "patient": {"id": "pas-1", "sex": "K", "birth_date": "1950-01-01"},
        "institution": "974557746",
        "care_level": "inpatient",
        "admission": "2025-03-01",
        "discharge": "2025-03-04",
        "conditions": [["U07.1"], ["I10"]],
    }
    source.write_text(json.dumps(episode) + "\n", encoding="utf-8")
    assert (
        runner.invoke(app, ["import", str(source), "--period", "2025T1", "--db", db]).exit_code == 0
    )
    listed = runner.invoke(app, ["findings", "--period", "2025T1", "--db", db, "--format", "json"])
    fixable = [f for f in json.loads(listed.stdout) if f["fix"] and f["rule"] == "T04"]
    assert fixable, listed.stdout
    key = fixable[0]["key"]

    def finding(*args: str) -> None:
        result = runner.invoke(app, ["finding", *args, key, "--by", "koder1", "--db", db])
        assert result.exit_code == 0, result.output

    def exported(name: str, *extra: str) -> list[list[str]]:
        out = tmp_path / name
        args = ["export", "--period", "2025T1", "--to", "jsonl", "--out", str(out), "--db", db]
        result = runner.invoke(app, [*args, *extra])
        assert result.exit_code == 0, result.output
        conditions: list[list[str]] = json.loads(out.read_text())["conditions"]
        return conditions

    finding("accept", "--comment", "Kodingen er riktig")  # accepted: the coding stays
    assert exported("godtatt.jsonl", "--with-fixes") == [["U07.1"], ["I10"]]
    finding("reopen")
    finding("approve")  # the coder agrees with the fix
    assert exported("uendret.jsonl") == [["U07.1"], ["I10"]]
    assert exported("rettet.jsonl", "--with-fixes") == fixable[0]["fix"]["conditions"]
