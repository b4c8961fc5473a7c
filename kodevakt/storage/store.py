"""`Store`: the one object that reaches the database; it stores and queries, and runs nothing.

What to store comes from the pipeline (`kodevakt.pipeline`: read, check, patterns); what
is stored is read back by reports, the CLI and the pipeline through the methods here.
"""

from __future__ import annotations

import gc
import re
from collections.abc import Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from types import TracebackType
from typing import Any

from sqlalchemy import func, select, union
from sqlalchemy.exc import SQLAlchemyError

from kodevakt.batch.indicators import IndicatorValue
from kodevakt.episodes.model import Episode, Source
from kodevakt.errors import StorageError
from kodevakt.rules.finding import Finding, Severity
from kodevakt.storage import findings as stored_findings
from kodevakt.storage import worklog
from kodevakt.storage.content import episode_from_content
from kodevakt.storage.database import (
    Access,
    database_errors,
    display_url,
    migrate,
    one_of,
    open_engine,
    reason,
    refresh_statistics,
    resolve_url,
    stream_rows,
)
from kodevakt.storage.findings import (
    FindingEvent,
    FindingStatus,
    FindingWriter,
    PeriodFinding,
    StoredFinding,
    common_place,
)
from kodevakt.storage.history import EpisodeChange, episode_history
from kodevakt.storage.importing import (
    INTERRUPTED,
    FileImport,
    ImportRun,
    lock_period,
    run_counts,
)
from kodevakt.storage.indicators import (
    has_indicator_values,
    replace_indicator_values,
    stored_indicator_values,
)
from kodevakt.storage.locking import ImportLock
from kodevakt.storage.patterns import (
    PATTERN_SOURCE,
    has_episodes,
    is_empty,
    last_pattern_run,
    period_pairs,
)
from kodevakt.storage.schema import episode, finding, import_rejection, import_run

BATCH_SIZE = 5000
LOCK_WAIT = 30.0  # seconds an import waits for another one into the same database
_PLACE_CHUNK = 5000  # episode ids looked up per query when placing findings
FIRST_YEAR = 1990
_PERIOD = re.compile(r"^(\d{4})(?:[Tt]([1-3])|-(0[1-9]|1[0-2]))?$")


def parse_period(value: str) -> str:
    """A period as stored: a tertial `2025T1`, a month `2025-03` or a year `2025`, of a year
    from `FIRST_YEAR` to next year (a mistyped year would otherwise make a period of its own)."""
    match = _PERIOD.match(value.strip())
    if match is None:
        raise StorageError(
            f"perioden «{value}» kan ikke leses; bruk tertial (2025T1), måned (2025-03) eller år"
        )
    year, tertial, month = match.groups()
    last = date.today().year + 1
    if not FIRST_YEAR <= int(year) <= last:
        raise StorageError(
            f"perioden «{value}» er ikke mulig: året må være fra {FIRST_YEAR} til og med {last}"
        )
    if tertial:
        return f"{year}T{tertial}"
    return f"{year}-{month}" if month else year


@dataclass(frozen=True, slots=True)
class ImportLog:
    """One row of the import log: a file import or an `add_findings` call."""

    id: int
    kind: str
    period: str
    file: str | None
    started_at: datetime
    finished_at: datetime | None
    status: str
    message: str | None
    counts: dict[str, int]


