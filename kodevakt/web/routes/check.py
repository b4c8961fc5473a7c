"""Sjekk episode: one episode typed into a form, checked as the coder types.

- `GET /sjekk`: an empty form (an outpatient contact today), or one filled in from the query.
- `POST /sjekk`: the whole page with the findings; what a plain form submit gets (without
  JavaScript), and a "Bruk forslaget" button there submits the form with `bruk` set.
- `POST /sjekk/funn`: the findings alone, with each field's error as an out-of-band swap;
  htmx posts the form here while the coder types.
- `POST /sjekk/bruk`: applies the fix of the finding named `bruk` and answers with the
  whole form (fields changed, checked again); htmx swaps it in place.

With a discharge summary in the form, the findings include the documentation rules D01–D07,
and the text is shown beside them with the evidence for each code marked (even before any
code is typed: what the text states, and the proposed main condition).

Every POST carries the CSRF token (form field, or htmx's header); `security.guard` checks it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace
from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from kodevakt.rules.finding import Severity
from kodevakt.web import code_data
from kodevakt.web.episode_check import Checked, check_episode, fix_named, place
from kodevakt.web.episode_form import (
    CARE_LEVELS,
    FORM,
    SEXES,
    EpisodeForm,
    apply_fix,
    read_form,
)
from kodevakt.web.pages import render
from kodevakt.web.security import CurrentUser
from kodevakt.web.services import Services, ServicesDep
from kodevakt.web.text_view import TextView, text_view

router = APIRouter(include_in_schema=False)

APPLY = "bruk"
# Every element that can hold an error; the live fragment replaces each one.
ERROR_SLOTS = (*(f.name for f in fields(EpisodeForm)), FORM)


@dataclass(frozen=True, slots=True)
class CheckView:
    """What the templates show: the form as typed, its errors, and the check (if it ran)."""

    form: EpisodeForm
    errors: dict[str, str]
    checked: Checked | None
    applied: str | None = None  # the notation after an applied suggestion
    stale: bool = False  # the suggestion asked for is no longer among the findings
    text: TextView | None = None  # the discharge summary with its evidence marked


def _view(services: Services, form: EpisodeForm, apply: str | None = None) -> CheckView:
    view = _checked_view(services, form, apply)
    episode = read_form(view.form).episode
    if episode is None or not episode.text:
        return view
    reading = code_data.reader().read(episode.text, episode)
    coded = [code for group in episode.conditions for code in group]
    coded += [code for group in episode.procedures for code in group.codes]
    return replace(view, text=text_view(reading, coded))


def _checked_view(services: Services, form: EpisodeForm, apply: str | None) -> CheckView:
    read = read_form(form)
    if read.episode is None:
        return CheckView(form, read.errors, None, stale=apply is not None)
    if not form.conditions and not form.procedures:
        return CheckView(form, {}, None)
    settings = services.settings
    checker = code_data.checker()
    checked = check_episode(read.episode, checker, settings.drg_definitions, settings.drg_weights)
    if apply is None:
        return CheckView(form, {}, checked)
    fix = fix_named(checked, apply)
    if fix is None:
        return CheckView(form, {}, checked, stale=True)
    fixed = apply_fix(form, read.episode, fix)
    reread = read_form(fixed)
    if reread.episode is None:  # a fix keeps the codes as written, so this should not happen
        return CheckView(fixed, reread.errors, None, applied=_notation(fixed))
    rechecked = check_episode(
        reread.episode, checker, settings.drg_definitions, settings.drg_weights
    )
    return CheckView(fixed, {}, rechecked, applied=_notation(fixed))


def _notation(form: EpisodeForm) -> str:
    return form.conditions + (f" | prosedyrer: {form.procedures}" if form.procedures else "")


async def _submitted(request: Request) -> tuple[EpisodeForm, str | None]:
    data = await request.form()
    submitted = {k: v for k, v in data.items() if isinstance(v, str)}
    return EpisodeForm.from_fields(submitted), submitted.get(APPLY) or None


def _page(request: Request, view: CheckView) -> Response:
    return render(request, "check/page.html", title="Sjekk episode", **_context(view))


def _context(view: CheckView) -> dict[str, Any]:
    return {
        "view": view,
        "form": view.form,
        "errors": view.errors,
        "checked": view.checked,
        "text_view": view.text,
        "sexes": SEXES,
        "care_levels": CARE_LEVELS,
        "error_slots": ERROR_SLOTS,
        "severity": Severity,
        "place": place,
    }


@router.get("/sjekk", response_class=HTMLResponse)
def check_page(request: Request, user: CurrentUser, services: ServicesDep) -> Response:
    """An empty form; fields given in the query (`?conditions=J18.9`, from a code page) are
    filled in and checked."""
    given = {k: v for k, v in request.query_params.items() if k != APPLY}
    form = EpisodeForm.from_fields({**asdict(EpisodeForm.blank(date.today())), **given})
    return _page(request, _view(services, form))


@router.post("/sjekk", response_class=HTMLResponse)
async def check_submit(request: Request, user: CurrentUser, services: ServicesDep) -> Response:
    form, apply = await _submitted(request)
    return _page(request, _view(services, form, apply))


@router.post("/sjekk/funn", response_class=HTMLResponse)
async def check_findings(request: Request, user: CurrentUser, services: ServicesDep) -> Response:
    form, _ = await _submitted(request)
    return render(request, "check/findings_live.html", **_context(_view(services, form)))


@router.post("/sjekk/bruk", response_class=HTMLResponse)
async def check_apply(request: Request, user: CurrentUser, services: ServicesDep) -> Response:
    form, apply = await _submitted(request)
    return render(request, "check/form.html", **_context(_view(services, form, apply)))
