"""The coders' work on stored findings: who has which, by when, asking the doctor, and the
audit log of every change. The web worklist and the `kodevakt finding` commands call these.

Statuses, and who moves a finding between them::

    from      by a coder (always with who)                          by an import
    open      accept (comment) → accepted; ask (question) → asked;  gone → fixed
              approve (comment optional) → approved
    asked     answer (text): stays asked; accept; ask again;        gone → fixed
              approve; reopen
    accepted  accept again (new comment); ask; reopen → open        gone → fixed
    approved  reopen → open                                         gone → fixed
    fixed     reopen → open                                         found again → open

`accepted` means the coding is right despite the rule; `approved` ("retting godkjent") means
the coder agrees with the finding's fix, so only a finding with a fix can be approved, and
`kodevakt export --with-fixes` writes the approved fixes into the corrected extract. Either
way the decision is undone by reopening. `fixed` is set only by an import
(`findings.FindingWriter`): a coder fixes the coding in the patient system (or sends back
the corrected extract), and the next import shows it. A fixed finding may be reopened by
hand. Every change needs who made it (`by`); accepting needs a comment, asking the question.
Besides the status, a finding has an assignee (the coder working on it) and may have a due
date set by hand; without one it is due by its period's correction deadline
(`batch.deadlines`).

Every change writes one event per finding to `finding_event`, the finding's audit log: who,
when, what kind (`status`, `assignee`, `due_date`, `answer`), old → new, comment. A change to
several findings (a selection in the worklist) is one transaction: should one of them refuse
it (unknown key, a fixed finding accepted, a finding without a fix approved), nothing
changes and the error names that key. Events hold only what the user wrote and the
finding's own values (status, names, dates): never values from the patient's record.

Service API (an `Engine`, e.g. `Store.engine`)::

    page = work_items(engine, WorkFilter(period="2025T1", statuses=(FindingStatus.OPEN,),
                                         assignee="kari"), offset=0, limit=50)
    page.total, page.items          # WorkItem: .stored (StoredFinding), .assignee, .due, .question
    assign(engine, keys, "kari", by="leder")      # None unassigns; -> findings changed
    set_due(engine, keys, date(2025, 6, 1), by="leder")     # None: the period's deadline
    accept(engine, keys, "Dokumentert i epikrisen", by="kari")
    approve(engine, keys, by="kari", comment=None)          # the fix is right
    ask(engine, keys, "Var pneumonien bekreftet radiologisk?", by="kari")
    answer(engine, keys, "Ja, CT 3.3.", by="kari")          # the doctor's answer
    reopen(engine, keys, by="kari", comment=None)
    events(engine, key)             # -> [WorkEvent], oldest first
    progress(engine, period="2025T1")   # -> [UnitProgress] per period, institution, department

Sorted by severity (errors first), then rule, institution, department and episode. (The
worklist's DRG effect is not stored per finding, so it cannot order the list here.)
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Connection, Engine, Select, bindparam, case, func, select
from sqlalchemy.engine import Row

from kodevakt.batch.deadlines import DeadlineRule
from kodevakt.errors import StorageError
from kodevakt.rules.finding import Severity
from kodevakt.storage.database import database_errors, one_of
from kodevakt.storage.findings import (
    FindingStatus,
    StoredFinding,
    resolve_key,
    stored_finding,
    utc,
)
from kodevakt.storage.schema import finding, finding_event

PAGE = 50  # findings per page by default
MAX_TEXT = 4000  # characters in a comment, question or answer
MAX_NAME = 128  # characters in a user name (the column's size)
NOBODY = ""  # `WorkFilter.assignee`: findings assigned to no one
_CHUNK = 5000  # keys per query


class EventKind(StrEnum):
    STATUS = "status"
    ASSIGNEE = "assignee"
    DUE_DATE = "due_date"
    ANSWER = "answer"


class ChangeRefused(StorageError):
    """The change is not allowed for (one of) the findings; nothing was changed."""


@dataclass(frozen=True, slots=True)
class Question:
    """The question to the responsible doctor about a finding, and the answer once given."""

    text: str
    asked_by: str
    asked_at: datetime
    answer: str | None = None
    answered_by: str | None = None
    answered_at: datetime | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "asked_by": self.asked_by,
            "asked_at": self.asked_at.isoformat(),
            "answer": self.answer,
            "answered_by": self.answered_by,
            "answered_at": self.answered_at.isoformat() if self.answered_at else None,
        }


@dataclass(frozen=True, slots=True)
class WorkItem:
    """A stored finding with the work on it. `due` is the due date set by hand (`due_set`)
    or else the period's correction deadline (None for a period without one)."""

    stored: StoredFinding
    assignee: str | None
    due: date | None
    due_set: bool
    question: Question | None

    @property
    def key(self) -> str:
        return self.stored.key

    @property
    def status(self) -> FindingStatus:
        return self.stored.status

    def to_dict(self) -> dict[str, Any]:
        """`StoredFinding.to_dict()` plus the work fields (dates as ISO text)."""
        return {
            **self.stored.to_dict(),
            "assignee": self.assignee,
            "due": self.due.isoformat() if self.due else None,
            "due_set": self.due_set,
            "question": self.question.to_dict() if self.question else None,
        }


