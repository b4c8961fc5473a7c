"""Oversikt: progress per unit and the batch report's content by unit name; the report and
the worklist downloads are what `kodevakt report` and `kodevakt worklist` write; stale results
are shown as stale and computed again only by a lead."""

from __future__ import annotations

import csv
import json
import re
import shutil
import zipfile
from collections.abc import Callable, Iterator
from html import unescape
from io import BytesIO, StringIO
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from typer.testing import CliRunner

from kodevakt.cli import app as cli
from kodevakt.drg import load_definitions
from kodevakt.drg.weights import load_weights
from kodevakt.pipeline import Pipeline
from kodevakt.report.pseudonym import ENV_KEY
from kodevakt.storage import Store
from kodevakt.storage import worklog as wl
from kodevakt.storage.accounts import Role
from kodevakt.synth.generator import generate
from tests.web.conftest import make_app
from tests.web.helpers import USERS, WebClient

ROOT = Path(__file__).resolve().parents[2]
UNITS = ROOT / "examples" / "units.csv"
TABLES_2020 = ROOT / "tests" / "fixtures" / "drg" / "DefinitionData_TEST_2020.json"
WEIGHTS = "drg;vekt\n60;1,25\n61;0,75\n290;0,5\n320;0,6\n470;0\n"
runner = CliRunner()


@pytest.fixture(autouse=True)
def _clean_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KODEVAKT_CACHE_DIR", str(tmp_path / "cache"))
    for name in ("KODEVAKT_DRG_DEFINITIONS", "KODEVAKT_DRG_WEIGHTS", "KODEVAKT_UNITS", ENV_KEY):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="module")