class Store:
    """A kodevakt database: SQLite file or PostgreSQL, migrated when opened.

    `url`: see `database.resolve_url` (None = `KODEVAKT_DB`, else `kodevakt.db` here).
    `batch_size`: how many episodes or findings go to the database at a time. `access`:
    `create` (a missing SQLite file is created), `write` (it must exist) or `read` (it must
    exist, and is opened read-only when it cannot be written; see `database.Access`).
    `lock_wait`: how many seconds an import waits for another one into the same database
    before it gives up (`locking.ImportBusy`; None = `LOCK_WAIT`).

    Opened for writing, a database's runs left `running` by an import that was killed are
    marked failed (interrupted) when no import is running.
    """

    def __init__(
        self,
        url: str | None = None,
        *,
        batch_size: int = BATCH_SIZE,
        access: Access | str = Access.CREATE,
        lock_wait: float | None = None,
    ) -> None:
        self.url = resolve_url(url)
        self.engine, self.read_only = open_engine(self.url, Access(access))
        self.batch_size = batch_size
        self.lock_wait = LOCK_WAIT if lock_wait is None else lock_wait
        self._lock = ImportLock(self.engine)
        try:
            migrate(self.engine, read_only=self.read_only)
            if Access(access) is not Access.READ:
                self._mark_interrupted()
        except BaseException:
            self.engine.dispose()
            raise

    def __repr__(self) -> str:
        return f"Store({display_url(self.url)!r})"

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def import_lock(self) -> Iterator[None]:
        """The database's import lock for the block (see `locking`); re-entrant. Everything
        that writes import runs holds it: an import with its pattern runs, `add_findings`."""
        self._lock.hold(self.lock_wait)
        try:
            yield
        finally:
            self._lock.release()

    def _mark_interrupted(self) -> None:
        """Runs left `running` with no import holding the lock were killed: mark them failed."""
        running = import_run.c.status == "running"
        with database_errors(self.engine):
            with self.engine.connect() as conn:
                if conn.execute(select(import_run.c.id).where(running).limit(1)).first() is None:
                    return
            if not self._lock.acquire(0):
                return  # an import is running now; its runs are not stale
            try:
                with self.engine.begin() as conn:
                    conn.execute(
                        import_run.update()
                        .where(running)
                        .values(status="failed", finished_at=datetime.now(UTC), message=INTERRUPTED)
                    )
            finally:
                self._lock.release()

    # -- writing -----------------------------------------------------------------------

    def start_import(self, file: str, period: str) -> ImportRun:
        """Start the import run of `file` into `period` (see `importing`): its row is
        committed as `running` before anything of the file is stored."""
        return ImportRun(self.engine, file, period)

    def patterns_stored(self, period: str) -> bool:
        """Whether the pattern findings and indicator values stored for the period are
        current: a pattern run succeeded after the last file imported into it, and stored
        the period's indicator values (a run from before they were stored did not). A period
        without pattern findings may still have had a run."""
        period = parse_period(period)
        with database_errors(self.engine):
            run_id = last_pattern_run(self.engine, period)
            if run_id is None:
                return False
            return has_indicator_values(self.engine, period, run_id) or not has_episodes(
                self.engine, period
            )

    def has_episodes(self, period: str, institution: str | None = None) -> bool:
        """Whether the period holds an episode (of the institution, if given)."""
        with database_errors(self.engine):
            return has_episodes(self.engine, parse_period(period), institution)

    def period_is_empty(self, period: str) -> bool:
        """Whether the period holds no episode and no episode finding: what an import into
        it stores is then all the period holds (the pipeline keeps it for the pattern run)."""
        with database_errors(self.engine):
            return is_empty(self.engine, parse_period(period))

    def add_findings(
        self,
        period: str,
        findings: Iterable[Finding],
        *,
        rules: Collection[str] | None = None,
        source: str = PATTERN_SOURCE,
        indicators: Sequence[IndicatorValue] | None = None,
    ) -> FileImport:
        """Store findings computed over a whole batch (pattern rules M01–M07).

        They get the same key and status handling as episode findings: a coder's status
        survives a new run. `rules` names the rules this run computed completely for the
        period: their stored findings not in `findings` are marked fixed. Institution and
        department come from the stored episode with the finding's episode id, when there is
        exactly one; for a unit finding, from its episodes (the institution when they share
        one, the department when they share that too). `indicators`: the period's indicator
        values from the same run, stored in place of earlier ones.
        """
        period = parse_period(period)
        now = datetime.now(UTC)
        try:
            with self.import_lock(), self.engine.begin() as conn:
                lock_period(conn, period)
                run_id = int(
                    conn.execute(
                        import_run.insert()
                        .values(
                            kind="findings",
                            period=period,
                            file=source,
                            started_at=now,
                            status="running",
                            **run_counts(FileImport(source, 0)),
                        )
                        .returning(import_run.c.id)
                    ).scalar_one()
                )
                writer = FindingWriter(conn, run_id, period, "batch", now)
                chunk: list[Finding] = []
                for found in findings:
                    chunk.append(found)
                    if len(chunk) >= self.batch_size:
                        writer.write(self._placed(conn, period, chunk))
                        chunk = []
                writer.write(self._placed(conn, period, chunk))
                refresh_statistics(conn, finding)
                if rules is not None:
                    writer.fix_unseen_for_rules(rules)
                if indicators is not None:
                    replace_indicator_values(conn, period, run_id, indicators)
                counts = writer.counts
                conn.execute(
                    import_run.update()
                    .where(import_run.c.id == run_id)
                    .values(
                        status="ok",
                        finished_at=datetime.now(UTC),
                        findings_new=counts.new,
                        findings_reopened=counts.reopened,
                        findings_fixed=counts.fixed,
                    )
                )
        except SQLAlchemyError as exc:
            raise StorageError(f"funnene kunne ikke lagres: {reason(exc)}") from None
        return FileImport(
            source,
            run_id,
            findings_new=counts.new,
            findings_reopened=counts.reopened,
            findings_fixed=counts.fixed,
        )

    @staticmethod
    def _placed(
        conn: Any, period: str, chunk: list[Finding]
    ) -> list[tuple[Finding, str, str | None]]:
        """Each finding with its institution and department: those of its episode, or for a
        unit finding those its episodes share ("" and None where they differ)."""
        if not chunk:
            return []
        wanted = {i for f in chunk for i in (f.episodes or (f.episode_id,))}
        places: dict[str, set[tuple[str, str | None]]] = {}
        listed = sorted(wanted)
        for start in range(0, len(listed), _PLACE_CHUNK):
            rows = conn.execute(
                select(episode.c.episode_id, episode.c.institution, episode.c.department).where(
                    episode.c.period == period,
                    one_of(conn, episode.c.episode_id, listed[start : start + _PLACE_CHUNK]),
                )
            )
            for row in rows:
                places.setdefault(row.episode_id, set()).add((row.institution, row.department))
        placed = []
        for found in chunk:
            where: set[tuple[str, str | None]] = set()
            for episode_id in found.episodes or (found.episode_id,):
                where |= places.get(episode_id, set())
            placed.append((found, *common_place(where, bool(found.episodes))))
        return placed

    # -- reading -----------------------------------------------------------------------

    def episodes(
        self,
        period: str | None = None,
        institution: str | None = None,
        *,
        department: str | None = None,
        sources: bool = True,
    ) -> Iterator[Episode]:
        """Stored episodes (current versions), streamed in import order per period.

        `sources=False` leaves out where each was read from (`Episode.source` None), for
        readers of a whole period that do not need it (less memory).
        """
        query = select(
            episode.c.period, episode.c.content, episode.c.source_file, episode.c.source_line
        )
        if period is not None:
            query = query.where(episode.c.period == parse_period(period))
        if institution is not None:
            query = query.where(episode.c.institution == institution)
        if department is not None:
            query = query.where(episode.c.department == department)
        query = query.order_by(episode.c.period, episode.c.id)
        shared: dict[str, str] = {}  # repeated strings (codes, file names) held once
        for count, row in enumerate(stream_rows(self.engine, query, size=5000), start=1):
            source = None
            if sources:
                file = row.source_file or row.period
                source = Source(shared.setdefault(file, file), row.source_line or 0)
            yield episode_from_content(row.content, source, shared)
            if count % 20_000 == 0:
                gc.collect(1)  # the young garbage of the fetches, when the caller paused the gc

    def episodes_at(self, period: str, places: Collection[tuple[str, str]]) -> list[Episode]:
        """The stored episodes of the period at (institution or "", episode id) `places`."""
        wanted = set(places)
        ids = sorted({episode_id for _, episode_id in wanted})
        found = []
        with database_errors(self.engine), self.engine.connect() as conn:
            for start in range(0, len(ids), _PLACE_CHUNK):
                query = select(
                    episode.c.institution, episode.c.episode_id, episode.c.content
                ).where(
                    episode.c.period == parse_period(period),
                    one_of(conn, episode.c.episode_id, ids[start : start + _PLACE_CHUNK]),
                )
                for row in conn.execute(query):
                    if (row.institution, row.episode_id) in wanted:
                        found.append(episode_from_content(row.content, None))
        return found

    def department_counts(self, period: str, institution: str | None = None) -> dict[str, int]:
        """Episodes per department of the period ("" for those without one)."""
        query = select(episode.c.department, func.count()).where(
            episode.c.period == parse_period(period)
        )
        if institution is not None:
            query = query.where(episode.c.institution == institution)
        counts: dict[str, int] = {}
        with database_errors(self.engine), self.engine.connect() as conn:
            for department, count in conn.execute(query.group_by(episode.c.department)):
                counts[department or ""] = counts.get(department or "", 0) + count
        return counts

    def indicator_values(
        self, period: str, institution: str | None = None
    ) -> list[IndicatorValue] | None:
        """The indicator values the period's latest pattern run stored (of one institution
        and its departments, if given), None when it stored none."""
        with database_errors(self.engine):
            return stored_indicator_values(self.engine, parse_period(period), institution)

    def episodes_with_findings(
        self, period: str, institution: str | None = None, *, details: bool = True
    ) -> Iterator[tuple[Episode, list[Finding]]]:
        """Each stored episode of the period with its current (open or accepted) checker
        findings, streamed: the pairs `compute_indicators` and `run_patterns` take.
        `details=False` leaves out the findings' texts, which the pattern rules and the
        indicators do not read (see `patterns.episode_findings`)."""
        with database_errors(self.engine):
            yield from period_pairs(self.engine, parse_period(period), institution, details=details)

    def findings(
        self,
        period: str | None = None,
        institution: str | None = None,
        status: FindingStatus | str | None = None,
        *,
        rule: str | None = None,
        department: str | None = None,
        episode_id: str | None = None,
        severity: Severity | str | None = None,
    ) -> Iterator[StoredFinding]:
        """Stored findings, streamed; `rule` is a prefix, `severity` a minimum."""
        return stored_findings.query_findings(
            self.engine,
            period=parse_period(period) if period is not None else None,
            institution=institution,
            status=status,
            rule=rule,
            department=department,
            episode_id=episode_id,
            severity=severity,
        )

    def period_findings(
        self,
        period: str,
        institution: str | None = None,
        statuses: Collection[FindingStatus | str] | None = None,
        *,
        episodes: bool = False,
    ) -> Iterator[PeriodFinding]:
        """A whole period's findings, streamed and light (no times, comment or who), for
        reports; `episodes=True` adds each finding's patient id and dates from its episode."""
        return stored_findings.period_findings(
            self.engine, parse_period(period), institution, statuses, episodes=episodes
        )

    def finding(self, key: str) -> StoredFinding:
        """One finding by key or unique key prefix (at least six characters)."""
        with database_errors(self.engine):
            return stored_findings.get_finding(self.engine, key)

    def finding_events(self, key: str) -> list[FindingEvent]:
        with database_errors(self.engine):
            return stored_findings.finding_events(self.engine, key)

    def set_status(
        self,
        key: str,
        status: FindingStatus | str,
        comment: str | None = None,
        by: str | None = None,
    ) -> StoredFinding:
        """Accept (`comment` and `by` required) or reopen a finding, under the worklog's
        transition rules (one set of rules for the CLI, the web and the API); the other
        statuses have their own worklog calls (`ask`, `approve`) or come from imports."""
        new = FindingStatus(status)
        with database_errors(self.engine):
            if new is FindingStatus.ACCEPTED:
                worklog.accept(self.engine, [key], comment or "", by=by or "")
            elif new is FindingStatus.OPEN:
                worklog.reopen(self.engine, [key], by=by or "ukjent", comment=comment)
            elif new is FindingStatus.ASKED:
                raise StorageError("spør legen med spørsmålet som tekst (kodevakt finding ask)")
            elif new is FindingStatus.APPROVED:
                raise StorageError("godkjenn rettingen med kodevakt finding approve")
            else:
                raise StorageError("et funn blir rettet når rettet koding leses inn på nytt")
            return stored_findings.get_finding(self.engine, key)

    def history(
        self, episode_id: str, period: str | None = None, institution: str | None = None
    ) -> list[EpisodeChange]:
        with database_errors(self.engine):
            return episode_history(
                self.engine,
                episode_id,
                period=parse_period(period) if period is not None else None,
                institution=institution,
            )

    def periods(self) -> list[str]:
        """Every period with stored episodes or findings, sorted."""
        query = union(select(episode.c.period), select(finding.c.period))
        with database_errors(self.engine), self.engine.connect() as conn:
            return sorted(row[0] for row in conn.execute(query))

    def imports(self, period: str | None = None) -> list[ImportLog]:
        """The import log, newest first."""
        query = select(import_run).order_by(import_run.c.id.desc())
        if period is not None:
            query = query.where(import_run.c.period == parse_period(period))
        names = list(run_counts(FileImport("", 0)))
        with database_errors(self.engine), self.engine.connect() as conn:
            return [
                ImportLog(
                    id=row.id,
                    kind=row.kind,
                    period=row.period,
                    file=row.file,
                    started_at=stored_findings.utc(row.started_at),
                    finished_at=stored_findings.utc(row.finished_at) if row.finished_at else None,
                    status=row.status,
                    message=row.message,
                    counts={name: getattr(row, name) for name in names},
                )
                for row in conn.execute(query)
            ]

    def rejections(self, import_id: int) -> list[tuple[int, str | None, str]]:
        """(line, field, message) of the records an import rejected."""
        query = (
            select(import_rejection.c.line, import_rejection.c.field, import_rejection.c.message)
            .where(import_rejection.c.import_id == import_id)
            .order_by(import_rejection.c.id)
        )
        with database_errors(self.engine), self.engine.connect() as conn:
            return [(row.line, row.field, row.message) for row in conn.execute(query)]
