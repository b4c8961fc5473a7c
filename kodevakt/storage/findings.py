"""Stored findings: the stable key, the coder's status, and how a new result is merged in.

A finding's key is a hash of what identifies it: period, institution, episode id, rule, codes
and the kind of place (`conditions`, `procedures`, `patient.sex`, a unit…), not the message
text, which may be reworded, and not the group's position: a coder who reorders the condition
groups, or inserts one before, has not touched the defect. When one rule fires on the same
codes at several places in an episode, the places are numbered in the order the checker
reports them (the first keeps the plain key). The same defect in the same episode therefore
keeps its key across imports, and with it the status a coder gave it:

    open ──accept (comment, by)──▶ accepted
      ▲  ◀─────────reopen─────────┘
      │ ──approve (by; only with a fix)──▶ approved
      │  ◀─────────reopen─────────┘
      │
      └── found again ◀── fixed ◀── gone after a correction (automatic, with time)

`accepted` says the coding is right despite the rule; `approved` says the opposite: the
coder agrees with kodevakt's fix, which `kodevakt export --with-fixes` applies to the
corrected extract. Asking the doctor (`asked`) and the coder's side of every change are the
worklog's (`worklog.py`).

`FindingWriter` merges one import's findings: new keys are inserted as open, fixed ones that
are found again are reopened, and at the end the findings not seen again are marked fixed —
for episode findings only in episodes the import saw, for batch findings (`add_findings`) only
for the rules the caller says it ran. Every status change is written to `finding_event`.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, cast

from sqlalchemy import Connection, Engine, and_, bindparam, exists, func, literal, or_, select
from sqlalchemy.sql.elements import ColumnElement

from kodevakt.batch.catalogue import first_code
from kodevakt.errors import StorageError
from kodevakt.rules.finding import FIELDS, Finding, Fix, Severity
from kodevakt.storage.database import insert_many, one_of, stream_rows
from kodevakt.storage.schema import episode, finding, finding_event

KEY_LENGTH = 16
MIN_PREFIX = 6
_CHUNK = 5000
# `conditions[1][0]`, `procedures[2]`: a code's position, which is not part of its identity
_POSITIONAL = re.compile(r"^(conditions|procedures)(?:\[\d+\])+$")


class FindingStatus(StrEnum):
    OPEN = "open"
    FIXED = "fixed"
    ACCEPTED = "accepted"
    ASKED = "asked"  # the responsible doctor was asked (see `worklog`)
    APPROVED = "approved"  # the coder agrees with the finding's fix (see `worklog`)

    @property
    def norwegian(self) -> str:
        return _NORWEGIAN[self]


_NORWEGIAN = {
    FindingStatus.OPEN: "åpen",
    FindingStatus.FIXED: "rettet",
    FindingStatus.ACCEPTED: "godtatt",
    FindingStatus.ASKED: "spurt lege",
    FindingStatus.APPROVED: "retting godkjent",
}


class UnknownFinding(StorageError):
    """No stored finding has this key (or the prefix is ambiguous)."""


@dataclass(frozen=True, slots=True)
class StoredFinding:
    """A finding as stored: the `Finding` itself plus key, place, status and who changed it."""

    key: str
    finding: Finding
    period: str
    institution: str | None
    department: str | None
    status: FindingStatus
    comment: str | None
    by: str | None
    changed_at: datetime
    first_seen_at: datetime
    scope: str

    def to_dict(self) -> dict[str, Any]:
        """`Finding.to_dict()` plus the storage fields (times as ISO text, UTC)."""
        return self.record(self.finding.to_dict())

    def record(self, finding: dict[str, Any]) -> dict[str, Any]:
        """`finding` (the finding's JSON or CSV record) between the key and the storage
        fields: the machine formats of `kodevakt findings`."""
        return {
            "key": self.key,
            **finding,
            "period": self.period,
            "institution": self.institution,
            "department": self.department,
            "status": self.status.value,
            "comment": self.comment,
            "by": self.by,
            "changed_at": self.changed_at.isoformat(),
            "first_seen_at": self.first_seen_at.isoformat(),
        }


@dataclass(frozen=True, slots=True)
class FindingEvent:
    """One status change of a finding; `by` is None for automatic changes by an import."""

    key: str
    from_status: FindingStatus
    to_status: FindingStatus
    at: datetime
    by: str | None
    comment: str | None
    import_id: int | None


def finding_key(period: str, institution: str, found: Finding, occurrence: int = 0) -> str:
    """The stable identity of `found` in `period` (16 hex digits); `occurrence` numbers the
    places where the same rule fires on the same codes in one episode (0 = the first)."""
    return _hashed(_identity(period, institution, found), occurrence)


def _identity(period: str, institution: str, found: Finding) -> str:
    """What makes a finding the same one across imports; a renumbered rule keeps its first
    code here, so its findings keep their status."""
    kind = _POSITIONAL.sub(r"\1", found.location)
    rule = first_code(found.rule)
    parts = (period, institution, found.episode_id, rule, " ".join(found.codes), kind)
    return "\x1f".join(parts)


def _hashed(identity: str, occurrence: int) -> str:
    text = f"{identity}\x1f{occurrence}" if occurrence else identity
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:KEY_LENGTH]


def numbered_key(
    places: dict[str, list[str]], period: str, institution: str, found: Finding
) -> str:
    """The key of `found`, numbering the places where its rule fires on the same codes in
    the order they come (`places` remembers them, by identity, between calls)."""
    identity = _identity(period, institution, found)
    seen = places.setdefault(identity, [])
    if found.location not in seen:
        seen.append(found.location)
    return _hashed(identity, seen.index(found.location))


def episode_keys(period: str, institution: str, findings: Iterable[Finding]) -> list[str]:
    """The keys an import gives one episode's findings (in the checker's order), in order:
    how a fresh check of a stored episode is matched to its stored findings."""
    places: dict[str, list[str]] = {}
    return [numbered_key(places, period, institution, found) for found in findings]


def finding_columns(found: Finding) -> dict[str, Any]:
    """`found`'s values in the finding table, by column: every field of `Finding`, stored as
    it is except the severity (its value), the codes (space-separated), the fix and a unit's
    episodes (JSON text). `FindingColumns` reads them back."""
    columns: dict[str, Any] = dict(zip(FIELDS, found, strict=True))
    columns["severity"] = found.severity.value
    columns["codes"] = " ".join(found.codes)
    columns["fix"] = _fix_text(found.fix)
    columns["episodes"] = episodes_text(found.episodes)
    return columns


class FindingColumns:
    """Reads a `Finding` back from its stored columns (the values in `FIELDS` order), the
    inverse of `finding_columns`. Repeated texts (rule, name, source, suggestion, codes) are
    held once in `shared`: a period's million findings repeat a few hundred of them."""

    def __init__(self, shared: dict[str, str] | None = None) -> None:
        one = (shared if shared is not None else {}).setdefault
        severity_of = {s.value: s for s in Severity}

        def text(value: str) -> str:
            return one(value, value)

        def optional(value: str | None) -> str | None:
            return one(value, value) if value is not None else None

        def codes(value: str) -> tuple[str, ...]:
            return tuple([one(code, code) for code in value.split()])

        decoders: dict[str, Callable[[Any], Any]] = {
            "rule": text,
            "name": text,
            "severity": severity_of.__getitem__,
            "codes": codes,
            "source": text,
            "suggestion": optional,
            "fix": fix_from_text,
            "episodes": episodes_from_text,
        }
        # (position, decoder) of the columns not stored as they are
        self._steps = tuple((FIELDS.index(name), read) for name, read in decoders.items())

    def __call__(self, values: Sequence[Any]) -> Finding:
        found = list(values)
        for position, read in self._steps:
            found[position] = read(found[position])
        return Finding._make(found)


