"""Report and worklist data of a period as the pipeline stored it: synthetic episodes in SQLite."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from kodevakt.pipeline import Pipeline
from kodevakt.report.data import collect_report, collect_worklist
from kodevakt.report.html import render_report
from kodevakt.report.pseudonym import Pseudonymiser
from kodevakt.rules.finding import Severity
from kodevakt.storage import FindingStatus, Store
from kodevakt.storage import worklog as wl
from kodevakt.synth.generator import generate
from tests.report.checks import check_page

NAMES = Pseudonymiser(b"k" * 32)


@pytest.fixture(scope="module")
def stored(tmp_path_factory: pytest.TempPathFactory) -> str:
    """800 synthetic episodes of 2025 imported; every T13 finding accepted by a coder, and
    the fix of one other finding approved."""
    folder = tmp_path_factory.mktemp("build")
    path = folder / "2025.jsonl"
    path.write_text(
        "".join(json.dumps(e) + "\n" for e in generate(800, seed=3, year=2025)), encoding="utf-8"
    )
    db = f"sqlite:///{folder / 'kodevakt.db'}"
    with Store(db) as store:
        assert not Pipeline(store).import_files([path], "2025").failed
        for found in list(store.findings("2025", rule="T13")):
            store.set_status(found.key, "accepted", comment="Uspesifikk etter utredning", by="kari")
        fixable = next(f for f in store.findings("2025", status="open") if f.finding.fix)
        wl.approve(store.engine, [fixable.key], by="kari")
    return db


def test_report_data_from_the_stored_period(stored: str) -> None:
    with Store(stored) as store:
        data = collect_report(
            Pipeline(store), "2025", pseudonyms=NAMES, now=datetime(2025, 12, 1, tzinfo=UTC)
        )
        current = sum(1 for f in store.findings("2025") if f.status is not FindingStatus.FIXED)
    assert data.episodes == 800
    assert sum(r.findings for r in data.rules) == data.findings == current
    assert data.by_severity[Severity.INFO] > 0
    assert 0 < data.episodes_with_findings <= data.episodes
    assert {ind.key for ind in data.indicators} >= {"episodes_with_error", "main_symptom_code"}
    for ind in data.indicators:
        assert ind.limits and len(ind.units) >= 2
        assert all(0 <= u.value <= 1 for u in ind.units) or not ind.is_share
    assert data.patterns and data.pattern_examples
    # an episode's example shows its patient's pseudonym; a unit's example its episode count
    for e in data.pattern_examples:
        assert e.patient.startswith("P-") if e.episode_id else e.episodes > 1
    assert any(not e.episode_id for e in data.pattern_examples)
    assert any("godtatt" in note for note in data.notes)  # the accepted T13 findings
    assert "1 av funnene har godkjent retting" in " ".join(data.notes)  # not yet imported
    assert not any("beregnet på nytt" in note for note in data.notes)  # stored, current
    check_page(render_report(data))


def test_worklist_rows_follow_status(stored: str) -> None:
    with Store(stored) as store:
        pipeline = Pipeline(store)
        open_rows = collect_worklist(pipeline, "2025", pseudonyms=NAMES)
        accepted = collect_worklist(
            pipeline, "2025", statuses=[FindingStatus.ACCEPTED], pseudonyms=NAMES
        )
    assert open_rows and all(r.status == "åpen" for r in open_rows)
    assert not any(r.rule == "T13" for r in open_rows)
    assert accepted and {r.rule for r in accepted} == {"T13"}
    episodes = [r for r in open_rows if not r.episode_id.endswith(" episoder")]
    assert all(r.patient.startswith("P-") and r.discharge is not None for r in episodes)
    # a unit finding (M04, M05, M07) is one row naming how many episodes are behind it
    units = [r for r in open_rows if r.episode_id.endswith(" episoder")]
    assert units and {r.rule for r in units} <= {"M04", "M05", "M07"}


def test_a_stale_period_is_made_current_once_and_the_report_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Imported without the pattern run: the first report has the pipeline run the patterns
    (once, stored) and notes it; the next report and the worklist find them current."""
    path = tmp_path / "t2.jsonl"
    path.write_text(
        "".join(json.dumps(e) + "\n" for e in generate(800, seed=3, year=2025)), encoding="utf-8"
    )
    runs: list[str] = []
    update = Pipeline.update_patterns

    def counted(self: Pipeline, period: str) -> object:
        runs.append(period)
        return update(self, period)

    monkeypatch.setattr(Pipeline, "update_patterns", counted)
    with Store(f"sqlite:///{tmp_path / 'k.db'}") as store:
        pipeline = Pipeline(store)
        pipeline.import_files([path], "2025", patterns=False)
        assert runs == [] and not store.patterns_stored("2025")
        first = collect_report(pipeline, "2025", pseudonyms=NAMES)
        assert runs == ["2025"] and store.patterns_stored("2025")
        assert any("var ikke oppdatert etter siste innlesing" in n for n in first.notes)
        assert first.patterns and first.indicators
        again = collect_report(pipeline, "2025", pseudonyms=NAMES)
        collect_worklist(pipeline, "2025", pseudonyms=NAMES)
    assert runs == ["2025"]
    assert not any("var ikke oppdatert" in n for n in again.notes)
    assert again.patterns == first.patterns and again.indicators == first.indicators
