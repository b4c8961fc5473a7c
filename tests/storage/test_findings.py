"""Finding identity and status across imports, pattern findings, status changes."""

from __future__ import annotations

from pathlib import Path

import pytest

from kodevakt.pipeline import Pipeline
from kodevakt.rules.finding import Finding, Severity
from kodevakt.storage import FindingStatus, StorageError, Store, UnknownFinding
from tests.storage.helpers import CORRECTED, episode, extract, write_jsonl


def _t02(store: Store, episode_id: str) -> str:
    [found] = [f for f in store.findings(rule="T02") if f.finding.episode_id == episode_id]
    return found.key


def test_accepted_status_survives_reimport(
    store: Store, pipeline: Pipeline, tmp_path: Path
) -> None:
    path = extract(tmp_path)
    pipeline.import_files([path], "2025T1")
    key = _t02(store, "ep-3")
    accepted = store.set_status(key, "accepted", comment="Bekreftet i epikrisen", by="kari")
    assert (accepted.status, accepted.comment, accepted.by) == (
        FindingStatus.ACCEPTED,
        "Bekreftet i epikrisen",
        "kari",
    )
    pipeline.import_files([path], "2025T1")
    again = store.finding(key)
    assert (again.status, again.comment, again.by) == (accepted.status, accepted.comment, "kari")
    assert again.changed_at == accepted.changed_at
    assert [f.key for f in store.findings(status="accepted")] == [key]
    assert len(list(store.findings(status=FindingStatus.OPEN))) == 1


def test_corrected_finding_is_fixed_and_comes_back(
    store: Store, pipeline: Pipeline, tmp_path: Path
) -> None:
    pipeline.import_files([extract(tmp_path)], "2025T1")
    key3, key7 = _t02(store, "ep-3"), _t02(store, "ep-7")
    opened = store.finding(key3)

    corrected = extract(tmp_path, "t1-corrected.jsonl", ep_3=CORRECTED)
    result = pipeline.import_files([corrected], "2025T1").files[0]
    assert (result.findings_fixed, result.findings_new) == (1, 0)
    fixed = store.finding(key3)
    assert fixed.status is FindingStatus.FIXED
    assert fixed.by is None and fixed.changed_at > opened.changed_at
    assert store.finding(key7).status is FindingStatus.OPEN
    [event] = store.finding_events(key3)
    assert (event.from_status, event.to_status, event.by) == ("open", "fixed", None)
    assert event.import_id == result.import_id

    # the old coding comes back: the same finding (same key) is open again
    back = pipeline.import_files([extract(tmp_path)], "2025T1").files[0]
    assert (back.findings_reopened, back.findings_new, back.findings_fixed) == (1, 0, 0)
    assert store.finding(key3).status is FindingStatus.OPEN
    assert [e.to_status for e in store.finding_events(key3)] == ["fixed", "open"]


def test_accepted_finding_that_disappears_is_fixed(
    store: Store, pipeline: Pipeline, tmp_path: Path
) -> None:
    pipeline.import_files([extract(tmp_path)], "2025T1")
    key = _t02(store, "ep-3")
    store.set_status(key, "accepted", comment="ok", by="kari")
    pipeline.import_files([extract(tmp_path, "c.jsonl", ep_3=CORRECTED)], "2025T1")
    assert store.finding(key).status is FindingStatus.FIXED
    assert [e.from_status for e in store.finding_events(key)] == ["open", "accepted"]


def test_episodes_missing_from_a_partial_extract_keep_their_findings(
    store: Store, pipeline: Pipeline, tmp_path: Path
) -> None:
    pipeline.import_files([extract(tmp_path)], "2025T1")
    lines = (tmp_path / "t1.jsonl").read_text().splitlines()
    partial = tmp_path / "partial.jsonl"
    partial.write_text(lines[0] + "\n")  # ep-1 only
    result = pipeline.import_files([partial], "2025T1").files[0]
    assert result.findings_fixed == 0
    assert {f.status for f in store.findings()} == {FindingStatus.OPEN}