def common_place(places: Collection[tuple[str, str | None]], unit: bool) -> tuple[str, str | None]:
    """Institution and department of a finding from the (institution, department) of its
    episodes: the one place when there is one; for a unit finding the institution its
    episodes share (department None); otherwise ("", None)."""
    if len(places) == 1:
        return next(iter(places))
    institutions = {institution for institution, _ in places}
    if unit and len(institutions) == 1:
        return next(iter(institutions)), None
    return "", None


def utc(moment: datetime) -> datetime:
    """SQLite hands back naive times; every stored time is UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


@dataclass(slots=True)
class MergeCounts:
    new: int = 0
    reopened: int = 0
    fixed: int = 0


class FindingWriter:
    """Merges the findings of one import run (`run_id`) into the finding table."""

    # What may change while the key stays: every stored field but those the key is made of
    # (the location is in it by kind only), and the department.
    _COMPARED = (*(n for n in FIELDS if n not in ("episode_id", "rule", "codes")), "department")

    def __init__(
        self, connection: Connection, run_id: int, period: str, scope: str, now: datetime
    ) -> None:
        self.connection = connection
        self.run_id = run_id
        self.period = period
        self.scope = scope
        self.now = now
        self.counts = MergeCounts()
        self._places: dict[str, list[str]] = {}

    def write(self, items: Iterable[tuple[Finding, str, str | None]]) -> list[str]:
        """Store (finding, institution, department) triples seen in this run; the key of
        each, in order (the pipeline keeps them for the pattern run, see
        `kodevakt.pipeline.kept`).

        An import passes every finding of an episode in one call, so the numbering of a
        rule's places in an episode starts afresh with each call (memory stays flat over a
        million episodes); batch findings may be spread over calls, and are few, so theirs
        lasts the run. A finding seen twice at the same place is stored once.
        """
        rows: dict[str, dict[str, Any]] = {}
        places = self._places if self.scope == "batch" else {}
        given: list[str] = []
        for found, institution, department in items:
            key = numbered_key(places, self.period, institution, found)
            given.append(key)
            if key not in rows:
                rows[key] = self._row(key, found, institution, department)
        keys = list(rows)
        for start in range(0, len(keys), _CHUNK):
            self._write_chunk({k: rows[k] for k in keys[start : start + _CHUNK]})
        return given

    def _row(
        self, key: str, found: Finding, institution: str, department: str | None
    ) -> dict[str, Any]:
        return {
            "key": key,
            "scope": self.scope,
            "period": self.period,
            "institution": institution,
            "department": department,
            **finding_columns(found),
            "status": FindingStatus.OPEN.value,
            "comment": None,
            "changed_by": None,
            "changed_at": self.now,
            "first_seen_at": self.now,
            "last_seen_import_id": self.run_id,
        }

    def _write_chunk(self, rows: dict[str, dict[str, Any]]) -> None:
        conn = self.connection
        columns = [finding.c.key, finding.c.status] + [finding.c[n] for n in self._COMPARED]
        stored = {
            r.key: r
            for r in conn.execute(select(*columns).where(one_of(conn, finding.c.key, rows)))
        }
        new = [row for key, row in rows.items() if key not in stored]
        if new:
            insert_many(conn, finding, new)
            self.counts.new += len(new)
        updates, touched, events = [], [], []
        for key, old in stored.items():
            row = rows[key]
            changed = any(getattr(old, n) != row[n] for n in self._COMPARED)
            reopen = old.status == FindingStatus.FIXED
            if not changed and not reopen:
                touched.append(key)
                continue
            update = {n: row[n] for n in self._COMPARED}
            update.update(b_key=key, status=old.status, last_seen_import_id=self.run_id)
            if reopen:
                update.update(status=FindingStatus.OPEN.value, changed_at=self.now, changed_by=None)
                events.append(self._event(key, FindingStatus.FIXED, FindingStatus.OPEN))
            updates.append(update)
        if touched:
            conn.execute(
                finding.update()
                .where(one_of(conn, finding.c.key, touched))
                .values(last_seen_import_id=self.run_id)
            )
        # Rows differ in whether changed_at is set, so write each shape in its own batch.
        for shape in {tuple(sorted(u)) for u in updates}:
            batch = [u for u in updates if tuple(sorted(u)) == shape]
            conn.execute(finding.update().where(finding.c.key == bindparam("b_key")), batch)
        if events:
            conn.execute(finding_event.insert(), events)
            self.counts.reopened += len(events)

    def _event(self, key: str, old: FindingStatus, new: FindingStatus) -> dict[str, Any]:
        return {
            "key": key,
            "from_status": old.value,
            "to_status": new.value,
            "at": self.now,
            "by": None,
            "comment": None,
            "import_id": self.run_id,
        }

    def fix_unseen_in_episodes(self) -> None:
        """Mark fixed the episode findings not seen again in episodes this run imported."""
        seen_episode = exists().where(
            episode.c.period == finding.c.period,
            episode.c.institution == finding.c.institution,
            episode.c.episode_id == finding.c.episode_id,
            episode.c.last_import_id == self.run_id,
        )
        self._fix(and_(finding.c.scope == "episode", seen_episode))

    def fix_unseen_for_rules(self, rules: Collection[str]) -> None:
        """Mark fixed the batch findings of `rules` in the period not seen in this run."""
        if rules:
            self._fix(and_(finding.c.scope == self.scope, finding.c.rule.in_(list(rules))))

    def _fix(self, condition: ColumnElement[bool]) -> None:
        where = and_(
            finding.c.period == self.period,
            finding.c.status != FindingStatus.FIXED.value,
            finding.c.last_seen_import_id != self.run_id,
            condition,
        )
        events = select(
            finding.c.key,
            finding.c.status,
            literal(FindingStatus.FIXED.value),
            literal(self.now, finding.c.changed_at.type),
            literal(self.run_id),
        ).where(where)
        self.connection.execute(
            finding_event.insert().from_select(
                ["key", "from_status", "to_status", "at", "import_id"], events
            )
        )
        result = self.connection.execute(
            finding.update()
            .where(where)
            .values(status=FindingStatus.FIXED.value, changed_at=self.now, changed_by=None)
        )
        self.counts.fixed += result.rowcount


def _fix_text(fix: Fix | None) -> str | None:
    if fix is None:
        return None
    return json.dumps(fix.to_dict(), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def episodes_text(episodes: tuple[str, ...]) -> str | None:
    """A unit finding's episode ids as stored (JSON), None for a finding about one episode."""
    return json.dumps(list(episodes), ensure_ascii=False) if episodes else None


