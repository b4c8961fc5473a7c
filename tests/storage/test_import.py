"""Import: idempotence, history, rejected records, duplicates, failures (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from pathlib import Path

from kodevakt.episodes.reading import read_episodes
from kodevakt.pipeline import Pipeline
from kodevakt.storage import Store
from tests.storage.helpers import CORRECTED, episode, extract, write_jsonl

EXAMPLES = Path(__file__).parents[2] / "examples" / "episodes.jsonl"


def _keys(store: Store) -> dict[str, str]:
    return {f.key: f.status.value for f in store.findings()}


def test_reimport_creates_no_duplicates(store: Store, pipeline: Pipeline, tmp_path: Path) -> None:
    path = extract(tmp_path)
    first = pipeline.import_files([path], "2025T1").files[0]
    assert (first.read, first.episodes_new, first.error) == (10, 10, None)
    assert first.findings_new == 2
    before = _keys(store)

    again = pipeline.import_files([path], "2025t1").files[0]
    assert (again.episodes_new, again.episodes_changed, again.episodes_unchanged) == (0, 0, 10)
    assert (again.findings_new, again.findings_fixed, again.findings_reopened) == (0, 0, 0)
    assert _keys(store) == before
    assert len(list(store.episodes("2025T1"))) == 10
    assert store.periods() == ["2025T1"]
    assert all(store.finding_events(key) == [] for key in before)


def test_same_extract_in_two_periods_is_kept_apart(
    store: Store, pipeline: Pipeline, tmp_path: Path
) -> None:
    path = extract(tmp_path)  # dated 2025-03-01: in 2025T1, in March 2025 and in 2025
    pipeline.import_files([path], "2025T1")
    pipeline.import_files([path], "2025-03")
    assert store.periods() == ["2025-03", "2025T1"]
    assert len(list(store.findings(period="2025-03"))) == 2
    assert len(list(store.findings())) == 4


def test_episodes_outside_the_period_are_rejected(
    store: Store, pipeline: Pipeline, tmp_path: Path
) -> None:
    records: list[dict[str, object] | str] = [episode("ep-1", [["I10"]])]  # 2025-03-01
    records.append(episode("ep-2", [["I10"]], discharge="2025-05-02T10:00"))  # 2025T2
    records.append(episode("ep-3", [["I10"]], admission="2024-12-30T10:00", discharge=None))
    path = write_jsonl(tmp_path / "t1.jsonl", records)
    result = pipeline.import_files([path], "2025T1").files[0]
    assert (result.read, result.rejected, result.episodes_new) == (3, 2, 1)
    assert [(r.line, r.field) for r in result.rejections] == [(2, "discharge"), (3, "admission")]
    assert "utenfor perioden 2025T1" in result.rejections[0].message
    assert "--period auto" in result.rejections[0].message
    logged = store.rejections(result.import_id)
    assert [line for line, _, _ in logged] == [2, 3] and "2025-05-02" in logged[0][2]
    assert [e.id for e in store.episodes()] == ["ep-1"]
    month = pipeline.import_files([path], "2025-05").files[0]
    assert (month.rejected, month.episodes_new) == (2, 1)


def test_changed_episode_keeps_its_history(
    store: Store, pipeline: Pipeline, tmp_path: Path
) -> None:
    pipeline.import_files([extract(tmp_path)], "2025T1")
    corrected = extract(tmp_path, "t1-corrected.jsonl", ep_3=CORRECTED)
    result = pipeline.import_files([corrected], "2025T1").files[0]
    assert (result.episodes_changed, result.episodes_unchanged) == (1, 9)

    history = store.history("ep-3", period="2025T1")
    assert len(history) == 1
    change = history[0]
    assert change.version == 2
    assert change.changes == {"conditions": [[["H36.0"]], CORRECTED]}
    assert change.previous["conditions"] == [["H36.0"]]
    assert change.file == str(corrected)
    assert change.institution == "974557746"
    current = [e for e in store.episodes("2025T1") if e.id == "ep-3"]
    assert current[0].conditions == CORRECTED
    assert store.history("ep-4") == []


def test_stored_episodes_are_checked_like_read_ones(store: Store, pipeline: Pipeline) -> None:
    result = pipeline.import_files([EXAMPLES], "2025").files[0]
    assert result.episodes_new == 300
    read = {e.id: e for e in read_episodes([EXAMPLES])}
    rebuilt = list(store.episodes("2025"))
    assert [e.id for e in rebuilt] == list(read)
    checker = pipeline.checker
    for again in rebuilt:
        original = read[again.id]
        assert again.source is not None and again.source.file == str(EXAMPLES)
        assert again.conditions == original.conditions
        assert again.procedures == original.procedures
        assert again.patient == original.patient
        assert checker.check_episode(again) == checker.check_episode(original)


def test_rejected_records_are_counted_and_logged(
    store: Store, pipeline: Pipeline, tmp_path: Path
) -> None:
    path = write_jsonl(
        tmp_path / "bad.jsonl",
        [
            episode("ep-1", [["I10"]]),
            "{not json",
            episode("ep-2", [["I10"]], care_level="7"),
            episode("ep-3", [["I10"]]),
        ],
    )
    result = pipeline.import_files([path], "2025T1").files[0]
    assert (result.read, result.rejected, result.accepted, result.episodes_new) == (4, 2, 2, 2)
    assert [(r.line, r.field) for r in result.rejections] == [(2, None), (3, "care_level")]
    logged = store.rejections(result.import_id)
    assert [(line, field) for line, field, _ in logged] == [(2, None), (3, "care_level")]
    assert "omsorgsnivå" in logged[1][2]
    [log] = [run for run in store.imports("2025T1") if run.kind == "file"]  # not the M run
    assert (log.status, log.file, log.counts["rejected"], log.counts["records_read"]) == (
        "ok",
        str(path),
        2,
        4,
    )


def test_repeated_episode_in_a_file_is_flagged_once(
    store: Store, pipeline: Pipeline, tmp_path: Path
) -> None:
    records = [episode(f"ep-{i}", [["I10"]]) for i in range(1, 10)]
    records.append(episode("ep-2", [["J18.9"]]))
    path = write_jsonl(tmp_path / "dup.jsonl", list(records))
    result = pipeline.import_files([path], "2025T1").files[0]
    assert (result.duplicates, result.episodes_new) == (1, 9)
    assert [f.finding.rule for f in store.findings()] == ["E05"]
    again = pipeline.import_files([path], "2025T1").files[0]
    assert (again.findings_new, again.findings_fixed, again.findings_reopened) == (0, 0, 0)
    stored = [e for e in store.episodes() if e.id == "ep-2"]
    assert stored[0].conditions == [["I10"]]  # the first record wins


def test_unreadable_file_is_rolled_back_and_logged(
    store: Store, pipeline: Pipeline, tmp_path: Path
) -> None:
    good = extract(tmp_path)
    missing = tmp_path / "missing.jsonl"
    result = pipeline.import_files([missing, good], "2025T1")
    assert [f.error is None for f in result.files] == [False, True]
    assert "kan ikke leses" in (result.files[0].error or "")
    assert result.total("episodes_new") == 10
    logs = {log.file: log for log in store.imports()}
    assert logs[str(missing)].status == "failed"
    assert logs[str(good)].status == "ok"


def test_broken_file_leaves_nothing_behind(
    store: Store, pipeline: Pipeline, tmp_path: Path
) -> None:
    path = tmp_path / "latin1.jsonl"
    records = [episode(f"ep-{i}", [["I10"]]) for i in range(20)]
    text = "\n".join(json.dumps(r) for r in records)
    path.write_bytes(text.encode() + b'\n{"id": "\xe6"}\n')
    result = pipeline.import_files([path], "2025T1").files[0]
    assert result.error is not None and "UTF-8" in result.error
    assert list(store.episodes()) == []
    assert list(store.findings()) == []


def test_csv_extract_round_trips(store: Store, pipeline: Pipeline) -> None:
    extract_csv = Path(__file__).parents[1] / "fixtures" / "episodes" / "extract.csv"
    result = pipeline.import_files([extract_csv], "2025T1").files[0]
    assert result.error is None and result.episodes_new == result.accepted > 0
    read = {e.id: e for e in read_episodes([extract_csv])}
    checker = pipeline.checker
    for again in store.episodes("2025T1"):
        original = read[again.id]
        assert again.grouping_inferred == original.grouping_inferred
        assert (again.admission, again.discharge) == (original.admission, original.discharge)
        assert (again.care_level, again.urgency) == (original.care_level, original.urgency)
        assert checker.check_episode(again) == checker.check_episode(original)
    again = pipeline.import_files([extract_csv], "2025T1").files[0]
    assert again.episodes_unchanged == result.episodes_new