def test_set_status_checks_its_input(store: Store, pipeline: Pipeline, tmp_path: Path) -> None:
    pipeline.import_files([extract(tmp_path)], "2025T1")
    key = _t02(store, "ep-3")
    with pytest.raises(StorageError, match="kommentar om hvorfor kodingen er riktig"):
        store.set_status(key, "accepted", comment="  ", by="kari")
    with pytest.raises(StorageError, match="hvem som gjør endringen må oppgis"):
        store.set_status(key, "accepted", comment="ok")
    with pytest.raises(UnknownFinding):
        store.set_status("0000000000000000", "open")
    with pytest.raises(UnknownFinding, match="minst 6"):
        store.set_status(key[:4], "open")
    with pytest.raises(ValueError):
        store.set_status(key, "maybe")
    assert store.set_status(key[:8], "accepted", comment="ok", by="kari").key == key
    reopened = store.set_status(key, "open", by="ola")
    assert (reopened.status, reopened.comment, reopened.by) == (FindingStatus.OPEN, None, "ola")


def _pattern(episode_id: str, rule: str = "M01", location: str = "") -> Finding:
    return Finding(
        episode_id=episode_id,
        rule=rule,
        name="split-stay",
        severity=Severity.WARNING,
        message=f"Oppholdet ser ut til å være delt ({episode_id}).",
        codes=("I10",),
        location=location,
        source="Avregningsutvalget",
        suggestion=None,
        rule_year=2025,
    )


def test_pattern_findings_keep_status_and_get_fixed(
    store: Store, pipeline: Pipeline, tmp_path: Path
) -> None:
    pipeline.import_files([extract(tmp_path)], "2025T1")
    first = store.add_findings("2025T1", [_pattern("ep-1"), _pattern("ep-2")], rules=["M01"])
    assert first.findings_new == 2
    [m1] = list(store.findings(rule="M", episode_id="ep-1"))
    assert (m1.institution, m1.department, m1.scope) == ("974557746", "MED", "batch")
    store.set_status(m1.key, "accepted", comment="Reell reinnleggelse", by="kari")

    # a re-import of the episodes without the pattern run leaves batch findings alone
    pipeline.import_files([extract(tmp_path)], "2025T1", patterns=False)
    assert {f.status for f in store.findings(rule="M")} == {"open", "accepted"}

    # the next pattern run finds only ep-1: ep-2's finding is fixed, ep-1 stays accepted
    second = store.add_findings("2025T1", [_pattern("ep-1")], rules=["M01", "M06"])
    assert (second.findings_new, second.findings_fixed) == (0, 1)
    statuses = {f.finding.episode_id: f.status for f in store.findings(rule="M")}
    assert statuses == {"ep-1": "accepted", "ep-2": "fixed"}
    # without `rules`, nothing is fixed
    store.add_findings("2025T1", [_pattern("unit:MED", "M04")])
    assert store.finding(m1.key).status is FindingStatus.ACCEPTED
    [unit] = list(store.findings(rule="M04"))
    assert unit.institution is None and unit.department is None


def test_findings_filters(store: Store, pipeline: Pipeline, tmp_path: Path) -> None:
    pipeline.import_files([extract(tmp_path)], "2025T1")
    assert len(list(store.findings("2025T1", "974557746", "open", rule="t0"))) == 2
    assert list(store.findings("2025T1", "other")) == []
    assert list(store.findings(rule="K")) == []
    assert len(list(store.findings(severity="error"))) == 2
    assert list(store.findings(department="KIR")) == []
    found = next(store.findings(episode_id="ep-7"))
    data = found.to_dict()
    assert data["key"] == found.key and data["status"] == "open"
    assert {k: data[k] for k in found.finding.to_dict()} == found.finding.to_dict()


def _conditions(tmp_path: Path, name: str, *groups: list[list[str]]) -> Path:
    return write_jsonl(
        tmp_path / name, [episode(f"ep-{i}", conditions) for i, conditions in enumerate(groups)]
    )


