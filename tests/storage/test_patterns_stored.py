"""Pattern findings (M01–M07) stored by the import: status, fixing, the previous tertial, and
the report reading them (SQLite and PostgreSQL)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from kodevakt.cli import app
from kodevakt.episodes.interchange import episode_from_dict
from kodevakt.episodes.model import Episode, Source
from kodevakt.episodes.reading import read_episodes
from kodevakt.pipeline import Pipeline
from kodevakt.report.data import collect_worklist
from kodevakt.report.pseudonym import Pseudonymiser
from kodevakt.storage import FindingStatus, Store, StoredFinding
from kodevakt.storage.content import (
    _stored_episode,
    canonical,
    episode_content,
    episode_from_content,
)
from tests.storage.helpers import episode, write_jsonl

NAMES = Pseudonymiser(b"k" * 32)
EXAMPLES = Path(__file__).parents[2] / "examples" / "episodes.jsonl"


def _stay(
    episode_id: str, admission: str, discharge: str, main: str, **extra: Any
) -> dict[str, Any]:
    """An inpatient stay of patient pas-1 at 974557746/MED."""
    return episode(
        episode_id,
        [[main]],
        patient={"id": "pas-1", "sex": "K", "age": 70},
        care_level="inpatient",
        admission=admission,
        discharge=discharge,
        **extra,
    )


def _contact(episode_id: str, admission: str, discharge: str) -> dict[str, Any]:
    """An outpatient contact of patient pas-2 at 974557746/MED."""
    return episode(
        episode_id,
        [["I10"]],
        patient={"id": "pas-2", "sex": "M", "age": 55},
        admission=admission,
        discharge=discharge,
    )


def _extract(folder: Path, name: str, *, split: bool = True, same_day: bool = True) -> Path:
    """M01: pas-1 is readmitted 8 hours after discharge with the same category (J18);
    M06: pas-2 has two outpatient contacts on 2025-03-03. `split`/`same_day` False: corrected."""
    records: list[dict[str, Any] | str] = [
        _stay("st-1", "2025-03-01T10:00", "2025-03-04T12:00", "J18.9"),
        _stay("st-2", "2025-03-04T20:00", "2025-03-06T12:00", "J18.1" if split else "I10"),
        _contact("po-1", "2025-03-03T09:00", "2025-03-03T09:30"),
        _contact(
            "po-2",
            "2025-03-03T11:00" if same_day else "2025-03-10T11:00",
            "2025-03-03T11:30" if same_day else "2025-03-10T11:30",
        ),
        *(episode(f"ep-{i}", [["I10"]]) for i in range(1, 5)),
    ]
    return write_jsonl(folder / name, records)


def _patterns(store: Store, period: str = "2025T1") -> dict[str, StoredFinding]:
    found = {}
    for item in store.findings(period, rule="M"):
        assert item.finding.rule not in found, f"more than one {item.finding.rule} finding"
        found[item.finding.rule] = item
    return found


def test_import_stores_pattern_findings_as_open(
    store: Store, pipeline: Pipeline, tmp_path: Path
) -> None:
    result = pipeline.import_files([_extract(tmp_path, "t1.jsonl")], "2025T1")
    assert result.patterns is not None and result.patterns.error is None
    assert result.patterns.findings_new == 2
    found = _patterns(store)
    assert set(found) == {"M01", "M06"}
    m01, m06 = found["M01"], found["M06"]
    assert (m01.finding.episode_id, m01.finding.location, m01.finding.codes) == (
        "st-2",
        "episodes[st-1]",
        ("J18.9", "J18.1"),
    )
    assert (m06.finding.episode_id, m06.finding.location) == ("po-2", "episodes[po-1]")
    for item in (m01, m06):
        assert (item.status, item.scope) == (FindingStatus.OPEN, "batch")
        assert (item.institution, item.department, item.period) == ("974557746", "MED", "2025T1")
    assert store.patterns_stored("2025T1")
    [log] = [run for run in store.imports("2025T1") if run.kind == "findings"]
    assert (log.file, log.status, log.counts["findings_new"]) == ("mønsterregler", "ok", 2)


def test_corrected_episodes_fix_their_pattern_findings(
    store: Store, pipeline: Pipeline, tmp_path: Path
) -> None:
    pipeline.import_files([_extract(tmp_path, "t1.jsonl")], "2025T1")
    keys = {rule: item.key for rule, item in _patterns(store).items()}

    corrected = _extract(tmp_path, "t1-rettet.jsonl", split=False, same_day=False)
    result = pipeline.import_files([corrected], "2025T1")
    assert result.files[0].episodes_changed == 2
    assert result.patterns is not None
    assert (result.patterns.findings_new, result.patterns.findings_fixed) == (0, 2)
    for key in keys.values():
        fixed = store.finding(key)
        assert fixed.status is FindingStatus.FIXED and fixed.by is None
        [event] = store.finding_events(key)
        assert (event.from_status, event.to_status) == ("open", "fixed")
        assert event.import_id == result.patterns.import_id

    # the old coding comes back: the same findings (same keys) are open again
    back = pipeline.import_files([_extract(tmp_path, "t1.jsonl")], "2025T1")
    assert back.patterns is not None and back.patterns.findings_reopened == 2
    assert {rule: item.key for rule, item in _patterns(store).items()} == keys
    assert {store.finding(key).status for key in keys.values()} == {FindingStatus.OPEN}


def test_accepted_pattern_finding_survives_reimport(
    store: Store, pipeline: Pipeline, tmp_path: Path
) -> None:
    path = _extract(tmp_path, "t1.jsonl")
    pipeline.import_files([path], "2025T1")
    key = _patterns(store)["M01"].key
    accepted = store.set_status(key, "accepted", comment="Reell reinnleggelse", by="kari")

    again = pipeline.import_files([path], "2025T1")
    assert again.patterns is not None
    assert (again.patterns.findings_new, again.patterns.findings_fixed) == (0, 0)
    kept = store.finding(key)
    assert (kept.status, kept.comment, kept.by) == (
        FindingStatus.ACCEPTED,
        "Reell reinnleggelse",
        "kari",
    )
    assert kept.changed_at == accepted.changed_at

    # correcting another episode (M06) leaves the accepted M01 finding as it is
    pipeline.import_files([_extract(tmp_path, "t1-po.jsonl", same_day=False)], "2025T1")
    assert store.finding(key).status is FindingStatus.ACCEPTED
    assert _patterns(store)["M06"].status is FindingStatus.FIXED


def test_stay_split_across_the_tertial_boundary(
    store: Store, pipeline: Pipeline, tmp_path: Path
) -> None:
    t3 = write_jsonl(
        tmp_path / "t3.jsonl", [_stay("st-1", "2024-12-28T10:00", "2024-12-31T18:00", "J18.9")]
    )
    t1 = write_jsonl(
        tmp_path / "t1.jsonl", [_stay("st-2", "2025-01-01T08:00", "2025-01-03T12:00", "J18.1")]
    )
    pipeline.import_files([t3], "2024T3")
    pipeline.import_files([t1], "2025T1")
    [m01] = list(store.findings("2025T1", rule="M01"))
    assert (m01.finding.episode_id, m01.finding.location) == ("st-2", "episodes[st-1]")
    assert list(store.findings("2024T3", rule="M")) == []


def test_patterns_can_be_left_for_later(store: Store, pipeline: Pipeline, tmp_path: Path) -> None:
    path = _extract(tmp_path, "t1.jsonl")
    result = pipeline.import_files([path], "2025T1", patterns=False)
    assert result.patterns is None
    assert list(store.findings(rule="M")) == []
    assert not store.patterns_stored("2025T1")

    run = pipeline.update_patterns("2025T1")
    assert run.findings_new == 2 and run.error is None
    assert store.patterns_stored("2025T1")
    assert set(_patterns(store)) == {"M01", "M06"}
    assert pipeline.ensure_current(["2025T1"]) == []  # current: nothing to run again


def test_no_pattern_run_when_every_file_failed(
    store: Store, pipeline: Pipeline, tmp_path: Path
) -> None:
    result = pipeline.import_files([tmp_path / "missing.jsonl"], "2025T1")
    assert result.failed and result.patterns is None
    assert not store.patterns_stored("2025T1")


def test_worklist_lists_the_stored_pattern_findings(
    store: Store, pipeline: Pipeline, tmp_path: Path
) -> None:
    pipeline.import_files([_extract(tmp_path, "t1.jsonl")], "2025T1")
    found = _patterns(store)
    store.set_status(found["M06"].key, "accepted", comment="To besøk", by="kari")
    rows = collect_worklist(pipeline, "2025T1", pseudonyms=NAMES)
    listed = {row.key: row for row in rows if row.rule.startswith("M")}
    assert set(listed) == {found["M01"].key}
    assert listed[found["M01"].key].status == "åpen"
    every = collect_worklist(pipeline, "2025T1", statuses=list(FindingStatus), pseudonyms=NAMES)
    assert {row.key for row in every if row.rule.startswith("M")} == {
        item.key for item in found.values()
    }


def test_import_command_reports_the_pattern_run(db_url: str, tmp_path: Path) -> None:
    path = _extract(tmp_path, "t1.jsonl")
    result = CliRunner().invoke(app, ["import", str(path), "--period", "2025T1", "--db", db_url])
    assert result.exit_code == 0, result.output
    assert "Mønsterregler (M01–M07) for hele 2025T1: 2 nye, 0 gjenåpnet, 0 rettet." in (
        " ".join(result.output.split())
    )


def test_stored_content_reads_back_as_the_reader_reads_it() -> None:
    """The fast rebuild of stored episodes (used when a period is read whole for the pattern
    rules and reports) gives the same `Episode` as the interchange reader."""
    fast = 0
    shared: dict[str, str] = {}
    for read in read_episodes([EXAMPLES]):
        text = canonical(episode_content(read))
        source = Source("lagret", 1)
        rebuilt = episode_from_content(text, source, shared)
        expected = episode_from_dict(json.loads(text), source)
        assert isinstance(expected, Episode)
        expected.grouping_inferred = read.grouping_inferred
        assert rebuilt == expected, read.id
        fast += _stored_episode(json.loads(text), source, None) is not None
    assert fast >= 290  # nearly all take the fast way; the rest go through the reader
    odd = canonical({"id": " e1 ", "conditions": [["I10", " "]], "care_level": "Døgn"})
    assert episode_from_content(odd, Source("lagret", 1)) == episode_from_dict(
        json.loads(odd), Source("lagret", 1)
    )


def _error_share(store: Store, period: str = "2025T1") -> tuple[float, int] | None:
    values = store.indicator_values(period)
    if values is None:
        return None
    [total] = [
        v for v in values if v.unit_kind.value == "total" and v.indicator == "episodes_with_error"
    ]
    return total.numerator, total.denominator


def test_pattern_run_stores_the_indicator_values(
    store: Store, pipeline: Pipeline, tmp_path: Path
) -> None:
    records = [episode(f"ep-{i}", [["H36.0"]] if i < 3 else [["I10"]]) for i in range(10)]
    pipeline.import_files([write_jsonl(tmp_path / "a.jsonl", records)], "2025T1", patterns=False)
    assert store.indicator_values("2025T1") is None  # no pattern run yet

    pipeline.update_patterns("2025T1")
    assert _error_share(store) == (3, 10)  # H36.0 alone: an asterisk code as main condition
    units = {(v.unit_kind.value, v.unit) for v in store.indicator_values("2025T1") or []}
    assert units == {
        ("total", "alle"),
        ("institution", "974557746"),
        ("department", "974557746/MED"),
    }
    assert store.indicator_values("2025T1", "other") == []

    # a corrected extract: the next run's values replace the old ones
    records[0] = episode("ep-0", [["I10"]])
    pipeline.import_files([write_jsonl(tmp_path / "b.jsonl", records)], "2025T1")
    assert _error_share(store) == (2, 10)
    assert store.department_counts("2025T1") == {"MED": 10}


def test_unit_finding_stored_with_its_episodes_and_place(
    store: Store, pipeline: Pipeline, tmp_path: Path
) -> None:
    """M04 on a department whose main conditions are R-codes in half its episodes: one
    finding for the department, naming its 30 episodes, placed at the department."""
    records: list[dict[str, Any] | str] = []
    for department, total, r_codes in (("A", 60, 30), ("B", 200, 10), ("C", 200, 10)):
        records += [
            episode(
                f"{department}{i}", [["R10.4"]] if i < r_codes else [["I10"]], department=department
            )
            for i in range(total)
        ]
    records.append(episode("X1", [["H36.0"]], department="C"))  # T02: an episode finding
    path = write_jsonl(tmp_path / "t1.jsonl", records)
    pipeline.import_files([path], "2025T1")
    [unit] = list(store.findings("2025T1", rule="M04"))
    assert unit.finding.episode_id == ""
    assert unit.finding.episodes == tuple(f"A{i}" for i in range(30))
    assert (unit.institution, unit.department) == ("974557746", "A")
    assert "30 episoder bidrar (vanligste koder: R10.4 (30))" in unit.finding.message
    # listed with the episode it names, and not with another
    assert [f.key for f in store.findings("2025T1", rule="M04", episode_id="A7")] == [unit.key]
    assert list(store.findings("2025T1", rule="M04", episode_id="B7")) == []

    # CSV: one column for every finding's episodes, filled for the unit finding only
    db = store.url.render_as_string(hide_password=False)
    listed = CliRunner().invoke(app, ["findings", "--db", db, "-f", "csv", "--period", "2025T1"])
    assert listed.exit_code == 0, listed.output
    rows = list(csv.DictReader(io.StringIO(listed.stdout), delimiter=";"))
    named = {row["rule"]: row["episodes"] for row in rows}
    assert rows[0]["rule"] == "M04"  # unit findings first (no episode id): columns from it
    assert named["M04"].split() == list(unit.finding.episodes) and "T02" in named
    assert all(row["episodes"] == "" for row in rows if row["rule"] != "M04")
    shown = CliRunner().invoke(app, ["finding", "show", unit.key[:8], "--db", db])
    assert "30 episoder" in shown.output and "Episodene bak funnet (30):" in shown.output


def test_stored_patterns_go_stale_when_a_file_comes_after_them(
    store: Store, pipeline: Pipeline, tmp_path: Path
) -> None:
    """A corrected extract imported without the pattern run: the stored M01 and M06 describe
    the episodes as they were, so the worklist has the pipeline run the patterns again first
    (and store them) rather than list them."""
    pipeline.import_files([_extract(tmp_path, "t1.jsonl")], "2025T1")
    assert store.patterns_stored("2025T1") and store.indicator_values("2025T1") is not None
    corrected = _extract(tmp_path, "t1-rettet.jsonl", split=False, same_day=False)
    pipeline.import_files([corrected], "2025T1", patterns=False)
    assert not store.patterns_stored("2025T1")
    assert store.indicator_values("2025T1") is None

    stale = {item.finding.rule: item.status for item in store.findings("2025T1", rule="M")}
    assert stale == {"M01": FindingStatus.OPEN, "M06": FindingStatus.OPEN}

    rows = collect_worklist(pipeline, "2025T1", pseudonyms=NAMES)
    assert not [row for row in rows if row.rule.startswith("M")]  # corrected: none left
    assert store.patterns_stored("2025T1") and store.indicator_values("2025T1") is not None
    fixed = {item.finding.rule: item.status for item in store.findings("2025T1", rule="M")}
    assert fixed == {"M01": FindingStatus.FIXED, "M06": FindingStatus.FIXED}