def _imported(_template_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The users' database with 1 800 synthetic episodes of 2025 imported, one per tertial."""
    folder = tmp_path_factory.mktemp("overview")
    source = folder / "2025.jsonl"
    with source.open("w", encoding="utf-8") as out:
        for record in generate(1800, seed=7, year=2025):
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    db = folder / "kodevakt.db"
    shutil.copy(_template_db, db)
    with Store(f"sqlite:///{db}") as store:
        Pipeline(store).import_by_tertial([source])
    return db


@pytest.fixture
def app_db(_imported: Path, tmp_path: Path) -> Path:
    path = tmp_path / "kodevakt.db"
    shutil.copy(_imported, path)
    return path


@pytest.fixture
def app(app_db: Path) -> Iterator[FastAPI]:
    made = make_app(app_db, units_file=UNITS)
    yield made
    made.state.services.store.close()


@pytest.fixture
def lead(client_as: Callable[[Role], WebClient]) -> WebClient:
    return client_as(Role.LEAD)


def counts(html: str, part: str) -> dict[str, int]:
    """The `data-count` cells of one part of the progress table (`tfoot`)."""
    found = re.search(rf"<{part}>(.*?)</{part}>", html, re.S)
    assert found is not None
    return {k: int(v) for k, v in re.findall(r'data-count="(\w+)">(?:<a [^>]*>)?(\d+)', found[1])}


def test_progress_per_unit_is_shown_by_name_and_follows_the_work(
    client: WebClient, lead: WebClient, app: FastAPI
) -> None:
    page = client.get("/oversikt", params={"periode": "2025T2"})
    assert page.status_code == 200
    html = page.text
    assert "Oversikt: 2. tertial 2025 (mai–august)" in html
    assert "Medisinsk avdeling (MED)" in html and "Helse Bergen HF (983974724)" in html
    engine = app.state.services.store.engine
    stored = wl.progress(engine, period="2025T2")
    total = counts(html, "tfoot")
    assert total == {
        "open": sum(u.open for u in stored),
        "asked": 0,
        "approved": 0,
        "accepted": 0,
        "fixed": 0,
        "total": sum(u.total for u in stored),
    }
    assert html.count('<tr class="unit"') == len(stored)
    first = stored[0]
    link = f"/arbeidsliste?periode=2025T2&amp;institusjon={first.institution}&amp;avdeling="
    assert link in html  # each unit opens its findings in the worklist

    items = wl.work_items(engine, wl.WorkFilter(period="2025T2"), limit=500).items
    fixable = [item.key for item in items if item.stored.finding.fix is not None]
    keys = [item.key for item in items if item.key != fixable[0]]
    wl.accept(engine, keys[:2], "Dokumentert i epikrisen", by="leder")
    wl.ask(engine, keys[2:3], "Var dette bekreftet?", by="leder")
    wl.approve(engine, fixable[:1], by="leder")
    html = lead.get("/oversikt", params={"periode": "2025T2"}).text
    after = counts(html, "tfoot")
    assert (after["accepted"], after["asked"], after["approved"]) == (2, 1, 1)
    assert after["open"] == total["open"] - 4 and after["total"] == total["total"]
    # an approved fix is not done until the corrected coding is imported
    assert sum(u.done for u in wl.progress(engine, period="2025T2")) == 2
    assert "&amp;status=approved" in html  # the unit's approved findings open in the list


def test_indicators_are_drawn_as_funnel_plots_and_trends_with_unit_names(
    client: WebClient,
) -> None:
    html = client.get("/oversikt", params={"periode": "2025T2"}).text
    funnels = re.findall(r'<svg [^>]*class="chart funnel"', html)
    assert funnels, "no funnel plot"
    assert len(re.findall(r'<svg [^>]*class="chart trend"', html)) == len(funnels)  # T1 → T2
    points = set(re.findall(r'<circle class="point [^"]*" data-unit="([^"]+)"', html))
    rows = set(re.findall(r'<tr data-unit="([^"]+)" tabindex="0">', html))
    assert points and points == rows  # every point has its row, by the same name
    assert "Medisinsk avdeling, Helse Bergen HF" in {unescape(p) for p in points}
    assert "<title>" in html  # the points' hover texts
    assert '<script src="/static/overview.js" defer></script>' in html
    assert client.get("/static/overview.js").status_code == 200
    for section in ("sammendrag", "funn", "drg", "indikatorer", "monstre", "fremdrift"):
        assert f'<section id="{section}">' in html
    assert "kodevakt serve --definitions" in html  # no DRG tables: how to get the section


def test_one_institution_shows_its_units_only(client: WebClient) -> None:
    html = client.get("/oversikt", params={"periode": "2025T1", "institusjon": "983974724"}).text
    assert "Oversikt: 1. tertial 2025 (januar–april) – Helse Bergen HF (983974724)" in html
    institutions = set(re.findall(r'<tr class="unit" data-institution="(\d+)"', html))
    assert institutions == {"983974724"}
    assert '<option value="983974724" selected>Helse Bergen HF (983974724)</option>' in html


def _generated(html: str) -> str:
    """The report without the minute it was made."""
    return re.sub(r"Laget \d\d\.\d\d\.\d{4} kl\. \d\d:\d\d", "Laget …", html)


def test_the_downloaded_report_is_the_one_kodevakt_report_writes(
    client: WebClient, app_db: Path, tmp_path: Path
) -> None:
    response = client.get("/oversikt/rapport.html", params={"periode": "2025T2"})
    assert response.status_code == 200
    assert (
        response.headers["content-disposition"]
        == 'attachment; filename="kodevakt-rapport-2025T2.html"'
    )
    out = tmp_path / "rapport.html"
    args = ["report", "--period", "2025T2", "--db", str(app_db), "--units", str(UNITS)]
    result = runner.invoke(cli, [*args, "--out", str(out)])
    assert result.exit_code == 0, result.stderr
    assert _generated(response.text) == _generated(out.read_text(encoding="utf-8"))
    assert "Medisinsk avdeling" in response.text


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
@pytest.mark.parametrize("role", [Role.CODER, Role.ADMIN])
def test_the_downloaded_worklist_is_the_one_kodevakt_worklist_writes(
    client_as: Callable[[Role], WebClient], app_db: Path, tmp_path: Path, suffix: str, role: Role
) -> None:
    response = client_as(role).get(
        f"/oversikt/arbeidsliste{suffix}", params={"periode": "2025T2", "status": "all"}
    )
    assert response.status_code == 200
    assert response.headers["content-disposition"].endswith(f'arbeidsliste-2025T2{suffix}"')
    out = tmp_path / f"liste{suffix}"
    args = ["worklist", "--period", "2025T2", "--status", "all", "--db", str(app_db)]
    result = runner.invoke(cli, [*args, "--units", str(UNITS), "--out", str(out)])
    assert result.exit_code == 0, result.stderr
    if suffix == ".csv":
        assert response.content == out.read_bytes()
        rows = list(csv.reader(StringIO(response.text.lstrip("\ufeff")), delimiter=";"))
        patients = {row[1] for row in rows[1:]}
        assert rows[0][1] == "Pasient (pseudonym)"
        assert patients and all(re.fullmatch(r"P-[0-9a-f]{8}|–", p) for p in patients)
    else:
        with zipfile.ZipFile(BytesIO(response.content)) as got, zipfile.ZipFile(out) as wrote:
            assert got.namelist() == wrote.namelist()
            for name in got.namelist():
                assert got.read(name) == wrote.read(name), name


def test_a_period_that_cannot_be_used_gets_a_norwegian_error(client: WebClient) -> None:
    wrong = client.get("/oversikt", params={"periode": "2025T9"})
    assert wrong.status_code == 400 and "Perioden «2025T9» kan ikke leses" in wrong.text
    missing = client.get("/oversikt/rapport.html", params={"periode": "2024T1"})
    assert missing.status_code == 404
    assert "Ingen data for perioden 2024T1. Perioder i databasen: 2025T1, 2025T2, 2025T3." in (
        missing.text
    )
    status = client.get("/oversikt/arbeidsliste.csv", params={"periode": "2025T1", "status": "x"})
    assert status.status_code == 400 and "Velg status" in status.text


def test_stale_results_are_shown_stale_and_computed_again_by_a_lead(
    client: WebClient, lead: WebClient, app: FastAPI, tmp_path: Path
) -> None:
    source = tmp_path / "nye.jsonl"
    with source.open("w", encoding="utf-8") as out:
        for record in generate(60, seed=99, year=2025):
            if record["discharge"][:7] in ("2025-05", "2025-06"):
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
    store = app.state.services.store
    Pipeline(store).import_files([source], "2025T2", patterns=False)

    for user in (client, lead):
        html = user.get("/oversikt", params={"periode": "2025T2"}).text
        assert "Mønsterfunn og indikatorer er ikke oppdatert" in html
        assert "chart funnel" not in html and '<section id="fremdrift">' in html
        assert ('action="/oversikt/beregn"' in html) is (user is lead)
    assert "En leder kan beregne dem på nytt" in client.get("/oversikt?periode=2025T2").text
    refused = client.get("/oversikt/rapport.html", params={"periode": "2025T2"})
    assert refused.status_code == 409 and "ikke oppdatert etter siste innlesing" in refused.text
    assert client.get("/oversikt/arbeidsliste.csv?periode=2025T2").status_code == 409
    assert client.post_form("/oversikt/beregn", {"periode": "2025T2"}).status_code == 403
    # 2025T3's report shows the trend through 2025T2, so it waits for it too
    assert "ikke oppdatert" in client.get("/oversikt?periode=2025T3").text

    started = lead.post_form("/oversikt/beregn", {"periode": "2025T2"})
    assert started.status_code == 303 and started.headers["location"].startswith("/import/")
    job = app.state.import_jobs.get(started.headers["location"].rsplit("/", 1)[1])
    assert job.done.wait(60)
    result = lead.get(started.headers["location"]).text
    assert "Mønsterregler (M01–M07) for hele 2025T2" in result
    assert '<a href="/oversikt?periode=2025T2">' in result
    html = client.get("/oversikt", params={"periode": "2025T2"}).text
    assert "ikke oppdatert" not in html and "chart funnel" in html
    assert client.get("/oversikt/rapport.html?periode=2025T2").status_code == 200
    again = lead.post_form("/oversikt/beregn", {"periode": "2025T2"})
    assert again.headers["location"] == "/oversikt?periode=2025T2&melding=oppdatert"


def test_an_empty_database_says_so_and_a_lead_is_sent_to_import(_template_db: Path) -> None:
    made = make_app(_template_db)
    try:
        for role, link in ((Role.CODER, False), (Role.LEAD, True)):
            with WebClient(made) as web:
                assert web.login(*USERS[role]).status_code == 303
                html = web.get("/oversikt").text
                assert "Ingen episoder er lest inn ennå" in html
                assert ('href="/import"' in html) is link
    finally:
        made.state.services.store.close()


def test_a_units_file_that_cannot_be_read_is_named_and_codes_are_shown(
    app_db: Path, tmp_path: Path
) -> None:
    broken = tmp_path / "enheter.csv"
    broken.write_text("institution;department\n1;2\n", encoding="utf-8")
    made = make_app(app_db, units_file=broken)
    try:
        with WebClient(made) as web:
            assert web.login(*USERS[Role.CODER]).status_code == 303
            html = web.get("/oversikt").text
        assert "Enhetsfilen kunne ikke leses" in html and "enhetene vises med koder" in html
        assert "Medisinsk avdeling" not in html and ">983974724<" in html
    finally:
        made.state.services.store.close()


def _drg_record(number: int, conditions: list[list[str]]) -> dict[str, Any]:
    return {
        "id": f"ep-{number}",
        "patient": {"id": f"pas-{number}", "sex": "K", "birth_date": "1960-05-05"},
        "institution": "HF1",
        "department": "MED" if number % 2 else "KIR",
        "care_level": "inpatient",
        "urgency": "acute",
        "admission": "2020-03-03T10:00",
        "discharge": "2020-03-07T12:00",
        "conditions": conditions,
        "procedures": [],
    }


def test_with_drg_tables_the_page_shows_what_the_errors_move(
    _template_db: Path, tmp_path: Path
) -> None:
    """The hand-made 2020 tables: the T02 fix moves E10.3 with a lone H36.0 from DRG 290 to
    60 (+0,750 each), as in the report's own tests."""
    db = tmp_path / "drg.db"
    shutil.copy(_template_db, db)
    source = tmp_path / "drg.jsonl"
    records = [_drg_record(n, [["E10.3"], ["H36.0"]]) for n in (1, 2)]
    records.append(_drg_record(3, [["N30.0"]]))
    source.write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
    with Store(f"sqlite:///{db}") as store:
        Pipeline(store).import_files([source], "2020T1")
    weights = tmp_path / "vekter_2020.csv"
    weights.write_text(WEIGHTS, encoding="utf-8")
    made = make_app(
        db,
        drg_definitions=load_definitions(TABLES_2020),
        drg_weights=load_weights(str(weights)),
    )
    try:
        with WebClient(made) as web:
            assert web.login(*USERS[Role.CODER]).status_code == 303
            html = web.get("/oversikt").text
        drg = html[html.index('<section id="drg">') : html.index('<section id="indikatorer">')]
        assert "rettinger som endrer DRG" in drg
        assert "290 → <strong>60</strong>" in drg
        assert "+1,500" in drg  # two fixes of +0,750
        assert 'class="chart changes"' in drg
        assert "pas-1" not in html  # patients as pseudonyms
    finally:
        made.state.services.store.close()
