"""POST /api/fhir/check: a FHIR Bundle in, an OperationOutcome with the findings out."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi import FastAPI

from kodevakt.storage.accounts import Role
from tests.web.helpers import WebClient

BUNDLE = Path(__file__).resolve().parents[2] / "examples" / "bundle.json"


@pytest.fixture
def api(app: FastAPI, api_token: Callable[[Role], str]) -> WebClient:
    web = WebClient(app)
    web.headers["Authorization"] = f"Bearer {api_token(Role.CODER)}"
    return web


def test_findings_come_back_as_an_operation_outcome(api: WebClient) -> None:
    bundle = json.loads(BUNDLE.read_text(encoding="utf-8"))
    encounter = next(e for e in bundle["entry"] if e["resource"]["resourceType"] == "Encounter")
    condition = next(
        e["resource"]
        for e in bundle["entry"]
        if e["resource"]["resourceType"] == "Condition"
        and e["resource"]["encounter"]["reference"] == f"Encounter/{encounter['resource']['id']}"
    )
    condition["code"]["coding"][0]["code"] = "U07.1"  # not allowed first in the main condition
    bundle["entry"].append(
        {
            "resource": {
                "resourceType": "Procedure",
                "id": "løs",
                "status": "completed",
                "subject": {"reference": "Patient/x"},
                "encounter": {"reference": "Encounter/finnes-ikke"},
                "code": {
                    "coding": [{"system": "urn:oid:2.16.578.1.12.4.1.1.7275", "code": "JKA20"}]
                },
            }
        }
    )
    response = api.post("/api/fhir/check", content=json.dumps(bundle))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/fhir+json")
    outcome = response.json()
    assert outcome["resourceType"] == "OperationOutcome"
    rules = [i["details"].get("coding", [{}])[0].get("code") for i in outcome["issue"]]
    assert "T04" in rules
    finding = outcome["issue"][rules.index("T04")]
    assert finding["severity"] == "error" and finding["code"] == "business-rule"
    assert finding["expression"][0].startswith("Bundle.entry[")
    missing = [i for i in outcome["issue"] if i["code"] == "not-found"]
    assert missing and "«Encounter/finnes-ikke»" in missing[0]["details"]["text"]


def test_a_body_that_is_no_json_is_refused_as_an_operation_outcome(api: WebClient) -> None:
    response = api.post("/api/fhir/check", content="{ikke json")
    assert response.status_code == 400
    assert response.json()["issue"][0]["severity"] == "error"
