"""End to end: synthetic episodes over two tertials → SQLite → report and worklists → browser."""

from __future__ import annotations

import csv
import json
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from kodevakt.batch import compute_indicators
from kodevakt.batch.indicators import UNKNOWN
from kodevakt.batch.periods import Tertial
from kodevakt.cli import app
from kodevakt.errors import KodevaktError
from kodevakt.pipeline import Pipeline
from kodevakt.report.build import FindingSummary, build_report
from kodevakt.report.data import collect_report, collect_worklist, pseudonymiser_for
from kodevakt.report.loaded import Item, PeriodBatch
from kodevakt.report.model import ReportData
from kodevakt.report.pseudonym import ENV_KEY, Pseudonymiser, new_secret
from kodevakt.storage import FindingStatus, Store, paused_gc
from kodevakt.synth.generator import generate
from tests.report.checks import check_page
from tests.report.test_browser import assert_rendered, keep

EPISODES = 2000
PERIODS = ("2025T1", "2025T2")
SEVERITY_ORDER = {"feil": 0, "advarsel": 1, "info": 2}
runner = CliRunner()


@dataclass(frozen=True)
class Imported:
    db: str
    folder: Path
    patients: frozenset[str]


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Imported]:
    folder = tmp_path_factory.mktemp("e2e")
    chosen: dict[str, list[dict[str, Any]]] = {p: [] for p in PERIODS}
    count = 0
    for episode in generate(EPISODES * 2, seed=11, year=2025):
        day = date.fromisoformat((episode["discharge"] or episode["admission"])[:10])
        label = Tertial.of(day).label
        if label in chosen and count < EPISODES:
            chosen[label].append(episode)
            count += 1
    assert count == EPISODES
    db = f"sqlite:///{folder / 'kodevakt.db'}"
    with Store(db) as store:
        for label, episodes in chosen.items():
            path = folder / f"{label}.jsonl"
            path.write_text(
                "".join(json.dumps(e, ensure_ascii=False) + "\n" for e in episodes),
                encoding="utf-8",
            )
            result = Pipeline(store).import_files([path], label)
            assert not result.failed
    patients = frozenset(e["patient"]["id"] for eps in chosen.values() for e in eps)
    yield Imported(db, folder, patients)


@pytest.fixture(autouse=True)
def _no_key_in_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV_KEY, raising=False)


def _no_patient_ids(text: str, patients: frozenset[str]) -> None:
    found = set(re.findall(r"pas-\d+", text)) & patients
    assert not found, f"raw patient ids in the output: {sorted(found)[:5]}"


