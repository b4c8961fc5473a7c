"""`--period auto`: each episode stored in the tertial of its discharge date (SQLite and
PostgreSQL)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from kodevakt.cli import app
from kodevakt.episodes.reading import read_file
from kodevakt.episodes.records import Record
from kodevakt.pipeline import Pipeline, importing
from kodevakt.storage import Store
from tests.storage.helpers import episode, write_jsonl


def _dated(episode_id: str, day: str, conditions: list[list[str]] | None = None) -> dict[str, Any]:
    return episode(
        episode_id, conditions or [["I10"]], admission=f"{day}T09:00", discharge=f"{day}T10:00"
    )


def _extract(folder: Path) -> Path:
    """Two episodes in 2025T1, one in 2025T2 (its admission date only), one undated, one
    unreadable record."""
    undated = episode("u1", [["I10"]], admission=None, discharge=None)
    late = episode("b1", [["H36.0"]], admission="2025-06-02T08:00", discharge=None)
    return write_jsonl(
        folder / "aar.jsonl",
        [_dated("a1", "2025-01-15"), _dated("a2", "2025-04-30"), late, undated, "{ikke json"],
    )


def test_each_episode_goes_to_its_tertial(store: Store, pipeline: Pipeline, tmp_path: Path) -> None:
    path = _extract(tmp_path)
    results = pipeline.import_by_tertial([path])
    assert [r.period for r in results] == ["2025T1", "2025T2"]
    first, second = (r.files[0] for r in results)
    # the records of no tertial are rejected once, with the first tertial's import
    assert (first.read, first.rejected, first.episodes_new) == (4, 2, 2)
    assert (second.read, second.rejected, second.episodes_new) == (1, 0, 1)
    assert sum(r.files[0].read for r in results) == 5  # every record read once
    undated, unreadable = sorted(first.rejections, key=lambda r: r.line)
    assert (undated.line, unreadable.line) == (4, 5)
    assert "tertialet kan ikke bestemmes" in undated.message
    assert "ugyldig JSON" in unreadable.message
    assert {e.id for e in store.episodes("2025T1")} == {"a1", "a2"}
    [b1] = store.episodes("2025T2")
    assert b1.id == "b1" and b1.source is not None and b1.source.line == 3  # its place kept
    assert {f.finding.rule for f in store.findings("2025T2")} >= {"T02"}
    assert all(r.patterns is not None and r.patterns.error is None for r in results)
    assert store.patterns_stored("2025T1") and store.patterns_stored("2025T2")

    again = pipeline.import_by_tertial([path])  # the same extract: nothing new
    assert [(r.files[0].episodes_new, r.files[0].episodes_unchanged) for r in again] == [
        (0, 2),
        (0, 1),
    ]


def test_a_file_without_dated_episodes_is_refused(
    store: Store, pipeline: Pipeline, tmp_path: Path
) -> None:
    path = write_jsonl(
        tmp_path / "udatert.jsonl", [episode("u1", [["I10"]], admission=None, discharge=None)]
    )
    [result] = pipeline.import_by_tertial([path])
    assert result.period == "auto" and "oppgi --period" in (result.files[0].error or "")
    assert store.periods() == []


def test_cli_period_auto(db_url: str, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["import", str(_extract(tmp_path)), "--period", "auto", "--db", db_url]
    )
    assert result.exit_code == 0, result.output
    assert "2025T1: " in result.stderr and "2025T2: " in result.stderr
    assert "Mønsterregler (M01–M07) for hele 2025T2" in result.stderr
    bad = write_jsonl(
        tmp_path / "udatert.jsonl", [episode("u1", [["I10"]], admission=None, discharge=None)]
    )
    refused = CliRunner().invoke(app, ["import", str(bad), "--period", "AUTO", "--db", db_url])
    assert refused.exit_code == 2 and "oppgi --period" in refused.stderr


def test_each_file_is_read_once(
    store: Store, pipeline: Pipeline, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A year's extract, unordered and longer than a batch (7 here): one read of the file,
    every record yielded once, each episode stored in its tertial with its line."""
    days = ["2025-10-02", "2025-01-05", "2025-06-30", "2025-02-11", "2025-09-01"] * 8
    records: list[dict[str, Any] | str] = [
        _dated(f"e{i}", day, [["H36.0"]] if i % 5 == 0 else None) for i, day in enumerate(days)
    ]
    path = write_jsonl(tmp_path / "aar.jsonl", ["{ikke json", *records])
    opened: list[str] = []
    yielded: list[int] = []

    def counting(source: Path, **kwargs: Any) -> Iterator[Record]:
        opened.append(str(source))
        for record in read_file(source, **kwargs):
            yielded.append(1)
            yield record

    monkeypatch.setattr(importing, "read_file", counting)
    results = pipeline.import_by_tertial([path])
    assert opened == [str(path)] and len(yielded) == 41
    assert [r.period for r in results] == ["2025T1", "2025T2", "2025T3"]
    assert [r.files[0].episodes_new for r in results] == [16, 8, 16]
    assert [r.files[0].read for r in results] == [17, 8, 16]  # the bad record with T1
    lines = {e.id: e.source.line for e in store.episodes("2025T3") if e.source}
    assert lines["e0"] == 2 and lines["e4"] == 6
    assert {f.finding.episode_id for f in store.findings("2025T3", rule="T02")} == {
        f"e{i}" for i in range(0, 40, 5)
    }
    assert all(r.patterns is not None and r.patterns.error is None for r in results)


