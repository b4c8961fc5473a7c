"""Søk: code search as you type, and the code page.

`GET /sok?q=…` is the whole page (a plain form submit works without JavaScript);
`GET /sok/treff?q=…` is the result table alone, which htmx fetches while the coder types.
`GET /kode/{code}` takes a code written any way (`j128` redirects to `/kode/J12.8`).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from kodevakt.search import Hit
from kodevakt.search.searcher import SYSTEMS
from kodevakt.web import code_data
from kodevakt.web.code_page import code_page
from kodevakt.web.code_rules import DOCUMENTED, FEATURE, FIRES
from kodevakt.web.pages import render
from kodevakt.web.security import CurrentUser

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 25
SYSTEM_LABELS = {
    "": "Alle kodeverk",
    "icd10": "ICD-10",
    "ncsp": "NCSP",
    "ncmp": "NCMP",
    "ncrp": "NCRP",
}
REASON_ORDER = (FIRES, FEATURE, DOCUMENTED)

Text = Annotated[str, Query(max_length=300)]


def hits(q: str, system: str) -> list[Hit]:
    """The search's hits; an unknown system (typed into the URL) searches every system."""
    chosen = system if system in SYSTEMS else None
    return code_data.searcher().search(q, PAGE_SIZE, system=chosen)


@router.get("/sok", response_class=HTMLResponse)
def search_page(request: Request, user: CurrentUser, q: Text = "", system: Text = "") -> Response:
    return render(
        request,
        "codes/search.html",
        title="Søk",
        q=q,
        system=system,
        systems=SYSTEM_LABELS,
        hits=hits(q, system),
    )


@router.get("/sok/treff", response_class=HTMLResponse)
def search_results(
    request: Request, user: CurrentUser, q: Text = "", system: Text = ""
) -> Response:
    return render(request, "codes/results.html", q=q, hits=hits(q, system))


@router.get("/kode/{code}", response_class=HTMLResponse)
def code(request: Request, user: CurrentUser, code: str) -> Response:
    page = code_page(code_data.code_base(), code_data.checker(), code, date.today())
    if page is None:
        raise HTTPException(404, f"Koden «{code.strip()[:40]}» finnes ikke i kodeverket.")
    if page.code != code:
        return RedirectResponse(f"/kode/{quote(page.code, safe='')}", status_code=303)
    return render(
        request,
        "codes/code.html",
        title=f"{page.code} {page.info.get('title', '')}".strip(),
        page=page,
        info=page.info,
        reason_order=REASON_ORDER,
    )