@dataclass(frozen=True, slots=True)
class WorkPage:
    """One page of a filtered worklist and how many findings the filter matches in all."""

    items: list[WorkItem]
    total: int
    offset: int
    limit: int


@dataclass(frozen=True, slots=True)
class WorkFilter:
    """What the worklist shows; a field left None (or empty) does not filter.

    `rule` is a prefix (`T` = every T rule); `severity` is exact; `assignee` `NOBODY` means
    findings assigned to no one; `institution` "" means findings without one.
    """

    period: str | None = None
    institution: str | None = None
    department: str | None = None
    rule: str | None = None
    severity: Severity | None = None
    statuses: Collection[FindingStatus] = ()
    assignee: str | None = None
    episode_id: str | None = None


@dataclass(frozen=True, slots=True)
class WorkEvent:
    """One entry of a finding's audit log; `by` is None for a change an import made."""

    key: str
    kind: EventKind
    from_status: FindingStatus
    to_status: FindingStatus
    old: str | None
    new: str | None
    at: datetime
    by: str | None
    comment: str | None
    import_id: int | None

    def describe(self) -> str:
        """What changed, in Norwegian: `åpen → spurt lege`, `tildelt: ingen → kari`."""
        if self.kind is EventKind.ASSIGNEE:
            return f"tildelt: {self.old or 'ingen'} → {self.new or 'ingen'}"
        if self.kind is EventKind.DUE_DATE:
            return f"frist: {_due_text(self.old)} → {_due_text(self.new)}"
        if self.kind is EventKind.ANSWER:
            return f"svar fra lege: {self.new or ''}"
        return f"{self.from_status.norwegian} → {self.to_status.norwegian}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "kind": self.kind.value,
            "from_status": self.from_status.value,
            "to_status": self.to_status.value,
            "old": self.old,
            "new": self.new,
            "at": self.at.isoformat(),
            "by": self.by,
            "comment": self.comment,
            "import_id": self.import_id,
        }


@dataclass(frozen=True, slots=True)
class UnitProgress:
    """How far the work on one unit's findings of one period has come."""

    period: str
    institution: str  # "" when the extract names none
    department: str | None  # None: findings about the institution as a whole, or no department
    open: int = 0
    asked: int = 0
    accepted: int = 0
    fixed: int = 0
    approved: int = 0

    @property
    def total(self) -> int:
        return self.open + self.asked + self.approved + self.accepted + self.fixed

    @property
    def done(self) -> int:
        """Findings that need no more work: accepted or fixed. An approved one waits for
        its corrected coding to be imported."""
        return self.accepted + self.fixed


# -- reading ------------------------------------------------------------------------------


_SEVERITY_RANK = case({s.value: s.rank for s in Severity}, value=finding.c.severity, else_=0).label(
    "severity_rank"
)


def work_items(
    engine: Engine,
    filters: WorkFilter | None = None,
    *,
    offset: int = 0,
    limit: int = PAGE,
    deadlines: DeadlineRule | None = None,
) -> WorkPage:
    """One page of the findings `filters` match (all without), most severe first (see the
    module docstring), and how many there are in all."""
    if offset < 0 or limit < 1:
        raise StorageError("siden må ha minst ett funn og kan ikke starte før det første")
    rule = deadlines or DeadlineRule.from_env()
    filters = filters or WorkFilter()
    query = _filtered(select(finding), filters).order_by(
        _SEVERITY_RANK.desc(),
        finding.c.rule,
        finding.c.institution,
        func.coalesce(finding.c.department, ""),  # NULL sorts first on both databases
        finding.c.episode_id,
        finding.c.key,
    )
    counted = _filtered(select(func.count()).select_from(finding), filters)
    with database_errors(engine), engine.connect() as conn:
        total = int(conn.execute(counted).scalar_one())
        rows = conn.execute(query.offset(offset).limit(limit)).all()
    return WorkPage([_item(row, rule) for row in rows], total, offset, limit)


