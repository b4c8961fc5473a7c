"""Storage: episodes, findings and the coders' work on them, in SQLite or PostgreSQL.

Storage stores and queries; it reads no file and runs no rule. Imports, the pattern rules
and keeping a period's stored results current are the pipeline's (`kodevakt.pipeline`),
which hands what it read and checked to the store. Service API::

    from kodevakt.storage import Store, FindingStatus

    with Store("postgresql://kodevakt@db/kodevakt") as store:  # None: KODEVAKT_DB or ./kodevakt.db
        store.periods()                                         # -> ["2025T1", ...]
        store.episodes(period="2025T1", institution=None)       # -> Iterator[Episode], streamed
        store.episodes_with_findings("2025T1")                  # -> (Episode, [Finding]) pairs
        store.findings(period="2025T1", institution=None, status="open",
                       rule="T0", department=None, severity="warning")
                                                                # -> Iterator[StoredFinding]
        store.period_findings("2025T1", statuses=["open"], episodes=True)
                                                                # -> Iterator[PeriodFinding], light
        store.set_status(key, "accepted", comment="…", by="kari")  # -> StoredFinding
        store.set_status(key, "open")                           # reopen
        store.finding(key), store.finding_events(key)           # one finding, its status log
        store.history("ep-1", period="2025T1")                  # -> list[EpisodeChange]
        store.imports(period="2025T1"), store.rejections(import_id)  # the import log
        store.patterns_stored("2025T1")                         # whether the stored run is current
        store.indicator_values("2025T1")                        # its indicators, or None
        store.department_counts("2025T1"), store.episodes_at("2025T1", places)
    Store(url, access="read")    # an existing database only, read-only if it cannot be written

    # what the pipeline writes through
    with store.import_lock():                                   # one import at a time
        run = store.start_import("t1.jsonl", "2025T1")          # -> ImportRun, `running`
        with run.transaction() as tx:                           # the file's one transaction
            writer = tx.into("2025T1", FileImport(run.file, run.id))  # -> PeriodWriter
            writer.reject(rejected); repeats = writer.episodes(batch)
            writer.findings(placed); writer.finish()
        store.add_findings("2025T1", m_findings, rules=["M01", "M06"], indicators=values)

- `StoredFinding` has the `Finding` (`.finding`) plus `key`, `period`, `institution`,
  `department`, `status`, `comment`, `by`, `changed_at`, `first_seen_at` and `scope`
  (`episode` from the checker, `batch` from `add_findings`). A unit finding (M04, M05, M07)
  has no episode id and its episodes in `finding.episodes`. Every `Finding` field is stored
  in a column of the same name (`findings.finding_columns`, read back by `FindingColumns`).
- Keys: 16 hex digits of a hash of period, institution, episode id, rule, codes and the kind
  of location (`conditions`, not `conditions[1][0]`: reordering groups keeps the key).
  Re-importing the same extract changes nothing; a finding that is gone after a correction
  becomes `fixed` (automatically, with the time), one found again becomes `open`; `accepted`
  (coded correctly despite the rule, with comment and who), `asked` (the doctor was asked)
  and `approved` (the coder agrees with the fix, which `export --with-fixes` applies)
  survive re-imports that still find them. The worklog (`worklog`) makes the coders'
  changes: accept, ask, approve, reopen, assign.
- Episodes are identified by (period, institution, episode id). A changed episode keeps its
  earlier content and the changed fields in its history.
- Patient ids are stored as given (pseudonymous); nothing here logs record values.

Modules: `database` (URL, engine, migrations), `schema` (tables), `content` (episode ⇄
stored JSON, diffs), `importing` (an imported file's run, transaction and batches),
`findings` (keys, status, merging), `history` (episode versions), `bulk` (`paused_gc()`
while a period is read whole), `patterns` (a stored period as the pattern run reads it, and
whether its run is current), `indicators` (the indicator values of a pattern run),
`locking` (one import at a time per database), `store` (the `Store` façade). Failures raise
`StorageError` (`ImportBusy` when another import holds the database).
"""

from kodevakt.errors import StorageError
from kodevakt.storage.bulk import paused_gc
from kodevakt.storage.database import ENV_DB, Access, resolve_url
from kodevakt.storage.findings import (
    FindingEvent,
    FindingStatus,
    PeriodFinding,
    StoredFinding,
    UnknownFinding,
    finding_key,
)
from kodevakt.storage.history import EpisodeChange
from kodevakt.storage.importing import FileImport, ImportRun, PeriodWriter
from kodevakt.storage.locking import ImportBusy
from kodevakt.storage.store import ImportLog, Store, parse_period

__all__ = [
    "ENV_DB",
    "Access",
    "EpisodeChange",
    "FileImport",
    "FindingEvent",
    "FindingStatus",
    "ImportBusy",
    "ImportLog",
    "ImportRun",
    "PeriodFinding",
    "PeriodWriter",
    "StorageError",
    "Store",
    "StoredFinding",
    "UnknownFinding",
    "finding_key",
    "parse_period",
    "paused_gc",
    "resolve_url",
]
