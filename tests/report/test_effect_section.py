"""The report's "Hva feilene flytter" section: what the open findings' fixes do to the DRG.

The hand-made tables (tests/fixtures/drg, see make_tables.py) give E10.3 alone DRG 290,
E10.3+H36.0 DRG 60 (the T02 fix), B96.2 as principal diagnosis DRG 470 and N30.0 DRG 320
(the T05 fix). The last test uses the real 2017 tables from ../shared/drg when they are there.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from kodevakt.cli import app
from kodevakt.drg import load_definitions
from kodevakt.drg.weights import load_weights
from kodevakt.episodes.interchange import episode_from_dict
from kodevakt.episodes.model import Episode, Source
from kodevakt.pipeline import Pipeline
from kodevakt.report.build import FindingSummary, build_report
from kodevakt.report.effect import DrgSources, effect_summary, load_drg_sources
from kodevakt.report.html import render_report
from kodevakt.report.loaded import Item, PeriodBatch
from kodevakt.report.model import ReportData
from kodevakt.report.pseudonym import ENV_KEY, Pseudonymiser
from kodevakt.report.svg import PALETTE, Change, change_chart
from kodevakt.rules.engine import Checker
from kodevakt.storage import FindingStatus, Store, finding_key
from kodevakt.synth.generator import generate
from tests.report.checks import check_page
from tests.report.sample import sample_report
from tests.report.test_browser import assert_rendered, keep
from tests.rules.harness import codebase

runner = CliRunner()
NAMES = Pseudonymiser(b"k" * 32)
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "drg"
TABLES_2020 = FIXTURES / "DefinitionData_TEST_2020.json"
SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "drg"
WEIGHTS = "drg;vekt\n60;1,25\n61;0,75\n290;0,5\n320;0,6\n470;0\n"
NOW = datetime(2020, 9, 1, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _clean_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KODEVAKT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("KODEVAKT_DRG_DEFINITIONS", raising=False)
    monkeypatch.delenv("KODEVAKT_DRG_WEIGHTS", raising=False)
    monkeypatch.delenv(ENV_KEY, raising=False)


def record(number: int, conditions: list[list[str]], year: int = 2020) -> dict[str, Any]:
    return {
        "id": f"ep-{number}",
        "patient": {"id": f"pas-{number}", "sex": "K", "birth_date": "1960-05-05"},
        "institution": "HF1",
        "department": "MED" if number % 2 else "KIR",
        "care_level": "inpatient",
        "urgency": "acute",
        "admission": f"{year}-03-03T10:00",
        "discharge": f"{year}-03-07T12:00",
        "conditions": conditions,
        "procedures": [],
    }


# ep-1, ep-2: T02 (lone asterisk H36.0 after E10.3): DRG 290 → 60, weight +0.75 each;
# ep-3: T05 (B96.2 first): DRG 470 → 320, +0.6; ep-4: accepted T05, left out;
# ep-5: no error; ep-6: T05 in 2021, a year without tables.
RECORDS = [
    record(1, [["E10.3"], ["H36.0"]]),
    record(2, [["E10.3"], ["H36.0"]]),
    record(3, [["B96.2"], ["N30.0"]]),
    record(4, [["B96.2"], ["N30.0"]]),
    record(5, [["N30.0"]]),
    record(6, [["B96.2"], ["N30.0"]], year=2021),
]


def batch_of(
    records: list[dict[str, Any]],
    accepted: frozenset[str] = frozenset(),
    approved: frozenset[str] = frozenset(),
) -> PeriodBatch:
    episodes: list[Episode] = []
    for i, raw in enumerate(records):
        found = episode_from_dict(raw, Source("test", i + 1))
        assert isinstance(found, Episode)
        episodes.append(found)
    checker = Checker(codebase())
    items = []
    for episode in episodes:
        for finding in checker.check_episode(episode):
            status = FindingStatus.ACCEPTED if episode.id in accepted else FindingStatus.OPEN
            if episode.id in approved:
                status = FindingStatus.APPROVED
            items.append(
                Item(
                    finding_key("2020", "HF1", finding),
                    "HF1",
                    episode.department,
                    status,
                    "episode",
                    finding,
                )
            )
    return PeriodBatch("2020", None, episodes, items)


def report_of(batch: PeriodBatch, sources: DrgSources) -> ReportData:
    """The report of a hand-made batch: its findings' summary and DRG section, no indicators."""
    departments = Counter(e.department or "" for e in batch.episodes)
    summary = FindingSummary.of(batch.findings)
    return build_report(
        batch, summary, [], departments, len(batch.episodes), NAMES, now=NOW, drg=sources
    )


