"""The workplace pages of issue 18: record review (draw, review, downloads), Læring,
Neste år and Kodelister."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from fastapi import FastAPI

from kodevakt.pipeline import Pipeline
from kodevakt.storage import Store
from kodevakt.storage import audits as stored
from kodevakt.storage.accounts import Role
from tests.storage.helpers import episode, extract, write_jsonl
from tests.web.helpers import USERS, WebClient


@pytest.fixture
def app_db(app_db: Path, tmp_path: Path) -> Path:
    """The users' database with ten episodes of 2025T1 (ep-3, ep-7: T02) and three of 2022T2."""
    dates = {"admission": "2022-05-02T10:00", "discharge": "2022-05-02T11:00"}
    older = write_jsonl(
        tmp_path / "2022.jsonl",
        [episode(f"o{i}", [["N30.0"], ["B96.2"]], **dates) for i in range(3)],
    )
    with Store(f"sqlite:///{app_db}") as store:
        pipeline = Pipeline(store)
        pipeline.import_files([extract(tmp_path)], "2025T1")
        pipeline.import_files([older], "2022T2")
    return app_db


@pytest.fixture
def lead(client_as: Callable[[Role], WebClient]) -> WebClient:
    return client_as(Role.LEAD)


def _draw(lead: WebClient) -> str:
    page = lead.get("/revisjon")
    assert page.status_code == 200 and "Trekk et nytt utvalg" in page.text
    response = lead.post_form(
        "/revisjon/trekk",
        {
            "periode": "2025T1",
            "storrelse": "4",
            "strata": ["severity"],
            "fordeling": "equal",
            "fro": "5",
        },
    )
    assert response.status_code == 303, response.text
    return response.headers["location"]


def test_a_lead_draws_a_sample_and_two_auditors_review_it(
    client: WebClient, lead: WebClient, app: FastAPI
) -> None:
    refused = client.post_form("/revisjon/trekk", {"periode": "2025T1", "storrelse": "4"})
    assert refused.status_code == 403
    assert "Trekk et nytt utvalg" not in client.get("/revisjon").text
    where = _draw(lead)
    assert where == "/revisjon/1"
    page = client.get(where)
    assert "stratifisert etter alvorlighet (lik fordeling), 4 av 10 episoder" in page.text
    assert "Du har vurdert 0 av 4" in page.text

    form = client.get("/revisjon/1/1")
    assert form.status_code == 200 and "Revisorens koding" in form.text
    # «riktig» with changed codes contradicts itself: shown again with the message
    wrong = client.post_form("/revisjon/1/1", {"vurdering": "right", "hovedtilstand": "I11.9"})
    assert wrong.status_code == 400 and "Vurderingen er «riktig»" in wrong.text
    unchanged = {"hovedtilstand": _field(form.text, "hovedtilstand"), "andre": ""}
    empty = client.post_form("/revisjon/1/1", {"vurdering": "", **unchanged})
    assert empty.status_code == 400 and "Velg en vurdering." in empty.text
    no_main = client.post_form("/revisjon/1/1", {"vurdering": "changed", "hovedtilstand": ""})
    assert no_main.status_code == 400 and "Revisorens hovedtilstand mangler." in no_main.text
    episodes = stored.sample_episodes(app.state.services.store.engine, 1)
    first = episodes[0]
    saved = client.post_form(
        "/revisjon/1/1",
        {
            "vurdering": "changed",
            "hovedtilstand": "E10.3+H36.0",
            "andre": "",
            "prosedyrer": "",
            "arsak": ["main"],
            "kommentar": "Sverdkoden mangler",
        },
    )
    assert saved.status_code == 303 and saved.headers["location"] == "/revisjon/1/2?melding=lagret"
    for number in (2, 3, 4):
        codes = client.get(f"/revisjon/1/{number}")
        assert codes.status_code == 200
        client.post_form(
            f"/revisjon/1/{number}",
            {
                "vurdering": "right",
                "hovedtilstand": _field(codes.text, "hovedtilstand"),
                "andre": _field(codes.text, "andre"),
            },
        )
    assert "Du har vurdert 4 av 4" in client.get("/revisjon/1").text
    lead.post_form(
        "/revisjon/1/1",
        {
            "vurdering": "not-assessable",
            "hovedtilstand": _field(client.get("/revisjon/1/1").text, "hovedtilstand"),
        },
    )
    reviews = stored.reviews(app.state.services.store.engine, 1)
    coder, leader = USERS[Role.CODER][0], USERS[Role.LEAD][0]
    assert {(r.position, r.auditor) for r in reviews} == {
        (1, coder),
        (2, coder),
        (3, coder),
        (4, coder),
        (1, leader),
    }
    mine = next(r for r in reviews if r.position == 1 and r.auditor == coder)
    assert mine.conditions == [["E10.3", "H36.0"]] and mine.reasons == ("main",)
    assert mine.source == "web" and first.episode_id

    sheet = client.get("/revisjon/1/arbeidsark.xlsx")
    assert sheet.status_code == 200
    rows = list(openpyxl.load_workbook(io.BytesIO(sheet.content))["Revisjon"].values)
    assert rows[1][rows[0].index("Revisor")] == coder
    report = client.get("/revisjon/1/rapport.html")
    assert report.status_code == 200 and "Journalrevisjon" in report.text
    assert "attachment" in report.headers["content-disposition"]


