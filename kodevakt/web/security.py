"""Who is asking, and may they: sessions, API tokens, roles and CSRF, for every route.

`guard` runs before every route of the application (it is an application-wide dependency,
so a new route cannot forget it): apart from `PUBLIC_PATHS` (the login page and /healthz) a
request needs a live session cookie, or on /api/ an `Authorization: Bearer` API token. Without
one a page answers 303 to /login (an htmx request: 401 with `HX-Redirect`), the API 401.

CSRF: a state change (POST, PUT, PATCH, DELETE) from a cookie session must carry the
session's token, as form field `csrf_token` or header `X-CSRF-Token` (htmx sends the header,
set on <body> by base.html); otherwise 403. Requests with a Bearer token carry no cookies a
third site could make a browser send, so they need none. The login form, posted before any
session exists, uses a double-submit cookie (`LOGIN_COOKIE`) the same way.

Routes ask for the user with `CurrentUser` and for a role with `require_role(Role.LEAD)`
(that role or a higher one; 403 with a Norwegian text otherwise). An API token acts with its
own role, never more.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, HTTPException, Request, Response
from fastapi.responses import RedirectResponse
from starlette.concurrency import run_in_threadpool

from kodevakt.storage.accounts import Role, Session, User
from kodevakt.web.services import Services

__all__ = [
    "CSRF_FIELD",
    "CSRF_HEADER",
    "LOGIN_COOKIE",
    "PUBLIC_PATHS",
    "SESSION_COOKIE",
    "CurrentUser",
    "Identity",
    "NotLoggedIn",
    "Role",
    "User",
    "current_user",
    "guard",
    "is_api",
    "require_role",
]

SESSION_COOKIE = "kodevakt_sesjon"
LOGIN_COOKIE = "kodevakt_innlogging"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
PUBLIC_PATHS = frozenset({"/login", "/healthz"})
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class NotLoggedIn(Exception):
    """No valid session or token; `errors.py` turns it into a redirect or a 401."""

    def __init__(self, message: str = "du må logge inn") -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Identity:
    """The user of a request and, for a cookie login, its session (None for an API token)."""

    user: User
    session: Session | None


def is_api(request: Request) -> bool:
    path = request.url.path
    return path == "/api" or path.startswith("/api/")


def _services(request: Request) -> Services:
    found: Services = request.app.state.services
    return found


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" else None


def identify(request: Request) -> Identity | None:
    """The request's user from its Bearer token (API only) or its session cookie."""
    accounts = _services(request).accounts
    token = _bearer(request) if is_api(request) else None
    if token is not None:
        user = accounts.token_user(token)
        if user is None:
            raise NotLoggedIn("ugyldig eller tilbakekalt API-token")
        return Identity(user, None)
    session = accounts.session(request.cookies.get(SESSION_COOKIE, ""))
    return Identity(session.user, session) if session is not None else None


async def _sent_csrf(request: Request) -> str:
    sent = request.headers.get(CSRF_HEADER)
    if sent is not None:
        return sent
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        value = (await request.form()).get(CSRF_FIELD)
        return value if isinstance(value, str) else ""
    return ""


async def _require_csrf(request: Request, expected: str) -> None:
    sent = await _sent_csrf(request)
    if not expected or not secrets.compare_digest(sent.encode(), expected.encode()):
        raise HTTPException(
            403,
            "Skjemaet mangler et gyldig sikkerhetsmerke (CSRF). Last siden på nytt og prøv igjen.",
        )


async def guard(request: Request) -> None:
    """Application-wide: identify the user, refuse without login, check CSRF on changes."""
    unsafe = request.method in UNSAFE_METHODS
    if request.url.path in PUBLIC_PATHS:
        request.state.identity = await run_in_threadpool(identify, request)
        if unsafe:
            await _require_csrf(request, request.cookies.get(LOGIN_COOKIE, ""))
        return
    identity = await run_in_threadpool(identify, request)
    if identity is None:
        raise NotLoggedIn()
    request.state.identity = identity
    if unsafe and identity.session is not None:
        await _require_csrf(request, identity.session.csrf_token)


def current_identity(request: Request) -> Identity | None:
    """The identity `guard` found (None on a public page without login)."""
    found: Identity | None = getattr(request.state, "identity", None)
    return found


def current_user(request: Request) -> User:
    identity = current_identity(request)
    if identity is None:
        raise NotLoggedIn()
    return identity.user


CurrentUser = Annotated[User, Depends(current_user)]


def require_role(*roles: Role) -> Callable[[Request], User]:
    """A dependency admitting users whose role includes one of `roles` (a lead may do what a
    coder may, an admin what a lead may); others get 403."""
    if not roles:
        raise ValueError("require_role needs at least one role")
    lowest = min(roles, key=lambda role: role.rank)

    def allowed(request: Request) -> User:
        user = current_user(request)
        if not user.may(lowest):
            raise HTTPException(
                403, f"Du har ikke tilgang til dette. Det krever rollen {lowest.label}."
            )
        return user

    return allowed


def login_redirect(request: Request) -> Response:
    """Where a page request without login goes: the login page, then back here."""
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    location = "/login" if target == "/" else f"/login?neste={quote(target, safe='')}"
    if request.headers.get("hx-request") == "true":
        return Response(status_code=401, headers={"HX-Redirect": location})
    return RedirectResponse(location, status_code=303)


def safe_next(target: str | None) -> str:
    """A local path to go to after login; anything else (another host) goes to /."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return "/"
    return target


def set_cookie(
    request: Request, response: Response, name: str, value: str, *, max_age: int | None = None
) -> None:
    """A cookie with the flags every kodevakt cookie has: HttpOnly, SameSite=Lax, path /,
    and Secure unless the settings turned that off."""
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path="/",
        httponly=True,
        samesite="lax",
        secure=_services(request).settings.secure_cookies,
    )
