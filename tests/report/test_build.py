"""Report and worklist data built from checker output directly, without a database."""

from __future__ import annotations

from datetime import UTC, datetime

from kodevakt.codes.loading import default_codebase
from kodevakt.episodes.interchange import episode_from_dict
from kodevakt.episodes.model import Episode, Source
from kodevakt.report.build import build_report, build_worklist
from kodevakt.report.html import render_report
from kodevakt.report.loaded import Item, PeriodBatch, add_patterns
from kodevakt.report.pseudonym import Pseudonymiser
from kodevakt.rules.engine import Checker
from kodevakt.rules.finding import Severity
from kodevakt.storage import FindingStatus, finding_key
from kodevakt.synth.generator import generate
from tests.report.checks import check_page

NAMES = Pseudonymiser(b"k" * 32)


def _batch() -> PeriodBatch:
    episodes: list[Episode] = []
    for i, raw in enumerate(generate(800, seed=3, year=2025)):
        record = episode_from_dict(raw, Source("synth", i + 1))
        assert isinstance(record, Episode)
        episodes.append(record)
    checker = Checker(default_codebase())
    items = []
    for episode in episodes:
        for finding in checker.check_episode(episode):
            institution = episode.institution or ""
            status = FindingStatus.ACCEPTED if finding.rule == "T13" else FindingStatus.OPEN
            items.append(
                Item(
                    finding_key("2025", institution, finding),
                    institution,
                    episode.department,
                    status,
                    "episode",
                    finding,
                )
            )
    batch = PeriodBatch("2025", "983974724", episodes, items)
    add_patterns(batch)
    return batch


def test_report_data_from_checker_output() -> None:
    batch = _batch()
    assert batch.computed_patterns
    data = build_report(batch, NAMES, now=datetime(2025, 12, 1, tzinfo=UTC))
    assert data.episodes == 800
    assert sum(r.findings for r in data.rules) == data.findings == len(batch.current)
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
    check_page(render_report(data))


def test_worklist_rows_follow_status() -> None:
    batch = _batch()
    open_rows = build_worklist(batch, NAMES)
    assert open_rows and all(r.status == "åpen" for r in open_rows)
    assert not any(r.rule == "T13" for r in open_rows)
    accepted = build_worklist(batch, NAMES, [FindingStatus.ACCEPTED])
    assert accepted and {r.rule for r in accepted} == {"T13"}
    episodes = [r for r in open_rows if not r.episode_id.endswith(" episoder")]
    assert all(r.patient.startswith("P-") and r.discharge is not None for r in episodes)
    # a unit finding (M04, M05, M07) is one row naming how many episodes are behind it
    units = [r for r in open_rows if r.episode_id.endswith(" episoder")]
    assert units and {r.rule for r in units} <= {"M04", "M05", "M07"}
