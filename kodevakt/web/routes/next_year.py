"""Neste år: a stored period coded as if in another year (as `kodevakt simulate`).

- `GET /neste-ar?periode=…&ar=…`: the form; with both, the result: codes that become
  invalid or valid or change text, findings that appear or vanish by rule, and (with the
  server's DRG tables for both years) DRG and weight shifts by department, each with the
  episodes behind it.
- `GET /neste-ar/rapport.html` and `/neste-ar/endringer.csv` with the same parameters: the
  offline report and the CSV `kodevakt simulate` writes.

Leads and admins: a run re-checks the whole period.
"""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, Response

from kodevakt.batch.units import NO_UNITS, load_units
from kodevakt.errors import KodevaktError
from kodevakt.report.effect import DrgSources
from kodevakt.report.html import period_label
from kodevakt.simulation.html import KIND_TEXT, render_simulation
from kodevakt.simulation.run import Simulation, simulate
from kodevakt.simulation.table import write_csv
from kodevakt.storage.accounts import Role, User
from kodevakt.web import code_data
from kodevakt.web.pages import render
from kodevakt.web.security import require_role
from kodevakt.web.services import Services, ServicesDep

router = APIRouter(include_in_schema=False)
LeadUser = Annotated[User, Depends(require_role(Role.LEAD))]
Text = Annotated[str, Query(max_length=16)]
SHOWN = 20


def _run(services: Services, periode: str, ar: str) -> Simulation:
    try:
        year = int(ar)
    except ValueError:
        raise HTTPException(400, "Året må være et tall, f.eks. 2027.") from None
    settings = services.settings
    try:
        return simulate(
            services.store,
            periode,
            year,
            code_data.checker(),
            drg=DrgSources(settings.drg_definitions, settings.drg_weights),
        )
    except KodevaktError as exc:
        message = str(exc)
        raise HTTPException(400, message[:1].upper() + message[1:] + ".") from None


@router.get("/neste-ar", response_class=HTMLResponse)
def next_year_page(
    request: Request, services: ServicesDep, user: LeadUser, periode: Text = "", ar: Text = ""
) -> HTMLResponse:
    periods = list(reversed(services.store.periods()))
    result = _run(services, periode, ar) if periode.strip() and ar.strip() else None
    context: dict[str, Any] = {
        "title": "Neste år",
        "periods": periods,
        "period": periode or (periods[0] if periods else ""),
        "year": ar or str(date.today().year + 1),
        "result": result,
        "period_name": period_label(result.period) if result else "",
        "kinds": KIND_TEXT,
        "shown": SHOWN,
    }
    return render(request, "next_year.html", **context)


@router.get("/neste-ar/rapport.html")
def next_year_report(
    services: ServicesDep, user: LeadUser, periode: Text = "", ar: Text = ""
) -> Response:
    result = _run(services, periode, ar)
    try:
        units = load_units(services.settings.units_file)
    except KodevaktError:
        units = NO_UNITS
    name = f"neste-ar-{result.period}-{result.to_year}.html"
    return Response(
        render_simulation(result, units),
        media_type="text/html; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/neste-ar/endringer.csv")
def next_year_csv(
    services: ServicesDep, user: LeadUser, periode: Text = "", ar: Text = ""
) -> Response:
    result = _run(services, periode, ar)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "endringer.csv"
        write_csv(result, path)
        data = path.read_bytes()
    name = f"neste-ar-{result.period}-{result.to_year}.csv"
    return Response(
        data,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