def work_item(engine: Engine, key: str, *, deadlines: DeadlineRule | None = None) -> WorkItem:
    """One finding with the work on it, by key or unique key prefix."""
    with database_errors(engine), engine.connect() as conn:
        full = resolve_key(conn, key)
        row = conn.execute(select(finding).where(finding.c.key == full)).one()
    return _item(row, deadlines or DeadlineRule.from_env())


def events(engine: Engine, key: str) -> list[WorkEvent]:
    """The finding's audit log, oldest first."""
    with database_errors(engine), engine.connect() as conn:
        full = resolve_key(conn, key)
        rows = conn.execute(
            select(finding_event).where(finding_event.c.key == full).order_by(finding_event.c.id)
        ).all()
    return [
        WorkEvent(
            key=row.key,
            kind=EventKind(row.kind),
            from_status=FindingStatus(row.from_status),
            to_status=FindingStatus(row.to_status),
            old=row.old_value,
            new=row.new_value,
            at=utc(row.at),
            by=row.by,
            comment=row.comment,
            import_id=row.import_id,
        )
        for row in rows
    ]


def progress(
    engine: Engine, period: str | None = None, institution: str | None = None
) -> list[UnitProgress]:
    """Findings per status for each period, institution and department, in that order."""
    query = select(
        finding.c.period,
        finding.c.institution,
        finding.c.department,
        finding.c.status,
        func.count(),
    ).group_by(finding.c.period, finding.c.institution, finding.c.department, finding.c.status)
    if period is not None:
        query = query.where(finding.c.period == period)
    if institution is not None:
        query = query.where(finding.c.institution == institution)
    counts: dict[tuple[str, str, str | None], dict[str, int]] = {}
    with database_errors(engine), engine.connect() as conn:
        for row_period, place, department, status, count in conn.execute(query):
            counts.setdefault((row_period, place, department), {})[status] = count
    return [
        UnitProgress(row_period, place, department, **by_status)
        for (row_period, place, department), by_status in sorted(
            counts.items(), key=lambda item: (item[0][0], item[0][1], item[0][2] or "")
        )
    ]


def _filtered(query: Select[Any], filters: WorkFilter) -> Select[Any]:
    if filters.period is not None:
        query = query.where(finding.c.period == filters.period)
    if filters.institution is not None:
        query = query.where(finding.c.institution == filters.institution)
    if filters.department is not None:
        query = query.where(finding.c.department == filters.department)
    if filters.rule:
        query = query.where(finding.c.rule.startswith(filters.rule.upper(), autoescape=True))
    if filters.severity is not None:
        query = query.where(finding.c.severity == Severity(filters.severity).value)
    if filters.statuses:
        query = query.where(
            finding.c.status.in_([FindingStatus(s).value for s in filters.statuses])
        )
    if filters.assignee == NOBODY:
        query = query.where(finding.c.assignee.is_(None))
    elif filters.assignee is not None:
        query = query.where(finding.c.assignee == filters.assignee)
    if filters.episode_id is not None:
        query = query.where(finding.c.episode_id == filters.episode_id)
    return query


def _item(row: Row[Any], deadlines: DeadlineRule) -> WorkItem:
    question = None
    if row.question is not None:
        question = Question(
            row.question,
            row.asked_by,
            utc(row.asked_at),
            row.answer,
            row.answered_by,
            utc(row.answered_at) if row.answered_at is not None else None,
        )
    due = row.due_date if row.due_date is not None else deadlines.deadline(row.period)
    return WorkItem(stored_finding(row), row.assignee, due, row.due_date is not None, question)


def _due_text(value: str | None) -> str:
    if not value:
        return "periodens frist"
    return date.fromisoformat(value).strftime("%d.%m.%Y")


# -- changes ------------------------------------------------------------------------------

# status -> the statuses a coder may move a finding into from it (besides an import)
_ALLOWED = {
    FindingStatus.OPEN: {FindingStatus.ACCEPTED, FindingStatus.ASKED, FindingStatus.APPROVED},
    FindingStatus.ASKED: {
        FindingStatus.ACCEPTED,
        FindingStatus.ASKED,
        FindingStatus.APPROVED,
        FindingStatus.OPEN,
    },
    FindingStatus.ACCEPTED: {FindingStatus.ACCEPTED, FindingStatus.ASKED, FindingStatus.OPEN},
    FindingStatus.APPROVED: {FindingStatus.OPEN},
    FindingStatus.FIXED: {FindingStatus.OPEN},
}
_VERB = {
    FindingStatus.ACCEPTED: "godtas",
    FindingStatus.ASKED: "sendes som spørsmål til lege",
    FindingStatus.APPROVED: "få rettingen godkjent",
    FindingStatus.OPEN: "gjenåpnes",
}
_HOW = {  # what to do instead, after the refusal
    FindingStatus.FIXED: " (ved ny innlesing)",
    FindingStatus.APPROVED: " (åpne det igjen først)",
    FindingStatus.ACCEPTED: " (åpne det igjen først)",
}
_STATE = (
    "key",
    "status",
    "assignee",
    "due_date",
    "question",
    "answer",
    "fix",
)

