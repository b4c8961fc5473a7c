"""The findings API: the worklist for other systems and scripts, and changes to its findings.

- `GET /api/findings`: the worklist's filters and order (`worklist_view`), a page at a time;
  every status unless `status` is given (the page defaults to the work still to do; a
  machine says what it wants).
- `GET /api/findings/{key}`: one finding (key or a unique prefix of at least six
  characters) with its audit log.
- `POST /api/findings/{key}/status`: accept (`comment` required: the coding is right),
  approve the fix (`approved`, comment optional: the coding is to be corrected as the fix
  says; only a finding with a fix), ask the doctor (`question` required) or reopen;
  `POST /api/findings/{key}/answer`: the doctor's answer;
  `POST /api/findings/{key}/assign`: give it to a coder or lead (a lead's work, as on the
  page). Each answers with the finding as it is now.

A finding carries `finding.to_dict()` and the storage and work fields (`WorkItem.to_dict`),
the patient (the id for roles that see identifiers, else the pseudonym), the rule's title
and, with DRG tables loaded, the DRG effect of its fix. A token acts with its own role; who
made a change is the token's or the user's name. Errors have the API's one shape: 404 for an
unknown key, 409 for a change the finding's status does not allow (nothing changed), 422
naming each wrong field.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from kodevakt.rules.finding import Severity
from kodevakt.storage import FindingStatus, UnknownFinding
from kodevakt.storage import worklog as wl
from kodevakt.storage.accounts import Role, User
from kodevakt.storage.worklog import ChangeRefused, WorkEvent, WorkItem
from kodevakt.web.errors import api_error
from kodevakt.web.routes.api import ErrorOut
from kodevakt.web.security import CurrentUser, require_role
from kodevakt.web.services import Services, ServicesDep
from kodevakt.web.worklist_view import Row, Worklist, assignable, read_filters

router = APIRouter(prefix="/api/findings", tags=["Arbeidsliste"])
LeadUser = Annotated[User, Depends(require_role(Role.LEAD))]

MAX_LIMIT = 500


class QuestionOut(BaseModel):
    """The question to the responsible doctor, and the answer once recorded."""

    text: str
    asked_by: str
    asked_at: datetime
    answer: str | None
    answered_by: str | None
    answered_at: datetime | None


class FixOut(BaseModel):
    """The corrected condition groups and/or procedure groups (None: left as coded)."""

    conditions: list[list[str]] | None
    procedures: list[list[str]] | None


class DrgEffectOut(BaseModel):
    """DRG and weight as coded and with the fix applied (`kodevakt effect`)."""

    year: int
    drg_before: str
    drg_after: str
    mdc_before: str
    mdc_after: str
    weight_before: float | None
    weight_after: float | None
    weight_change: float | None
    note: str


class WorkItemOut(BaseModel):
    """A stored finding with the work on it."""

    key: str
    episode_id: str = Field(description="Episodens id; tom for et funn om en hel enhet")
    rule: str
    rule_title: str
    name: str
    severity: Severity
    message: str
    codes: list[str]
    location: str
    source: str
    suggestion: str | None
    rule_year: int
    fix: FixOut | None = None
    episodes: list[str] | None = Field(
        None, description="Episodene bak et funn om en hel enhet (M04, M05, M07)"
    )
    period: str
    institution: str | None
    department: str | None
    status: FindingStatus
    comment: str | None = Field(description="Kommentaren til siste statusendring")
    by: str | None = Field(description="Hvem som sist endret status (tom: en innlesing)")
    changed_at: datetime
    first_seen_at: datetime
    assignee: str | None
    due: date | None = Field(description="Frist: satt for hånd, ellers periodens rettefrist")
    due_set: bool
    question: QuestionOut | None
    patient: str = Field(
        description="Pasientens id for roller som ser identifikatorer, ellers pseudonymet "
        "(P-3f9a2c81); «–» når episoden ikke er lagret"
    )
    drg_effect: DrgEffectOut | None = Field(
        None, description="Med DRG-tabeller lastet: hva forslaget flytter"
    )


class EventOut(BaseModel):
    """One entry of the audit log; `by` is None for a change an import made."""

    kind: Literal["status", "assignee", "due_date", "answer"]
    from_status: FindingStatus
    to_status: FindingStatus
    old: str | None
    new: str | None
    at: datetime
    by: str | None
    comment: str | None
    import_id: int | None
    text: str = Field(description="Endringen på norsk: «åpen → godtatt», «tildelt: ingen → kari»")


class WorkItemDetailOut(WorkItemOut):
    events: list[EventOut]


class WorkPageOut(BaseModel):
    total: int = Field(description="Funn som passer filteret i alt")
    offset: int
    limit: int
    ordered_by_drg_effect: bool = Field(
        description="Om DRG-effekten ordnet funnene innen hver alvorlighet"
    )
    items: list[WorkItemOut]


class StatusIn(BaseModel):
    """`accepted` needs a `comment` (why the coding is right), `asked` the `question` to the
    doctor; `approved` approves the finding's fix (the coding is to be corrected as it says;
    comment optional); `open` reopens (comment optional). `fixed` is set only by an
    import."""

    model_config = ConfigDict(extra="forbid")

    status: Literal["accepted", "approved", "asked", "open"]
    comment: str | None = Field(None, max_length=wl.MAX_TEXT)
    question: str | None = Field(None, max_length=wl.MAX_TEXT)


class AnswerIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    answer: str = Field(min_length=1, max_length=wl.MAX_TEXT, description="Legens svar")


class AssignIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    assignee: str | None = Field(
        description="En aktiv koder eller leder; null fjerner tildelingen", max_length=128
    )


_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorOut, "description": "Mangler eller ugyldig API-token"},
    404: {"model": ErrorOut, "description": "Funnet finnes ikke"},
    422: {"model": ErrorOut, "description": "Ugyldig forespørsel; `fields` navngir feltene"},
}
_CHANGE_ERRORS: dict[int | str, dict[str, Any]] = {
    **_ERRORS,
    409: {"model": ErrorOut, "description": "Funnets status tillater ikke endringen"},
}


@router.get(
    "",
    summary="Funn i arbeidslisten",
    description="Filtrert som arbeidslisten, mest alvorlige først (med DRG-tabeller: så etter "
    "DRG-effekt). Uten `status` kommer alle statuser.",
    response_model=WorkPageOut,
    responses=_ERRORS,
)
def list_findings(
    request: Request,
    user: CurrentUser,
    period: Annotated[str | None, Query(description="2025T1, 2025-03 eller 2025")] = None,
    institution: Annotated[str | None, Query(max_length=64)] = None,
    department: Annotated[str | None, Query(max_length=64)] = None,
    rule: Annotated[str | None, Query(max_length=8, description="Regel eller start (T)")] = None,
    severity: Severity | None = None,
    status: Annotated[list[FindingStatus] | None, Query()] = None,
    assignee: Annotated[str | None, Query(max_length=128)] = None,
    unassigned: Annotated[bool, Query(description="Bare funn som ikke er tildelt")] = False,
    mine: Annotated[bool, Query(description="Bare funn tildelt den som spør")] = False,
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 50,
) -> Response:
    given = {"assignee": assignee is not None, "unassigned": unassigned, "mine": mine}
    chosen = [name for name, on in given.items() if on]
    if len(chosen) > 1:
        message = "oppgi bare én av assignee, unassigned og mine"
        return api_error(422, "Ugyldig forespørsel.", [(name, message) for name in chosen])
    who = user.name if mine else wl.NOBODY if unassigned else assignee
    filters = read_filters(
        period=period,
        institution=institution,
        department=department,
        rule=rule,
        severity=severity.value if severity else None,
        statuses=[s.value for s in status or ()],
        assignee=who,
    )
    if filters.errors:
        return api_error(422, "Ugyldig forespørsel.", sorted(filters.errors.items()))
    worklist = Worklist.of(request)
    listing = worklist.listing(
        filters.work, offset=offset, limit=limit, identifiers=user.sees_identifiers
    )
    return JSONResponse(
        {
            "total": listing.total,
            "offset": listing.offset,
            "limit": listing.limit,
            "ordered_by_drg_effect": listing.by_effect,
            "items": [_finding(row) for row in listing.rows],
        }
    )


@router.get(
    "/{key}",
    summary="Ett funn med endringsloggen",
    response_model=WorkItemDetailOut,
    responses=_ERRORS,
)
def get_finding(request: Request, key: str, user: CurrentUser, services: ServicesDep) -> Response:
    item = _item(services, key)
    if item is None:
        return _unknown()
    return _detail(request, services, user, item)


@router.post(
    "/{key}/status",
    summary="Godta, godkjenn rettingen, spør lege eller åpne igjen",
    description="`accepted` (kodingen er riktig) krever `comment`, `asked` krever `question`; "
    "`approved` godkjenner funnets rettingsforslag (bare funn med `fix`; 409 ellers). Svarer "
    "med funnet.",
    response_model=WorkItemDetailOut,
    responses=_CHANGE_ERRORS,
)
def change_status(
    request: Request, key: str, body: StatusIn, user: CurrentUser, services: ServicesDep
) -> Response:
    engine = services.store.engine
    comment = (body.comment or "").strip()
    question = (body.question or "").strip()
    if body.status == "accepted":
        if not comment:
            return _missing("comment", "mangler: et godtatt funn krever en kommentar")
        return _change(
            request, services, user, key, lambda k: wl.accept(engine, k, comment, by=user.name)
        )
    if body.status == "approved":
        return _change(
            request,
            services,
            user,
            key,
            lambda k: wl.approve(engine, k, by=user.name, comment=comment or None),
        )
    if body.status == "asked":
        if not question:
            return _missing("question", "mangler: spørsmålet til legen")
        return _change(
            request, services, user, key, lambda k: wl.ask(engine, k, question, by=user.name)
        )
    return _change(
        request,
        services,
        user,
        key,
        lambda k: wl.reopen(engine, k, by=user.name, comment=comment or None),
    )


@router.post(
    "/{key}/answer",
    summary="Registrer legens svar",
    description="Bare for funn med status `asked`; statusen blir stående til funnet godtas "
    "eller rettes.",
    response_model=WorkItemDetailOut,
    responses=_CHANGE_ERRORS,
)
def record_answer(
    request: Request, key: str, body: AnswerIn, user: CurrentUser, services: ServicesDep
) -> Response:
    text = body.answer.strip()
    if not text:
        return _missing("answer", "mangler")
    engine = services.store.engine
    return _change(request, services, user, key, lambda k: wl.answer(engine, k, text, by=user.name))


@router.post(
    "/{key}/assign",
    summary="Tildel funnet (leder)",
    response_model=WorkItemDetailOut,
    responses={**_CHANGE_ERRORS, 403: {"model": ErrorOut, "description": "Krever rollen leder"}},
)
def assign(
    request: Request, key: str, body: AssignIn, user: LeadUser, services: ServicesDep
) -> Response:
    who = (body.assignee or "").strip() or None
    if who is not None and who not in assignable(services.accounts):
        return _missing("assignee", "er ikke en aktiv koder eller leder")
    engine = services.store.engine
    return _change(request, services, user, key, lambda k: wl.assign(engine, k, who, by=user.name))


# -- shared -------------------------------------------------------------------------------


def _item(services: Services, key: str) -> WorkItem | None:
    try:
        return wl.work_item(services.store.engine, key)
    except UnknownFinding:
        return None


def _unknown() -> Response:
    return api_error(404, "Fant ikke funnet (oppgi hele nøkkelen eller minst 6 tegn av den).")


def _missing(field: str, message: str) -> Response:
    return api_error(422, "Ugyldig forespørsel.", [(field, message)])


def _change(
    request: Request,
    services: Services,
    user: User,
    key: str,
    change: Callable[[list[str]], int],
) -> Response:
    item = _item(services, key)
    if item is None:
        return _unknown()
    try:
        change([item.key])
    except ChangeRefused as exc:
        text = str(exc)
        return api_error(409, text[:1].upper() + text[1:] + ".")
    changed = _item(services, item.key)
    assert changed is not None  # findings are never deleted
    return _detail(request, services, user, changed)


def _detail(request: Request, services: Services, user: User, item: WorkItem) -> Response:
    row = Worklist.of(request).row(item, identifiers=user.sees_identifiers)
    events = wl.events(services.store.engine, item.key)
    return JSONResponse({**_finding(row), "events": [_event(e) for e in events]})


def _finding(row: Row) -> dict[str, Any]:
    effect = row.effect
    drg = None
    if effect is not None:
        drg = {
            "year": effect.year,
            "drg_before": effect.before.drg,
            "drg_after": effect.after.drg,
            "mdc_before": effect.before.mdc,
            "mdc_after": effect.after.mdc,
            "weight_before": effect.weight_before,
            "weight_after": effect.weight_after,
            "weight_change": effect.weight_change,
            "note": effect.note,
        }
    return {
        **row.item.to_dict(),
        "rule_title": row.title,
        "patient": row.patient,
        "drg_effect": drg,
    }


def _event(event: WorkEvent) -> dict[str, Any]:
    data = event.to_dict()
    del data["key"]
    return {**data, "text": event.describe()}
