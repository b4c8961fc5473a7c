"""`--engine spark` as a user meets it: the summary, the Parquet folders, the exit codes,
and what it says when pyspark or Java is missing or the input is no Parquet."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import pytest
from pyspark.sql import SparkSession
from typer.testing import CliRunner

from kodevakt.cli import app
from kodevakt.cli import engine as engine_cli
from tests.spark.data import write

runner = CliRunner()


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write(tmp_path_factory.mktemp("cli") / "batch.parquet", 3_000, seed=31)


def test_check_writes_findings_and_rejections_as_parquet(
    spark: SparkSession, batch: Path, tmp_path: Path
) -> None:
    local = runner.invoke(app, ["check", str(batch), "--format", "jsonl"])
    out = tmp_path / "funn"
    result = runner.invoke(
        app, ["check", str(batch), "--engine", "spark", "--master", "local[2]", "--out", str(out)]
    )
    assert result.exit_code == 1, result.output  # errors found, as the local run says
    assert "Lest 3" in result.output and "kontrollert, 4 avvist" in result.output
    assert f"rad {101}" in result.output and "felt «admission»" in result.output
    findings = pq.read_table(out / "findings")
    assert findings.num_rows == len(local.stdout.splitlines())
    assert pq.read_table(out / "rejected").num_rows == 4


def test_import_writes_the_pattern_run_as_parquet(
    spark: SparkSession, batch: Path, tmp_path: Path
) -> None:
    out = tmp_path / "nasjonalt"
    result = runner.invoke(
        app, ["import", str(batch), "--period", "auto", "--engine", "spark", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "mønsterregler (M01–M07)" in result.output and "5 avvist" in result.output
    for folder in ("findings", "patterns", "indicators", "funnels", "rejected"):
        assert pq.read_table(out / folder).num_rows > 0, folder
    indicators = pq.read_table(out / "indicators").to_pylist()
    assert {row["period"] for row in indicators} >= {"2025T1", "2025T2", "2025T3"}


def test_spark_needs_parquet_and_an_output_folder(batch: Path, tmp_path: Path) -> None:
    text = tmp_path / "episoder.jsonl"
    text.write_text('{"id": "e1"}\n', encoding="utf-8")
    no_out = runner.invoke(app, ["check", str(batch), "--engine", "spark"])
    assert no_out.exit_code == 2 and "oppgi --out" in no_out.output
    not_parquet = runner.invoke(
        app, ["check", str(text), "--engine", "spark", "--out", str(tmp_path / "ut")]
    )
    assert not_parquet.exit_code == 2 and "kodevakt convert --to parquet" in not_parquet.output
    with_db = runner.invoke(
        app,
        ["import", str(batch), "--period", "auto", "--engine", "spark", "--db", "x.db"],
    )
    assert with_db.exit_code == 2 and "ikke til --db" in with_db.output


def test_without_pyspark_it_says_how_to_install_it(
    batch: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine_cli, "find_spec", lambda name: None)
    result = runner.invoke(
        app, ["check", str(batch), "--engine", "spark", "--out", str(tmp_path / "ut")]
    )
    assert result.exit_code == 2
    assert "pip install 'kodevakt[spark]'" in result.output


def test_without_java_it_says_how_to_install_it(
    batch: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    result = runner.invoke(
        app,
        ["check", str(batch), "--engine", "spark", "--master", "local[1]", "--out", str(tmp_path)],
    )
    assert result.exit_code == 2
    assert "Spark trenger Java" in result.output and "openjdk-17-jre-headless" in result.output
