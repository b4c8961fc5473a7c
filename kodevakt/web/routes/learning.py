"""Læring: a period's error profile per department by topic of the coding guide.

`GET /laering?periode=…&institusjon=…` (the latest period unless chosen): for each topic
(main condition, dagger and asterisk, sepsis, cancer, diabetes, pregnancy, procedures …)
the guide sections that teach it, its rules (linked to their pages), the share of episodes
with a finding, and the departments with more of it than chance explains; then the whole
profile per department. The same profile is in the batch report (`batch.topics`).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse

from kodevakt.batch.compare import MIN_DENOMINATOR
from kodevakt.batch.topics import MIN_FLAGGED
from kodevakt.batch.units import NO_UNITS, load_units
from kodevakt.errors import KodevaktError
from kodevakt.report.data import learning_profile
from kodevakt.report.html import period_label
from kodevakt.storage import parse_period
from kodevakt.web.pages import render
from kodevakt.web.security import CurrentUser
from kodevakt.web.services import ServicesDep

router = APIRouter(include_in_schema=False)
Text = Annotated[str, Query(max_length=64)]


@router.get("/laering", response_class=HTMLResponse)
def learning_page(
    request: Request,
    services: ServicesDep,
    user: CurrentUser,
    periode: Text = "",
    institusjon: Text = "",
) -> HTMLResponse:
    store = services.store
    periods = store.periods()
    if not periods:
        return render(request, "learning.html", title="Læring", profile=None, periods=[])
    try:
        period = parse_period(periode) if periode.strip() else periods[-1]
    except KodevaktError as exc:
        raise HTTPException(400, str(exc).capitalize() + ".") from None
    if period not in periods:
        raise HTTPException(404, f"Ingen episoder er lest inn for {period}.")
    institution = institusjon.strip() or None
    try:
        units = load_units(services.settings.units_file)
        units_problem = None
    except KodevaktError as exc:
        units, units_problem = NO_UNITS, str(exc)
    profile = learning_profile(store, period, institution)
    context: dict[str, Any] = {
        "title": "Læring",
        "period": period,
        "period_name": period_label(period),
        "periods": list(reversed(periods)),
        "institution": institusjon,
        "profile": profile,
        "name": lambda unit: units.department_text(institution, unit),
        "least": MIN_DENOMINATOR,
        "flagged": MIN_FLAGGED,
        "stale": not store.patterns_stored(period),
        "units_problem": units_problem,
    }
    return render(request, "learning.html", **context)
