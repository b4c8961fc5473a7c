"""Kodelister: a department's own code list checked for a year (as `kodevakt codelist check`).

- `GET /kodelister`: the form (the list as CSV or xlsx, and the year).
- `POST /kodelister` (multipart): the list checked code by code against the year's code
  lists and rules: not valid or not reportable, a new official text, not a main condition
  in Norway, unspecific where the list could offer the specific codes, an own text that no
  longer matches. The file is read and deleted; nothing is stored.
"""

from __future__ import annotations

import shutil
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from starlette.datastructures import UploadFile

from kodevakt.codelists.check import check_list
from kodevakt.errors import KodevaktError
from kodevakt.web import code_data
from kodevakt.web.pages import render
from kodevakt.web.security import CurrentUser
from kodevakt.web.upload_check import safe_name

router = APIRouter(include_in_schema=False)
MAX_BYTES = 5 * 1024 * 1024
SUFFIXES = (".csv", ".xlsx", ".txt")


def _page(
    request: Request,
    *,
    year: str,
    result: Any = None,
    error: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    context: dict[str, Any] = {
        "title": "Kodelister",
        "year": year,
        "result": result,
        "error": error,
    }
    return render(request, "codelists.html", status_code=status_code, **context)


@router.get("/kodelister", response_class=HTMLResponse)
def codelists_page(request: Request, user: CurrentUser) -> HTMLResponse:
    return _page(request, year=str(date.today().year + 1))


@router.post("/kodelister", response_class=HTMLResponse)
async def check_codelist(request: Request, user: CurrentUser) -> HTMLResponse:
    async with request.form(max_files=1, max_fields=10) as submitted:  # closes the upload
        year_text = str(submitted.get("ar") or "").strip()
        upload = submitted.get("fil")
        if not year_text.isdigit():
            return _page(request, year=year_text, error="Oppgi året som et tall.", status_code=400)
        if not isinstance(upload, UploadFile) or not upload.filename:
            return _page(request, year=year_text, error="Velg kodelisten.", status_code=400)
        name = safe_name(upload.filename)
        if Path(name).suffix.lower() not in SUFFIXES:
            return _page(
                request,
                year=year_text,
                error="Kodelisten må være en CSV- eller xlsx-fil.",
                status_code=415,
            )
        data = await upload.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        return _page(
            request, year=year_text, error="Kodelisten er større enn 5 MB.", status_code=413
        )
    folder = Path(tempfile.mkdtemp(prefix="kodevakt-kodeliste-"))
    try:
        path = folder / name
        path.write_bytes(data)
        result = check_list(path, int(year_text), code_data.code_base(), code_data.searcher())
    except KodevaktError as exc:
        return _page(request, year=year_text, error=str(exc), status_code=400)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return _page(request, year=year_text, result=result)