def episodes_from_text(text: str | None) -> tuple[str, ...]:
    return tuple(json.loads(text)) if text else ()


def fix_from_text(text: str | None) -> Fix | None:
    """The `Fix` stored as JSON text (None stays None)."""
    if text is None:
        return None
    data = json.loads(text)

    def groups(value: list[list[str]] | None) -> tuple[tuple[str, ...], ...] | None:
        return None if value is None else tuple(tuple(group) for group in value)

    return Fix(conditions=groups(data.get("conditions")), procedures=groups(data.get("procedures")))


def stored_finding(row: Any, read: FindingColumns | None = None) -> StoredFinding:
    """The `StoredFinding` of a whole row of the finding table."""
    columns = row._mapping
    return StoredFinding(
        key=row.key,
        finding=(read or FindingColumns())([columns[name] for name in FIELDS]),
        period=row.period,
        institution=row.institution or None,
        department=row.department,
        status=FindingStatus(row.status),
        comment=row.comment,
        by=row.changed_by,
        changed_at=utc(row.changed_at),
        first_seen_at=utc(row.first_seen_at),
        scope=row.scope,
    )


def query_findings(
    engine: Engine,
    *,
    period: str | None = None,
    institution: str | None = None,
    status: FindingStatus | str | None = None,
    rule: str | None = None,
    department: str | None = None,
    episode_id: str | None = None,
    severity: Severity | str | None = None,
) -> Iterator[StoredFinding]:
    """Stored findings matching every filter given, ordered by place, episode and rule.

    `rule` is a prefix (`T` = every T rule, `T02` = that rule); `severity` is a minimum.
    """
    query = select(finding)
    if period is not None:
        query = query.where(finding.c.period == period)
    if institution is not None:
        query = query.where(finding.c.institution == institution)
    if status is not None:
        query = query.where(finding.c.status == FindingStatus(status).value)
    if rule:
        query = query.where(finding.c.rule.startswith(rule.upper(), autoescape=True))
    if department is not None:
        query = query.where(finding.c.department == department)
    if episode_id is not None:  # its own findings and those about its unit naming it
        named = finding.c.episodes.contains(json.dumps(episode_id), autoescape=True)
        query = query.where(or_(finding.c.episode_id == episode_id, named))
    if severity is not None:
        floor = Severity(severity).rank
        query = query.where(finding.c.severity.in_([s.value for s in Severity if s.rank >= floor]))
    query = query.order_by(
        finding.c.period,
        finding.c.institution,
        finding.c.episode_id,
        finding.c.rule,
        finding.c.location,
        finding.c.key,
    )
    read = FindingColumns()
    for row in stream_rows(engine, query):
        yield stored_finding(row, read)


