"""Import: an uploaded extract is read as `kodevakt import` reads it, with the same accounting;
a file that is no extract, or too big, gets its own Norwegian error; only leads import."""

from __future__ import annotations

import os
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from html import unescape
from pathlib import Path
from typing import Any

import httpx2 as httpx
import psycopg
import pytest
from fastapi import FastAPI
from typer.testing import CliRunner

from kodevakt.cli import app as cli
from kodevakt.pipeline import Pipeline
from kodevakt.report.pseudonym import ENV_KEY
from kodevakt.storage import Store
from kodevakt.storage.accounts import Accounts, Role
from kodevakt.storage.locking import ImportLock
from kodevakt.web.app import create_app
from kodevakt.web.import_jobs import ImportJobs, read_position
from kodevakt.web.settings import WebSettings
from tests.storage.helpers import episode, write_jsonl
from tests.storage.postgres import PostgresUnavailable, TestPostgres
from tests.web.conftest import make_app
from tests.web.helpers import USERS, WebClient

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "uttrekk.csv"
COUNTS = (
    "read",
    "rejected",
    "episodes_new",
    "episodes_changed",
    "episodes_unchanged",
    "findings_new",
    "findings_reopened",
    "findings_fixed",
)
SECRET_DATE = "2025-13-45"
runner = CliRunner()


def extract(folder: Path, *, corrected: bool = False) -> Path:
    """The example NPR extract (episodes in all three tertials of 2025), with a record whose
    date cannot be read and one cut short; `corrected` fixes the first episode's coding."""
    lines = EXAMPLE.read_text(encoding="utf-8").splitlines()
    if corrected:
        first = lines[1].split(";")
        first[15] = "M16.0"  # was M16.1 with I10; still a valid coding, a changed episode
        lines[1] = ";".join(first)
    bad = lines[1].split(";")
    bad[0], bad[7] = "ep-dato", SECRET_DATE
    lines += [";".join(bad), "kort;rad"]
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "uttrekk.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def post_upload(client: WebClient, name: str, content: bytes, **fields: str) -> httpx.Response:
    data = {"csrf_token": client.csrf, "periode": "2025T1", **fields}
    return client.post("/import", data=data, files={"fil": (name, content, "text/plain")})


def finished(client: WebClient, started: httpx.Response) -> str:
    """The job page once the job has ended (polled as htmx polls it)."""
    assert started.status_code == 303, started.text
    page = started.headers["location"]
    assert re.fullmatch(r"/import/[\w-]+", page)
    deadline = time.monotonic() + 60
    while "HX-Refresh" not in client.get(f"{page}/fremdrift").headers:
        assert time.monotonic() < deadline, "the import did not finish"
        time.sleep(0.05)
    return client.get(page).text


def web_counts(html: str) -> dict[str, dict[str, int]]:
    """Per period: the counts the result page shows for the file."""
    found: dict[str, dict[str, int]] = {}
    for period, body in re.findall(
        r'<section class="import-result" data-period="([^"]+)">(.*?)\n</section>', html, re.S
    ):
        found[period] = {
            name: int(value) for name, value in re.findall(r'data-count="(\w+)">(\d+)<', body)
        }
    return found


def web_rejections(html: str) -> list[tuple[str, str, str]]:
    rows = re.findall(
        r'<tr class="rejection"><td data-line="\d+">([^<]*)</td><td>([^<]*)</td><td>([^<]*)</td>',
        html,
    )
    return [tuple(unescape(cell) for cell in row) for row in rows]


CLI_FILE = re.compile(
    r"(?:(\d{4}T\d): )?uttrekk\.csv: lest (\d+) poster, (\d+) avvist\. Episoder: (\d+) nye, "
    r"(\d+) endret, (\d+) uendret\. Funn: (\d+) nye, (\d+) gjenåpnet, (\d+) rettet\."
)
CLI_REJECTED = re.compile(r"Avvist: fil uttrekk\.csv, linje (\d+)(?:, felt «([^»]+)»)?: (.*)")


