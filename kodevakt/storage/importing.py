"""Import of episode files: read, store (with history), check, and merge the findings.

One file is one transaction and one `import_run` row. Records stream from the readers in
batches (`batch_size` episodes): per batch, one query finds the stored versions, new episodes
are inserted, changed ones updated (the old content goes to `episode_version`), unchanged ones
only marked as seen, and the batch's findings are merged (`findings.FindingWriter`). At the
end of the file, findings of the file's episodes that were not found again are marked fixed.
Memory therefore stays flat however large the file is.

A repeated episode id within a file keeps the first record's content; the repeat is counted
and adds only the findings the repeat itself causes (E05). Records the readers reject, and
episodes dated outside the period, are counted, stored in `import_rejection` and the first
ones returned for display; they carry file, line, field and a message, never the record's
values.

Whatever goes wrong with a file (unreadable, a database error, or a fault in kodevakt
itself) rolls it back and ends its run as `failed` with a Norwegian reason; the caller goes on
with the next file.
"""

from __future__ import annotations

import gc
import json
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, bindparam, select, text
from sqlalchemy.exc import SQLAlchemyError

from kodevakt.batch.periods import period_span
from kodevakt.episodes.model import Episode
from kodevakt.episodes.reading import read_file
from kodevakt.episodes.records import Record, Rejected
from kodevakt.errors import KodevaktError, StorageError
from kodevakt.rules.engine import Checker
from kodevakt.rules.finding import Finding
from kodevakt.storage import content as stored
from kodevakt.storage.bulk import paused_gc
from kodevakt.storage.database import (
    display_url,
    insert_many,
    one_of,
    reason,
    refresh_statistics,
)
from kodevakt.storage.findings import FindingWriter
from kodevakt.storage.schema import (
    episode,
    episode_version,
    finding,
    import_rejection,
    import_run,
)

SHOWN_REJECTIONS = 20
INTERRUPTED = "avbrutt: innlesingen stoppet før den var ferdig (ingenting fra den er lagret)"
OUTSIDE = (
    "episodens dato {day} er utenfor perioden {period}; bruk --period auto for å legge hver "
    "episode i tertialet for datoen, eller oppgi riktig periode"
)


@dataclass(slots=True)
class FileImport:
    """What importing one file did. `error` is set when the file was rolled back."""

    file: str
    import_id: int
    read: int = 0
    rejected: int = 0
    rejections: list[Rejected] = field(default_factory=list)
    duplicates: int = 0
    episodes_new: int = 0
    episodes_changed: int = 0
    episodes_unchanged: int = 0
    findings_new: int = 0
    findings_reopened: int = 0
    findings_fixed: int = 0
    error: str | None = None
    notices: list[str] = field(default_factory=list)  # the reader's warnings about the file

    @property
    def accepted(self) -> int:
        return self.read - self.rejected


@dataclass(slots=True)
class ImportResult:
    """The files of one `import_files` call, in order, with totals.

    `patterns`: the pattern run after the files (M01–M07 over the whole period), None when it
    was skipped (`patterns=False`, or no file could be imported); its `error` is set when it
    failed (the files stay imported).
    """

    period: str
    files: list[FileImport] = field(default_factory=list)
    patterns: FileImport | None = None

    def total(self, name: str) -> int:
        return sum(int(getattr(f, name)) for f in self.files)

    @property
    def failed(self) -> list[FileImport]:
        return [f for f in self.files if f.error is not None]


@dataclass(slots=True)
class _Pending:
    """One batch of rows waiting to be written."""

    inserts: list[dict[str, Any]] = field(default_factory=list)
    updates: list[dict[str, Any]] = field(default_factory=list)
    versions: list[dict[str, Any]] = field(default_factory=list)
    touched: list[int] = field(default_factory=list)
    findings: list[tuple[Finding, str, str | None]] = field(default_factory=list)