@dataclass(frozen=True, slots=True)
class PeriodFinding:
    """A stored finding as reports read a whole period of them: key, place, status, scope
    and the `Finding`; with `episodes=True` also whether its episode is stored and the
    episode's patient id and dates (from the episode table)."""

    key: str
    institution: str  # "" when the extract names none
    department: str | None
    status: FindingStatus
    scope: str
    finding: Finding
    episode_found: bool = False
    patient_id: str | None = None
    admission: datetime | None = None
    discharge: datetime | None = None


_PERIOD_COLUMNS = ("key", "institution", "department", "status", "scope", *FIELDS)


def period_findings(
    engine: Engine,
    period: str,
    institution: str | None = None,
    statuses: Collection[FindingStatus | str] | None = None,
    *,
    episodes: bool = False,
) -> Iterator[PeriodFinding]:
    """The findings of one period (every status unless `statuses`), streamed, in no order.

    Lighter than `query_findings`: no times, comment or who, and repeated texts (rule, name,
    source, suggestion, codes) are held once, for reading a million findings at a time.
    """
    columns = [finding.c[name] for name in _PERIOD_COLUMNS]
    query = select(*columns).where(finding.c.period == period)
    if episodes:
        joined = finding.outerjoin(
            episode,
            and_(
                episode.c.period == finding.c.period,
                episode.c.episode_id == finding.c.episode_id,
                episode.c.institution == finding.c.institution,
            ),
        )
        query = (
            select(
                *columns,
                episode.c.id.label("episode_ref"),
                episode.c.patient_id,
                episode.c.admission,
                episode.c.discharge,
            )
            .select_from(joined)
            .where(finding.c.period == period)
        )
    if institution is not None:
        query = query.where(finding.c.institution == institution)
    if statuses is not None:
        query = query.where(finding.c.status.in_([FindingStatus(s).value for s in statuses]))
    shared: dict[str, str] = {}
    one = shared.setdefault
    status_of = {s.value: s for s in FindingStatus}
    no_episode = (False, None, None, None)
    read = FindingColumns(shared)
    after = len(_PERIOD_COLUMNS)
    rows = cast(Iterator[tuple[Any, ...]], stream_rows(engine, query, size=10_000))
    for row in rows:  # by position: a million rows
        key, place, department, status, scope = row[:5]
        ref, patient_id, admission, discharge = row[after:] if episodes else no_episode
        yield PeriodFinding(
            key,
            one(place, place),
            one(department, department) if department is not None else None,
            status_of[status],
            scope,
            read(row[5:after]),
            ref is not None and ref is not False,
            patient_id,
            admission,
            discharge,
        )