def test_records_of_no_tertial_go_with_the_earliest_one(
    store: Store, pipeline: Pipeline, tmp_path: Path
) -> None:
    """The earliest tertial is met last in the file; the unreadable first line and the
    undated episode are still rejected with it, and logged with its run."""
    undated = episode("u1", [["I10"]], admission=None, discharge=None)
    path = write_jsonl(
        tmp_path / "aar.jsonl",
        ["{ikke json", _dated("c1", "2025-11-01"), undated, _dated("a1", "2025-03-03")],
    )
    later, earliest = None, None
    for result in pipeline.import_by_tertial([path]):
        if result.period == "2025T1":
            earliest = result.files[0]
        else:
            later = result.files[0]
    assert earliest is not None and later is not None
    assert (earliest.read, earliest.rejected, later.read, later.rejected) == (3, 2, 1, 0)
    assert [r.line for r in earliest.rejections] == [1, 3]
    assert [line for line, _, _ in store.rejections(earliest.import_id)] == [1, 3]
    runs = [(run.period, run.status) for run in store.imports() if run.kind == "file"]
    assert sorted(runs) == [("2025T1", "ok"), ("2025T3", "ok")]  # none left for the file


def test_a_file_that_fails_stores_nothing_in_any_tertial(
    store: Store, pipeline: Pipeline, tmp_path: Path
) -> None:
    records = [_dated(f"e{i}", day) for i, day in enumerate(["2025-01-05", "2025-06-01"] * 10)]
    path = tmp_path / "aar.jsonl"
    text = "".join(json.dumps(r) + "\n" for r in records)
    path.write_bytes(text.encode() + b'{"id": "\xe6"}\n' * 70_000)  # bad bytes past the sniff
    good = write_jsonl(tmp_path / "god.jsonl", [_dated("g1", "2025-02-02")])
    results = pipeline.import_by_tertial([path, good])
    assert [r.period for r in results] == ["auto", "2025T1"]
    [failed] = results[0].files
    assert failed.error is not None and "UTF-8" in failed.error
    assert {e.id for e in store.episodes()} == {"g1"}
    logged = {run.file: (run.period, run.status) for run in store.imports() if run.kind == "file"}
    assert logged == {str(path): ("auto", "failed"), str(good): ("2025T1", "ok")}