def test_report_end_to_end(imported: Imported, tmp_path: Path) -> None:
    out = imported.folder / "rapport.html"
    result = runner.invoke(
        app, ["report", "--period", "2025T2", "--db", imported.db, "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    parser = check_page(page)
    _no_patient_ids(page, imported.patients)
    assert re.search(r"P-[0-9a-f]{8}", page)
    assert "2. tertial 2025 (mai–august)" in page
    assert "2025T1" in page and "2025T2" in page  # the trend covers both tertials
    assert parser.tags["svg"] >= 1 + 2 * 6  # summary, then a funnel and a trend per indicator
    assert "utenfor" in page or "over 95" in page or "under 95" in page
    assert "Mønstre på tvers av episoder" in page and "M0" in page
    assert (imported.folder / "kodevakt.db.pseudonym-key").is_file()
    png = assert_rendered(out, tmp_path, page.count("<svg"))
    keep(png, "rapport-syntetisk.png")


def test_worklists_end_to_end(imported: Imported) -> None:
    xlsx = imported.folder / "arbeidsliste.xlsx"
    result = runner.invoke(
        app, ["worklist", "--period", "2025T2", "--db", imported.db, "--out", str(xlsx)]
    )
    assert result.exit_code == 0, result.output
    rows = list(load_workbook(xlsx)["Arbeidsliste"].iter_rows(values_only=True))
    header, body = rows[0], rows[1:]
    assert header[0] == "Episode" and header[2] == "Institusjon" and header[6] == "Alvorlighet"
    with Store(imported.db) as store:
        stored_open = sum(1 for _ in store.findings("2025T2", status=FindingStatus.OPEN))
        listed = collect_worklist(Pipeline(store), "2025T2")
    assert len(body) == len(listed) >= stored_open > 0
    ranks = [SEVERITY_ORDER[str(r[6])] for r in body]
    assert ranks == sorted(ranks)
    keys = [(SEVERITY_ORDER[str(r[6])], str(r[2] or ""), str(r[3]), str(r[0])) for r in body]
    assert keys == sorted(keys)  # severity, then institution, department, episode
    assert {r[10] for r in body} == {"åpen"}
    assert any(str(r[5]).startswith("M") for r in body)  # the pattern findings are listed too
    units = [r for r in body if str(r[0]).endswith(" episoder")]
    assert all(re.fullmatch(r"P-[0-9a-f]{8}", str(r[1])) for r in body if r not in units)
    # a unit finding is one row; `kodevakt finding <key>` lists the episodes behind it
    assert units and all(r[1] == "–" and str(r[5]) in ("M04", "M05", "M07") for r in units)
    unit = units[0]
    shown = runner.invoke(app, ["finding", "show", str(unit[-1]), "--db", imported.db])
    assert shown.exit_code == 0, shown.output
    count = int(str(unit[0]).split()[0])
    assert f"Episodene bak funnet ({count}):" in shown.output
    assert shown.output.count("ep-") >= count
    _no_patient_ids(" ".join(" ".join(map(str, r)) for r in rows), imported.patients)

    csv_path = imported.folder / "arbeidsliste.csv"
    result = runner.invoke(
        app, ["worklist", "--period", "2025T2", "--db", imported.db, "--out", str(csv_path)]
    )
    assert result.exit_code == 0, result.output
    with open(csv_path, encoding="utf-8-sig", newline="") as stream:
        lines = list(csv.reader(stream, delimiter=";"))
    assert len(lines) == len(rows)
    assert [line[-1] for line in lines[1:]] == [str(r[-1]) for r in body]  # same keys, same order


def test_same_patient_same_pseudonym_across_runs(imported: Imported) -> None:
    with Store(imported.db) as store:
        first = pseudonymiser_for(store).patient("pas-1")
    with Store(imported.db) as store:
        assert pseudonymiser_for(store).patient("pas-1") == first


def test_cli_errors(imported: Imported, tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        ["report", "--period", "2024T3", "--db", imported.db, "--out", str(tmp_path / "r.html")],
    )
    assert result.exit_code == 2
    assert "ingen episoder i perioden 2024T3" in result.output
    assert "2025T1, 2025T2" in result.output
    result = runner.invoke(app, ["report", "--period", "tertial", "--db", imported.db])
    assert result.exit_code == 2
    result = runner.invoke(
        app,
        ["worklist", "--period", "2025T2", "--db", imported.db, "--out", str(tmp_path / "l.txt")],
    )
    assert result.exit_code == 2
    assert ".xlsx eller .csv" in result.output


def test_postgres_needs_a_key(monkeypatch: pytest.MonkeyPatch) -> None:
    store: Any = SimpleNamespace(url=make_url("postgresql+psycopg://kodevakt@db/kodevakt"))
    with pytest.raises(KodevaktError, match="KODEVAKT_PSEUDONYM_KEY"):
        pseudonymiser_for(store)
    monkeypatch.setenv(ENV_KEY, "00112233445566778899aabbccddeeff")
    assert pseudonymiser_for(store).patient("pas-1").startswith("P-")


def test_one_institution(imported: Imported) -> None:
    institution = "993467049"  # the largest trust in the synthetic data
    out = imported.folder / "rapport-ous.html"
    args = ["--period", "2025T2", "--institution", institution, "--db", imported.db]
    result = runner.invoke(app, ["report", *args, "--out", str(out)])
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    check_page(page)
    assert f"Institusjon: {institution}" in page
    assert f"<td>{institution}/" not in page  # departments are named without their institution
    assert re.search(r"<td>MED</td>", page)
    xlsx = imported.folder / "arbeidsliste-ous.xlsx"
    result = runner.invoke(app, ["worklist", *args, "--status", "all", "--out", str(xlsx)])
    assert result.exit_code == 0, result.output
    rows = list(load_workbook(xlsx)["Arbeidsliste"].iter_rows(values_only=True))[1:]
    with Store(imported.db) as store:
        episodes = {e.id for e in store.episodes("2025T2", institution)}
    assert rows and {r[0] for r in rows} <= episodes


def _read_whole(
    store: Store, period: str, institution: str | None, names: Pseudonymiser, now: datetime
) -> ReportData:
    """The report of the period read whole into memory: its indicator values computed from
    every episode with its findings, not the ones the pattern run stored."""
    with paused_gc():
        pairs = list(store.episodes_with_findings(period, institution))
        found = store.period_findings(period, institution)
        summary = FindingSummary.of(Item.stored(f) for f in found)
    episodes = [e for e, _ in pairs]
    return build_report(
        PeriodBatch(period, institution, episodes, []),
        summary,
        compute_indicators(pairs, period),
        Counter(e.department or UNKNOWN for e in episodes),
        len(episodes),
        names,
        now=now,
    )


def test_streamed_report_equals_the_report_of_the_period_read_whole(imported: Imported) -> None:
    """`collect_report` streams a period's findings and reads the indicator values the
    pattern run stored; the result must not differ from the period read whole."""
    names = Pseudonymiser(new_secret())
    now = datetime(2025, 12, 1, tzinfo=UTC)
    with Store(imported.db) as store:
        assert store.patterns_stored("2025T2")
        streamed = collect_report(Pipeline(store), "2025T2", pseudonyms=names, now=now)
        whole = _read_whole(store, "2025T2", None, names, now)
    assert streamed.episodes > 0
    for name in ("episodes", "episodes_with_findings", "by_severity", "departments"):
        assert getattr(streamed, name) == getattr(whole, name), name
    assert set(streamed.rules) == set(whole.rules)
    assert [i.units for i in streamed.indicators] == [i.units for i in whole.indicators]
    assert streamed.patterns == whole.patterns
    assert streamed.pattern_examples == whole.pattern_examples
    assert any(p.rule in ("M04", "M05", "M07") for p in streamed.patterns)


def test_streamed_report_of_one_institution_equals_the_period_read_whole(
    imported: Imported,
) -> None:
    """One institution's report: the stored indicator values of the institution and its
    departments, and its own values as the total, as if its episodes were read alone."""
    names = Pseudonymiser(new_secret())
    now = datetime(2025, 12, 1, tzinfo=UTC)
    with Store(imported.db) as store:
        institution = next(e.institution for e in store.episodes("2025T2") if e.institution)
        streamed = collect_report(Pipeline(store), "2025T2", institution, pseudonyms=names, now=now)
        whole = _read_whole(store, "2025T2", institution, names, now)
    assert 0 < streamed.episodes == whole.episodes
    assert streamed.departments == whole.departments
    assert [(i.key, i.pooled, i.units) for i in streamed.indicators] == [
        (i.key, i.pooled, i.units) for i in whole.indicators
    ]
    assert all(i.trend for i in streamed.indicators)  # 2025T1's stored values draw the trend
