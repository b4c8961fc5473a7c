"""Storing an imported file: its run in the import log, its one transaction, its batches.

The pipeline (`kodevakt.pipeline`) reads a file, accounts for every record and checks the
episodes; this module stores what it hands over, and nothing here reads a file or runs a
rule.

- `Store.start_import(file, period)` starts the file's `ImportRun`: a `running` row in
  `import_run`, committed at once, so that an import killed half-way leaves a trace that the
  next writer marks interrupted (`Store`).
- `ImportRun.transaction()` is the one transaction the file is stored in; `into(period,
  result)` gives the `PeriodWriter` for one period of it: the run's own row, or, for a file
  spread over several periods (`--period auto`), a further run of the same file, created
  inside the transaction (so it exists only if the file is stored).
- A `PeriodWriter` takes batches: rejected records (`reject`), episodes (`episodes`: one
  query finds the stored versions, new episodes are inserted, changed ones updated with the
  old content kept in `episode_version`, unchanged ones only marked as seen) and their
  findings (`findings`, merged by `findings.FindingWriter`). `finish()` marks fixed the
  findings of the run's episodes that were not found again and ends the run `ok` with its
  counts. Memory stays flat however large the file is.
- A repeated episode id within a file keeps the first record's content: `episodes` says
  which records of a batch repeat one stored earlier in the run, counts them, and stores
  nothing of them.

Database failures inside the transaction come out as `StorageError` naming the database;
the transaction is then rolled back, and `ImportRun.fail(message)` ends the run `failed`.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, bindparam, delete, select, text
from sqlalchemy.exc import SQLAlchemyError

from kodevakt.episodes.model import Episode
from kodevakt.episodes.records import Rejected
from kodevakt.errors import StorageError
from kodevakt.rules.finding import Finding
from kodevakt.storage import content as stored
from kodevakt.storage.database import (
    database_errors,
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

INTERRUPTED = "avbrutt: innlesingen stoppet før den var ferdig (ingenting fra den er lagret)"
Placed = tuple[Finding, str, str | None]  # a finding with its institution and department


@dataclass(slots=True)
class FileImport:
    """What importing one file (into one period) did, as its `import_run` row keeps it; also
    what a pattern run did (`Store.add_findings`). `error` is set when it was rolled back."""

    file: str
    import_id: int
    read: int = 0
    rejected: int = 0
    rejections: list[Rejected] = field(default_factory=list)  # the first ones, for display
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


class ImportRun:
    """One file's import: its `import_run` row (`id`), started `running` and committed."""

    def __init__(self, engine: Engine, file: str, period: str) -> None:
        self.engine = engine
        self.file = file
        self.period = period
        self.started = datetime.now(UTC)
        try:
            with engine.begin() as conn:
                self.id = _insert_run(conn, file, period, self.started)
        except SQLAlchemyError as exc:
            raise StorageError(f"databasefeil i {display_url(engine.url)}: {reason(exc)}") from None

    @contextmanager
    def transaction(self) -> Iterator[RunTransaction]:
        """The file's one transaction: committed when the block ends, rolled back when it
        raises."""
        with database_errors(self.engine), self.engine.begin() as conn:
            yield RunTransaction(conn, self)

    def fail(self, message: str) -> None:
        """End the run `failed` with the Norwegian reason (after its transaction rolled back)."""
        try:
            with self.engine.begin() as conn:
                conn.execute(
                    import_run.update()
                    .where(import_run.c.id == self.id)
                    .values(status="failed", finished_at=datetime.now(UTC), message=message)
                )
        except SQLAlchemyError:
            pass  # the database itself is gone; the caller reports `message`


class RunTransaction:
    """The transaction of one `ImportRun`: where its periods are written."""

    def __init__(self, conn: Connection, run: ImportRun) -> None:
        self.conn = conn
        self.run = run

    def into(self, period: str, result: FileImport) -> PeriodWriter:
        """The writer of the file's episodes in `period`, counting into `result`: the run's
        own row when it was started for `period`, else a further run of the same file,
        created in this transaction (`result.import_id` is set to the run's id)."""
        run = self.run
        if period == run.period:
            run_id = run.id
        else:
            run_id = _insert_run(self.conn, run.file, period, run.started)
        result.import_id = run_id
        lock_period(self.conn, period)
        return PeriodWriter(self.conn, run_id, period, result, run.started)


