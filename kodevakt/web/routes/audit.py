"""Journalrevisjon: samples for record review, the review of each episode, the report.

- `GET /revisjon`: the stored samples, with how many episodes each auditor has reviewed, and
  (for leads) the form that draws a new one; `POST /revisjon/trekk` draws it (as
  `kodevakt audit sample`) and opens it.
- `GET /revisjon/{sample}`: the drawn episodes, each with the user's own verdict so far,
  and the downloads: the worksheet (`arbeidsark.xlsx`, with the user as auditor) and the
  report (`rapport.html`, as `kodevakt audit report` writes it, with the server's DRG tables).
- `GET /revisjon/{sample}/{nr}`: one episode as drawn (codes, kodevakt's rules) and the
  review form: verdict, the auditor's codes (the coded ones to start from), a reason per
  change, comment. `POST` stores it as the logged-in user's review (two auditors each keep
  their own) and goes on to the next episode the user has not reviewed.

Every coder may review; drawing a sample is a lead's work. The worksheet and report hold
episode ids but no patient ids.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from kodevakt.audit.frame import Stratifier
from kodevakt.audit.html import render_audit
from kodevakt.audit.results import audit_results
from kodevakt.audit.review import (
    REASON_TEXT,
    VERDICT_TEXT,
    Coding,
    Contradiction,
    Reason,
    Verdict,
    settled,
)
from kodevakt.audit.samples import SampleRequest, describe, draw_sample, new_seed
from kodevakt.audit.sampling import Allocation
from kodevakt.audit.worksheet import Sheet, coded, row_cells, write_worksheet
from kodevakt.batch.units import load_units
from kodevakt.episodes.notation import parse_conditions
from kodevakt.errors import KodevaktError
from kodevakt.report.effect import DrgSources
from kodevakt.storage import audits as stored
from kodevakt.storage.accounts import Role, User
from kodevakt.storage.audits import ReviewRow, SampleEpisode, StoredSample
from kodevakt.web.pages import render
from kodevakt.web.security import CurrentUser, require_role
from kodevakt.web.services import Services, ServicesDep

router = APIRouter(include_in_schema=False)
LeadUser = Annotated[User, Depends(require_role(Role.LEAD))]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_SIZE = 2000
NOTICES = {"lagret": "Vurderingen er lagret.", "ferdig": "Du har vurdert alle episodene."}
STRATA = {s.value: s.norwegian for s in Stratifier}
ALLOCATIONS = {Allocation.PROPORTIONAL.value: "proporsjonal", Allocation.EQUAL.value: "lik"}


def _sample(services: Services, sample_id: int) -> tuple[StoredSample, list[SampleEpisode]]:
    try:
        return (
            stored.get_sample(services.store.engine, sample_id),
            stored.sample_episodes(services.store.engine, sample_id),
        )
    except stored.UnknownSample:
        raise HTTPException(404, f"Utvalg {sample_id} finnes ikke.") from None


def _groups(groups: tuple[tuple[str, ...], ...]) -> str:
    return "; ".join("+".join(group) for group in groups)


@router.get("/revisjon", response_class=HTMLResponse)
def samples_page(
    request: Request, services: ServicesDep, user: CurrentUser, melding: str | None = None
) -> HTMLResponse:
    return _list(request, services, user, notice=NOTICES.get(melding or ""))


def _list(
    request: Request,
    services: ServicesDep,
    user: User,
    *,
    notice: str | None = None,
    error: str | None = None,
    form: dict[str, Any] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    engine = services.store.engine
    listed = []
    for sample in stored.samples(engine):
        counts: dict[str, int] = {}
        for review in stored.reviews(engine, sample.id):
            counts[review.auditor] = counts.get(review.auditor, 0) + 1
        listed.append((sample, describe(sample), sorted(counts.items())))
    periods = services.store.periods()
    context: dict[str, Any] = {
        "title": "Journalrevisjon",
        "samples": listed,
        "periods": list(reversed(periods)),
        "strata": STRATA,
        "allocations": ALLOCATIONS,
        "may_draw": user.may(Role.LEAD),
        "notice": notice,
        "error": error,
        "form": form or {"size": "100", "allocation": "proportional", "chosen": []},
    }
    return render(request, "audit/samples.html", status_code=status_code, **context)


@router.post("/revisjon/trekk")
def draw(
    request: Request,
    services: ServicesDep,
    user: LeadUser,
    periode: Annotated[str, Form(max_length=16)],
    storrelse: Annotated[str, Form(max_length=8)] = "100",
    strata: Annotated[list[str] | None, Form()] = None,
    fordeling: Annotated[str, Form(max_length=16)] = "proportional",
    fro: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    chosen = [s for s in strata or [] if s in STRATA]
    form = {
        "period": periode,
        "size": storrelse,
        "allocation": fordeling,
        "chosen": chosen,
        "seed": fro,
    }
    try:
        size = int(storrelse)
        seed = int(fro) if fro.strip() else new_seed()
    except ValueError:
        return _list(
            request,
            services,
            user,
            error="Størrelse og frø må være hele tall.",
            form=form,
            status_code=400,
        )
    if not 1 <= size <= MAX_SIZE:
        return _list(
            request,
            services,
            user,
            error=f"Størrelsen må være 1 til {MAX_SIZE}.",
            form=form,
            status_code=400,
        )
    if fordeling not in ALLOCATIONS:
        raise HTTPException(400, "Ukjent fordeling.")
    strata_chosen = tuple(Stratifier(s) for s in chosen)
    drg = DrgSources(services.settings.drg_definitions, services.settings.drg_weights)
    request_ = SampleRequest(
        periode, size, seed, strata_chosen, Allocation(fordeling), by=user.name
    )
    try:
        sample = draw_sample(services.store, request_, drg)
    except KodevaktError as exc:
        message = str(exc)
        return _list(
            request,
            services,
            user,
            error=message[:1].upper() + message[1:] + ".",
            form=form,
            status_code=400,
        )
    return RedirectResponse(f"/revisjon/{sample.id}", status_code=303)


@router.get("/revisjon/{sample_id}", response_class=HTMLResponse)
def sample_page(
    request: Request,
    services: ServicesDep,
    user: CurrentUser,
    sample_id: int,
    melding: str | None = None,
) -> HTMLResponse:
    sample, episodes = _sample(services, sample_id)
    mine = {r.position: r for r in stored.reviews(services.store.engine, sample_id, user.name)}
    rows = []
    for drawn in episodes:
        codes = coded(drawn)
        review = mine.get(drawn.position)
        rows.append(
            {
                "drawn": drawn,
                "main": _groups(codes.conditions[:1]),
                "others": _groups(codes.conditions[1:]),
                "verdict": VERDICT_TEXT[Verdict(review.verdict)] if review else "",
            }
        )
    context: dict[str, Any] = {
        "title": f"Journalrevisjon: utvalg {sample.id}",
        "sample": sample,
        "design": describe(sample),
        "rows": rows,
        "done": len(mine),
        "notice": NOTICES.get(melding or ""),
    }
    return render(request, "audit/sample.html", **context)


@router.get("/revisjon/{sample_id}/arbeidsark.xlsx")
def worksheet_file(services: ServicesDep, user: CurrentUser, sample_id: int) -> Response:
    sample, episodes = _sample(services, sample_id)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "arbeidsark.xlsx"
        write_worksheet(Sheet(sample, episodes, user.name), path)
        data = path.read_bytes()
    name = f"revisjon-{sample.period}-utvalg-{sample.id}.xlsx"
    return Response(
        data, media_type=XLSX, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


@router.get("/revisjon/{sample_id}/rapport.html")
def report_file(services: ServicesDep, user: CurrentUser, sample_id: int) -> Response:
    _sample(services, sample_id)
    settings = services.settings
    drg = DrgSources(settings.drg_definitions, settings.drg_weights)
    try:
        results = audit_results(services.store, sample_id, drg=drg)
        units = load_units(settings.units_file)
    except KodevaktError as exc:
        message = str(exc)
        raise HTTPException(409, message[:1].upper() + message[1:] + ".") from None
    name = f"revisjon-utvalg-{sample_id}.html"
    return Response(
        render_audit(results, units),
        media_type="text/html; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _episode(sample_id: int, number: int, episodes: list[SampleEpisode]) -> SampleEpisode:
    found = next((e for e in episodes if e.position == number), None)
    if found is None:
        raise HTTPException(404, f"Utvalg {sample_id} har ingen episode nr. {number}.")
    return found


def _review_page(
    request: Request,
    sample: StoredSample,
    drawn: SampleEpisode,
    form: dict[str, Any],
    *,
    error: str | None = None,
    field: str | None = None,
    notice: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    cells = row_cells(sample, drawn, "")
    codes = coded(drawn)
    context: dict[str, Any] = {
        "title": f"Utvalg {sample.id}, episode nr. {drawn.position}",
        "sample": sample,
        "drawn": drawn,
        "facts": {
            "Avdeling": drawn.department or "–",
            "Innskrevet": cells[5],
            "Utskrevet": cells[6],
            "Omsorgsnivå": cells[7] or "–",
            "Kjønn": cells[8] or "–",
            "Alder": cells[9] if cells[9] is not None else "–",
            "Stratum": drawn.stratum,
        },
        "coded_main": _groups(codes.conditions[:1]),
        "coded_others": _groups(codes.conditions[1:]),
        "coded_procedures": _groups(codes.procedures),
        "verdicts": VERDICT_TEXT,
        "reasons": REASON_TEXT,
        "form": form,
        "error": error,
        "field": field,
        "notice": notice,
        "count": sample.sampled,
    }
    return render(request, "audit/review.html", status_code=status_code, **context)


@router.get("/revisjon/{sample_id}/{number}", response_class=HTMLResponse)
def review_page(
    request: Request,
    services: ServicesDep,
    user: CurrentUser,
    sample_id: int,
    number: int,
    melding: str | None = None,
) -> HTMLResponse:
    sample, episodes = _sample(services, sample_id)
    drawn = _episode(sample_id, number, episodes)
    codes = coded(drawn)
    form: dict[str, Any] = {
        "verdict": "",
        "main": _groups(codes.conditions[:1]),
        "others": _groups(codes.conditions[1:]),
        "procedures": _groups(codes.procedures),
        "reasons": [],
        "comment": "",
    }
    mine = stored.reviews(services.store.engine, sample_id, user.name)
    review = next((r for r in mine if r.position == number), None)
    if review is not None:
        form["verdict"] = review.verdict
        form["reasons"] = list(review.reasons)
        form["comment"] = review.comment or ""
        if review.conditions is not None:
            given = Coding.of(review.conditions, review.procedures or [])
            form["main"] = _groups(given.conditions[:1])
            form["others"] = _groups(given.conditions[1:])
            form["procedures"] = _groups(given.procedures)
    return _review_page(request, sample, drawn, form, notice=NOTICES.get(melding or ""))


@router.post("/revisjon/{sample_id}/{number}")
def save_review(
    request: Request,
    services: ServicesDep,
    user: CurrentUser,
    sample_id: int,
    number: int,
    vurdering: Annotated[str, Form(max_length=20)] = "",
    hovedtilstand: Annotated[str, Form(max_length=500)] = "",
    andre: Annotated[str, Form(max_length=2000)] = "",
    prosedyrer: Annotated[str, Form(max_length=2000)] = "",
    arsak: Annotated[list[str] | None, Form()] = None,
    kommentar: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    sample, episodes = _sample(services, sample_id)
    drawn = _episode(sample_id, number, episodes)
    reasons = frozenset(Reason(r) for r in arsak or [] if r in {x.value for x in Reason})
    form = {
        "verdict": vurdering,
        "main": hovedtilstand,
        "others": andre,
        "procedures": prosedyrer,
        "reasons": sorted(r.value for r in reasons),
        "comment": kommentar,
    }
    verdict = next((v for v in Verdict if v.value == vurdering), None)
    audited = Coding.of(
        parse_conditions(hovedtilstand) + parse_conditions(andre), parse_conditions(prosedyrer)
    )
    try:
        final = settled(coded(drawn), audited, verdict, reasons)
    except Contradiction as exc:
        message = str(exc)
        return _review_page(
            request,
            sample,
            drawn,
            form,
            error=message[:1].upper() + message[1:] + ".",
            field=exc.field,
            status_code=400,
        )
    if final is None:
        return _review_page(
            request,
            sample,
            drawn,
            form,
            error="Velg en vurdering.",
            field="verdict",
            status_code=400,
        )
    changed = final is Verdict.CHANGED
    row = ReviewRow(
        position=number,
        auditor=user.name,
        verdict=final.value,
        conditions=[list(g) for g in audited.conditions] if changed else None,
        procedures=[list(g) for g in audited.procedures] if changed else None,
        reasons=tuple(sorted(r.value for r in reasons)),
        comment=kommentar.strip() or None,
    )
    stored.save_reviews(services.store.engine, sample_id, [row], source="web")
    done = {r.position for r in stored.reviews(services.store.engine, sample_id, user.name)}
    following = [e.position for e in episodes if e.position not in done]
    after = [p for p in following if p > number] or following
    if after:
        return RedirectResponse(f"/revisjon/{sample_id}/{after[0]}?melding=lagret", 303)
    return RedirectResponse(f"/revisjon/{sample_id}?melding=ferdig", status_code=303)