ORIGINAL = [["I10"], ["J18.9"], ["H36.0"]]  # T02 on H36.0 at conditions[2][0]
REORDERED = [["I10"], ["H36.0"], ["J18.9"]]
INSERTED = [["I10"], ["K21.9"], ["J18.9"], ["H36.0"]]
TWICE = [["I10"], ["H36.0"], ["J18.9"], ["H36.0"]]  # T02 twice on the same code


@pytest.mark.parametrize("moved", [REORDERED, INSERTED], ids=["reordered", "inserted"])
def test_moving_a_group_keeps_the_finding_and_its_status(
    store: Store, pipeline: Pipeline, tmp_path: Path, moved: list[list[str]]
) -> None:
    pipeline.import_files([_conditions(tmp_path, "a.jsonl", ORIGINAL)], "2025T1")
    key = _t02(store, "ep-0")
    store.set_status(key, "accepted", comment="Godkjent av lege", by="kari")
    again = pipeline.import_files([_conditions(tmp_path, "b.jsonl", moved)], "2025T1").files[0]
    assert (again.episodes_changed, again.findings_new, again.findings_fixed) == (1, 0, 0)
    [found] = store.findings(rule="T02")
    assert (found.key, found.status, found.comment) == (key, "accepted", "Godkjent av lege")
    assert found.finding.location == f"conditions[{moved.index(['H36.0'])}][0]"  # where it is now
    assert list(store.findings(status="open")) == []


def test_the_same_rule_twice_on_the_same_code_is_two_findings(
    store: Store, pipeline: Pipeline, tmp_path: Path
) -> None:
    pipeline.import_files([_conditions(tmp_path, "a.jsonl", TWICE)], "2025T1")
    first, second = store.findings(rule="T02")
    assert first.key != second.key
    store.set_status(first.key, "accepted", comment="ok", by="kari")
    swapped = [["I10"], ["J18.9"], ["H36.0"], ["H36.0"]]
    for groups in (swapped, TWICE):  # every re-import: the same two findings, nothing new
        result = pipeline.import_files([_conditions(tmp_path, "b.jsonl", groups)], "2025T1")
        assert (result.files[0].findings_new, result.files[0].findings_fixed) == (0, 0)
        statuses = sorted(f.status.value for f in store.findings(rule="T02"))
        assert statuses == ["accepted", "open"]
    once = pipeline.import_files([_conditions(tmp_path, "c.jsonl", ORIGINAL)], "2025T1").files[0]
    assert (once.findings_new, once.findings_fixed) == (0, 2)  # one T02 and the T10 repeat
    assert sorted(f.status != "fixed" for f in store.findings(rule="T02")) == [False, True]


def _npr_extract(path: Path, rows: list[str]) -> Path:
    header = (
        "lopenr;kjonn;institusjonID;fagenhetKode;innDato;innTid;utDato;omsorgsniva;tilstand_1_1"
    )
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


NPR_ROWS = [
    f"p{i};2;974557746;MED;2025-03-0{i};10:00;2025-03-0{i};3;{'H36.0' if i == 3 else 'I10'}"
    for i in range(1, 6)
]


def test_an_extract_without_ids_reimported_renamed_and_resorted_is_the_same(
    store: Store, pipeline: Pipeline, tmp_path: Path
) -> None:
    """Without an id column, episodes are known by their data, not by file name and line."""
    first = pipeline.import_files([_npr_extract(tmp_path / "uttrekk.csv", NPR_ROWS)], "2025T1")
    assert first.files[0].notices  # the user is told how episodes are identified
    [found] = store.findings(rule="T02")
    store.set_status(found.key, "accepted", comment="Bekreftet", by="kari")
    resorted = _npr_extract(tmp_path / "uttrekk-rettet.csv", list(reversed(NPR_ROWS)))
    again = pipeline.import_files([resorted], "2025T1").files[0]
    assert (again.episodes_new, again.episodes_unchanged) == (0, 5)
    assert (again.findings_new, again.findings_fixed) == (0, 0)
    [kept] = store.findings(rule="T02")
    assert (kept.key, kept.status) == (found.key, "accepted")