def weights_file(folder: Path) -> Path:
    path = folder / "vekter_2020.csv"
    path.write_text(WEIGHTS, encoding="utf-8")
    return path


def test_a_fix_a_coder_approved_is_counted_one_accepted_is_not(tmp_path: Path) -> None:
    """Approving a fix does not correct the coding yet: what it moves still counts."""
    sources = DrgSources(load_definitions(TABLES_2020), load_weights(str(weights_file(tmp_path))))
    ep_4 = frozenset({"ep-4"})  # T05, as ep-3
    for accepted, approved, fixes in ((ep_4, frozenset(), 1), (frozenset(), ep_4, 2)):
        batch = batch_of(RECORDS, accepted=accepted, approved=approved)
        data = report_of(batch, sources)
        assert data.effect is not None
        assert {r.rule: r.fixes for r in data.effect.rules}["T05"] == fixes


def test_section_shows_drg_change_and_weight_sum(tmp_path: Path) -> None:
    sources = DrgSources(load_definitions(TABLES_2020), load_weights(str(weights_file(tmp_path))))
    batch = batch_of(RECORDS, accepted=frozenset({"ep-4"}))
    summary = effect_summary(batch, NAMES, sources)
    assert summary.available and summary.weighted and summary.years == (2020,)
    by_rule = {r.rule: r for r in summary.rules}
    assert (by_rule["T02"].fixes, by_rule["T02"].changed) == (2, 2)
    assert by_rule["T02"].weight_change == pytest.approx(1.5)
    assert by_rule["T02"].largest == pytest.approx(0.75)
    assert (by_rule["T05"].fixes, by_rule["T05"].changed) == (1, 1)
    assert by_rule["T05"].weight_change == pytest.approx(0.6)
    assert summary.rules[0].rule == "T02"  # the largest weight change first
    assert summary.weight_change == pytest.approx(
        sum(r.weight_change or 0.0 for r in summary.rules)
    )
    assert summary.not_grouped == 1  # ep-6, 2021
    assert any("Ingen DRG-tabeller for 2021" in n for n in summary.notes)
    moves = {(e.episode_id, e.drg_before, e.drg_after) for e in summary.examples}
    assert {("ep-1", "290", "60"), ("ep-2", "290", "60"), ("ep-3", "470", "320")} <= moves
    assert all(re.fullmatch(r"P-[0-9a-f]{8}", e.patient) for e in summary.examples)

    data = report_of(batch, sources)
    assert data.effect == summary
    page = render_report(data)
    parser = check_page(page)
    assert parser.tags["svg"] == page.count("<svg")
    section = page[page.index('<section id="drg">') : page.index('<section id="indikatorer">')]
    assert "<h2>Hva feilene flytter</h2>" in section
    assert '<a href="#drg">Hva feilene flytter</a>' in page
    assert "290 → <strong>60</strong>" in section and "470 → <strong>320</strong>" in section
    assert "+1,500" in section and "+0,600" in section and "+0,750" in section
    assert 'class="chart changes"' in section  # the weight chart per rule
    assert "Slik leser du tabellen og figuren" in section
    assert "pas-1" not in page and NAMES.patient("pas-1") in section
    assert "Ingen DRG-tabeller for 2021" in section


def test_section_without_weights_counts_drg_changes_only() -> None:
    sources = DrgSources(load_definitions(TABLES_2020))
    data = report_of(batch_of(RECORDS[:3]), sources)
    assert data.effect is not None and not data.effect.weighted
    assert data.effect.weight_change is None
    assert all(r.weight_change is None for r in data.effect.rules)
    page = render_report(data)
    check_page(page)
    section = page[page.index('<section id="drg">') : page.index('<section id="indikatorer">')]
    assert "290 → <strong>60</strong>" in section
    assert "Sum vektendring" not in section and 'class="chart changes"' not in section
    assert "Ingen vekter er lastet" in section


