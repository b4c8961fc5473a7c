"""Readers: interchange JSON/JSONL (streamed), NPR flat CSV, compact notation; bad records."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import pytest

from kodevakt.codes.model import Sex
from kodevakt.episodes.interchange import read_interchange
from kodevakt.episodes.model import CareLevel, Episode, Urgency
from kodevakt.episodes.notation import format_conditions, parse_conditions, parse_procedures
from kodevakt.episodes.reading import ReadStats, read_episodes
from kodevakt.episodes.records import Rejected

FIXTURES = Path(__file__).parent / "fixtures" / "episodes"

EPISODE = {
    "id": "ep-1",
    "patient": {"id": "pas-1", "sex": "K", "birth_date": "1950-04-01"},
    "institution": "974557746",
    "department": "MED",
    "transferred_from": "HF-A",
    "transferred_to": "HF-B",
    "text": "Epikrise",
    "care_level": "inpatient",
    "urgency": "acute",
    "admission": "2024-03-01T10:15",
    "discharge": "2024-03-05T12:00",
    "conditions": [["J12.8", "U07.1"], ["I10"]],
    "procedures": [{"codes": ["GXAV40"], "date": "2024-03-02"}],
}


def test_single_object_array_and_json_lines_read_the_same(tmp_path: Path) -> None:
    single = tmp_path / "one.json"
    single.write_text(json.dumps(EPISODE, indent=2))
    array = tmp_path / "many.json"
    array.write_text(json.dumps([EPISODE, {**EPISODE, "id": "ep-2"}], indent=1))
    lines = tmp_path / "many.jsonl"
    lines.write_text("\n".join(json.dumps({**EPISODE, "id": f"ep-{i}"}) for i in (1, 2)) + "\n")
    (one,) = read_interchange(single)
    assert isinstance(one, Episode)
    assert one.conditions == [["J12.8", "U07.1"], ["I10"]]
    assert one.procedures[0].date == date(2024, 3, 2)
    assert one.patient.sex is Sex.FEMALE
    assert one.care_level is CareLevel.INPATIENT
    assert one.urgency is Urgency.ACUTE
    assert one.age_years == 73
    assert (one.institution, one.department) == ("974557746", "MED")
    assert (one.transferred_from, one.transferred_to, one.text) == ("HF-A", "HF-B", "Epikrise")
    assert one.patient.id == "pas-1"
    assert [e.id for e in read_interchange(array)] == ["ep-1", "ep-2"]
    assert [e.id for e in read_interchange(lines)] == ["ep-1", "ep-2"]


def test_a_bad_line_is_rejected_with_its_line_and_the_batch_goes_on(tmp_path: Path) -> None:
    path = tmp_path / "mixed.jsonl"
    good = json.dumps(EPISODE)
    path.write_text(
        "\n".join(
            [
                good,
                '{"id": "broken", "conditions": [[',
                json.dumps({**EPISODE, "id": "ep-3", "care_level": "7"}),
                json.dumps({**EPISODE, "id": "ep-4", "admission": "2024-13-45"}),
                json.dumps({**EPISODE, "id": "ep-5", "patient": {"sex": "X"}}),
            ]
        )
    )
    stats = ReadStats()
    episodes = list(read_episodes([path], stats))
    assert [e.id for e in episodes] == ["ep-1", "ep-5"]
    assert stats.read == 5
    assert stats.accepted + len(stats.rejected) == stats.read
    lines = [(r.line, r.field) for r in stats.rejected]
    assert lines == [(2, None), (3, "care_level"), (4, "admission")]
    assert "omsorgsnivå" in stats.rejected[1].message
    assert "mixed.jsonl" in stats.rejected[0].describe()
    # a wrong but readable value is kept for the E rules
    assert episodes[1].patient.sex is None and episodes[1].patient.sex_raw == "X"


def test_large_array_streams_across_chunks(tmp_path: Path) -> None:
    path = tmp_path / "big.json"
    items = [{**EPISODE, "id": f"ep-{i}", "text": "x" * 500} for i in range(5000)]
    path.write_text(json.dumps(items, indent=1))
    assert sum(1 for _ in read_interchange(path)) == 5000


def test_npr_flat_extract() -> None:
    stats = ReadStats()
    episodes = {e.patient.id: e for e in read_episodes([FIXTURES / "extract.csv"], stats)}
    assert stats.read == 6
    assert [(r.line, r.field) for r in stats.rejected] == [(5, "omsorgsniva"), (6, "innDato")]
    first = episodes["p1"]
    assert first.conditions == [["J128", "U071"], ["I10"]]
    assert first.admission == datetime(2025, 3, 1, 10, 15)
    assert first.care_level is CareLevel.INPATIENT
    assert first.patient.sex is Sex.FEMALE
    assert first.patient.age_years == 65
    second = episodes["p2"]
    assert [g.codes for g in second.procedures] == [["JKA21", "ZXD10"]]
    assert second.grouping_inferred
    assert second.urgency is Urgency.ELECTIVE
    third = episodes["p3"]
    assert third.patient.sex_raw == "X"
    assert [g.codes for g in third.procedures] == [["WBOC10", "L01BC02"]]
    assert episodes["p6"].transferred_from == "2"


def test_compact_notation() -> None:
    assert parse_conditions("J12.8+U07.1; I10") == [["J12.8", "U07.1"], ["I10"]]
    groups = parse_procedures("JKA20+ZXD10@2025-03-02; NHX30+ZXA00")
    assert [(g.codes, g.date) for g in groups] == [
        (["JKA20", "ZXD10"], date(2025, 3, 2)),
        (["NHX30", "ZXA00"], None),
    ]
    assert format_conditions([["J12.8", "U07.1"], ["I10"]]) == "J12.8+U07.1; I10"
    with pytest.raises(ValueError):
        parse_procedures("JKA20@2025-02-30")


def test_rejected_describes_itself_in_norwegian() -> None:
    rejected = Rejected("a.jsonl", 7, "admission", "datoen «x» kan ikke leses")
    assert (
        rejected.describe() == "fil a.jsonl, linje 7, felt «admission»: datoen «x» kan ikke leses"
    )