class FileImporter:
    """Imports one file into `period` as one transaction."""

    def __init__(self, engine: Engine, checker: Checker, period: str, batch_size: int) -> None:
        self.engine = engine
        self.checker = checker
        self.period = period
        self.batch_size = batch_size

    def run(
        self,
        path: str | Path,
        records: Iterable[Record] | None = None,
        *,
        encoding: str | None = None,
    ) -> FileImport:
        """Import the file at `path` (read in `encoding`, None = the reader's default), or of
        its records only `records` (read from it)."""
        name = str(path)
        started = datetime.now(UTC)
        run_id = self._start_run(name, started)
        result = FileImport(name, run_id)
        span = period_span(self.period)
        try:
            if records is None:
                records = read_file(path, encoding=encoding, notices=result.notices)
            # Without full collections: they would scan the code lists (millions of objects)
            # again and again; the young generations are collected after each batch.
            with self.engine.begin() as conn, paused_gc():
                self._lock_period(conn)
                writer = FindingWriter(conn, run_id, self.period, "episode", started)
                batch: list[Episode] = []
                rejected: list[dict[str, Any]] = []
                for record in records:
                    result.read += 1
                    if isinstance(record, Rejected):
                        self._reject(record, result, rejected)
                    elif span is not None and not _within(record, span):
                        self._reject(self._outside(record, name), result, rejected)
                    else:
                        batch.append(record)
                    if len(batch) >= self.batch_size or len(rejected) >= self.batch_size:
                        self._flush(conn, run_id, batch, rejected, result, writer, started)
                        batch, rejected = [], []
                        gc.collect(1)
                self._flush(conn, run_id, batch, rejected, result, writer, started)
                refresh_statistics(conn, episode, finding)
                writer.fix_unseen_in_episodes()
                result.findings_new = writer.counts.new
                result.findings_reopened = writer.counts.reopened
                result.findings_fixed = writer.counts.fixed
                conn.execute(
                    import_run.update()
                    .where(import_run.c.id == run_id)
                    .values(status="ok", finished_at=datetime.now(UTC), **_counts(result))
                )
        except Exception as exc:  # one bad file must not stop the others
            result.error = describe_failure(exc, self.engine, result.read)
            self._fail_run(run_id, result.error)
        return result

    def _outside(self, record: Episode, name: str) -> Rejected:
        source = record.source
        return Rejected(
            source.file if source else name,
            source.line if source else 0,
            "discharge" if record.discharge is not None else "admission",
            OUTSIDE.format(day=record.rule_date, period=self.period),
        )

    def _start_run(self, name: str, started: datetime) -> int:
        try:
            with self.engine.begin() as conn:
                inserted = conn.execute(
                    import_run.insert()
                    .values(
                        kind="file",
                        period=self.period,
                        file=name,
                        started_at=started,
                        status="running",
                        **_counts(FileImport(name, 0)),
                    )
                    .returning(import_run.c.id)
                )
                return int(inserted.scalar_one())
        except SQLAlchemyError as exc:
            raise StorageError(describe_failure(exc, self.engine, None)) from None

    def _fail_run(self, run_id: int, message: str) -> None:
        try:
            with self.engine.begin() as conn:
                conn.execute(
                    import_run.update()
                    .where(import_run.c.id == run_id)
                    .values(status="failed", finished_at=datetime.now(UTC), message=message)
                )
        except SQLAlchemyError:
            pass  # the database itself is gone; the caller reports `message`

    def _lock_period(self, conn: Connection) -> None:
        lock_period(conn, self.period)

    @staticmethod
    def _reject(record: Rejected, result: FileImport, rows: list[dict[str, Any]]) -> None:
        result.rejected += 1
        if len(result.rejections) < SHOWN_REJECTIONS:
            result.rejections.append(record)
        rows.append({"line": record.line, "field": record.field, "message": record.message})

    def _flush(
        self,
        conn: Connection,
        run_id: int,
        batch: list[Episode],
        rejected: list[dict[str, Any]],
        result: FileImport,
        writer: FindingWriter,
        now: datetime,
    ) -> None:
        if rejected:
            conn.execute(import_rejection.insert(), [{"import_id": run_id, **r} for r in rejected])
        if not batch:
            return
        stored_rows = {
            (row.institution, row.episode_id): row
            for row in conn.execute(
                select(
                    episode.c.id,
                    episode.c.institution,
                    episode.c.episode_id,
                    episode.c.content_hash,
                    episode.c.version,
                    episode.c.last_import_id,
                ).where(
                    episode.c.period == self.period,
                    one_of(conn, episode.c.episode_id, {e.id for e in batch}),
                )
            )
        }
        pending = _Pending()
        changed: dict[int, tuple[dict[str, Any], dict[str, Any]]] = {}
        in_batch: set[tuple[str, str]] = set()
        for current in batch:
            ident = (current.institution or "", current.id)
            row = stored_rows.get(ident)
            institution, department = ident[0], current.department
            if ident in in_batch or (row is not None and row.last_import_id == run_id):
                result.duplicates += 1
                pending.findings.extend(
                    (f, institution, department) for f in self._repeat_findings(current)
                )
                continue
            in_batch.add(ident)
            found = self.checker.check_episode(current)
            pending.findings.extend((f, institution, department) for f in found)
            content = stored.episode_content(current)
            content_text = stored.canonical(content)
            digest = stored.content_hash(content_text)
            values = self._episode_values(current, content_text, digest, run_id, now)
            if row is None:
                result.episodes_new += 1
                pending.inserts.append(
                    {
                        **values,
                        "period": self.period,
                        "institution": institution,
                        "episode_id": current.id,
                        "version": 1,
                        "first_import_id": run_id,
                    }
                )
            elif row.content_hash == digest:
                result.episodes_unchanged += 1
                pending.touched.append(row.id)
            else:
                result.episodes_changed += 1
                pending.updates.append({**values, "b_id": row.id, "version": row.version + 1})
                changed[row.id] = (content, {"version": row.version + 1})
        self._write_episodes(conn, pending, changed, run_id, now)
        writer.write(pending.findings)

    def _repeat_findings(self, repeat: Episode) -> list[Finding]:
        """Findings a repeated record causes beyond those of the same record seen once."""
        plain = set(self.checker.check_episode(repeat))
        return [f for f in self.checker.check_episode(repeat, duplicate_id=True) if f not in plain]

    @staticmethod
    def _episode_values(
        current: Episode, content_text: str, digest: str, run_id: int, now: datetime
    ) -> dict[str, Any]:
        return {
            "patient_id": current.patient.id,
            "department": current.department,
            "care_level": current.care_level.value if current.care_level else None,
            "admission": current.admission,
            "discharge": current.discharge,
            "content": content_text,
            "content_hash": digest,
            "source_file": current.source.file if current.source else None,
            "source_line": current.source.line if current.source else None,
            "last_import_id": run_id,
            "changed_at": now,
        }

    @staticmethod
    def _write_episodes(
        conn: Connection,
        pending: _Pending,
        changed: dict[int, tuple[dict[str, Any], dict[str, Any]]],
        run_id: int,
        now: datetime,
    ) -> None:
        insert_many(conn, episode, pending.inserts)
        if pending.touched:
            conn.execute(
                episode.update()
                .where(one_of(conn, episode.c.id, pending.touched))
                .values(last_import_id=run_id)
            )
        if not changed:
            return
        previous = conn.execute(
            select(episode.c.id, episode.c.content).where(one_of(conn, episode.c.id, changed))
        ).all()
        for row in previous:
            new_content, meta = changed[row.id]
            old_content = json.loads(row.content)
            pending.versions.append(
                {
                    "episode_ref": row.id,
                    "version": meta["version"],
                    "changed_at": now,
                    "import_id": run_id,
                    "previous_content": row.content,
                    "changes": stored.canonical(stored.changes(old_content, new_content)),
                }
            )
        conn.execute(episode_version.insert(), pending.versions)
        conn.execute(episode.update().where(episode.c.id == bindparam("b_id")), pending.updates)


