"""Brukere: who may log in, and the API tokens (roles enforced here, not only in the page).

A lead sees the users and may add coders (a team's lead brings in its coders); an admin may
add users of any role, deactivate and reactivate them (which ends their sessions) and revoke
API tokens. Tokens are created with `kodevakt token create`, so a secret is only ever shown
in the administrator's terminal. `/api/me` tells an API caller who its token is.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from kodevakt.storage.accounts import AccountError, Role, User, check_name, check_password
from kodevakt.web.pages import render
from kodevakt.web.security import CurrentUser, require_role
from kodevakt.web.services import ServicesDep

router = APIRouter()
LeadUser = Annotated[User, Depends(require_role(Role.LEAD))]
AdminUser = Annotated[User, Depends(require_role(Role.ADMIN))]


def _page(
    request: Request,
    services: ServicesDep,
    user: User,
    *,
    errors: dict[str, str] | None = None,
    form: dict[str, str] | None = None,
    notice: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    return render(
        request,
        "users.html",
        status_code=status_code,
        title="Brukere",
        users=services.accounts.users(),
        tokens=services.accounts.tokens() if user.may(Role.ADMIN) else [],
        roles=[role for role in Role if user.may(Role.ADMIN) or role is Role.CODER],
        errors=errors or {},
        form=form or {"navn": "", "rolle": Role.CODER.value},
        notice=notice,
    )


@router.get("/brukere", response_class=HTMLResponse, include_in_schema=False)
def users_page(
    request: Request, services: ServicesDep, user: LeadUser, melding: str | None = None
) -> HTMLResponse:
    notices = {
        "lagt-til": "Brukeren er lagt til.",
        "deaktivert": "Brukeren er deaktivert og logget ut.",
        "aktivert": "Brukeren er aktivert igjen.",
        "tilbakekalt": "Tokenet er tilbakekalt.",
    }
    return _page(request, services, user, notice=notices.get(melding or ""))


@router.post("/brukere", include_in_schema=False)
def add_user(
    request: Request,
    services: ServicesDep,
    user: LeadUser,
    navn: Annotated[str, Form()] = "",
    rolle: Annotated[str, Form()] = "",
    passord: Annotated[str, Form()] = "",
) -> Response:
    """Field errors in the form; a lead asking for anything but a coder is refused (403)."""
    errors: dict[str, str] = {}
    try:
        role = Role(rolle)
    except ValueError:
        errors["rolle"] = "Velg en rolle."
        role = Role.CODER
    if not user.may(Role.ADMIN) and role is not Role.CODER:
        raise HTTPException(403, "Bare en administrator kan legge til ledere og administratorer.")
    for field, check in (
        ("navn", lambda: check_name(navn)),
        ("passord", lambda: check_password(passord)),
    ):
        try:
            check()
        except AccountError as exc:
            errors[field] = _sentence(exc)
    if not errors:
        try:
            services.accounts.add_user(navn, role, passord)
        except AccountError as exc:
            errors["navn"] = _sentence(exc)
    if errors:
        form = {"navn": navn, "rolle": role.value}
        return _page(request, services, user, errors=errors, form=form, status_code=400)
    return RedirectResponse("/brukere?melding=lagt-til", status_code=303)


@router.post("/brukere/{name}/deaktiver", include_in_schema=False)
def deactivate(name: str, services: ServicesDep, user: AdminUser) -> RedirectResponse:
    if name == user.name:
        raise HTTPException(400, "Du kan ikke deaktivere deg selv.")
    _change(lambda: services.accounts.set_active(name, False))
    return RedirectResponse("/brukere?melding=deaktivert", status_code=303)


@router.post("/brukere/{name}/aktiver", include_in_schema=False)
def activate(name: str, services: ServicesDep, user: AdminUser) -> RedirectResponse:
    _change(lambda: services.accounts.set_active(name, True))
    return RedirectResponse("/brukere?melding=aktivert", status_code=303)


@router.post("/tokens/{name}/tilbakekall", include_in_schema=False)
def revoke_token(name: str, services: ServicesDep, user: AdminUser) -> RedirectResponse:
    _change(lambda: services.accounts.revoke_token(name))
    return RedirectResponse("/brukere?melding=tilbakekalt", status_code=303)


@router.get("/api/me", tags=["konto"])
def me(user: CurrentUser) -> dict[str, Any]:
    """Who the caller is: name, role, and whether it sees patient identifiers."""
    return {
        "name": user.name,
        "role": user.role.value,
        "token": user.via_token,
        "sees_identifiers": user.sees_identifiers,
    }


@router.get("/api/tokens", tags=["konto"])
def tokens(services: ServicesDep, user: AdminUser) -> list[dict[str, Any]]:
    """Every API token (never its secret): name, role, created, last used, revoked (admin)."""
    return [
        {
            "name": token.name,
            "role": token.role.value,
            "created_at": token.created_at.isoformat(),
            "last_used_at": token.last_used_at.isoformat() if token.last_used_at else None,
            "revoked_at": token.revoked_at.isoformat() if token.revoked_at else None,
        }
        for token in services.accounts.tokens()
    ]


def _change(action: Any) -> None:
    try:
        action()
    except AccountError as exc:
        raise HTTPException(404, _sentence(exc)) from None


def _sentence(exc: AccountError) -> str:
    text = str(exc)
    return text[:1].upper() + text[1:] + "."
