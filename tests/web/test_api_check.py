"""The JSON API: POST /api/check answers what `kodevakt check --format json` prints, search and
code lookup answer what `kodevakt search` and `kodevakt code` print, bad bodies get 422."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from typer.testing import CliRunner

from kodevakt.cli import app as cli
from kodevakt.storage.accounts import Role
from tests.web.helpers import WebClient

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "episodes.jsonl"
runner = CliRunner()


@pytest.fixture
def api(app: FastAPI, api_token: Callable[[Role], str]) -> WebClient:
    """A client with a coder's API token and no cookies."""
    web = WebClient(app)
    web.headers["Authorization"] = f"Bearer {api_token(Role.CODER)}"
    return web


def cli_check(path: Path) -> str:
    result = runner.invoke(cli, ["check", str(path), "--format", "json"])
    assert result.exit_code in (0, 1), result.output
    return result.stdout


def post_check(api: WebClient, body: Any) -> Any:
    return api.post("/api/check", content=json.dumps(body, ensure_ascii=False))


def fields_of(response: Any) -> dict[str, str]:
    error = response.json()["error"]
    return {item["field"]: item["message"] for item in error["fields"]}


def test_check_answers_exactly_what_the_cli_prints(api: WebClient) -> None:
    episodes = [json.loads(line) for line in EXAMPLES.read_text(encoding="utf-8").splitlines()]
    response = post_check(api, episodes)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    expected = cli_check(EXAMPLES)
    assert response.text == expected
    assert len(json.loads(expected)) > 10  # the examples do have findings


def test_one_episode_object_is_checked_like_a_file_holding_it(
    api: WebClient, tmp_path: Path
) -> None:
    one = {
        "id": "e1",
        "patient": {"sex": "K", "age": 70},
        "care_level": "inpatient",
        "admission": "2025-03-01",
        "discharge": "2025-03-04",
        "conditions": [["H36.0"], ["E10.3"]],
    }
    path = tmp_path / "one.json"
    path.write_text(json.dumps(one), encoding="utf-8")
    response = post_check(api, one)
    assert response.text == cli_check(path)
    assert [f["rule"] for f in response.json()] == ["T02"]
    assert response.json()[0]["fix"] == {"conditions": [["E10.3", "H36.0"]], "procedures": None}


def test_an_empty_list_has_no_findings(api: WebClient) -> None:
    response = post_check(api, [])
    assert response.status_code == 200
    assert response.json() == []


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"id": "e1", "admission": "2025-13-45"}, "admission", "ikke en gyldig dato"),
        ({"patient": {"sex": "K"}}, "id", "episoden mangler id"),
        ([{"id": "a"}, {"id": "b", "care_level": "7"}], "[1].care_level", "ukjent omsorgsnivå"),
        (
            [{"id": "a", "patient": {"birth_date": "i fjor"}}],
            "[0].patient.birth_date",
            "ikke en gyldig dato",
        ),
        ([{"id": "a", "conditions": [[1, 2]]}], "[0].conditions[0]", "en kodegruppe må være"),
        ([{"id": "a"}, 3], "[1]", "posten er ikke et JSON-objekt"),
    ],
)
def test_a_malformed_episode_is_422_naming_the_field(
    api: WebClient, body: Any, field: str, message: str
) -> None:
    response = post_check(api, body)
    assert response.status_code == 422
    assert response.json()["error"]["message"] == "Episodene kunne ikke leses."
    assert fields_of(response)[field].startswith(message)


def test_every_unreadable_episode_is_named(api: WebClient) -> None:
    body = [{"id": "a", "admission": "x"}, {"id": "b"}, {"id": "c", "discharge": "y"}]
    assert list(fields_of(post_check(api, body))) == ["[0].admission", "[2].discharge"]


def test_a_body_that_is_not_json_is_422(api: WebClient) -> None:
    response = api.post("/api/check", content=b'{"id": "e1",')
    assert response.status_code == 422
    assert fields_of(response)["body"].startswith("er ikke gyldig JSON (linje 1")
    assert api.post("/api/check", content=b"\xff\xfe{").status_code == 422


def test_the_value_sent_is_never_echoed(api: WebClient) -> None:
    response = post_check(api, {"id": "e1", "patient": {"birth_date": "Kari Nordmann"}})
    assert response.status_code == 422
    assert "Kari" not in response.text


def test_check_needs_a_token_or_a_session_with_csrf(
    app: FastAPI, anon: WebClient, client: WebClient
) -> None:
    body = json.dumps({"id": "e1", "conditions": [["J18.9"]]})
    assert anon.post("/api/check", content=body).status_code == 401
    bad = WebClient(app)
    bad.headers["Authorization"] = "Bearer feil"
    assert bad.post("/api/check", content=body).status_code == 401
    assert client.post("/api/check", content=body).status_code == 403  # no CSRF header
    ok = client.post("/api/check", content=body, headers={"X-CSRF-Token": client.csrf})
    assert ok.status_code == 200


def test_search_answers_what_the_cli_prints(api: WebClient) -> None:
    response = api.get("/api/search", params={"q": "lungebetennelse", "limit": 5})
    assert response.status_code == 200
    hits = response.json()
    cli_hits = json.loads(
        runner.invoke(cli, ["search", "lungebetennelse", "-n", "5", "-f", "json"]).stdout
    )
    assert hits == cli_hits
    assert hits[0]["code"] == "J18.9"
    assert hits[0]["matched"] == "lungebetennelse → pneumoni (synonym)"


def test_search_refuses_bad_parameters_in_norwegian(api: WebClient) -> None:
    too_many = api.get("/api/search", params={"q": "kols", "limit": 5000})
    assert too_many.status_code == 422
    assert fields_of(too_many) == {"limit": "er utenfor det tillatte"}
    unknown = api.get("/api/search", params={"q": "kols", "system": "snomed"})
    assert fields_of(unknown) == {"system": "er ikke et kjent kodeverk"}
    assert fields_of(api.get("/api/search")) == {"q": "mangler"}


def test_code_lookup_extends_what_the_cli_prints(api: WebClient) -> None:
    response = api.get("/api/codes/i214a")
    assert response.status_code == 200
    found = response.json()
    cli_info = json.loads(runner.invoke(cli, ["code", "i214a", "-f", "json"]).stdout)
    assert {key: found[key] for key in cli_info} == cli_info
    assert [p["code"] for p in found["parents"]] == ["I21.4", "I21", "I20-I25", "IX"]
    assert found["years"][0]["status_text"] == "gyldig"
    assert "T26" in {rule["rule"] for rule in found["rules"]}


def test_unknown_code_is_404(api: WebClient) -> None:
    response = api.get("/api/codes/Q99.99")
    assert response.status_code == 404
    assert response.json()["error"]["message"] == "Koden finnes ikke i kodeverket."


def test_the_openapi_description_lists_the_endpoints(api: WebClient) -> None:
    spec = api.get("/api/openapi.json").json()
    paths = spec["paths"]
    assert paths["/api/check"]["post"]["summary"] == "Kontroller episoder"
    assert "requestBody" in paths["/api/check"]["post"]
    assert "FindingOut" in json.dumps(paths["/api/check"]["post"]["responses"]["200"])
    assert paths["/api/search"]["get"]["summary"] == "Søk etter koder"
    assert paths["/api/codes/{code}"]["get"]["summary"] == "Slå opp en kode"
    assert "404" in paths["/api/codes/{code}"]["get"]["responses"]
