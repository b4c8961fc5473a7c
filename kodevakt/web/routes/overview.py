"""Oversikt: per unit the work on a period's findings and the batch report's content, with
the offline report and the worklist to download.

- `GET /oversikt?periode=…&institusjon=…`: the latest period and every institution unless
  chosen; progress per unit, then (when the period's stored results are current) findings
  by severity and rule, the DRG effect, the indicators with funnel plots and trends, and the
  patterns (`overview_view`).
- `POST /oversikt/beregn` (leads): compute stale pattern findings and indicator values again,
  as a background job; 303 to its page (`/import/{job}`).
- `GET /oversikt/rapport.html?periode=…[&institusjon=…]`: the offline HTML report, as
  `kodevakt report` writes it (with the server's DRG tables and units file).
- `GET /oversikt/arbeidsliste.xlsx` and `.csv` `?periode=…[&institusjon=…][&status=…]`: the
  worklist, as `kodevakt worklist` writes it (`status`: open, asked, approved, accepted,
  fixed, all).

The downloads are pseudonymised for every role, as the CLI's files are: a file leaves the
application and its access control. A period whose stored results are stale is refused
with 409 and what to do, since a download must not start a pattern run either.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from starlette.background import BackgroundTask

from kodevakt.errors import KodevaktError
from kodevakt.pipeline import Pipeline
from kodevakt.report import fmt
from kodevakt.report.data import collect_worklist
from kodevakt.report.html import period_label, render_report
from kodevakt.report.worklist import write_worklist
from kodevakt.storage import FindingStatus, parse_period
from kodevakt.storage.accounts import Role, User
from kodevakt.web import code_data
from kodevakt.web.import_jobs import ImportJobs
from kodevakt.web.overview_view import ORDER, Overview, signed
from kodevakt.web.pages import render
from kodevakt.web.security import CurrentUser, require_role

router = APIRouter(include_in_schema=False)
LeadUser = Annotated[User, Depends(require_role(Role.LEAD))]
Text = Annotated[str, Query(max_length=64)]

LIST_STATUSES = {
    "open": [FindingStatus.OPEN],
    "asked": [FindingStatus.ASKED],
    "approved": [FindingStatus.APPROVED],
    "accepted": [FindingStatus.ACCEPTED],
    "fixed": [FindingStatus.FIXED],
    "all": list(FindingStatus),
}
STATUS_LABELS = (
    ("open", "åpne"),
    ("asked", "spurt lege"),
    ("approved", "med godkjent retting"),
    ("accepted", "godtatt"),
    ("fixed", "rettet"),
    ("all", "alle"),
)
NOTICES = {"oppdatert": "Alt var allerede oppdatert; ingenting måtte beregnes på nytt."}
_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _period(overview: Overview, periode: str) -> str:
    """The period asked for (the latest stored one when none is); 400 when it cannot be
    read, 404 when nothing is stored for it."""
    periods = overview.periods()
    if not periode.strip():
        if not periods:
            raise HTTPException(404, "Ingen episoder er lest inn ennå.")
        return periods[-1]
    try:
        period = parse_period(periode)
    except KodevaktError as exc:
        raise HTTPException(400, _sentence(str(exc))) from None
    if period not in periods:
        known = ", ".join(periods) or "ingen"
        raise HTTPException(
            404, f"Ingen data for perioden {period}. Perioder i databasen: {known}."
        )
    return period


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


def _stale_refusal(stale: list[str]) -> HTTPException:
    return HTTPException(
        409,
        f"Mønsterfunnene og kvalitetsindikatorene for {', '.join(stale)} er ikke oppdatert "
        "etter siste innlesing. En leder kan beregne dem på nytt fra Oversikt-siden; last ned "
        "igjen når det er gjort.",
    )


@router.get("/oversikt", response_class=HTMLResponse)
def overview_page(
    request: Request,
    user: CurrentUser,
    periode: Text = "",
    institusjon: Text = "",
    melding: Text = "",
) -> Response:
    overview = Overview.of(request)
    periods = overview.periods()
    context: dict[str, Any] = {
        "periods": periods,
        "units_problem": overview.units_problem,
        "notice": NOTICES.get(melding),
        "may_import": user.may(Role.LEAD),
        "statuses": STATUS_LABELS,
        "period_label": period_label,
        "fmt": fmt,
        "severities": ORDER,
        "signed": signed,
    }
    if not periods:
        return render(request, "overview/empty.html", title="Oversikt", **context)
    period = _period(overview, periode)
    institution = institusjon.strip() or None
    stale = overview.stale(period)
    panels, report_error = None, None
    if not stale:
        try:
            panels = overview.panels(overview.report(period, institution))
        except KodevaktError as exc:  # no pseudonym key for PostgreSQL, and the like
            report_error = _sentence(str(exc))
    return render(
        request,
        "overview/page.html",
        title=f"Oversikt {period}",
        period=period,
        institution=institution or "",
        institutions=overview.institutions(period),
        institution_name=overview.units.institution_text(institution) if institution else "",
        progress=overview.progress(period, institution),
        stale=stale,
        panels=panels,
        report_error=report_error,
        drg_loaded=overview.drg is not None,
        **context,
    )


@router.post("/oversikt/beregn")
def recompute(
    request: Request, user: LeadUser, periode: Annotated[str, Form(max_length=64)] = ""
) -> Response:
    """Compute the stale pattern results behind the period's report again (a job)."""
    overview = Overview.of(request)
    period = _period(overview, periode)
    stale = overview.stale(period)
    if not stale:
        return RedirectResponse(f"/oversikt?periode={period}&melding=oppdatert", status_code=303)
    job = ImportJobs.of(request, code_data.checker).start_patterns(stale, user.name)
    return RedirectResponse(f"/import/{job.id}", status_code=303)


