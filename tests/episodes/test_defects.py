"""One example per reader defect that was fixed; each failed on the old readers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kodevakt.episodes import values
from kodevakt.episodes.interchange import episode_from_dict
from kodevakt.episodes.model import Episode, Source
from kodevakt.episodes.reading import ReadStats, read_episodes, read_file
from kodevakt.episodes.records import Rejected
from kodevakt.errors import InputError

FIXTURE = Path(__file__).parents[1] / "fixtures" / "episodes" / "extract.csv"
EPISODE = {
    "id": "ep-0",
    "patient": {"id": "pas-934817", "sex": "K", "birth_date": "1950-04-01"},
    "care_level": "inpatient",
    "admission": "2024-03-01T10:15",
    "discharge": "2024-03-05T12:00",
    "conditions": [["J12.8", "U07.1"], ["I10"]],
    "procedures": [{"codes": ["GXAV40"], "date": "2024-03-02"}],
}
EPISODES = [{**EPISODE, "id": f"ep-{i}"} for i in range(8)]
BROKEN = '"id": "ep-3", "patient": {"id": "pas-934817" "sex": "K"'  # a comma missing


def _read(path: Path) -> tuple[list[str], ReadStats]:
    stats = ReadStats()
    ids = [episode.id for episode in read_episodes([path], stats)]
    return ids, stats


def _expected() -> list[str]:
    return [f"ep-{i}" for i in range(8) if i != 3]


def _break(text: str) -> str:
    broken = text.replace('"id": "ep-3", "patient": {"id": "pas-934817", "sex": "K"', BROKEN)
    assert broken != text
    return broken


def test_one_line_array_keeps_the_records_after_a_bad_one(tmp_path: Path) -> None:
    path = tmp_path / "one.json"
    path.write_text(_break(json.dumps(EPISODES)))
    ids, stats = _read(path)
    assert ids == _expected()
    assert [(r.line, r.field) for r in stats.rejected] == [(1, None)]


def test_a_stray_quote_between_records_keeps_the_next_record(tmp_path: Path) -> None:
    """`}", {` makes `", {` a string that swallows the next record's opening brace."""
    path = tmp_path / "stray.json"
    text = json.dumps(EPISODES)
    path.write_text(text.replace('}, {"id": "ep-4"', '}", {"id": "ep-4"'))
    ids, stats = _read(path)
    assert ids == [f"ep-{i}" for i in range(8)]
    assert [r.message for r in stats.rejected] == ["posten er ikke et JSON-objekt"]


def test_pretty_array_gives_one_rejection_at_the_record_start(tmp_path: Path) -> None:
    path = tmp_path / "pretty.json"
    text = json.dumps(EPISODES, indent=2)
    path.write_text(text.replace('"id": "ep-3",', '"id": "ep-3",,'))
    ids, stats = _read(path)
    assert ids == _expected()
    [rejected] = stats.rejected
    start = text.splitlines().index("  {", text.splitlines().index('    "id": "ep-3",') - 1)
    assert rejected.line == start + 1
    assert "ugyldig JSON" in rejected.message


def test_json_lines_reject_each_bad_line_once(tmp_path: Path) -> None:
    path = tmp_path / "lines.jsonl"
    lines = [json.dumps(e) for e in EPISODES]
    lines[3] = _break(lines[3])
    lines[4] = lines[4][:40]  # truncated: a second bad record right after the first
    path.write_text("\n".join(lines) + "\n")
    ids, stats = _read(path)
    assert ids == [f"ep-{i}" for i in range(8) if i not in (3, 4)]
    assert [r.line for r in stats.rejected] == [4, 5]


def test_an_object_larger_than_the_read_chunk_is_read(tmp_path: Path) -> None:
    path = tmp_path / "big.jsonl"
    big = {**EPISODE, "id": "big", "text": "x" * 3_000_000}
    path.write_text("\n".join(json.dumps(e) for e in [EPISODES[0], big, EPISODES[1]]))
    ids, stats = _read(path)
    assert ids == ["ep-0", "big", "ep-1"] and stats.rejected == []