def _field(html: str, name: str) -> str:
    found = re.search(rf'name="{name}" class="codes" value="([^"]*)"', html)
    assert found is not None
    return found.group(1)


def test_the_report_of_a_sample_without_reviews_says_so(lead: WebClient) -> None:
    _draw(lead)
    response = lead.get("/revisjon/1/rapport.html")
    assert response.status_code == 409 and "ingen vurderinger ennå" in response.text
    assert lead.get("/revisjon/9").status_code == 404


def test_learning_shows_the_topics_and_their_guide_sections(client: WebClient) -> None:
    page = client.get("/laering", params={"periode": "2025T1"})
    assert page.status_code == 200
    assert "Sverd og stjerne" in page.text and "Kodeveiledning 2018 §4.2 (s. 29–30)" in page.text
    assert '<a href="/regler#T02">T02</a>' in page.text
    assert 'href="/laering"' in page.text  # in the menu


def test_next_year_shows_what_the_rules_of_2024_add(client: WebClient, lead: WebClient) -> None:
    assert client.get("/neste-ar").status_code == 403
    page = lead.get("/neste-ar", params={"periode": "2022T2", "ar": "2024"})
    assert page.status_code == 200
    assert "kodet som i 2024" in page.text and "T29" in page.text and "o0" in page.text
    csv = lead.get("/neste-ar/endringer.csv", params={"periode": "2022T2", "ar": "2024"})
    assert csv.status_code == 200 and "funn;kommer;T29" in csv.text
    bad = lead.get("/neste-ar", params={"periode": "2022T2", "ar": "neste"})
    assert bad.status_code == 400


def test_a_department_code_list_is_checked(client: WebClient) -> None:
    assert "Avdelingens kodeliste" in client.get("/kodelister").text
    body = b"Kode;Egen tekst\nU07.1;Covid-19\nI10;Essensiell hypertensjon\n"
    response = client.post(
        "/kodelister",
        data={"ar": "2026"},
        files={"fil": ("favoritter.csv", body, "text/csv")},
        headers={"X-CSRF-Token": client.csrf},
    )
    assert response.status_code == 200, response.text
    assert "2 koder for 2026, 1 med problemer" in response.text
    assert "Ikke hovedtilstand i Norge" in response.text
    wrong = client.post(
        "/kodelister",
        data={"ar": "2026"},
        files={"fil": ("liste.pdf", b"%PDF", "application/pdf")},
        headers={"X-CSRF-Token": client.csrf},
    )
    assert wrong.status_code == 415
