"""The findings API: the list with the worklist's filters and order, one finding with its
audit log, status changes, answers and assignment, roles and tokens, and the error shape."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI

from kodevakt.storage.accounts import Role
from kodevakt.web.routes.findings_api import WorkItemDetailOut, WorkPageOut
from tests.web.helpers import WebClient
from tests.web.worklist_data import OTHER, PERIOD, Imported, import_records, period_episodes

SCRIPT = "<script>alert('x')</script>"


@pytest.fixture
def imported(app_db: Path) -> Imported:
    return import_records(app_db, period_episodes())


@pytest.fixture
def call(anon: WebClient, api_token: Callable[[Role], str]) -> Callable[..., Any]:
    """`call(role, method, url, json=…, params=…)` with a new token of that role."""

    def request(role: Role, method: str, url: str, **kwargs: Any) -> Any:
        headers = {"Authorization": f"Bearer {api_token(role)}"}
        return anon.request(method, url, headers=headers, **kwargs)

    return request


def fields(response: Any) -> list[dict[str, str]]:
    error: dict[str, Any] = response.json()["error"]
    assert error["status"] == response.status_code
    fields: list[dict[str, str]] = error["fields"]
    return fields


def test_the_list_is_the_worklist_s_in_its_order_and_shape(
    call: Callable[..., Any], imported: Imported
) -> None:
    response = call(Role.CODER, "GET", "/api/findings")
    assert response.status_code == 200
    page = WorkPageOut.model_validate(response.json())  # the documented shape
    assert (page.total, page.offset, page.limit, page.ordered_by_drg_effect) == (5, 0, 50, False)
    assert [(i.episode_id, i.rule) for i in page.items] == [
        ("ep-2", "T02"),
        ("ep-1", "T02"),
        ("ep-3", "T02"),
        ("ep-5", "T29"),
        ("ep-5", "T13"),
    ]
    first = response.json()["items"][1]
    assert first["key"] == imported.key("ep-1", "T02")
    assert first["patient"] == "pas-ep-1"
    assert first["rule_title"] == "Stjernekode uten sverdkode foran seg i samme gruppe"
    assert (first["status"], first["assignee"], first["due"]) == ("open", None, "2025-05-23")
    assert first["question"] is None and first["drg_effect"] is None


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"institution": OTHER}, [("ep-3", "T02")]),
        ({"department": "KIR"}, [("ep-2", "T02")]),
        ({"rule": "T1"}, [("ep-5", "T13")]),
        ({"severity": "warning"}, [("ep-5", "T29")]),
        ({"period": "2025-T1".replace("-", ""), "status": ["accepted", "asked"]}, []),
        ({"period": PERIOD, "offset": 3, "limit": 1}, [("ep-5", "T29")]),
    ],
)
def test_filters_and_paging(
    call: Callable[..., Any],
    imported: Imported,
    params: dict[str, Any],
    expected: list[tuple[str, str]],
) -> None:
    body = call(Role.CODER, "GET", "/api/findings", params=params).json()
    assert [(i["episode_id"], i["rule"]) for i in body["items"]] == expected


def test_assignee_filters_mine_unassigned_and_by_name(
    call: Callable[..., Any], imported: Imported
) -> None:
    key = imported.key("ep-3", "T02")
    assert call(Role.LEAD, "POST", f"/api/findings/{key}/assign", json={"assignee": "koder"})
    by_name = call(Role.CODER, "GET", "/api/findings", params={"assignee": "koder"}).json()
    assert [i["key"] for i in by_name["items"]] == [key]
    unassigned = call(Role.CODER, "GET", "/api/findings", params={"unassigned": "true"}).json()
    assert unassigned["total"] == 4 and key not in [i["key"] for i in unassigned["items"]]
    both = call(Role.CODER, "GET", "/api/findings", params={"mine": "true", "unassigned": "1"})
    assert both.status_code == 422
    assert [f["field"] for f in fields(both)] == ["unassigned", "mine"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"period": "2025X1"}, "period"),
        ({"severity": "kritisk"}, "severity"),
        ({"status": "lukket"}, "status[0]"),
        ({"rule": "T-02"}, "rule"),
        ({"limit": 0}, "limit"),
        ({"offset": -1}, "offset"),
    ],
)
def test_a_bad_query_gets_422_naming_the_field(
    call: Callable[..., Any], imported: Imported, params: dict[str, Any], field: str
) -> None:
    response = call(Role.CODER, "GET", "/api/findings", params=params)
    assert response.status_code == 422
    assert [f["field"] for f in fields(response)] == [field]
    for value in params.values():
        assert str(value) not in response.json()["error"]["fields"][0]["message"]


def test_one_finding_with_its_audit_log_by_key_or_prefix(
    call: Callable[..., Any], imported: Imported
) -> None:
    key = imported.key("ep-1", "T02")
    accepted = call(
        Role.CODER,
        "POST",
        f"/api/findings/{key}/status",
        json={"status": "accepted", "comment": "Dokumentert i epikrisen"},
    )
    assert accepted.status_code == 200
    found = call(Role.CODER, "GET", f"/api/findings/{key[:6]}")
    detail = WorkItemDetailOut.model_validate(found.json())
    assert detail.key == key and detail.status == "accepted"
    assert detail.comment == "Dokumentert i epikrisen"
    [event] = found.json()["events"]
    assert event["text"] == "åpen → godtatt"
    assert (event["from_status"], event["to_status"]) == ("open", "accepted")
    assert event["by"].startswith("test-coder-") and event["comment"] == "Dokumentert i epikrisen"
    missing = call(Role.CODER, "GET", "/api/findings/ffffffffffffffff")
    assert missing.status_code == 404
    assert missing.json()["error"]["message"].startswith("Fant ikke funnet")


def test_accepting_needs_a_comment_and_asking_a_question(
    call: Callable[..., Any], imported: Imported
) -> None:
    url = f"/api/findings/{imported.key('ep-1', 'T02')}/status"
    for body, field in (
        ({"status": "accepted"}, "comment"),
        ({"status": "accepted", "comment": "  "}, "comment"),
        ({"status": "asked"}, "question"),
        ({"status": "fixed"}, "status"),
        ({"status": "accepted", "comment": "x" * 4001}, "comment"),
        ({"status": "accepted", "comment": "ok", "by": "noen"}, "by"),
        ({}, "status"),
    ):
        response = call(Role.CODER, "POST", url, json=body)
        assert response.status_code == 422, body
        assert [f["field"] for f in fields(response)] == [field], body
    assert call(Role.CODER, "GET", url.rsplit("/", 1)[0]).json()["events"] == []


def test_ask_answer_and_reopen(call: Callable[..., Any], imported: Imported) -> None:
    key = imported.key("ep-5", "T29")
    base = f"/api/findings/{key}"
    early = call(Role.CODER, "POST", f"{base}/answer", json={"answer": "Ja"})
    assert early.status_code == 409
    assert early.json()["error"]["message"] == (
        f"Funnet {key} er åpen, ikke spurt lege; still spørsmålet først."
    )
    asked = call(
        Role.CODER, "POST", f"{base}/status", json={"status": "asked", "question": "Bekreftet?"}
    ).json()
    assert asked["status"] == "asked" and asked["question"]["text"] == "Bekreftet?"
    answered = call(Role.CODER, "POST", f"{base}/answer", json={"answer": "Ja, PCR."}).json()
    assert answered["question"]["answer"] == "Ja, PCR." and answered["status"] == "asked"
    reopened = call(Role.CODER, "POST", f"{base}/status", json={"status": "open"}).json()
    assert reopened["status"] == "open"
    assert [e["text"] for e in reopened["events"]] == [
        "åpen → spurt lege",
        "svar fra lege: Ja, PCR.",
        "spurt lege → åpen",
    ]
    empty = call(Role.CODER, "POST", f"{base}/answer", json={"answer": ""})
    assert empty.status_code == 422 and fields(empty)[0]["field"] == "answer"


def test_approving_a_fix_only_where_there_is_one(
    call: Callable[..., Any], imported: Imported
) -> None:
    fixable, unfixable = imported.key("ep-5", "T29"), imported.key("ep-1", "T02")
    refused = call(
        Role.CODER, "POST", f"/api/findings/{unfixable}/status", json={"status": "approved"}
    )
    assert refused.status_code == 409
    assert refused.json()["error"]["message"] == (
        f"Funnet {unfixable} har ikke noe rettingsforslag å godkjenne."
    )
    body = {"status": "approved", "comment": "Enig med forslaget"}
    approved = call(Role.CODER, "POST", f"/api/findings/{fixable}/status", json=body)
    assert approved.status_code == 200
    found = WorkItemDetailOut.model_validate(approved.json())
    assert (found.status.value, found.comment) == ("approved", "Enig med forslaget")
    assert found.fix is not None and found.fix.conditions == [["J18.9", "U07.1"]]
    assert [e["text"] for e in approved.json()["events"]] == ["åpen → retting godkjent"]
    accept = {"status": "accepted", "comment": "Riktig likevel"}
    twice = call(Role.CODER, "POST", f"/api/findings/{fixable}/status", json=accept)
    assert twice.status_code == 409 and "åpne det igjen først" in twice.json()["error"]["message"]
    listed = call(Role.CODER, "GET", "/api/findings", params={"status": "approved"}).json()
    assert [item["key"] for item in listed["items"]] == [fixable]


def test_assigning_needs_a_lead_and_an_active_coder_or_lead(
    call: Callable[..., Any], imported: Imported
) -> None:
    url = f"/api/findings/{imported.key('ep-1', 'T02')}/assign"
    refused = call(Role.CODER, "POST", url, json={"assignee": "koder"})
    assert refused.status_code == 403
    assert "krever rollen leder" in refused.json()["error"]["message"]
    unknown = call(Role.LEAD, "POST", url, json={"assignee": "ukjent"})
    assert unknown.status_code == 422 and fields(unknown)[0]["field"] == "assignee"
    given = call(Role.LEAD, "POST", url, json={"assignee": "koder"}).json()
    assert given["assignee"] == "koder"
    assert given["events"][-1]["text"] == "tildelt: ingen → koder"
    taken = call(Role.ADMIN, "POST", url, json={"assignee": None}).json()
    assert taken["assignee"] is None


def test_an_admin_token_sees_pseudonyms(call: Callable[..., Any], imported: Imported) -> None:
    body = call(Role.ADMIN, "GET", "/api/findings").json()
    patients = {i["episode_id"]: i["patient"] for i in body["items"]}
    assert all(p.startswith("P-") and len(p) == 10 for p in patients.values())
    assert "pas-ep-1" not in str(body)
    one = call(Role.ADMIN, "GET", f"/api/findings/{imported.key('ep-1', 'T02')}").json()
    assert one["patient"] == patients["ep-1"]


def test_a_browser_session_needs_the_csrf_header_to_change(
    client: WebClient, imported: Imported
) -> None:
    url = f"/api/findings/{imported.key('ep-1', 'T02')}/status"
    body = {"status": "asked", "question": SCRIPT}
    assert client.post(url, json=body).status_code == 403
    sent = client.post(url, json=body, headers={"X-CSRF-Token": client.csrf})
    assert sent.status_code == 200 and sent.json()["question"]["text"] == SCRIPT  # JSON: data
    assert client.get("/api/findings").status_code == 200


def test_the_openapi_description_has_the_findings_api(app: FastAPI, client: WebClient) -> None:
    described = client.get("/api/openapi.json").json()
    paths = described["paths"]
    assert set(paths["/api/findings"]) == {"get"}
    assert set(paths["/api/findings/{key}"]) == {"get"}
    for action in ("status", "answer", "assign"):
        assert set(paths[f"/api/findings/{{key}}/{action}"]) == {"post"}
    schemas = described["components"]["schemas"]
    assert schemas["StatusIn"]["properties"]["status"]["enum"] == [
        "accepted",
        "approved",
        "asked",
        "open",
    ]
    assert "patient" in schemas["WorkItemOut"]["properties"]
    assert "events" in schemas["WorkItemDetailOut"]["properties"]