# What a change does to one finding at a time: the values to write and its events (None:
# nothing to change); it raises ChangeRefused when the change is not allowed for the finding.
Change = tuple[dict[str, Any], list[dict[str, Any]]] | None
Step = Callable[[Row[Any], datetime], Change]


def assign(engine: Engine, keys: Sequence[str], assignee: str | None, *, by: str) -> int:
    """Give the findings to `assignee` (None: to no one); returns how many changed."""
    who = _name(assignee, "hvem funnet tildeles") if assignee is not None else None

    def step(row: Row[Any], now: datetime) -> Change:
        if row.assignee == who:
            return None
        return {"assignee": who}, [_event(row, EventKind.ASSIGNEE, old=row.assignee, new=who)]

    return _change(engine, keys, by, step)


def set_due(engine: Engine, keys: Sequence[str], due: date | None, *, by: str) -> int:
    """Set the findings' due date (None: back to the period's correction deadline)."""
    new = due.isoformat() if due is not None else None

    def step(row: Row[Any], now: datetime) -> Change:
        if row.due_date == due:
            return None
        old = row.due_date.isoformat() if row.due_date is not None else None
        return {"due_date": due}, [_event(row, EventKind.DUE_DATE, old=old, new=new)]

    return _change(engine, keys, by, step)


def accept(engine: Engine, keys: Sequence[str], comment: str, *, by: str) -> int:
    """Accept the findings: coded correctly despite the rule. The comment says why."""
    text = _text(comment, "en kommentar om hvorfor kodingen er riktig")
    return _status_change(engine, keys, FindingStatus.ACCEPTED, by, comment=text)


def ask(engine: Engine, keys: Sequence[str], question: str, *, by: str) -> int:
    """Ask the responsible doctor about the findings; a new question replaces an earlier
    one and its answer (both stay in the audit log)."""
    text = _text(question, "spørsmålet til legen")
    return _status_change(engine, keys, FindingStatus.ASKED, by, question=text)


def approve(engine: Engine, keys: Sequence[str], *, by: str, comment: str | None = None) -> int:
    """Approve the findings' fixes: the coder agrees the coding should be corrected as the
    fix says (`kodevakt export --with-fixes` then writes it). Only open or asked findings
    with a fix; approved ones stay as they are. The comment is optional."""
    text = _text(comment, "kommentaren") if comment and comment.strip() else None
    return _status_change(engine, keys, FindingStatus.APPROVED, by, comment=text)


def reopen(engine: Engine, keys: Sequence[str], *, by: str, comment: str | None = None) -> int:
    """Open the findings again (accepted, approved, asked or fixed ones; open ones stay as
    they are)."""
    text = _text(comment, "kommentaren") if comment and comment.strip() else None
    return _status_change(engine, keys, FindingStatus.OPEN, by, comment=text)


def answer(engine: Engine, keys: Sequence[str], text: str, *, by: str) -> int:
    """Record the doctor's answer to the question on asked findings; the status stays
    `asked` until a coder accepts the finding or the coding is fixed."""
    reply = _text(text, "svaret fra legen")
    who = _name(by, "hvem som registrerer svaret")

    def step(row: Row[Any], now: datetime) -> Change:
        if row.status != FindingStatus.ASKED.value:
            being = _being(FindingStatus(row.status))
            raise ChangeRefused(
                f"funnet {row.key} {being}, ikke spurt lege; still spørsmålet først"
            )
        values = {"answer": reply, "answered_by": who, "answered_at": now}
        return values, [_event(row, EventKind.ANSWER, old=row.answer, new=reply)]

    return _change(engine, keys, who, step)


