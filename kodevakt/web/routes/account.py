"""Logging in and out, the start page, and the health check for the reverse proxy."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import PlainTextResponse, RedirectResponse, Response
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from kodevakt.storage.accounts import AccountError, LoginThrottled
from kodevakt.web.pages import nav_items, render
from kodevakt.web.security import (
    LOGIN_COOKIE,
    SESSION_COOKIE,
    current_identity,
    safe_next,
    set_cookie,
)
from kodevakt.web.services import ServicesDep

router = APIRouter(include_in_schema=False)


@router.get("/healthz")
def healthz(services: ServicesDep) -> PlainTextResponse:
    """200 when the database answers, 503 when not; says nothing else (no login needed)."""
    try:
        with services.store.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except SQLAlchemyError:
        return PlainTextResponse("feil", status_code=503)
    return PlainTextResponse("ok")


@router.get("/")
def start(request: Request) -> RedirectResponse:
    """The first page of the menu the user may see."""
    items = nav_items(request)
    return RedirectResponse(items[0].href if items else "/regler", status_code=303)


def _login_page(
    request: Request,
    *,
    name: str = "",
    next_path: str = "/",
    errors: dict[str, str] | None = None,
    message: str | None = None,
    status_code: int = 200,
) -> Response:
    token = request.cookies.get(LOGIN_COOKIE) or secrets.token_urlsafe(32)
    request.state.csrf_token = token
    response = render(
        request,
        "login.html",
        status_code=status_code,
        title="Logg inn",
        name=name,
        next_path=next_path,
        errors=errors or {},
        message=message,
    )
    set_cookie(request, response, LOGIN_COOKIE, token)
    return response


@router.get("/login")
def login_form(request: Request, neste: str | None = None) -> Response:
    if current_identity(request) is not None:
        return RedirectResponse(safe_next(neste), status_code=303)
    return _login_page(request, next_path=safe_next(neste))


@router.post("/login")
def login(
    request: Request,
    services: ServicesDep,
    brukernavn: Annotated[str, Form()] = "",
    passord: Annotated[str, Form()] = "",
    neste: Annotated[str, Form()] = "/",
) -> Response:
    """Field errors for what is missing; one message for a wrong name or password (never
    which), and how long to wait after too many failures."""
    next_path = safe_next(neste)
    errors = {}
    if not brukernavn.strip():
        errors["brukernavn"] = "Skriv brukernavnet ditt."
    if not passord:
        errors["passord"] = "Skriv passordet ditt."
    if errors:
        return _login_page(
            request, name=brukernavn, next_path=next_path, errors=errors, status_code=400
        )
    client = request.client.host if request.client else "ukjent"
    try:
        user = services.accounts.authenticate(brukernavn, passord, client)
    except LoginThrottled as exc:
        return _login_page(
            request, name=brukernavn, next_path=next_path, message=_sentence(exc), status_code=429
        )
    except AccountError as exc:
        return _login_page(
            request, name=brukernavn, next_path=next_path, message=_sentence(exc), status_code=401
        )
    old = request.cookies.get(SESSION_COOKIE)
    if old:
        services.accounts.end_session(old)
    session = services.accounts.start_session(user)
    response = RedirectResponse(next_path, status_code=303)
    set_cookie(request, response, SESSION_COOKIE, session.secret)
    response.delete_cookie(LOGIN_COOKIE, path="/")
    return response


@router.post("/logout")
def logout(request: Request, services: ServicesDep) -> RedirectResponse:
    services.accounts.end_session(request.cookies.get(SESSION_COOKIE, ""))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


def _sentence(exc: AccountError) -> str:
    text_ = str(exc)
    return text_[:1].upper() + text_[1:] + "."
