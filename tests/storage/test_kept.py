"""The import keeps what it checked into an empty period for the pattern run: the pattern
findings, their statuses and the indicator values stored are those of a pattern run that
reads the period back from the database (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import kodevakt.pipeline.flow as flow
from kodevakt.episodes.model import Episode
from kodevakt.pipeline import Pipeline
from kodevakt.rules.engine import Checker
from kodevakt.rules.finding import Finding
from kodevakt.storage import Store
from kodevakt.synth.generator import generate
from tests.storage.helpers import episode, write_jsonl

Pair = tuple[Episode, tuple[Finding, ...]]


def _records(count: int, seed: int) -> list[dict[str, Any] | str]:
    """Synthetic episodes of 2025, with an unreadable line, records that repeat an id (one
    with other codes: E05) and an episode on which one rule fires at several places."""
    records: list[dict[str, Any] | str] = []
    for generated in generate(count, seed):
        records.append({**generated, "id": f"{seed}-{generated['id']}"})
    first = records[3]
    assert isinstance(first, dict)
    changed = json.loads(json.dumps(first))
    changed["conditions"] = [["H36.0"], ["H36.0"]]  # T02 twice, and E05 on the repeat
    records[10:10] = ["{not json", changed, records[5]]
    many = episode(f"{seed}-many", [["H36.0"], ["H36.0"], ["H36.0"]], discharge="2025-05-01")
    records.append(many)
    return records


def _stored(store: Store) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    findings = sorted(
        (f.key, f.status.value, f.institution, f.department, *f.finding)
        for f in store.findings("2025")
    )
    values = store.indicator_values("2025") or []
    return findings, sorted(
        (v.unit_kind, v.unit, v.institution, v.indicator, v.numerator, v.denominator, v.value)
        for v in values
    )


def test_kept_pairs_are_what_the_database_reads_back(
    store: Store, checker: Checker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    handed: list[list[Pair]] = []
    run_patterns = flow.run_patterns

    def spy(store: Store, checker: Checker, period: str, current: Any = None) -> Any:
        assert current is not None, "the import did not keep its episodes"
        pairs = [(e, tuple(f)) for e, f in current]
        handed.append(pairs)
        return run_patterns(store, checker, period, iter(pairs))

    monkeypatch.setattr(flow, "run_patterns", spy)
    first = write_jsonl(tmp_path / "a.jsonl", _records(300, 1))
    second = write_jsonl(tmp_path / "b.jsonl", _records(200, 2)[:150])
    missing = tmp_path / "missing.jsonl"
    result = Pipeline(store, checker).import_files([first, missing, second], "2025")

    assert [f.error is None for f in result.files] == [True, False, True]
    assert result.files[0].duplicates == 2
    [kept] = handed
    stored = [(e, tuple(f)) for e, f in store.episodes_with_findings("2025", details=False)]
    assert len(kept) == len(stored) == sum(f.accepted - f.duplicates for f in result.files)
    assert kept == stored
    assert any(len({f.rule for f in found}) < len(found) for _, found in kept)


def test_stored_results_equal_those_of_a_run_from_the_database(
    tmp_path: Path, checker: Checker
) -> None:
    """The whole result on SQLite; on both databases the pairs are compared above."""
    files = [
        write_jsonl(tmp_path / "a.jsonl", _records(400, 3)),
        write_jsonl(tmp_path / "b.jsonl", _records(300, 4)),
    ]
    with Store(f"sqlite:///{tmp_path / 'kept.db'}", batch_size=50) as kept:
        result = Pipeline(kept, checker).import_files(files, "2025")
        assert result.patterns is not None and result.patterns.findings_new > 0
        from_kept = _stored(kept)
    with Store(f"sqlite:///{tmp_path / 'read.db'}", batch_size=50) as read:
        pipeline = Pipeline(read, checker)
        pipeline.import_files(files, "2025", patterns=False)
        pipeline.update_patterns("2025")
        assert _stored(read) == from_kept


@pytest.mark.parametrize("before", ["same file", "other file"])
def test_a_period_with_stored_episodes_is_read_back(
    store: Store, checker: Checker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, before: str
) -> None:
    handed: list[Sequence[Pair] | None] = []
    run_patterns = flow.run_patterns

    def spy(store: Store, checker: Checker, period: str, current: Any = None) -> Any:
        handed.append(current)
        return run_patterns(store, checker, period, current)

    path = write_jsonl(tmp_path / "a.jsonl", _records(50, 5))
    other = write_jsonl(tmp_path / "b.jsonl", _records(50, 6))
    pipeline = Pipeline(store, checker)
    pipeline.import_files([path], "2025", patterns=False)
    monkeypatch.setattr(flow, "run_patterns", spy)
    pipeline.import_files([path if before == "same file" else other], "2025")
    assert handed == [None]


_CODES = ["I10", "H36.0", "E10.3", "J18.9", "R10.4", "Z03.8", "C50.9", "XX99"]


@settings(max_examples=15, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["ok", "repeat", "unreadable", "outside"]),
            st.integers(0, 30),
            st.lists(st.lists(st.sampled_from(_CODES), min_size=1, max_size=2), max_size=3),
        ),
        min_size=1,
        max_size=40,
    )
)
def test_every_record_is_accounted_for_and_kept_as_stored(
    tmp_path_factory: pytest.TempPathFactory, checker: Checker, drawn: list[Any]
) -> None:
    """Whatever mix of records a file holds, read = stored + repeats + rejected, and the
    pattern run gets exactly the pairs the database holds."""
    folder = tmp_path_factory.mktemp("kept")
    records: list[dict[str, Any] | str] = []
    for kind, number, conditions in drawn:
        if kind == "unreadable":
            records.append("{not json")
            continue
        day = "2024-12-01" if kind == "outside" else "2025-04-01"
        records.append(episode(f"ep-{number}", conditions or [["I10"]], discharge=day))
    path = write_jsonl(folder / "a.jsonl", records)
    handed: list[list[Pair]] = []
    run_patterns = flow.run_patterns

    def spy(store: Store, checker: Checker, period: str, current: Any = None) -> Any:
        pairs = [(e, tuple(f)) for e, f in current] if current is not None else []
        handed.append(pairs)
        return run_patterns(store, checker, period, iter(pairs) if current is not None else None)

    with Store(f"sqlite:///{folder / 'k.db'}", batch_size=4) as store:
        original = flow.run_patterns
        flow.run_patterns = spy
        try:
            result = Pipeline(store, checker).import_files([path], "2025")
        finally:
            flow.run_patterns = original
        [file] = result.files
        stored = [(e, tuple(f)) for e, f in store.episodes_with_findings("2025", details=False)]
    assert file.read == len(records)
    assert file.read == file.episodes_new + file.duplicates + file.rejected
    if file.episodes_new:
        assert handed == [stored]
