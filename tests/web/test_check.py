"""Sjekk episode: the form, findings as you type, one-click suggestions, DRG before and after."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kodevakt.drg import load_definitions
from kodevakt.drg.weights import load_weights
from kodevakt.storage.accounts import Role
from kodevakt.web.episode_form import EpisodeForm, notation_problem, read_form
from tests.web.conftest import make_app
from tests.web.helpers import USERS, WebClient

DRG_TABLES = (
    Path(__file__).resolve().parents[1] / "fixtures" / "drg" / "DefinitionData_TEST_2020.json"
)
EPISODE = {
    "sex": "K",
    "age": "70",
    "care_level": "outpatient",
    "admission": "2025-03-04",
    "discharge": "2025-03-04",
    "procedures": "",
}


def episode(**fields: str) -> dict[str, str]:
    return {**EPISODE, **fields}


def rules_shown(page: str) -> list[str]:
    return re.findall(r'<li class="finding" data-rule="(\w+)">', page)


def field_error(page: str, name: str) -> str:
    found = re.search(rf'<p class="field-error" id="feil-{name}"[^>]*>(.*?)</p>', page, re.S)
    assert found is not None, f"no error element for {name}"
    return html.unescape(found.group(1)).strip()


def input_value(page: str, name: str) -> str:
    found = re.search(rf'<input id="{name}" name="{name}" value="([^"]*)"', page)
    assert found is not None
    return html.unescape(found.group(1))


def htmx(client: WebClient, url: str, data: dict[str, str]) -> Any:
    """A POST as htmx sends it: the form fields, the CSRF token as a header."""
    return client.post(url, data=data, headers={"X-CSRF-Token": client.csrf, "HX-Request": "true"})


def test_empty_form_has_every_field_labelled_and_a_csrf_token(client: WebClient) -> None:
    page = client.get("/sjekk")
    assert page.status_code == 200
    for name in ("sex", "age", "birth_date", "care_level", "admission", "discharge"):
        assert f'<label for="{name}">' in page.text
    for name in ("conditions", "procedures"):
        assert f'<label for="{name}">' in page.text
    assert f'name="csrf_token" value="{client.csrf}"' in page.text
    assert 'hx-post="/sjekk/funn"' in page.text
    assert "Skriv inn tilstander eller prosedyrer" in page.text


def test_a_clean_episode_has_no_errors_or_warnings(client: WebClient) -> None:
    page = client.post_form("/sjekk", episode(conditions="J18.9; I10"))
    assert page.status_code == 200
    assert "Ingen feil eller advarsler" in page.text
    assert 'class="badge sev-error"' not in page.text
    assert 'class="badge sev-warning"' not in page.text


def test_an_erroneous_episode_shows_the_rule_source_and_suggestion(client: WebClient) -> None:
    page = client.post_form("/sjekk", episode(conditions="H36.0; E10.3"))
    assert rules_shown(page.text) == ["T02"]
    assert "1 feil, 0 advarsler" in page.text
    assert "Stjernekoden H36.0 Diabetisk retinopati står alene" in page.text
    assert "Kilde: Kodeveiledning 2018 §4.2 s. 29–30" in page.text
    assert "Forslag: Flytt H36.0 inn i gruppen til E10.3: E10.3+H36.0" in page.text
    assert "(hovedtilstanden, kode 1)" in page.text
    assert 'name="bruk" value="T02:conditions[0][0]"' in page.text


def test_findings_as_you_type_are_a_fragment(client: WebClient) -> None:
    fragment = htmx(client, "/sjekk/funn", episode(conditions="H36.0; E10.3"))
    assert fragment.status_code == 200
    assert "<html" not in fragment.text
    assert rules_shown(fragment.text) == ["T02"]
    # Every field's error element is replaced too, so an old error disappears.
    assert fragment.text.count('hx-swap-oob="true"') == 10


def test_applying_the_suggestion_removes_the_finding(client: WebClient) -> None:
    before = htmx(client, "/sjekk/funn", episode(conditions="H36.0; E10.3"))
    assert rules_shown(before.text) == ["T02"]
    after = htmx(
        client, "/sjekk/bruk", episode(conditions="H36.0; E10.3", bruk="T02:conditions[0][0]")
    )
    assert after.status_code == 200
    assert after.text.startswith('<section id="sjekk"')  # the whole form, swapped in place
    assert input_value(after.text, "conditions") == "E10.3+H36.0"
    assert "T02" not in rules_shown(after.text)
    assert "Forslaget er brukt" in after.text


def test_applying_works_without_javascript(client: WebClient) -> None:
    page = client.post_form(
        "/sjekk", episode(conditions="B96.2; N30.0", bruk="T05:conditions[0][0]")
    )
    assert "<html" in page.text
    assert input_value(page.text, "conditions") == "N30.0+B96.2"
    assert "T05" not in rules_shown(page.text)


def test_a_fix_keeps_procedure_dates(client: WebClient) -> None:
    page = client.post_form(
        "/sjekk",
        episode(
            conditions="H36.0; E10.3", procedures="JKA20@2025-03-04", bruk="T02:conditions[0][0]"
        ),
    )
    assert input_value(page.text, "procedures") == "JKA20@2025-03-04"


def test_a_suggestion_no_longer_there_is_not_applied(client: WebClient) -> None:
    page = htmx(client, "/sjekk/bruk", episode(conditions="J18.9", bruk="T02:conditions[0][0]"))
    assert "Forslaget gjelder ikke lenger" in page.text
    assert input_value(page.text, "conditions") == "J18.9"


@pytest.mark.parametrize(
    ("fields", "name", "message"),
    [
        ({"admission": "2025-13-45"}, "admission", "Ikke en gyldig dato"),
        ({"discharge": "i går"}, "discharge", "Ikke en gyldig dato"),
        ({"age": "sytti"}, "age", "Ikke et tall."),
        ({"age": "-3"}, "age", "Alderen kan ikke være negativ."),
        ({"age": "", "birth_date": "31.02.1950"}, "birth_date", "Ikke en gyldig dato"),
        ({"birth_date": "1950-01-01"}, "birth_date", "Fyll ut enten alder eller fødselsdato"),
        (
            {"conditions": "J18.9 I10"},
            "conditions",
            "Gruppe 1, kode 1: flere koder uten skilletegn",
        ),
        (
            {"conditions": "J18.9; I10@2025-01-01"},
            "conditions",
            "Gruppe 2: tilstander har ingen dato",
        ),
        (
            {"procedures": "JKA20@2025-02-30"},
            "procedures",
            "Gruppe 1: datoen etter @ er ikke en gyldig dato",
        ),
        ({"sex": "X"}, "sex", "Velg kvinne, mann eller ikke oppgitt."),
        ({"care_level": "7"}, "care_level", "Velg poliklinisk, dagbehandling eller døgnopphold."),
    ],
)
def test_each_bad_field_gets_its_own_norwegian_error(
    client: WebClient, fields: dict[str, str], name: str, message: str
) -> None:
    data = episode(**{"conditions": "J18.9", **fields})
    page = client.post_form("/sjekk", data)
    assert page.status_code == 200
    assert field_error(page.text, name).startswith(message)
    assert f'id="{name}" name="{name}"' in page.text
    assert "Rett feltene som er merket" in page.text
    assert not rules_shown(page.text)
    live = htmx(client, "/sjekk/funn", data)
    assert field_error(live.text, name).startswith(message)


def test_errors_never_quote_the_value_typed() -> None:
    secret = "Ola Nordmann 010203"
    for name in ("admission", "birth_date", "age"):
        read = read_form(EpisodeForm(**{"conditions": "J18.9", name: secret}))  # type: ignore[arg-type]
        assert name in read.errors
        assert "Ola" not in read.errors[name]


def test_notation_accepts_what_the_normaliser_mends() -> None:
    for written in ("j128", "J12,8", "H36.0*", "E10.3†+H36.0", "ZXA 05", "J12.8+U07.1; I10;"):
        assert notation_problem(written, dated=False) is None, written


def test_script_in_any_field_is_inert(client: WebClient) -> None:
    attack = '"><script>alert(1)</script>'
    fields = ("age", "birth_date", "admission", "discharge", "conditions", "procedures", "sex")
    page = client.post_form("/sjekk", episode(**{name: attack for name in fields}))
    assert page.status_code == 200
    assert "<script>alert(1)</script>" not in page.text
    assert input_value(page.text, "conditions") == attack  # shown back as typed, as text


def test_a_post_without_the_csrf_token_is_refused(client: WebClient) -> None:
    for url in ("/sjekk", "/sjekk/funn", "/sjekk/bruk"):
        response = client.post(url, data=episode(conditions="J18.9"))
        assert response.status_code == 403, url


@pytest.fixture
def drg_client(
    app_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[WebClient]:
    """A coder on an application with the 2020 test DRG tables (tests/fixtures/drg)."""
    monkeypatch.setenv("KODEVAKT_CACHE_DIR", str(tmp_path / "cache"))
    weights = tmp_path / "vekter_2020.csv"
    weights.write_text("drg;vekt\n60;1,25\n61;0,75\n290;0,5\n", encoding="utf-8")
    application = make_app(
        app_db,
        drg_definitions=load_definitions(DRG_TABLES),
        drg_weights=load_weights(str(weights)),
    )
    with WebClient(application) as web:
        assert web.login(*USERS[Role.CODER]).status_code == 303
        yield web
    application.state.services.store.close()


def test_drg_before_and_after_each_fix(drg_client: WebClient) -> None:
    dated = {"admission": "2020-03-01", "discharge": "2020-03-04", "care_level": "inpatient"}
    page = drg_client.post_form("/sjekk", episode(conditions="E10.3; H36.0", **dated))
    assert rules_shown(page.text) == ["T02"]
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", page.text))
    assert "DRG som kodet: 290 (MDC 10, vekt 0,5000)" in text
    assert "DRG 290 (MDC 10) → 60 (MDC 02), vekt 0,5000 → 1,2500 (+0,7500)" in text
    assert "Rettingen flytter episoden fra DRG 290 (MDC 10) til DRG 60 (MDC 02)." in text


def test_drg_for_a_year_without_tables_says_so(drg_client: WebClient) -> None:
    page = drg_client.post_form("/sjekk", episode(conditions="E10.3; H36.0"))
    assert "DRG vises ikke: ingen DRG-definisjonstabeller for år 2025 (lastet: 2020)." in page.text
    assert rules_shown(page.text) == ["T02"]


def test_a_failing_grouper_leaves_the_findings(
    drg_client: WebClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise ValueError("Kari Nordmann")

    monkeypatch.setattr("kodevakt.web.episode_check.episode_effects", broken)
    dated = {"admission": "2020-03-01", "discharge": "2020-03-04", "care_level": "inpatient"}
    page = drg_client.post_form("/sjekk", episode(conditions="E10.3; H36.0", **dated))
    assert page.status_code == 200
    assert rules_shown(page.text) == ["T02"]
    assert "DRG kunne ikke beregnes for denne episoden." in page.text
    assert "Kari" not in page.text


def test_a_code_page_links_to_a_check_filled_in_with_the_code(client: WebClient) -> None:
    code_page = client.get("/kode/H36.0")
    assert 'href="/sjekk?conditions=H36.0"' in code_page.text
    page = client.get("/sjekk", params={"conditions": "H36.0"})
    assert input_value(page.text, "conditions") == "H36.0"
    assert rules_shown(page.text) == ["T02"]
    procedure = client.get("/kode/JKA20")
    assert 'href="/sjekk?procedures=JKA20"' in procedure.text