def cli_import(db: Path, folder: Path, period: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.chdir(folder)  # the CLI names the file as given: uttrekk.csv
    result = runner.invoke(cli, ["import", "uttrekk.csv", "--period", period, "--db", str(db)])
    assert result.exit_code == 0, result.stderr
    return result.stderr


def cli_counts(stderr: str, period: str) -> dict[str, dict[str, int]]:
    found = {}
    for match in CLI_FILE.finditer(stderr):
        label, *numbers = match.groups()
        found[label or period] = dict(zip(COUNTS, map(int, numbers), strict=True))
    return found


def cli_rejections(stderr: str) -> list[tuple[str, str, str]]:
    return [(line, field or "–", text) for line, field, text in CLI_REJECTED.findall(stderr)]


@pytest.fixture
def lead(client_as: Callable[[Role], WebClient]) -> WebClient:
    return client_as(Role.LEAD)


@pytest.mark.parametrize("period", ["2025T1", "auto"])
def test_the_counts_and_rejections_are_the_clis_for_the_same_file(
    lead: WebClient,
    app: FastAPI,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    period: str,
) -> None:
    cli_db = tmp_path / "cli.db"
    for step, corrected in (("first", False), ("again", True)):
        path = extract(tmp_path / step, corrected=corrected)
        stderr = cli_import(cli_db, path.parent, period, monkeypatch)
        html = finished(lead, post_upload(lead, path.name, path.read_bytes(), periode=period))
        expected = cli_counts(stderr, period)
        shown = web_counts(html)
        assert expected and shown == {
            label: {**counts, "checked": counts["read"] - counts["rejected"], "duplicates": 0}
            for label, counts in expected.items()
        }
        assert web_rejections(html) == cli_rejections(stderr) != []
        for label, counts in shown.items():  # read = checked + rejected, stated as such
            assert (
                f"lest <strong>{counts['read']}</strong> poster = <strong>{counts['checked']}"
                f"</strong> kontrollert + <strong>{counts['rejected']}</strong> avvist" in html
            ), label
    assert shown["2025T1"]["episodes_changed"] == 1  # the corrected episode, both ways
    with Store(f"sqlite:///{cli_db}") as store:
        assert app.state.services.store.periods() == store.periods()


def test_rejections_are_listed_by_line_and_field_never_with_the_value(
    lead: WebClient, tmp_path: Path
) -> None:
    path = extract(tmp_path)
    html = finished(lead, post_upload(lead, "uttrekk.csv", path.read_bytes(), periode="auto"))
    rejected = web_rejections(html)
    assert ("7", "innDato", rejected[0][2]) == rejected[0]
    assert "ikke en gyldig dato" in rejected[0][2]
    assert ("8", "–", "raden har 2 felt, overskriften har 19") in rejected
    assert SECRET_DATE not in html
    assert "kodevakt-opplasting" not in html  # the upload's folder is never shown


def test_a_file_that_is_no_extract_gets_its_own_error(app: FastAPI, lead: WebClient) -> None:
    cases = {
        "rapport.pdf": (b"%PDF-1.7\n...", "ser ut som en PDF-fil"),
        "uttrekk.xlsx": (b"PK\x03\x04\x14\x00\x06\x00", "Excel-arbeidsbok"),
        "notat.bin": (b"Hei, her er uttrekket du ba om.\n", "ble ikke gjenkjent"),
        "tom.csv": (b"", "Filen er tom."),
    }
    for name, (content, message) in cases.items():
        response = post_upload(lead, name, content)
        assert response.status_code == 415, name
        error = re.search(r'id="fil-feil">([^<]+)<', response.text)
        assert error is not None and message in error.group(1), name
    assert app.state.services.store.periods() == []
    assert app.state.services.store.imports() == []


def test_a_file_in_another_encoding_is_refused_with_advice_and_read_when_told(
    lead: WebClient,
) -> None:
    text = EXAMPLE.read_text(encoding="utf-8").replace("ORT", "ØNH")
    content = text.encode("cp1252")
    refused = post_upload(lead, "uttrekk.csv", content, periode="auto")
    assert refused.status_code == 415
    assert "kan ikke leses som UTF-8" in refused.text and "Windows-1252" in refused.text
    html = finished(
        lead, post_upload(lead, "uttrekk.csv", content, periode="auto", tegnkoding="cp1252")
    )
    assert sum(counts["read"] for counts in web_counts(html).values()) == 5


def test_a_chosen_format_reads_a_file_whose_content_and_name_say_nothing(
    lead: WebClient, tmp_path: Path
) -> None:
    path = write_jsonl(
        tmp_path / "e.dat", ["kaputt", episode("ep-1", [["I10"]]), episode("ep-2", [["I10"]])]
    )
    content = path.read_bytes()
    assert post_upload(lead, "episoder.dat", content).status_code == 415
    html = finished(lead, post_upload(lead, "episoder.dat", content, format="jsonl"))
    assert web_counts(html)["2025T1"] == {
        **web_counts(html)["2025T1"],
        "read": 3,
        "rejected": 1,
        "episodes_new": 2,
    }


@pytest.fixture
def small_limit(app_db: Path) -> Iterator[tuple[FastAPI, WebClient]]:
    """A lead on an application that takes uploads of at most 2 kB."""
    made = make_app(app_db, upload_limit=2048)
    with WebClient(made) as web:
        assert web.login(*USERS[Role.LEAD]).status_code == 303
        yield made, web
    made.state.services.store.close()


def test_a_file_over_the_limit_is_refused_naming_the_limit(
    small_limit: tuple[FastAPI, WebClient],
) -> None:
    made, lead = small_limit
    form = lead.get("/import").text
    assert "høyst 2 kB" in form and 'data-max-bytes="2048"' in form
    big = b'{"id": "x"}\n' * 300  # 3.6 kB: over the limit, inside the form's room
    for response in (
        post_upload(lead, "stor.jsonl", big),
        # far over: refused as the body arrives, whether its length is declared or not
        post_upload(lead, "stor.jsonl", big * 100),
        lead.post(
            "/import",
            content=iter([b"x" * 50_000] * 3),
            headers={"X-CSRF-Token": lead.csrf, "Content-Type": "multipart/form-data; boundary=b"},
        ),
    ):
        assert response.status_code == 413
        assert "Filen er for stor: grensen for opplasting er 2 kB." in response.text
    assert made.state.services.store.imports() == []


def test_fields_that_cannot_be_used_are_named_in_norwegian(lead: WebClient) -> None:
    response = lead.post(
        "/import",
        data={"csrf_token": lead.csrf, "periode": "2025T9", "tegnkoding": "ebcdic"},
        files={"fil": ("", b"", "application/octet-stream")},
    )
    assert response.status_code == 400
    assert 'id="fil-feil">Velg filen som skal leses inn.<' in response.text
    assert "Perioden «2025T9» kan ikke leses" in response.text
    assert "Velg en av tegnkodingene i listen." in response.text


def test_only_leads_and_admins_import(
    client: WebClient, client_as: Callable[[Role], WebClient], app: FastAPI, tmp_path: Path
) -> None:
    content = extract(tmp_path).read_bytes()
    assert client.get("/import").status_code == 403
    refused = post_upload(client, "uttrekk.csv", content, periode="auto")
    assert refused.status_code == 403 and "krever rollen leder" in refused.text
    assert 'href="/import"' not in client.get("/regler").text
    assert app.state.services.store.imports() == []
    admin = client_as(Role.ADMIN)
    assert 'href="/import"' in admin.get("/regler").text
    html = finished(admin, post_upload(admin, "uttrekk.csv", content, periode="auto"))
    assert set(web_counts(html)) == {"2025T1", "2025T2", "2025T3"}
    listed = admin.get("/import").text
    assert "uttrekk.csv til hver episodes tertial" in listed  # the job, linked
    assert listed.count("<td>uttrekk.csv</td>") == 3  # the import log: one run per tertial


@pytest.fixture
def held(monkeypatch: pytest.MonkeyPatch) -> Iterator[threading.Event]:
    """Pattern runs wait for the event: a job that stays running while the test looks."""
    release = threading.Event()
    ensure = Pipeline.ensure_current

    def waiting(self: Pipeline, periods: Any) -> Any:
        release.wait(30)
        return ensure(self, periods)

    monkeypatch.setattr(Pipeline, "ensure_current", waiting)
    yield release
    release.set()


def test_a_running_job_shows_progress_with_and_without_javascript(
    lead: WebClient, app: FastAPI, held: threading.Event
) -> None:
    lead.get("/import")  # makes the application's job list
    jobs: ImportJobs = app.state.import_jobs
    job = jobs.start_patterns(["2025T1"], "leder")
    page = lead.get(f"/import/{job.id}").text
    assert '<noscript><meta http-equiv="refresh" content="2"></noscript>' in page
    assert f'<a href="/import/{job.id}">Oppdater siden</a>' in page
    assert f'hx-get="/import/{job.id}/fremdrift" hx-trigger="every 1s"' in page
    assert "<progress" in page and "kjører" in page
    running = lead.get(f"/import/{job.id}/fremdrift")
    assert "HX-Refresh" not in running.headers and "Kjører mønsterreglene" in running.text
    held.set()
    assert job.done.wait(30)
    assert lead.get(f"/import/{job.id}/fremdrift").headers["HX-Refresh"] == "true"
    done = lead.get(f"/import/{job.id}").text
    assert "Alt var allerede oppdatert" in done and "<noscript>" not in done


def test_an_unknown_job_is_not_found(lead: WebClient) -> None:
    response = lead.get("/import/finnes-ikke")
    assert response.status_code == 404 and "Fant ikke denne importen" in response.text


@pytest.mark.skipif(not Path("/proc/self/fdinfo").is_dir(), reason="needs Linux /proc")
def test_the_read_position_of_a_file_is_how_far_it_was_read(tmp_path: Path) -> None:
    path = tmp_path / "fil.csv"
    path.write_bytes(b"x" * 10_000)
    assert read_position(path) is None
    with open(path, "rb") as stream:
        stream.read(4096)
        assert read_position(path) == 4096
    assert read_position(path) is None


def test_the_import_lock_keeps_threads_of_one_process_apart(app_db: Path) -> None:
    """A page reading a report while the web's import holds the lock must wait for it, not
    slip in as if it held the lock itself."""
    with Store(f"sqlite:///{app_db}") as store:
        lock = ImportLock(store.engine)
        taken: list[bool] = []

        def other_thread() -> None:
            got = lock.acquire(0.2)
            taken.append(got)
            if got:
                lock.release()

        assert lock.acquire(0) and lock.acquire(0)  # re-entrant in its own thread
        for holding in (True, False):
            thread = threading.Thread(target=other_thread)
            thread.start()
            thread.join()
            if holding:
                lock.release()
                lock.release()
        assert taken == [False, True]


@pytest.fixture(scope="module")
def postgres() -> Iterator[TestPostgres]:
    try:
        server = TestPostgres.start()
    except PostgresUnavailable as exc:
        message = f"PostgreSQL test server could not start: {exc}"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    yield server
    server.stop()


def test_import_and_overview_on_postgresql(
    postgres: TestPostgres, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A team's database: the import's lock is PostgreSQL's, and the report's pseudonyms need
    the key from the environment."""
    monkeypatch.setenv(ENV_KEY, "ab" * 16)
    name = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(postgres.url().replace("+psycopg", ""), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = postgres.url(name)
    with Store(url) as store:
        user_name, password = USERS[Role.LEAD]
        Accounts(store.engine).add_user(user_name, Role.LEAD, password)
    made = create_app(WebSettings(database_url=url))
    try:
        with WebClient(made) as lead:
            assert lead.login(*USERS[Role.LEAD]).status_code == 303
            content = extract(tmp_path).read_bytes()
            html = finished(lead, post_upload(lead, "uttrekk.csv", content, periode="auto"))
            shown = web_counts(html)
            assert sum(c["read"] for c in shown.values()) == 7
            assert sum(c["rejected"] for c in shown.values()) == 2
            overview = lead.get("/oversikt", params={"periode": "2025T3"})
            assert overview.status_code == 200 and '<section id="sammendrag">' in overview.text
            report = lead.get("/oversikt/rapport.html", params={"periode": "2025T3"})
            assert report.status_code == 200 and "P-" in report.text
    finally:
        made.state.services.store.close()
