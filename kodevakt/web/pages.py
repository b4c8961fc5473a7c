"""Rendering a page: the template with the frame every page shares (`base.html`).

`render(request, "page.html", title=…, …)` adds `user` (None on the login page), `csrf_token`
(every form posts it as field `csrf_token`; htmx sends it as a header), `nav` (the menu,
only entries whose page exists in this application) and `request`. Templates autoescape:
a value from the data is text in the page, never markup.

Filters: `time` (a datetime in Norwegian form, Oslo time), `day` (a date as 31.12.2025).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from kodevakt.storage.accounts import Role
from kodevakt.web.routing import app_routes
from kodevakt.web.security import current_identity

TEMPLATES = Path(__file__).parent / "templates"
OSLO = ZoneInfo("Europe/Oslo")

# The menu, in order: label, path, and the lowest role that sees it.
NAV: tuple[tuple[str, str, Role], ...] = (
    ("Søk", "/sok", Role.CODER),
    ("Sjekk episode", "/sjekk", Role.CODER),
    ("Arbeidsliste", "/arbeidsliste", Role.CODER),
    ("Oversikt", "/oversikt", Role.CODER),
    ("Læring", "/laering", Role.CODER),
    ("Revisjon", "/revisjon", Role.CODER),
    ("Neste år", "/neste-ar", Role.LEAD),
    ("Kodelister", "/kodelister", Role.CODER),
    ("Import", "/import", Role.LEAD),
    ("Regler", "/regler", Role.CODER),
    ("Brukere", "/brukere", Role.LEAD),
)


@dataclass(frozen=True)
class NavItem:
    label: str
    href: str
    current: bool


def _time(value: datetime | None) -> str:
    if value is None:
        return "–"
    return value.astimezone(OSLO).strftime("%d.%m.%Y kl. %H:%M")


def _day(value: date | None) -> str:
    return "–" if value is None else value.strftime("%d.%m.%Y")


templates = Jinja2Templates(directory=TEMPLATES)
templates.env.filters["time"] = _time
templates.env.filters["day"] = _day


def _page_paths(request: Request) -> frozenset[str]:
    """The GET paths this application serves (cached on the application)."""
    state = request.app.state
    found: frozenset[str] | None = getattr(state, "page_paths", None)
    if found is None:
        found = frozenset(
            route.path
            for route in app_routes(request.app)
            if route.path is not None and "GET" in (route.methods or ())
        )
        state.page_paths = found
    return found


def nav_items(request: Request) -> list[NavItem]:
    identity = current_identity(request)
    if identity is None:
        return []
    paths = _page_paths(request)
    here = request.url.path
    return [
        NavItem(label, href, here == href or here.startswith(href + "/"))
        for label, href, role in NAV
        if href in paths and identity.user.may(role)
    ]


def render(
    request: Request, template: str, *, status_code: int = 200, **context: Any
) -> HTMLResponse:
    """The page `template` (in templates/) with the shared frame's context added."""
    identity = current_identity(request)
    csrf = getattr(request.state, "csrf_token", None)
    if csrf is None and identity is not None and identity.session is not None:
        csrf = identity.session.csrf_token
    frame = {
        "user": identity.user if identity is not None else None,
        "csrf_token": csrf or "",
        "nav": nav_items(request),
    }
    return templates.TemplateResponse(
        request, template, {**frame, **context}, status_code=status_code
    )
