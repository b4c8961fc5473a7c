"""Storage: episodes, findings and the coders' work on them, in SQLite or PostgreSQL.

Service API (everything the CLI, reports and pattern rules need)::

    from kodevakt.storage import Store, FindingStatus

    with Store("postgresql://kodevakt@db/kodevakt") as store:  # None: KODEVAKT_DB or ./kodevakt.db
        result = store.import_files(["t1.jsonl"], "2025T1", encoding=None)  # -> ImportResult
        for file in result.files:                               # FileImport per file
            file.read, file.rejected, file.rejections, file.episodes_new, file.findings_fixed
            file.error, file.notices                            # why it failed; reader warnings
    Store(url, access="read")    # an existing database only, read-only if it cannot be written
        result.patterns                                         # the M01–M07 run after the files
        store.import_files(paths, "2025T1", patterns=False)     # files only; patterns later:
        store.update_patterns("2025T1")                         # -> FileImport of the M run
        store.import_by_tertial(["2025.jsonl"])                 # --period auto: ImportResults
        store.patterns_stored("2025T1")                         # whether the stored run is current
        store.indicator_values("2025T1")                        # its indicators, or None
        store.department_counts("2025T1"), store.episodes_at("2025T1", places)
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
        store.add_findings("2025T1", m_findings, rules=["M01", "M06"])  # pattern findings
        store.finding(key), store.finding_events(key)           # one finding, its status log
        store.history("ep-1", period="2025T1")                  # -> list[EpisodeChange]
        store.imports(period="2025T1"), store.rejections(import_id)  # the import log

- `StoredFinding` has every `Finding` field (`.finding` gives the `Finding` itself) plus
  `key`, `period`, `institution`, `department`, `status`, `comment`, `by`, `changed_at`,
  `first_seen_at` and `scope` (`episode` from the checker, `batch` from `add_findings`);
  `to_dict()` is `Finding.to_dict()` plus those fields. A unit finding (M04, M05, M07) has
  no episode id and its episodes in `episodes`.
- An import checks every episode with the checker's rules, then runs the pattern rules
  M01–M07 over the whole period (every stored episode of it, and the previous tertial's when
  stored) and stores their findings as `batch` findings (`patterns.py`).
- Keys: 16 hex digits of a hash of period, institution, episode id, rule, codes and the kind
  of location (`conditions`, not `conditions[1][0]`: reordering groups keeps the key).
  Re-importing the same extract changes nothing; a finding that is gone after a correction
  becomes `fixed` (automatically, with the time), one found again becomes `open`; `accepted`
  (coded correctly despite the rule, with comment and who) survives re-imports.
- Episodes are identified by (period, institution, episode id). A changed episode keeps its
  earlier content and the changed fields in its history.
- Patient ids are stored as given (pseudonymous); nothing here logs record values.

Modules: `database` (URL, engine, migrations), `schema` (tables), `content` (episode ⇄
stored JSON, diffs), `importing` (file import), `findings` (keys, status, merging),
`history` (episode versions), `bulk` (`paused_gc()` while a period is read whole),
`patterns` (the pattern run over a stored period), `locking` (one import at a time per
database), `store` (the `Store` façade). Failures raise `StorageError` (`ImportBusy` when
another import holds the database).
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
from kodevakt.storage.importing import FileImport, ImportResult
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
    "ImportResult",
    "PeriodFinding",
    "StorageError",
    "Store",
    "StoredFinding",
    "UnknownFinding",
    "finding_key",
    "parse_period",
    "paused_gc",
    "resolve_url",
]
