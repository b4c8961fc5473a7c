"""`POST /api/fhir/check`: a FHIR R4 Bundle in, the findings back as an OperationOutcome.

A patient system (DIPS Arena, Helseplattformen) calls the checker in its own language: the
Bundle is read by kodevakt's FHIR reader (docs/formats.md, section 9), every Encounter is
checked with the rules `kodevakt check` runs without options, and the answer is one
OperationOutcome. Each finding is an issue: severity error/warning/information as the
finding's, code `business-rule` (`informational` for info), the rule in `details.coding`
(system `urn:kodevakt:fhir:rule`, code = rule code, display = rule name), the Norwegian
message in `details.text`, the place in the episode and the suggestion in `diagnostics`, and
the Encounter in `expression` (`Bundle.entry[i].resource`). A resource that cannot be read
is an issue of severity error, code `structure` (`not-found` for a reference that points
nowhere), naming the resource and field. Without any issue the outcome holds one
information issue ("Ingen funn.").
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from kodevakt.episodes.fhir_reader import NOWHERE, read_fhir_text
from kodevakt.episodes.model import Episode
from kodevakt.episodes.records import Rejected
from kodevakt.errors import InputError
from kodevakt.rules.engine import Checker
from kodevakt.rules.finding import Finding, Severity
from kodevakt.web import code_data
from kodevakt.web.security import CurrentUser

router = APIRouter(prefix="/api/fhir", tags=["FHIR"])

MAX_BODY = 20 * 1024 * 1024
MEDIA_TYPE = "application/fhir+json"
RULE_SYSTEM = "urn:kodevakt:fhir:rule"
_SEVERITY = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "information"}
NAME = "forespørselen"


@router.post(
    "/check",
    summary="Kontroller en FHIR-bundle",
    description=(
        "En FHIR R4 Bundle (eller NDJSON) med Encounter, Condition, Procedure og Patient. "
        "Svaret er en OperationOutcome med ett issue per funn og per ressurs som ikke kan "
        "leses (docs/formats.md, avsnitt 9)."
    ),
)
async def check(request: Request, user: CurrentUser) -> Response:
    raw = bytearray()
    async for chunk in request.stream():
        raw += chunk
        if len(raw) > MAX_BODY:
            return _outcome([_issue("error", "too-long", "Bundelen er for stor.")], 413)
    try:
        text = bytes(raw).decode("utf-8-sig")
    except UnicodeDecodeError:
        return _outcome([_issue("error", "structure", "Bundelen er ikke UTF-8.")], 400)
    checker = code_data.checker()
    try:
        issues = await run_in_threadpool(check_bundle, text, checker)
    except InputError as exc:
        return _outcome(
            [_issue("error", "structure", f"Bundelen kan ikke leses: {exc.message}")], 400
        )
    return _outcome(issues, 200)


def check_bundle(text: str, checker: Checker) -> list[dict[str, Any]]:
    """The issues for a Bundle's text: one per rejected resource, then one per finding."""
    episodes: list[Episode] = []
    issues = []
    for record in read_fhir_text(text, NAME):
        if isinstance(record, Rejected):
            issues.append(_rejection(record))
        else:
            episodes.append(record)
    places = {episode.id: episode.source.line for episode in episodes if episode.source}
    issues.extend(_finding(found, places) for found in checker.check(episodes))
    return issues or [_issue("information", "informational", "Ingen funn.")]


def _finding(found: Finding, places: dict[str, int]) -> dict[str, Any]:
    severity = _SEVERITY[found.severity]
    issue = _issue(
        severity,
        "informational" if found.severity is Severity.INFO else "business-rule",
        found.message,
    )
    issue["details"]["coding"] = [
        {"system": RULE_SYSTEM, "code": found.rule, "display": found.name}
    ]
    notes = [f"episode {found.episode_id}"] if found.episode_id else []
    if found.location:
        notes.append(found.location)
    if found.suggestion:
        notes.append(f"forslag: {found.suggestion}")
    issue["diagnostics"] = "; ".join(notes)
    entry = places.get(found.episode_id)
    if entry is not None:
        issue["expression"] = [f"Bundle.entry[{entry - 1}].resource"]
    return issue


def _rejection(rejected: Rejected) -> dict[str, Any]:
    code = "not-found" if rejected.message.endswith(NOWHERE) else "structure"
    where = rejected.position or f"oppføring {rejected.line}"
    field = f", felt «{rejected.field}»" if rejected.field else ""
    return _issue("error", code, f"{where}{field}: {rejected.message}")


def _issue(severity: str, code: str, text: str) -> dict[str, Any]:
    return {"severity": severity, "code": code, "details": {"text": text}}


def _outcome(issues: list[dict[str, Any]], status: int) -> Response:
    body = {"resourceType": "OperationOutcome", "issue": issues}
    return Response(json.dumps(body, ensure_ascii=False), status_code=status, media_type=MEDIA_TYPE)
