"""The JSON API for patient systems and scripts: check episodes, search codes, look a code up.

Each answer is what the matching CLI command prints with `--format json`: `POST /api/check`
is `kodevakt check` (byte for byte, see `kodevakt.web.api_check`), `GET /api/search` is
`kodevakt search`, `GET /api/codes/{code}` is `kodevakt code` with the code page's additions
(codes under it, validity per year, the rules that concern it). Callers authenticate with
`Authorization: Bearer <token>` (`kodevakt token create`); errors have the one shape of
`kodevakt.web.errors`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from kodevakt.web import code_data
from kodevakt.web.api_check import MAX_EPISODES, findings_json, read_body
from kodevakt.web.code_page import code_page
from kodevakt.web.errors import api_error, field_name
from kodevakt.web.routes.codes import SYSTEM_LABELS
from kodevakt.web.security import CurrentUser

router = APIRouter(prefix="/api", tags=["API"])

MAX_BODY = 20 * 1024 * 1024  # bytes; about 40 000 typical episodes, far above MAX_EPISODES
INLINE_EPISODES = 20  # up to this many are checked on the event loop (about a millisecond each)


@dataclass
class FindingOut:
    """One finding (`Finding.to_dict`); `episodes` only on findings about a whole unit."""

    episode_id: str
    rule: str
    name: str
    severity: str
    message: str
    codes: list[str]
    location: str
    source: str
    suggestion: str | None
    rule_year: int
    fix: dict[str, list[list[str]] | None] | None


@dataclass
class HitOut:
    """One search hit; `matched` says in Norwegian why the code was found."""

    code: str
    text: str
    system: str
    score: float
    matched: str


@dataclass
class CodeOut:
    """`kodevakt code --format json` plus `child_codes`, `years` and `rules`."""

    input: str
    code: str
    normalised: list[str]
    status: str
    status_text: str
    system: str | None
    release: str | None
    child_codes: list[dict[str, Any]]
    years: list[dict[str, Any]]
    rules: list[dict[str, Any]]


@dataclass
class ErrorBody:
    status: int
    message: str
    fields: list[dict[str, str]]


@dataclass
class ErrorOut:
    error: ErrorBody


_PATIENT = {
    "type": "object",
    "properties": {
        "id": {"type": "string", "description": "pseudonym"},
        "sex": {"type": "string", "description": "M, K (også mann/kvinne, 1/2), 0 eller 9"},
        "birth_date": {"type": "string", "format": "date"},
        "age": {"type": "integer", "description": "år ved innskrivning"},
        "age_days": {"type": "integer"},
    },
}
_GROUPS = {"type": "array", "items": {"type": "array", "items": {"type": "string"}}}
_EPISODE = {
    "type": "object",
    "required": ["id"],
    "description": "Episode i utvekslingsformatet (docs/formats.md).",
    "properties": {
        "id": {"type": "string"},
        "patient": _PATIENT,
        "institution": {"type": "string"},
        "department": {"type": "string"},
        "care_level": {"type": "string", "description": "inpatient, day, outpatient (1, 2, 3)"},
        "urgency": {"type": "string", "description": "acute, elective (1–4)"},
        "admission": {"type": "string", "description": "ÅÅÅÅ-MM-DD eller med klokkeslett"},
        "discharge": {"type": "string"},
        "transferred_from": {"type": "string"},
        "transferred_to": {"type": "string"},
        "conditions": {**_GROUPS, "description": "tilstandsgrupper, hovedtilstanden først"},
        "text": {
            "type": "string",
            "description": "epikrisen; da kontrolleres også om den støtter kodene (D01–D07)",
        },
        "procedures": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "codes": {"type": "array", "items": {"type": "string"}},
                    "date": {"type": "string", "format": "date"},
                },
            },
        },
    },
    "example": {
        "id": "e1",
        "patient": {"sex": "K", "age": 70},
        "care_level": "inpatient",
        "admission": "2025-03-01",
        "discharge": "2025-03-04",
        "conditions": [["H36.0"], ["E10.3"]],
    },
}
_CHECK_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "oneOf": [_EPISODE, {"type": "array", "items": _EPISODE}],
                }
            }
        },
    }
}
_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorOut, "description": "Mangler eller ugyldig API-token"},
    422: {"model": ErrorOut, "description": "Ugyldig forespørsel; `fields` navngir feltene"},
}


@router.post(
    "/check",
    summary="Kontroller episoder",
    description=(
        "Én episode eller en liste i utvekslingsformatet. Svaret er nøyaktig det "
        "`kodevakt check --format json` skriver for de samme episodene: en liste av funn. "
        f"Høyst {MAX_EPISODES} episoder per kall. Kan en episode ikke leses, avvises hele "
        "kallet med 422 og feltet navngitt."
    ),
    response_model=list[FindingOut],
    responses={**_ERRORS, 413: {"model": ErrorOut, "description": "For stor forespørsel"}},
    openapi_extra=_CHECK_BODY,
)
async def check(request: Request, user: CurrentUser) -> Response:
    raw = await read_limited(request)
    if raw is None:
        return api_error(413, f"Forespørselen er for stor (høyst {MAX_BODY >> 20} MB).")
    episodes, problems = read_body(raw)
    if problems:
        fields = [(field_name(problem.loc), problem.message) for problem in problems]
        return api_error(422, "Episodene kunne ikke leses.", fields)
    checker = code_data.checker()
    if len(episodes) > INLINE_EPISODES:  # a batch: checked in a worker thread, so that the
        # other requests are not held up meanwhile
        body = await run_in_threadpool(findings_json, episodes, checker)
    else:  # the call at the moment of coding: a thread hop would cost more than the check
        body = findings_json(episodes, checker)
    return Response(body, media_type="application/json")


async def read_limited(request: Request) -> bytes | None:
    """The body, read no further than `MAX_BODY` (None beyond it). A form body the CSRF check
    already read (a browser session posting a form here) is no JSON: it reads as empty."""
    raw = bytearray()
    try:
        async for chunk in request.stream():
            raw += chunk
            if len(raw) > MAX_BODY:
                return None
    except RuntimeError:  # Starlette: the stream was consumed by the form parser
        return b""
    return bytes(raw)


@router.get(
    "/search",
    summary="Søk etter koder",
    description="Samme treff som `kodevakt search --format json`: ord, forkortelser, "
    "skrivefeil eller kodebiter.",
    response_model=list[HitOut],
    responses=_ERRORS,
)
async def search(
    user: CurrentUser,
    q: Annotated[str, Query(max_length=300, description="Det du leter etter")],
    limit: Annotated[int, Query(ge=1, le=1000, description="Høyst så mange treff")] = 10,
    system: Annotated[
        str | None, Query(description="Bare dette kodeverket: icd10, ncsp, ncmp, ncrp")
    ] = None,
    chapter: Annotated[
        str | None,
        Query(
            max_length=20, description="Bare dette ICD-10-kapitlet (X) eller under koden (J09-J18)"
        ),
    ] = None,
) -> Response:
    if system is not None and system not in SYSTEM_LABELS:
        return api_error(422, "Ugyldig forespørsel.", [("system", "er ikke et kjent kodeverk")])
    hits = code_data.searcher().search(q, limit, system=system or None, chapter=chapter)
    return JSONResponse([hit.to_dict() for hit in hits])


@router.get(
    "/codes/{code}",
    summary="Slå opp en kode",
    description="Det `kodevakt code --format json` viser, pluss underkodene, gyldighet per "
    "innlastet år og reglene som gjelder koden (med grunn). 404 når koden ikke finnes.",
    response_model=CodeOut,
    responses={**_ERRORS, 404: {"model": ErrorOut, "description": "Koden finnes ikke"}},
)
def code(user: CurrentUser, code: str) -> Response:
    page = code_page(code_data.code_base(), code_data.checker(), code, date.today())
    if page is None:
        return api_error(404, "Koden finnes ikke i kodeverket.")
    return JSONResponse(page.to_dict())
