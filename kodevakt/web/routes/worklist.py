"""Arbeidsliste: the findings a team works before NPR's correction deadline, and each one's page.

- `GET /arbeidsliste`: the findings filtered by period, institution, department, rule,
  severity, status and assignee (a GET form, so a filtered list is a link), most severe first
  and then by DRG effect (`worklist_view`), 50 a page. Without any filter it shows the latest
  period's open and asked findings. Each row has a box; the selection can be accepted with a
  comment, have its fixes approved, be sent as a question to the doctor, or (by a lead) be
  assigned, all at once or not at all (`POST /arbeidsliste/utvalg/{godta,godkjenn,spor,
  tildel}`).
- `GET /arbeidsliste/{key}`: the finding, its suggestion and DRG effect, the question to the
  doctor and the answer, the actions its status allows, and its audit log.
  `POST /arbeidsliste/{key}/{godta,godkjenn,spor,svar,gjenapne,tildel}` change it.

Accepting ("Godta") says the coding is right despite the rule; approving the fix ("Godkjenn
rettingen", only for a finding with a fix) says the opposite: the coding is to be corrected
as kodevakt suggests, and `kodevakt export --with-fixes` writes that correction.

Plain forms and redirects (no JavaScript needed). A form that lacks what the change needs
(a comment to accept, the question, the answer; approving needs none) is shown again with
the message at the field. Assigning is a lead's work (docs/web.md): the server refuses it to
coders. Who made each change is the logged-in user.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import QueryParams

from kodevakt.rules.finding import Severity
from kodevakt.storage import FindingStatus, UnknownFinding
from kodevakt.storage import worklog as wl
from kodevakt.storage.accounts import Role, User
from kodevakt.storage.worklog import ChangeRefused, WorkItem
from kodevakt.web.episode_check import place
from kodevakt.web.pages import render
from kodevakt.web.security import CurrentUser, require_role
from kodevakt.web.services import Services, ServicesDep
from kodevakt.web.worklist_view import TO_DO, Worklist, assignable, read_filters

router = APIRouter(include_in_schema=False)
LeadUser = Annotated[User, Depends(require_role(Role.LEAD))]

PAGE = 50
FILTER_KEYS = ("periode", "institusjon", "avdeling", "regel", "alvorlighet", "status", "tildelt")
LIST_KEYS = (*FILTER_KEYS, "side")
MINE = ":mine"  # `tildelt`: the user's own findings (":" is not allowed in a user name)
UNASSIGNED = ":ingen"  # `tildelt`: findings assigned to no one
# the filter's field names (`worklist_view.read_filters`) as the form names them
_FORM_FIELD = {"period": "periode", "rule": "regel", "severity": "alvorlighet", "status": "status"}
STATUS_CHOICES = (
    FindingStatus.OPEN,
    FindingStatus.ASKED,
    FindingStatus.APPROVED,
    FindingStatus.ACCEPTED,
    FindingStatus.FIXED,
)
NOTICES = {
    "godtatt": "Funnet er godtatt.",
    "godkjent": "Rettingen er godkjent. Den tas med når episodene eksporteres med rettinger.",
    "spurt": "Spørsmålet til legen er registrert.",
    "svar": "Legens svar er registrert.",
    "gjenapnet": "Funnet er åpnet igjen.",
    "tildelt": "Tildelingen er endret.",
}
BULK_NOTICES = {
    "godtatt": "{n} funn er godtatt.",
    "godkjent": "{n} funn har fått rettingen godkjent.",
    "spurt": "{n} funn er sendt som spørsmål til lege.",
    "tildelt": "{n} funn har fått ny tildeling.",
}
# (form field, what is missing, what is too long)
TEXTS = {
    "kommentar": (
        "Skriv en kommentar: hvorfor er kodingen riktig? Et godtatt funn krever det.",
        f"Kommentaren kan ha høyst {wl.MAX_TEXT} tegn.",
    ),
    "sporsmal": ("Skriv spørsmålet til legen.", f"Spørsmålet kan ha høyst {wl.MAX_TEXT} tegn."),
    "svar": ("Skriv legens svar.", f"Svaret kan ha høyst {wl.MAX_TEXT} tegn."),
}
NO_SELECTION = "Velg minst ett funn i listen."
NOT_ASSIGNABLE = "Velg en aktiv koder eller leder, eller «ingen»."


# -- the list -----------------------------------------------------------------------------


def _effective(params: QueryParams, services: Services) -> QueryParams:
    """The list's own parameters; without any filter, the latest period's work to do."""
    kept = [(key, value) for key, value in params.multi_items() if key in LIST_KEYS]
    if any(key in FILTER_KEYS for key, _ in kept):
        return QueryParams(kept)
    periods = services.store.periods()
    defaults = [("periode", periods[-1] if periods else "")]
    defaults += [("status", status.value) for status in TO_DO]
    return QueryParams(defaults + kept)


def _list_page(
    request: Request,
    services: ServicesDep,
    user: User,
    params: QueryParams,
    *,
    notice: str | None = None,
    error: str | None = None,
    errors: dict[str, str] | None = None,
    form: dict[str, str] | None = None,
    selected: Sequence[str] = (),
    status_code: int = 200,
) -> HTMLResponse:
    worklist = Worklist.of(request)
    query = _effective(params, services)
    assignee_value = query.get("tildelt", "")
    assignee = {"": None, MINE: user.name, UNASSIGNED: wl.NOBODY}.get(
        assignee_value, assignee_value
    )
    filters = read_filters(
        period=query.get("periode"),
        institution=query.get("institusjon"),
        department=query.get("avdeling"),
        rule=query.get("regel"),
        severity=query.get("alvorlighet"),
        statuses=query.getlist("status"),
        assignee=assignee,
    )
    field_errors = {_FORM_FIELD[name]: text for name, text in filters.errors.items()}
    page = _page_number(query.get("side"))
    listing = worklist.listing(
        filters.work,
        offset=(page - 1) * PAGE,
        limit=PAGE,
        identifiers=user.sees_identifiers,
    )
    units = wl.progress(services.store.engine, period=filters.work.period)
    institutions = sorted({u.institution for u in units if u.institution})
    departments = sorted(
        {
            u.department
            for u in units
            if u.department
            and (filters.work.institution is None or u.institution == filters.work.institution)
        }
    )
    users = assignable(services.accounts)
    shown = [value for value in (assignee_value,) if value not in ("", MINE, UNASSIGNED, *users)]
    filter_query = [(k, v) for k, v in query.multi_items() if k in FILTER_KEYS]
    list_query = urlencode([*filter_query, ("side", str(page))])
    pages = max(1, -(-listing.total // PAGE))
    context: dict[str, Any] = {
        "title": "Arbeidsliste",
        "listing": listing,
        "drg": worklist.drg,
        "units_problem": worklist.units_problem,
        "query": query,
        "chosen_statuses": set(query.getlist("status")),
        "status_choices": STATUS_CHOICES,
        "severities": list(Severity),
        "periods": services.store.periods(),
        "institutions": [(code, worklist.units.institution_text(code)) for code in institutions],
        "departments": [
            (code, worklist.units.department_text(filters.work.institution, code))
            for code in departments
        ],
        "users": users,
        "assignees": users + shown,  # the filter's choices: a former user's name too
        "mine": MINE,
        "unassigned": UNASSIGNED,
        "page": page,
        "pages": pages,
        "page_link": lambda number: (
            "/arbeidsliste?" + urlencode([*filter_query, ("side", str(number))])
        ),
        "mine_link": "/arbeidsliste?"
        + urlencode(
            [("periode", query.get("periode", "")), ("tildelt", MINE)]
            + [("status", status.value) for status in TO_DO]
        ),
        "list_query": list_query,
        "may_assign": user.may(Role.LEAD),
        "notice": notice,
        "error": error,
        "errors": {**field_errors, **(errors or {})},
        "form": form or {},
        "selected": set(selected),
    }
    return render(request, "worklist/list.html", status_code=status_code, **context)


def _page_number(value: str | None) -> int:
    try:
        number = int(value or "1")
    except ValueError:
        return 1
    return min(max(number, 1), 1_000_000)


@router.get("/arbeidsliste", response_class=HTMLResponse)
def worklist_page(
    request: Request,
    services: ServicesDep,
    user: CurrentUser,
    melding: str | None = None,
    antall: str | None = None,
) -> HTMLResponse:
    notice = None
    if melding in BULK_NOTICES and antall is not None and antall.isdigit():
        notice = BULK_NOTICES[melding].format(n=int(antall))
    return _list_page(request, services, user, request.query_params, notice=notice)


def _back(tilbake: str) -> QueryParams:
    """The list's parameters a form carried back (only the list's own: never a place to go
    elsewhere)."""
    return QueryParams(
        [(key, value) for key, value in QueryParams(tilbake).multi_items() if key in LIST_KEYS]
    )


Bulk = Callable[[list[str], str], int]


def _bulk(
    request: Request,
    services: ServicesDep,
    user: User,
    keys: list[str],
    tilbake: str,
    *,
    field: str,
    value: str,
    done: str,
    change: Bulk,
    optional: bool = False,
) -> Response:
    """Change the selected findings together, or show the list again saying why not.
    `optional`: the text in `field` may be left empty."""
    back = _back(tilbake)
    form = {field: value}
    problem = NO_SELECTION if not keys else None
    checked = field in TEXTS and (value.strip() or not optional)
    errors = _text_errors(field, value) if checked else {}
    if problem or errors:
        return _list_page(
            request,
            services,
            user,
            back,
            error=problem,
            errors=errors,
            form=form,
            selected=keys,
            status_code=400,
        )
    try:
        changed = change(keys, value.strip())
    except (ChangeRefused, UnknownFinding) as exc:
        refused = f"Ingenting er endret: {_sentence(exc)}"
        return _list_page(
            request,
            services,
            user,
            back,
            error=refused,
            form=form,
            selected=keys,
            status_code=409,
        )
    query = urlencode([*back.multi_items(), ("melding", done), ("antall", str(changed))])
    return RedirectResponse(f"/arbeidsliste?{query}", status_code=303)


@router.post("/arbeidsliste/utvalg/godta")
def accept_selection(
    request: Request,
    services: ServicesDep,
    user: CurrentUser,
    nokkel: Annotated[list[str] | None, Form()] = None,
    kommentar: Annotated[str, Form()] = "",
    tilbake: Annotated[str, Form()] = "",
) -> Response:
    engine = services.store.engine
    return _bulk(
        request,
        services,
        user,
        nokkel or [],
        tilbake,
        field="kommentar",
        value=kommentar,
        done="godtatt",
        change=lambda keys, text: wl.accept(engine, keys, text, by=user.name),
    )


@router.post("/arbeidsliste/utvalg/godkjenn")
def approve_selection(
    request: Request,
    services: ServicesDep,
    user: CurrentUser,
    nokkel: Annotated[list[str] | None, Form()] = None,
    kommentar: Annotated[str, Form()] = "",
    tilbake: Annotated[str, Form()] = "",
) -> Response:
    engine = services.store.engine
    return _bulk(
        request,
        services,
        user,
        nokkel or [],
        tilbake,
        field="kommentar",
        value=kommentar,
        done="godkjent",
        change=lambda keys, text: wl.approve(engine, keys, by=user.name, comment=text or None),
        optional=True,
    )


@router.post("/arbeidsliste/utvalg/spor")
def ask_selection(
    request: Request,
    services: ServicesDep,
    user: CurrentUser,
    nokkel: Annotated[list[str] | None, Form()] = None,
    sporsmal: Annotated[str, Form()] = "",
    tilbake: Annotated[str, Form()] = "",
) -> Response:
    engine = services.store.engine
    return _bulk(
        request,
        services,
        user,
        nokkel or [],
        tilbake,
        field="sporsmal",
        value=sporsmal,
        done="spurt",
        change=lambda keys, text: wl.ask(engine, keys, text, by=user.name),
    )


@router.post("/arbeidsliste/utvalg/tildel")
def assign_selection(
    request: Request,
    services: ServicesDep,
    user: LeadUser,
    nokkel: Annotated[list[str] | None, Form()] = None,
    tildelt: Annotated[str, Form()] = "",
    tilbake: Annotated[str, Form()] = "",
) -> Response:
    engine = services.store.engine
    if tildelt and tildelt not in assignable(services.accounts):
        return _list_page(
            request,
            services,
            user,
            _back(tilbake),
            errors={"tildelt": NOT_ASSIGNABLE},
            selected=nokkel or [],
            status_code=400,
        )
    return _bulk(
        request,
        services,
        user,
        nokkel or [],
        tilbake,
        field="tildelt",
        value=tildelt,
        done="tildelt",
        change=lambda keys, name: wl.assign(engine, keys, name or None, by=user.name),
    )


# -- one finding ----------------------------------------------------------------------------


def _item(services: Services, key: str) -> WorkItem:
    try:
        return wl.work_item(services.store.engine, key)
    except UnknownFinding:
        raise HTTPException(
            404, "Fant ikke funnet. Det kan være slettet, eller lenken er feil."
        ) from None


def _finding_page(
    request: Request,
    services: ServicesDep,
    user: User,
    item: WorkItem,
    *,
    tilbake: str = "",
    notice: str | None = None,
    error: str | None = None,
    errors: dict[str, str] | None = None,
    form: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    worklist = Worklist.of(request)
    back = urlencode(list(_back(tilbake).multi_items()))
    context: dict[str, Any] = {
        "title": f"Funn {item.stored.finding.rule}",
        "row": worklist.row(item, identifiers=user.sees_identifiers),
        "events": wl.events(services.store.engine, item.key),
        "place": place,
        "statuses": FindingStatus,
        "users": assignable(services.accounts),
        "may_assign": user.may(Role.LEAD),
        "drg": worklist.drg,
        "tilbake": back,
        "notice": notice,
        "error": error,
        "errors": errors or {},
        "form": form or {},
    }
    return render(request, "worklist/finding.html", status_code=status_code, **context)


@router.get("/arbeidsliste/{key}", response_class=HTMLResponse)
def finding_page(
    request: Request,
    key: str,
    services: ServicesDep,
    user: CurrentUser,
    melding: str | None = None,
    tilbake: str = "",
) -> Response:
    item = _item(services, key)
    if item.key != key:  # a key prefix, or in capitals: the page has one address
        return RedirectResponse(_finding_url(item.key, tilbake), status_code=303)
    notice = NOTICES.get(melding or "")
    return _finding_page(request, services, user, item, tilbake=tilbake, notice=notice)


def _finding_url(key: str, tilbake: str, melding: str | None = None) -> str:
    back = urlencode(list(_back(tilbake).multi_items()))
    query = [("melding", melding)] if melding else []
    query += [("tilbake", back)] if back else []
    return f"/arbeidsliste/{key}" + (f"?{urlencode(query)}" if query else "")


def _change_one(
    request: Request,
    services: ServicesDep,
    user: User,
    key: str,
    tilbake: str,
    *,
    field: str | None,
    value: str,
    done: str,
    change: Callable[[list[str], str], int],
) -> Response:
    """Change one finding; on a missing field or a refused change show its page again."""
    item = _item(services, key)
    errors = _text_errors(field, value) if field is not None and field in TEXTS else {}
    form = {field: value} if field is not None else {}
    if errors:
        return _finding_page(
            request,
            services,
            user,
            item,
            tilbake=tilbake,
            errors=errors,
            form=form,
            status_code=400,
        )
    try:
        change([item.key], value.strip())
    except ChangeRefused as exc:
        return _finding_page(
            request,
            services,
            user,
            item,
            tilbake=tilbake,
            error=_sentence(exc),
            form=form,
            status_code=409,
        )
    return RedirectResponse(_finding_url(item.key, tilbake, done), status_code=303)


@router.post("/arbeidsliste/{key}/godta")
def accept_finding(
    request: Request,
    key: str,
    services: ServicesDep,
    user: CurrentUser,
    kommentar: Annotated[str, Form()] = "",
    tilbake: Annotated[str, Form()] = "",
) -> Response:
    engine = services.store.engine
    return _change_one(
        request,
        services,
        user,
        key,
        tilbake,
        field="kommentar",
        value=kommentar,
        done="godtatt",
        change=lambda keys, text: wl.accept(engine, keys, text, by=user.name),
    )


@router.post("/arbeidsliste/{key}/godkjenn")
def approve_finding(
    request: Request,
    key: str,
    services: ServicesDep,
    user: CurrentUser,
    kommentar: Annotated[str, Form()] = "",
    tilbake: Annotated[str, Form()] = "",
) -> Response:
    engine = services.store.engine
    return _optional_comment(
        request,
        services,
        user,
        key,
        tilbake,
        form_field="godkjenn-kommentar",
        comment=kommentar,
        done="godkjent",
        change=lambda keys, text: wl.approve(engine, keys, by=user.name, comment=text),
    )


@router.post("/arbeidsliste/{key}/spor")
def ask_finding(
    request: Request,
    key: str,
    services: ServicesDep,
    user: CurrentUser,
    sporsmal: Annotated[str, Form()] = "",
    tilbake: Annotated[str, Form()] = "",
) -> Response:
    engine = services.store.engine
    return _change_one(
        request,
        services,
        user,
        key,
        tilbake,
        field="sporsmal",
        value=sporsmal,
        done="spurt",
        change=lambda keys, text: wl.ask(engine, keys, text, by=user.name),
    )


@router.post("/arbeidsliste/{key}/svar")
def answer_finding(
    request: Request,
    key: str,
    services: ServicesDep,
    user: CurrentUser,
    svar: Annotated[str, Form()] = "",
    tilbake: Annotated[str, Form()] = "",
) -> Response:
    engine = services.store.engine
    return _change_one(
        request,
        services,
        user,
        key,
        tilbake,
        field="svar",
        value=svar,
        done="svar",
        change=lambda keys, text: wl.answer(engine, keys, text, by=user.name),
    )


@router.post("/arbeidsliste/{key}/gjenapne")
def reopen_finding(
    request: Request,
    key: str,
    services: ServicesDep,
    user: CurrentUser,
    kommentar: Annotated[str, Form()] = "",
    tilbake: Annotated[str, Form()] = "",
) -> Response:
    engine = services.store.engine
    return _optional_comment(
        request,
        services,
        user,
        key,
        tilbake,
        form_field="gjenapne-kommentar",
        comment=kommentar,
        done="gjenapnet",
        change=lambda keys, text: wl.reopen(engine, keys, by=user.name, comment=text),
    )


def _optional_comment(
    request: Request,
    services: ServicesDep,
    user: User,
    key: str,
    tilbake: str,
    *,
    form_field: str,
    comment: str,
    done: str,
    change: Callable[[list[str], str | None], int],
) -> Response:
    """A change of one finding with a comment that may be left empty (`form_field` names
    its box on the page, for the message when it is too long)."""
    if len(comment.strip()) > wl.MAX_TEXT:
        item = _item(services, key)
        errors = {form_field: TEXTS["kommentar"][1]}
        return _finding_page(
            request, services, user, item, tilbake=tilbake, errors=errors, status_code=400
        )
    return _change_one(
        request,
        services,
        user,
        key,
        tilbake,
        field=None,
        value=comment,
        done=done,
        change=lambda keys, text: change(keys, text or None),
    )


@router.post("/arbeidsliste/{key}/tildel")
def assign_finding(
    request: Request,
    key: str,
    services: ServicesDep,
    user: LeadUser,
    tildelt: Annotated[str, Form()] = "",
    tilbake: Annotated[str, Form()] = "",
) -> Response:
    engine = services.store.engine
    if tildelt and tildelt not in assignable(services.accounts):
        item = _item(services, key)
        return _finding_page(
            request,
            services,
            user,
            item,
            tilbake=tilbake,
            errors={"tildelt": NOT_ASSIGNABLE},
            status_code=400,
        )
    return _change_one(
        request,
        services,
        user,
        key,
        tilbake,
        field="tildelt",
        value=tildelt,
        done="tildelt",
        change=lambda keys, name: wl.assign(engine, keys, name or None, by=user.name),
    )


# -- shared -------------------------------------------------------------------------------


def _text_errors(field: str, value: str) -> dict[str, str]:
    """The field's message when its text is missing or too long (else none)."""
    missing, too_long = TEXTS[field]
    text = value.strip()
    if not text:
        return {field: missing}
    if len(text) > wl.MAX_TEXT:
        return {field: too_long}
    return {}


def _sentence(exc: Exception) -> str:
    text = str(exc).strip()
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")