class PeriodWriter:
    """Stores one period's part of a file, in batches, inside the file's transaction."""

    def __init__(
        self, conn: Connection, run_id: int, period: str, result: FileImport, now: datetime
    ) -> None:
        self.conn = conn
        self.run_id = run_id
        self.period = period
        self.result = result
        self.now = now
        self._findings = FindingWriter(conn, run_id, period, "episode", now)

    def reject(self, records: Sequence[Rejected]) -> None:
        """Log rejected records (line, field, message; never a value) with the run."""
        if records:
            rows = [
                {"import_id": self.run_id, "line": r.line, "field": r.field, "message": r.message}
                for r in records
            ]
            self.conn.execute(import_rejection.insert(), rows)

    def episodes(self, batch: Sequence[Episode]) -> list[bool]:
        """Store a batch of episodes; for each, whether it repeats an episode (same
        institution and id) stored earlier in this run, and so was not stored again."""
        if not batch:
            return []
        conn, result = self.conn, self.result
        rows = {
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
        inserts: list[dict[str, Any]] = []
        updates: list[dict[str, Any]] = []
        touched: list[int] = []
        changed: dict[int, tuple[dict[str, Any], int]] = {}  # row id -> new content, version
        repeats: list[bool] = []
        in_batch: set[tuple[str, str]] = set()
        for current in batch:
            ident = (current.institution or "", current.id)
            row = rows.get(ident)
            repeat = ident in in_batch or (row is not None and row.last_import_id == self.run_id)
            repeats.append(repeat)
            if repeat:
                result.duplicates += 1
                continue
            in_batch.add(ident)
            content = stored.episode_content(current)
            content_text, digest = stored.canonical_hashed(content)
            values = self._values(current, content_text, digest)
            if row is None:
                result.episodes_new += 1
                inserts.append(
                    {
                        **values,
                        "period": self.period,
                        "institution": ident[0],
                        "episode_id": current.id,
                        "version": 1,
                        "first_import_id": self.run_id,
                    }
                )
            elif row.content_hash == digest:
                result.episodes_unchanged += 1
                touched.append(row.id)
            else:
                result.episodes_changed += 1
                updates.append({**values, "b_id": row.id, "version": row.version + 1})
                changed[row.id] = (content, row.version + 1)
        self._write(inserts, updates, touched, changed)
        return repeats

    def findings(self, items: Iterable[Placed]) -> list[str]:
        """Merge the findings of a batch's episodes (with their institution and department);
        the key each was stored under, in order."""
        return self._findings.write(items)

    def finish(self) -> None:
        """Mark fixed the findings of this run's episodes that were not found again, and end
        the run `ok` with its counts."""
        refresh_statistics(self.conn, episode, finding)
        self._findings.fix_unseen_in_episodes()
        counts = self._findings.counts
        result = self.result
        result.findings_new = counts.new
        result.findings_reopened = counts.reopened
        result.findings_fixed = counts.fixed
        self.conn.execute(
            import_run.update()
            .where(import_run.c.id == self.run_id)
            .values(status="ok", finished_at=datetime.now(UTC), **run_counts(result))
        )

    def hand_over(self, to: PeriodWriter) -> None:
        """Give this run's rejected records to the run of `to` and delete this run: it stood
        only for the file while the periods of its episodes were not known yet."""
        self.conn.execute(
            import_rejection.update()
            .where(import_rejection.c.import_id == self.run_id)
            .values(import_id=to.run_id)
        )
        self.conn.execute(delete(import_run).where(import_run.c.id == self.run_id))

    def _values(self, current: Episode, content_text: str, digest: str) -> dict[str, Any]:
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
            "last_import_id": self.run_id,
            "changed_at": self.now,
        }

    def _write(
        self,
        inserts: list[dict[str, Any]],
        updates: list[dict[str, Any]],
        touched: list[int],
        changed: dict[int, tuple[dict[str, Any], int]],
    ) -> None:
        conn = self.conn
        insert_many(conn, episode, inserts)
        if touched:
            conn.execute(
                episode.update()
                .where(one_of(conn, episode.c.id, touched))
                .values(last_import_id=self.run_id)
            )
        if not changed:
            return
        previous = conn.execute(
            select(episode.c.id, episode.c.content).where(one_of(conn, episode.c.id, changed))
        ).all()
        versions = []
        for row in previous:
            content, version = changed[row.id]
            versions.append(
                {
                    "episode_ref": row.id,
                    "version": version,
                    "changed_at": self.now,
                    "import_id": self.run_id,
                    "previous_content": row.content,
                    "changes": stored.canonical(stored.changes(json.loads(row.content), content)),
                }
            )
        conn.execute(episode_version.insert(), versions)
        conn.execute(episode.update().where(episode.c.id == bindparam("b_id")), updates)


def lock_period(conn: Connection, period: str) -> None:
    """On PostgreSQL, writes into the same period (imports, pattern runs) wait for each other."""
    if conn.dialect.name == "postgresql":
        key = zlib.crc32(period.encode()) & 0x7FFFFFFF
        conn.execute(text("SELECT pg_advisory_xact_lock(1801348197, :key)"), {"key": key})


def run_counts(result: FileImport) -> dict[str, int]:
    """The counts of `result` as the `import_run` columns hold them."""
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


def _insert_run(conn: Connection, file: str, period: str, started: datetime) -> int:
    inserted = conn.execute(
        import_run.insert()
        .values(
            kind="file",
            period=period,
            file=file,
            started_at=started,
            status="running",
            **run_counts(FileImport(file, 0)),
        )
        .returning(import_run.c.id)
    )
    return int(inserted.scalar_one())
