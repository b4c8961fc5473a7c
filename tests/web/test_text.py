"""The discharge summary in the web workplace: Sjekk episode, the finding page, POST /api/text."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi import FastAPI
from typer.testing import CliRunner

from kodevakt.cli import app as cli
from kodevakt.storage.accounts import Role
from tests.storage.helpers import episode
from tests.web.helpers import WebClient
from tests.web.worklist_data import import_records

TEXT = "Diagnoser:\nPneumoni\nAnamnese: Mor hadde brystkreft. Ingen tegn til lungeemboli."
FORM = {
    "sex": "K",
    "age": "80",
    "care_level": "inpatient",
    "admission": "2025-03-01",
    "discharge": "2025-03-04",
    "procedures": "",
}


def rules_shown(page: str) -> list[str]:
    return re.findall(r'<li class="finding" data-rule="(\w+)">', page)


def test_the_check_page_marks_the_evidence_beside_the_findings(client: WebClient) -> None:
    page = client.post_form("/sjekk", {**FORM, "conditions": "I10; I26.9", "text": TEXT})
    assert page.status_code == 200
    assert {"D01", "D02", "D03"} <= set(rules_shown(page.text))
    assert "«Ingen tegn til lungeemboli»" in page.text
    assert 'class="two text-and-findings"' in page.text
    assert '<mark class="belegg cert-affirmed" title="J18.9: bekreftet (Diagnoser)"' in page.text
    assert '<mark class="belegg cert-negated"' in page.text
    assert '<mark class="belegg cert-family"' in page.text
    row = re.search(r"<tr class=\"cert-affirmed\">.*?J18\.9.*?</tr>", page.text, re.S)
    assert row is not None and "<strong>nei</strong>" in row.group()  # stated, not coded


def test_the_text_alone_shows_what_it_states(client: WebClient) -> None:
    page = client.post_form("/sjekk", {**FORM, "conditions": "", "text": TEXT})
    assert 'Foreslått hovedtilstand fra teksten: <span class="code">J18.9</span>' in page.text
    assert "for å sjekke episoden mot epikrisen" in page.text


def test_the_text_is_escaped(client: WebClient) -> None:
    page = client.post_form(
        "/sjekk", {**FORM, "conditions": "J18.9", "text": "<script>x()</script> Pneumoni."}
    )
    assert "<script>x()" not in page.text
    assert "&lt;script&gt;" in page.text


def test_without_a_text_the_page_is_as_before(client: WebClient) -> None:
    page = client.post_form("/sjekk", {**FORM, "conditions": "J18.9; I10"})
    assert "epikrise-tekst" not in page.text
    assert not [r for r in rules_shown(page.text) if r.startswith("D")]


@pytest.fixture
def api(app: FastAPI, api_token: Callable[[Role], str]) -> WebClient:
    web = WebClient(app)
    web.headers["Authorization"] = f"Bearer {api_token(Role.CODER)}"
    return web


def test_api_text_answers_what_the_cli_prints(api: WebClient, tmp_path: Path) -> None:
    body = [{"id": "a", "text": TEXT}, {"text": "Innlagt med NSTEMI, PCI av LAD."}]
    response = api.post("/api/text", content=json.dumps(body))
    assert response.status_code == 200
    path = tmp_path / "t.jsonl"
    path.write_text(json.dumps(body[0]) + "\n", encoding="utf-8")
    printed = CliRunner().invoke(cli, ["text", str(path), "--format", "json"]).stdout
    assert response.json()[0] == json.loads(printed)[0]
    assert response.json()[1]["id"] is None and response.json()[1]["main"] == "I21.4"


def test_api_text_refuses_a_body_without_text_naming_the_field(api: WebClient) -> None:
    response = api.post("/api/text", content=json.dumps([{"id": "a", "text": 3}]))
    assert response.status_code == 422
    assert response.json()["error"]["fields"] == [
        {"field": "body[0].text", "message": "mangler, eller er ikke tekst"}
    ]


def test_api_text_needs_a_login(anon: WebClient) -> None:
    assert anon.post("/api/text", content=json.dumps({"text": TEXT})).status_code == 401


def test_api_check_reads_the_text_field(api: WebClient) -> None:
    record = episode("e1", [["I10"], ["I26.9"]], text=TEXT)
    found = api.post("/api/check", content=json.dumps(record)).json()
    assert {"D01", "D03"} <= {f["rule"] for f in found}


def test_the_finding_page_shows_the_stored_text_to_coders_only(
    app_db: Path, client_as: Callable[[Role], WebClient]
) -> None:
    imported = import_records(app_db, [episode("ep-t", [["I10"], ["I26.9"]], text=TEXT)])
    key = imported.key("ep-t", "D03")
    coder = client_as(Role.CODER).get(f"/arbeidsliste/{key}")
    assert coder.status_code == 200
    assert "epikrise-tekst" in coder.text and "Ingen tegn til lungeemboli" in coder.text
    admin = client_as(Role.ADMIN).get(f"/arbeidsliste/{key}")
    assert admin.status_code == 200
    assert "epikrise-tekst" not in admin.text  # pseudonymised readers do not get free text