def _status_change(
    engine: Engine,
    keys: Sequence[str],
    new: FindingStatus,
    by: str,
    *,
    comment: str | None = None,
    question: str | None = None,
) -> int:
    who = _name(by, "hvem som gjør endringen")

    def step(row: Row[Any], now: datetime) -> Change:
        old = FindingStatus(row.status)
        if old is new and new in (FindingStatus.OPEN, FindingStatus.APPROVED):
            return None
        if new not in _ALLOWED[old]:
            how = _HOW.get(old, "") if new is not FindingStatus.OPEN else ""
            raise ChangeRefused(f"funnet {row.key} {_being(old)}{how} og kan ikke {_VERB[new]}")
        if new is FindingStatus.APPROVED and row.fix is None:
            raise ChangeRefused(f"funnet {row.key} har ikke noe rettingsforslag å godkjenne")
        values: dict[str, Any] = {
            "status": new.value,
            "comment": comment,
            "changed_by": who,
            "changed_at": now,
        }
        if question is not None:
            values.update(
                question=question,
                asked_by=who,
                asked_at=now,
                answer=None,
                answered_by=None,
                answered_at=None,
            )
        note = question if question is not None else comment
        return values, [_event(row, EventKind.STATUS, to=new, comment=note)]

    return _change(engine, keys, who, step)


def _being(status: FindingStatus) -> str:
    """What a finding with `status` is, in a sentence: «er godtatt», «har godkjent retting»."""
    if status is FindingStatus.APPROVED:
        return "har godkjent retting"
    return f"er {status.norwegian}"


def _change(engine: Engine, keys: Sequence[str], by: str, step: Step) -> int:
    """Apply `step` to every finding in `keys` in one transaction; returns how many changed."""
    who = _name(by, "hvem som gjør endringen")
    if not keys:
        raise StorageError("ingen funn er valgt")
    now = datetime.now(UTC)
    with database_errors(engine), _writing(engine) as conn:
        updates: list[dict[str, Any]] = []
        written: list[dict[str, Any]] = []
        for row in _locked(conn, keys):
            change = step(row, now)
            if change is None:
                continue
            values, found_events = change
            updates.append({"b_key": row.key, **values})
            written += [{**e, "at": now, "by": who} for e in found_events]
        for shape in {tuple(sorted(u)) for u in updates}:
            batch = [u for u in updates if tuple(sorted(u)) == shape]
            conn.execute(finding.update().where(finding.c.key == bindparam("b_key")), batch)
        if written:
            conn.execute(finding_event.insert(), written)
    return len(updates)


@contextmanager
def _writing(engine: Engine) -> Iterator[Connection]:
    """A transaction that holds SQLite's write lock from the start, so that reading the
    findings and writing them cannot interleave with another writer (PostgreSQL locks the
    rows read: `_locked`)."""
    with engine.begin() as conn:
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        yield conn


def _locked(conn: Connection, keys: Sequence[str]) -> list[Row[Any]]:
    """The findings' current state, in the order of `keys` (each once), locked for update.
    A key may be a unique prefix; an unknown one raises `UnknownFinding`."""
    wanted = list(dict.fromkeys(k.strip().lower() for k in keys))
    columns = [finding.c[name] for name in _STATE]
    found: dict[str, Row[Any]] = {}
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start : start + _CHUNK]
        query = select(*columns).where(one_of(conn, finding.c.key, chunk)).with_for_update()
        found.update((row.key, row) for row in conn.execute(query))
    rows: list[Row[Any]] = []
    for key in wanted:
        if key not in found:
            full = resolve_key(conn, key)
            query = select(*columns).where(finding.c.key == full).with_for_update()
            found[key] = conn.execute(query).one()
        rows.append(found[key])
    return list({row.key: row for row in rows}.values())


def _event(
    row: Row[Any],
    kind: EventKind,
    *,
    to: FindingStatus | None = None,
    old: str | None = None,
    new: str | None = None,
    comment: str | None = None,
) -> dict[str, Any]:
    return {
        "key": row.key,
        "kind": kind.value,
        "from_status": row.status,
        "to_status": (to.value if to is not None else row.status),
        "old_value": old,
        "new_value": new,
        "comment": comment,
        "import_id": None,
    }


def _name(value: str | None, what: str) -> str:
    name = (value or "").strip()
    if not name:
        raise StorageError(f"{what} må oppgis (navn eller brukernavn)")
    if len(name) > MAX_NAME:
        raise StorageError(f"{what}: navnet er lengre enn {MAX_NAME} tegn")
    return name


def _text(value: str | None, what: str) -> str:
    text = (value or "").strip()
    if not text:
        raise StorageError(f"{what} må fylles ut")
    if len(text) > MAX_TEXT:
        raise StorageError(f"{what} er lengre enn {MAX_TEXT} tegn")
    return text