def test_section_explains_how_to_supply_tables_when_there_are_none() -> None:
    sources = load_drg_sources()
    assert sources.definitions is None
    data = report_of(batch_of(RECORDS), sources)
    assert data.effect is not None and not data.effect.available
    page = render_report(data)
    check_page(page)
    section = page[page.index('<section id="drg">') : page.index('<section id="indikatorer">')]
    assert "DRG-effekten av feilene er ikke beregnet" in section
    assert "Ingen DRG-definisjonstabeller er oppgitt" in section
    assert "--definitions" in section and "KODEVAKT_DRG_DEFINITIONS" in section
    assert "Slik tar du med denne delen" in section and "<svg" not in section
    # a report built without asking for DRG effects says the same
    assert "KODEVAKT_DRG_DEFINITIONS" in render_report(sample_report())


def test_unreadable_tables_are_named_in_the_section(tmp_path: Path) -> None:
    sources = load_drg_sources(str(tmp_path / "finnes-ikke_2020.json"))
    assert sources.definitions is None
    assert sources.problems and "kunne ikke leses" in sources.problems[0]
    summary = effect_summary(batch_of(RECORDS[:1]), NAMES, sources)
    assert not summary.available and "kunne ikke leses" in summary.problem


def test_report_cli_with_definitions_and_weights(tmp_path: Path) -> None:
    episodes = tmp_path / "2020T1.jsonl"
    episodes.write_text("".join(json.dumps(r) + "\n" for r in RECORDS[:5]), encoding="utf-8")
    db = f"sqlite:///{tmp_path / 'kodevakt.db'}"
    with Store(db) as store:
        assert not Pipeline(store).import_files([episodes], "2020T1").failed
    out = tmp_path / "rapport.html"
    args = ["report", "--period", "2020T1", "--db", db, "--out", str(out)]
    result = runner.invoke(
        app,
        [*args, "--definitions", str(TABLES_2020), "--weights", str(weights_file(tmp_path))],
    )
    assert result.exit_code == 0, result.output
    assert "rettingsforslag gruppert" in result.output
    page = out.read_text(encoding="utf-8")
    check_page(page)
    assert "290 → <strong>60</strong>" in page and "+1,500" in page
    assert "pas-1" not in page

    result = runner.invoke(app, args)  # no tables: the report is still written
    assert result.exit_code == 0, result.output
    assert "uten DRG-effekt" in result.output
    assert "Ingen DRG-definisjonstabeller er oppgitt" in out.read_text(encoding="utf-8")


def test_section_renders_in_chromium(tmp_path: Path) -> None:
    sources = DrgSources(load_definitions(TABLES_2020), load_weights(str(weights_file(tmp_path))))
    html = render_report(report_of(batch_of(RECORDS), sources))
    page = tmp_path / "rapport.html"
    page.write_text(html, encoding="utf-8")
    png = assert_rendered(page, tmp_path, html.count("<svg"))
    keep(png, "rapport-drg-effekt.png")


@pytest.mark.skipif(
    not (SHARED / "DefinitionData_NOR_2017_PR1aN.zip").is_file(),
    reason=f"the real 2017 DRG tables are not at {SHARED} (test data, never committed)",
)
def test_real_2017_tables_on_a_synthetic_batch(tmp_path: Path) -> None:
    records = [dict(r) for r in generate(400, seed=5, year=2017, error_rate=0.3)]
    sources = load_drg_sources(str(SHARED / "DefinitionData_NOR_2017_PR1aN.zip"))
    assert sources.problems == ()
    batch = batch_of([{**r, "institution": "HF1"} for r in records])
    data = report_of(batch, sources)
    effect = data.effect
    assert effect is not None and effect.available and effect.years == (2017,)
    assert effect.fixes > 0 and effect.episodes > 0 and effect.not_grouped == 0
    assert effect.fixes == sum(
        1 for f in batch.findings if f.status is FindingStatus.OPEN and f.finding.fix is not None
    )
    assert effect.changed == sum(e.changed for e in effect.rules) > 0
    assert effect.examples
    page = render_report(data)
    check_page(page)
    section = page[page.index('<section id="drg">') : page.index('<section id="indikatorer">')]
    assert "Hva feilene flytter" in section and "DRG-effekten av feilene er ikke" not in section
    assert "(2017)" in section


def test_change_chart_draws_gains_and_losses_from_zero() -> None:
    svg = change_chart("Vektendring", [Change("T02", 1.5), Change("T30", -0.25), Change("K01", 0)])
    assert svg.count("<rect") == 4  # background and three bars
    assert "+1,500" in svg and "−0,250" in svg and ">0,000<" in svg
    assert f'fill="{PALETTE[0]}"' in svg and f'fill="{PALETTE[5]}"' in svg
    assert 'text-anchor="end" dominant-baseline="middle" fill="#222222">−0,250' in svg
