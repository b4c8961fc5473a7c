"""`POST /api/text`: discharge summaries in, what `kodevakt text --format json` prints out.

The body is one object `{"id": …, "text": …}` or a list of them (`id` optional); the answer
is a list with one reading per text: `{"id", "main", "codes": [...]}` (docs/text.md). The
texts are read in memory and forgotten: never stored, never logged, and the evidence goes
only to the caller.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from kodevakt.web import code_data
from kodevakt.web.errors import api_error
from kodevakt.web.routes.api import MAX_BODY, ErrorOut, read_limited
from kodevakt.web.security import CurrentUser

router = APIRouter(prefix="/api", tags=["API"])

MAX_TEXTS = 1000
INLINE_TEXTS = 5  # up to this many are read on the event loop (a few milliseconds each)


@dataclass
class EvidenceOut:
    start: int
    end: int
    text: str


@dataclass
class CodeOut:
    """One code the text points to (docs/text.md)."""

    code: str
    certainty: str
    section: str
    evidence: EvidenceOut
    kind: str
    title: str
    proposed: bool


@dataclass
class ReadingOut:
    id: str | None
    main: str | None
    codes: list[CodeOut]


_TEXT = {
    "type": "object",
    "required": ["text"],
    "properties": {"id": {"type": "string"}, "text": {"type": "string"}},
    "example": {"id": "e1", "text": "Diagnoser: Pneumoni. Ingen tegn til lungeemboli."},
}
_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": {"oneOf": [_TEXT, {"type": "array", "items": _TEXT}]}}
        },
    }
}


@router.post(
    "/text",
    summary="Les epikriser",
    description=(
        'Én tekst `{"id": …, "text": …}` eller en liste av dem. Svaret er det '
        "`kodevakt text --format json` skriver: per tekst tilstandene og prosedyrene med "
        "kode, sikkerhet, seksjon og belegg, og foreslått hovedtilstand. Teksten lagres ikke "
        f"og logges ikke. Høyst {MAX_TEXTS} tekster per kall."
    ),
    response_model=list[ReadingOut],
    responses={
        401: {"model": ErrorOut, "description": "Mangler eller ugyldig API-token"},
        413: {"model": ErrorOut, "description": "For stor forespørsel"},
        422: {"model": ErrorOut, "description": "Ugyldig forespørsel; `fields` navngir feltene"},
    },
    openapi_extra=_BODY,
)
async def read_texts(request: Request, user: CurrentUser) -> Response:
    raw = await read_limited(request)
    if raw is None:
        return api_error(413, f"Forespørselen er for stor (høyst {MAX_BODY >> 20} MB).")
    texts, problems = _texts(raw)
    if problems:
        return api_error(422, "Tekstene kunne ikke leses.", problems)
    if len(texts) > INLINE_TEXTS:
        body = await run_in_threadpool(_read, texts)
    else:
        body = _read(texts)
    return JSONResponse(body)


def _read(texts: list[tuple[str | None, str]]) -> list[dict[str, Any]]:
    reader = code_data.reader()
    return [reader.read(text).to_dict(text_id) for text_id, text in texts]


def _texts(raw: bytes) -> tuple[list[tuple[str | None, str]], list[tuple[str, str]]]:
    """(id, text) of every text in the body, or the problems (field, message) that refuse it;
    a message never quotes what was sent."""
    try:
        data = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        return [], [("body", "er ikke gyldig JSON i UTF-8")]
    single = not isinstance(data, list)
    items = [data] if single else data
    if len(items) > MAX_TEXTS:
        return [], [("body", f"har over {MAX_TEXTS} tekster; del listen opp i flere kall")]
    texts: list[tuple[str | None, str]] = []
    problems: list[tuple[str, str]] = []
    for i, item in enumerate(items):
        where = "body" if single else f"body[{i}]"
        if not isinstance(item, dict) or not isinstance(item.get("text"), str):
            problems.append((f"{where}.text", "mangler, eller er ikke tekst"))
            continue
        text_id = item.get("id")
        wrong_id = not isinstance(text_id, str | int) or isinstance(text_id, bool)
        if text_id is not None and wrong_id:
            problems.append((f"{where}.id", "må være tekst eller et tall"))
            continue
        texts.append((None if text_id is None else str(text_id), item["text"]))
    return texts, problems