def lock_period(conn: Connection, period: str) -> None:
    """On PostgreSQL, writes into the same period (imports, pattern runs) wait for each other."""
    if conn.dialect.name == "postgresql":
        key = zlib.crc32(period.encode()) & 0x7FFFFFFF
        conn.execute(text("SELECT pg_advisory_xact_lock(1801348197, :key)"), {"key": key})


def _counts(result: FileImport) -> dict[str, int]:
    return {
        "records_read": result.read,
        "rejected": result.rejected,
        "duplicates": result.duplicates,
        "episodes_new": result.episodes_new,
        "episodes_changed": result.episodes_changed,
        "episodes_unchanged": result.episodes_unchanged,
        "findings_new": result.findings_new,
        "findings_reopened": result.findings_reopened,
        "findings_fixed": result.findings_fixed,
    }


def _within(record: Episode, span: tuple[date, date]) -> bool:
    """Whether the episode's date (discharge, else admission) is in the period; an undated
    episode is taken in the period it is imported into (the rules flag the missing date)."""
    day = record.rule_date
    return day is None or span[0] <= day <= span[1]


def describe_failure(exc: BaseException, engine: Engine, read: int | None) -> str:
    """Why a file (or pattern run) failed, in Norwegian. An unforeseen error is named by its
    type and how far the file was read, not its text, which may quote a record's values."""
    if isinstance(exc, KodevaktError):
        return str(exc)
    if isinstance(exc, SQLAlchemyError):
        return f"databasefeil i {display_url(engine.url)}: {reason(exc)}"
    if isinstance(exc, OSError):
        return f"filen kan ikke leses: {exc.strerror or exc}"
    where = f" etter {read} poster" if read else ""
    return (
        f"uventet feil i kodevakt ({type(exc).__name__}){where}; ingenting fra filen er lagret. "
        "Meld gjerne fra om feilen"
    )