def test_deep_nesting_is_a_rejection_not_a_traceback(tmp_path: Path) -> None:
    path = tmp_path / "deep.json"
    deep = '{"id": "deep", "conditions": ' + "[" * 100_000 + "]" * 100_000 + "}"
    path.write_text("[" + ", ".join([json.dumps(EPISODES[0]), deep, json.dumps(EPISODES[1])]) + "]")
    ids, stats = _read(path)
    assert ids == ["ep-0", "ep-1"]
    [rejected] = stats.rejected
    assert "for dyp nøsting" in rejected.message


def test_deep_nesting_in_the_first_record_does_not_stop_format_detection(tmp_path: Path) -> None:
    """The format is told from the file's first value; nested too deeply to decode there, it
    is judged by its text, and the record is rejected like any other (found by Hypothesis)."""
    path = tmp_path / "deep.json"
    deep = '{"id": "deep", "conditions": ' + "[" * 100_000
    path.write_text(deep + "\n" + json.dumps(EPISODES[1]) + "\n")
    ids, stats = _read(path)
    assert ids == ["ep-1"]
    assert len(stats.rejected) == 1


@pytest.mark.parametrize("age", ["1.5e400", 1e400, "nan", "9" * 5000, 10**12])
def test_absurd_numbers_are_value_problems(age: object) -> None:
    record = episode_from_dict({**EPISODE, "patient": {"age": age}}, Source("a.json", 3))
    assert isinstance(record, Rejected)
    assert (record.line, record.field) == (3, "patient.age")


def test_an_unforeseen_failure_rejects_only_that_record(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    def broken(value: object) -> None:
        raise RuntimeError("pas-934817")

    monkeypatch.setattr(values, "sex", broken)
    record = episode_from_dict(EPISODE, Source("a.json", 1))
    assert isinstance(record, Rejected) and "pas-934817" not in record.message
    path = tmp_path / "extract.csv"
    path.write_text(FIXTURE.read_text())
    ids, stats = _read(path)
    assert ids == [] and stats.read == len(stats.rejected) == 6


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("admission", "1957-02-31"),
        ("admission", "Kari Nordmann"),
        ("discharge", "31.02.2024"),
        ("care_level", "sengepost-17"),
        ("urgency", "hastig-442"),
        ("id", None),
    ],
)
def test_rejections_never_quote_the_value(field: str, value: str | None) -> None:
    record = episode_from_dict({**EPISODE, field: value}, Source("a.json", 1))
    assert isinstance(record, Rejected) and record.field == field
    assert value is None or value not in record.describe()
    if field == "care_level":
        assert "inpatient/døgn/1" in record.message  # the valid values are still named


def test_patient_values_are_not_quoted() -> None:
    for patient in ({"birth_date": "1957-02-31"}, {"age": "syttiåtte"}, {"age_days": "12,5"}):
        record = episode_from_dict({**EPISODE, "patient": patient}, Source("a.json", 1))
        assert isinstance(record, Rejected)
        assert next(iter(patient.values())) not in record.describe()


def _csv(tmp_path: Path, name: str, rows: list[str], header: str | None = None) -> Path:
    lines = FIXTURE.read_text().splitlines()
    path = tmp_path / name
    path.write_text("\n".join([header or lines[0], *rows]) + "\n")
    return path


def _rows() -> list[str]:
    return FIXTURE.read_text().splitlines()[1:]


@pytest.mark.parametrize("copies", [1, 2000])  # a small file, and one over 128 KB
def test_an_unclosed_quote_costs_one_csv_line(tmp_path: Path, copies: int) -> None:
    rows = _rows()[:3] * copies
    rows[1] = rows[1].replace("KIR", '"KIR')
    path = _csv(tmp_path, "extract.csv", rows)
    ids, stats = _read(path)
    assert [(r.line, r.message) for r in stats.rejected] == [
        (3, "felt med anførselstegn som ikke lukkes")
    ]
    assert stats.read == len(rows) and len(ids) == len(rows) - 1


