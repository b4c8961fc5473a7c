"""Errors as the user sees them: Norwegian pages, and one JSON shape for the API.

No response ever shows a traceback: an unexpected exception is logged (with an id) and the
user gets a short Norwegian page or JSON naming that id. Under /api/ every error is JSON::

    {"error": {"status": 422, "message": "Ugyldig forespørsel.",
               "fields": [{"field": "episodes[0].sex", "message": "mangler"}]}}

`fields` is empty except for 422, where it names each field that was wrong (never the value
sent, which may be a patient's). `api_error` builds the same shape for routes that refuse on
their own.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterable, Mapping, Sequence
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from kodevakt.errors import StorageError
from kodevakt.web.pages import render
from kodevakt.web.security import NotLoggedIn, is_api, login_redirect

log = logging.getLogger("kodevakt.web")

MESSAGES = {
    400: "Forespørselen kunne ikke forstås.",
    401: "Du må logge inn.",
    403: "Du har ikke tilgang til dette.",
    404: "Siden finnes ikke.",
    405: "Denne handlingen er ikke tillatt her.",
    413: "Forespørselen er for stor.",
    422: "Ugyldig forespørsel.",
    500: "Det oppstod en feil i kodevakt.",
    503: "Databasen svarer ikke nå. Prøv igjen om litt.",
}
TITLES = {
    400: "Feil i forespørselen",
    403: "Ingen tilgang",
    404: "Fant ikke siden",
    405: "Ikke tillatt",
    413: "For stor forespørsel",
    422: "Feil i skjemaet",
    500: "Noe gikk galt",
    503: "Databasen svarer ikke",
}
_LOCATIONS = {"body", "query", "path", "header", "cookie"}


def api_error(
    status: int,
    message: str,
    fields: Iterable[tuple[str, str]] = (),
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    """The API's error response: `fields` as (field, message) pairs."""
    body = {
        "error": {
            "status": status,
            "message": message,
            "fields": [{"field": field, "message": text} for field, text in fields],
        }
    }
    return JSONResponse(body, status_code=status, headers=dict(headers or {}))


def field_name(location: Sequence[Any]) -> str:
    """`("body", "episodes", 0, "sex")` → `episodes[0].sex`."""
    parts = list(location)
    if len(parts) > 1 and parts[0] in _LOCATIONS:
        parts = parts[1:]
    name = ""
    for part in parts:
        if isinstance(part, int):
            name += f"[{part}]"
        else:
            name += f".{part}" if name else str(part)
    return name or "body"


def field_message(error_type: str) -> str:
    """Pydantic's error kind in Norwegian (its own message may quote the value sent)."""
    if error_type == "missing":
        return "mangler"
    if error_type in ("json_invalid", "json_type"):
        return "er ikke gyldig JSON"
    if error_type == "extra_forbidden":
        return "er ikke et kjent felt"
    if error_type in ("literal_error", "enum"):
        return "har en verdi som ikke er tillatt"
    if error_type.endswith("_parsing") or error_type.startswith(("date", "time")):
        return "kan ikke leses"
    if error_type.endswith("_type"):
        return "har feil type"
    if error_type.startswith(("too_", "greater_", "less_", "string_too", "list_too")):
        return "er utenfor det tillatte"
    return "er ugyldig"


def _message(status: int, detail: object) -> str:
    """The Norwegian detail a route gave, or the standard text for the status."""
    try:
        standard = HTTPStatus(status).phrase
    except ValueError:
        standard = ""
    if isinstance(detail, str) and detail and detail != standard:
        return detail
    return MESSAGES.get(status, "Forespørselen kunne ikke utføres.")


def _page(request: Request, status: int, message: str, **context: Any) -> Response:
    return render(
        request,
        "error.html",
        status_code=status,
        title=TITLES.get(status, "Feil"),
        status=status,
        message=message,
        **context,
    )


async def _not_logged_in(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, NotLoggedIn)
    if is_api(request):
        return api_error(
            401,
            exc.message[:1].upper() + exc.message[1:] + ".",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return login_redirect(request)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    message = _message(exc.status_code, exc.detail)
    headers = dict(exc.headers or {})
    if is_api(request):
        return api_error(exc.status_code, message, headers=headers)
    response = _page(request, exc.status_code, message)
    response.headers.update(headers)
    return response


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    fields = [
        (field_name(error.get("loc", ())), field_message(str(error.get("type", ""))))
        for error in exc.errors()
    ]
    if is_api(request):
        return api_error(422, MESSAGES[422], fields)
    return _page(request, 422, "Skjemaet inneholdt feil.", fields=fields)


async def _storage_error(request: Request, exc: Exception) -> Response:
    incident = secrets.token_hex(4)
    log.error("databasefeil %s i %s %s: %s", incident, request.method, request.url.path, exc)
    message = f"{MESSAGES[503]} (feil-id {incident})"
    if is_api(request):
        return api_error(503, message)
    return _page(request, 503, message)


async def _unexpected(request: Request, exc: Exception) -> Response:
    incident = secrets.token_hex(4)
    log.error("uventet feil %s i %s %s", incident, request.method, request.url.path, exc_info=exc)
    message = f"{MESSAGES[500]} Feilen er logget med id {incident}."
    if is_api(request):
        return api_error(500, message)
    return _page(request, 500, message)


def install(app: FastAPI) -> None:
    app.add_exception_handler(NotLoggedIn, _not_logged_in)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StorageError, _storage_error)
    app.add_exception_handler(Exception, _unexpected)