@router.get("/oversikt/rapport.html")
def report_file(
    request: Request, user: CurrentUser, periode: Text = "", institusjon: Text = ""
) -> Response:
    overview = Overview.of(request)
    period = _period(overview, periode)
    stale = overview.stale(period)
    if stale:
        raise _stale_refusal(stale)
    institution = institusjon.strip() or None
    try:
        data = overview.report(period, institution)
    except KodevaktError as exc:
        raise HTTPException(500, f"Rapporten kunne ikke lages: {_sentence(str(exc))}") from None
    name = f"kodevakt-rapport-{period}{f'-{institution}' if institution else ''}.html"
    return Response(
        render_report(data, overview.units),
        media_type="text/html; charset=utf-8",
        headers={"Content-Disposition": _attachment(name)},
    )


@router.get("/oversikt/arbeidsliste.xlsx")
@router.get("/oversikt/arbeidsliste.csv")
def worklist_file(
    request: Request,
    user: CurrentUser,
    periode: Text = "",
    institusjon: Text = "",
    status: Text = "open",
) -> Response:
    overview = Overview.of(request)
    period = _period(overview, periode)
    if status not in LIST_STATUSES:
        raise HTTPException(400, "Velg status: open, asked, approved, accepted, fixed eller all.")
    stale = overview.stale(period, trend=False)
    if stale:
        raise _stale_refusal(stale)
    institution = institusjon.strip() or None
    suffix = Path(request.url.path).suffix
    folder = Path(tempfile.mkdtemp(prefix="kodevakt-arbeidsliste-"))
    path = folder / f"arbeidsliste-{period}{suffix}"
    try:
        rows = collect_worklist(
            Pipeline(overview.store, code_data.checker()),
            period,
            institution,
            statuses=LIST_STATUSES[status],
        )
        place = (
            f", institusjon {overview.units.institution_text(institution)}" if institution else ""
        )
        write_worklist(rows, path, title=f"Arbeidsliste {period}{place}", units=overview.units)
    except BaseException as exc:
        _remove(folder)
        if isinstance(exc, KodevaktError):
            raise HTTPException(
                500, f"Arbeidslisten kunne ikke lages: {_sentence(str(exc))}"
            ) from None
        raise
    return FileResponse(
        path,
        media_type=XLSX if suffix == ".xlsx" else "text/csv; charset=utf-8",
        headers={"Content-Disposition": _attachment(path.name)},
        background=BackgroundTask(_remove, folder),
    )


def _attachment(name: str) -> str:
    """The download header for a file name of letters, digits, `.`, `-` and `_` only (the
    institution comes from the query)."""
    return f'attachment; filename="{_UNSAFE_NAME.sub("_", name)}"'


def _remove(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)