def test_a_quoted_line_break_is_still_one_row(tmp_path: Path) -> None:
    rows = _rows()[:3]
    rows[1] = rows[1].replace("KIR", '"KI\nR"')
    path = _csv(tmp_path, "extract.csv", rows)
    episodes = list(read_file(path))
    assert [type(e) for e in episodes] == [Episode] * 3
    assert [e.source.line for e in episodes if isinstance(e, Episode) and e.source] == [2, 3, 5]


def test_an_overlong_csv_line_is_rejected(tmp_path: Path) -> None:
    rows = _rows()[:3]
    rows[1] = rows[1].replace("KIR", "K" * 1_500_000)
    ids, stats = _read(_csv(tmp_path, "extract.csv", rows))
    assert len(ids) == 2 and [r.line for r in stats.rejected] == [3]


def test_csv_ids_come_from_the_data_not_the_file(tmp_path: Path) -> None:
    rows = _rows()
    first, first_stats = _read(_csv(tmp_path, "extract.csv", rows))
    again, _ = _read(_csv(tmp_path, "corrected-2025-05.csv", rows[::-1]))
    assert sorted(first) == sorted(again)
    assert all(episode_id.startswith("npr-") and ":" not in episode_id for episode_id in first)
    [notice] = first_stats.notices
    assert "identifiseres ved pasient" in notice and "extract.csv" in notice


def test_csv_duplicates_stay_distinct(tmp_path: Path) -> None:
    rows = _rows()
    ids, _ = _read(_csv(tmp_path, "extract.csv", [*rows, rows[0]]))
    assert len(ids) == len(set(ids)) == 5
    assert ids[-1] == ids[0] + "-2"


def test_csv_without_a_stable_key_is_warned_about(tmp_path: Path) -> None:
    header = FIXTURE.read_text().splitlines()[0].replace("lopenr", "fnr_slettet")
    ids, stats = _read(_csv(tmp_path, "extract.csv", _rows(), header))
    assert len(ids) == 4
    [warning] = stats.notices
    assert "ingen stabil nøkkel" in warning and "lopenr" in warning


def test_csv_with_an_id_column_has_no_notice(tmp_path: Path) -> None:
    header = "episodeID;" + FIXTURE.read_text().splitlines()[0]
    rows = [f"e{i};{row}" for i, row in enumerate(_rows())]
    ids, stats = _read(_csv(tmp_path, "extract.csv", rows, header))
    assert ids == ["e0", "e1", "e2", "e5"] and stats.notices == []


def test_windows_1252_is_refused_before_any_record_with_advice(tmp_path: Path) -> None:
    path = tmp_path / "excel.csv"
    text = FIXTURE.read_text().replace("KIR", "ØNH")
    path.write_bytes(text.encode("cp1252"))
    with pytest.raises(InputError) as caught:
        next(read_file(path))
    error = caught.value
    offset = text.encode("cp1252").index("Ø".encode("cp1252"))
    assert (error.file, error.line) == (str(path), 3)
    assert f"byteposisjon {offset}" in error.message and "--encoding cp1252" in error.message
    stats = ReadStats()
    episodes = list(read_episodes([path], stats, encoding="cp1252"))
    assert "ØNH" in {e.department for e in episodes} and stats.read == 6


def test_bad_bytes_later_in_a_file_reject_only_their_record(tmp_path: Path) -> None:
    lines = [json.dumps({**EPISODE, "id": f"ep-{i}", "text": "y" * 100}) for i in range(1000)]
    lines[900] = lines[900].replace('"text": "', '"text": "\udcd8NH')
    path = tmp_path / "mixed.jsonl"
    path.write_bytes("\n".join(lines).encode("utf-8", "surrogateescape"))
    ids, stats = _read(path)
    assert len(ids) == 999 and "ep-900" not in ids
    [rejected] = stats.rejected
    assert rejected.line == 901 and "byteposisjon" in rejected.message


def test_the_old_call_forms_still_work(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    path.write_text(json.dumps(EPISODE))
    assert [e.id for e in read_file(path) if isinstance(e, Episode)] == ["ep-0"]
    stats = ReadStats()
    assert [e.id for e in read_episodes([path], stats)] == ["ep-0"]
    assert stats.notices == []