def resolve_key(conn: Connection, key: str) -> str:
    """The full key for `key` or a unique prefix of at least six characters."""
    key = key.strip().lower()
    if conn.execute(select(finding.c.key).where(finding.c.key == key)).first() is not None:
        return key
    if len(key) < MIN_PREFIX:
        raise UnknownFinding(
            f"fant ikke funnet «{key}» (oppgi hele nøkkelen eller minst {MIN_PREFIX} tegn)"
        )
    matches = conn.execute(
        select(finding.c.key).where(finding.c.key.startswith(key, autoescape=True)).limit(2)
    ).all()
    if not matches:
        raise UnknownFinding(f"fant ikke funnet «{key}»")
    if len(matches) > 1:
        raise UnknownFinding(f"«{key}» passer til flere funn; oppgi flere tegn av nøkkelen")
    return str(matches[0].key)


def get_finding(engine: Engine, key: str) -> StoredFinding:
    with engine.connect() as conn:
        full = resolve_key(conn, key)
        return stored_finding(conn.execute(select(finding).where(finding.c.key == full)).one())


def finding_events(engine: Engine, key: str) -> list[FindingEvent]:
    """The status changes of a finding, oldest first."""
    with engine.connect() as conn:
        full = resolve_key(conn, key)
        rows = conn.execute(
            select(finding_event).where(finding_event.c.key == full).order_by(finding_event.c.id)
        ).all()
    return [
        FindingEvent(
            key=row.key,
            from_status=FindingStatus(row.from_status),
            to_status=FindingStatus(row.to_status),
            at=utc(row.at),
            by=row.by,
            comment=row.comment,
            import_id=row.import_id,
        )
        for row in rows
    ]


def count_by_status(engine: Engine, period: str | None = None) -> dict[str, int]:
    query = select(finding.c.status, func.count()).group_by(finding.c.status)
    if period is not None:
        query = query.where(finding.c.period == period)
    with engine.connect() as conn:
        return {row[0]: row[1] for row in conn.execute(query)}
