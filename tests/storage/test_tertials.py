"""`--period auto`: each episode stored in the tertial of its discharge date (SQLite and
PostgreSQL)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from kodevakt.cli import app
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


def test_each_episode_goes_to_its_tertial(store: Store, tmp_path: Path) -> None:
    path = _extract(tmp_path)
    results = store.import_by_tertial([path])
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
    assert {f.rule for f in store.findings("2025T2")} >= {"T02"}
    assert all(r.patterns is not None and r.patterns.error is None for r in results)
    assert store.patterns_stored("2025T1") and store.patterns_stored("2025T2")

    again = store.import_by_tertial([path])  # the same extract: nothing new
    assert [(r.files[0].episodes_new, r.files[0].episodes_unchanged) for r in again] == [
        (0, 2),
        (0, 1),
    ]


def test_a_file_without_dated_episodes_is_refused(store: Store, tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path / "udatert.jsonl", [episode("u1", [["I10"]], admission=None, discharge=None)]
    )
    [result] = store.import_by_tertial([path])
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
