"""Importing a file: read it, account for every record, check the episodes, hand all to storage.

Every record read is accounted for: per file and period, `read = stored + rejected`, where
the repeats of an episode id count as stored (the first record's content is kept). Records
the reader rejects, and episodes dated outside the period, are counted, logged with the run
(`import_rejection`) and the first `SHOWN_REJECTIONS` returned for display; they carry file,
line, field and a message, never the record's values.

The records stream from the reader in batches of `batch_size` episodes per period. Each
batch is checked (`Checker.check_episode`), stored (`PeriodWriter.episodes`, which also says
which episodes repeat an id stored earlier in the file) and its findings merged; a repeat
adds only the findings the repeat itself causes (E05). Memory stays flat however large the
file is.

One file is one transaction, into one period or, with `--period auto`, into the tertial of
each episode (`tertials`), read once. Whatever goes wrong with a file (unreadable, a
database error, or a fault in kodevakt itself) rolls it back and ends its run `failed` with
a Norwegian reason (`describe_failure`); the caller goes on with the next file.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from kodevakt.batch.periods import period_span
from kodevakt.episodes.model import Episode
from kodevakt.episodes.reading import read_file
from kodevakt.episodes.records import Rejected
from kodevakt.errors import InputError, KodevaktError
from kodevakt.pipeline.kept import KeptPeriod
from kodevakt.pipeline.tertials import AUTO_PERIOD, NO_TERTIAL, tertial_of
from kodevakt.rules.engine import Checker
from kodevakt.rules.finding import Finding
from kodevakt.storage import FileImport, PeriodWriter, Store, paused_gc
from kodevakt.storage.importing import RunTransaction

SHOWN_REJECTIONS = 20
OUTSIDE = (
    "episodens dato {day} er utenfor perioden {period}; bruk --period auto for å legge hver "
    "episode i tertialet for datoen, eller oppgi riktig periode"
)


@dataclass(slots=True)
class ImportResult:
    """The files of one import into a period, in order, with totals.

    `patterns`: the pattern run after the files (M01–M07 over the whole period), None when it
    was skipped (`patterns=False`, or no file could be imported); its `error` is set when it
    failed (the files stay imported). `Pipeline.ensure_current` gives results with a pattern
    run and no files.
    """

    period: str
    files: list[FileImport] = field(default_factory=list)
    patterns: FileImport | None = None

    def total(self, name: str) -> int:
        return sum(int(getattr(f, name)) for f in self.files)

    @property
    def failed(self) -> list[FileImport]:
        return [f for f in self.files if f.error is not None]


class Batch:
    """One period's records waiting for the database, and the counts they go into."""

    def __init__(self, writer: PeriodWriter, size: int, keep: KeptPeriod | None = None) -> None:
        self.writer = writer
        self.result = writer.result
        self.size = size
        self.keep = keep
        self.episodes: list[Episode] = []
        self.rejected: list[Rejected] = []

    def add(self, record: Episode) -> None:
        self.result.read += 1
        self.episodes.append(record)

    def reject(self, record: Rejected) -> None:
        result = self.result
        result.read += 1
        result.rejected += 1
        if len(result.rejections) < SHOWN_REJECTIONS:
            result.rejections.append(record)
        self.rejected.append(record)

    @property
    def full(self) -> bool:
        return len(self.episodes) >= self.size or len(self.rejected) >= self.size


class FileImporter:
    """Imports files through `store`, checking their episodes with `checker`; with `keep`,
    the episodes stored into a period (`into_period`) are also kept for the pattern run."""

    def __init__(self, store: Store, checker: Checker, keep: KeptPeriod | None = None) -> None:
        self.store = store
        self.checker = checker
        self.keep = keep

    def into_period(
        self, path: str | Path, period: str, *, encoding: str | None = None
    ) -> FileImport:
        """Import the file at `path` (read in `encoding`, None = the reader's default) into
        `period`; episodes dated outside it are rejected."""
        name = str(path)
        run = self.store.start_import(name, period)
        result = FileImport(name, run.id)
        span = period_span(period)
        try:
            records = read_file(path, encoding=encoding, notices=result.notices)
            # Without full collections: they would scan the code lists (millions of objects)
            # again and again; the young generations are collected after each batch.
            with run.transaction() as transaction, paused_gc():
                batch = Batch(transaction.into(period, result), self.store.batch_size, self.keep)
                for record in records:
                    if isinstance(record, Rejected):
                        batch.reject(record)
                    elif span is not None and not within(record, span):
                        batch.reject(outside(record, name, period))
                    else:
                        batch.add(record)
                    if batch.full:
                        self._flush(batch)
                self._flush(batch)
                batch.writer.finish()
        except Exception as exc:  # one bad file must not stop the others
            result.error = describe_failure(exc, result.read)
            run.fail(result.error)
            if self.keep is not None:
                self.keep.file_failed()
        else:
            if self.keep is not None:
                self.keep.file_stored()
        return result

    def by_tertial(self, path: str | Path, *, encoding: str | None = None) -> dict[str, FileImport]:
        """Import the file at `path` with each episode in its tertial, reading it once: a
        `FileImport` per tertial label, in order. A file that fails, or has no dated
        episode, stores nothing and gives one `FileImport` with its `error`, under
        `AUTO_PERIOD`."""
        name = str(path)
        run = self.store.start_import(name, AUTO_PERIOD)
        unplaced = FileImport(name, run.id)  # records of no tertial; the file's failure
        parts: dict[str, Batch] = {}
        try:
            records = read_file(path, encoding=encoding, notices=unplaced.notices)
            with run.transaction() as transaction, paused_gc():
                rest = Batch(transaction.into(AUTO_PERIOD, unplaced), self.store.batch_size)
                for record in records:
                    if isinstance(record, Rejected):
                        batch = rest
                        batch.reject(record)
                    elif isinstance(where := tertial_of(record, name), Rejected):
                        batch = rest
                        batch.reject(where)
                    else:
                        batch = parts.get(where) or self._part(transaction, where, parts)
                        batch.add(record)
                    if batch.full:
                        self._flush(batch)
                if not parts:
                    raise InputError(NO_TERTIAL)
                self._flush(rest)
                ordered = [parts[label] for label in sorted(parts)]
                _hand_over(rest, ordered[0])
                for batch in ordered:
                    self._flush(batch)
                    batch.writer.finish()
            return {label: parts[label].result for label in sorted(parts)}
        except Exception as exc:  # one bad file must not stop the others
            read = unplaced.read + sum(batch.result.read for batch in parts.values())
            unplaced.error = describe_failure(exc, read)
            run.fail(unplaced.error)
            return {AUTO_PERIOD: unplaced}

    def _part(self, transaction: RunTransaction, label: str, parts: dict[str, Batch]) -> Batch:
        """The batch of a tertial met for the first time in the file: a run of its own."""
        name = transaction.run.file
        batch = Batch(transaction.into(label, FileImport(name, 0)), self.store.batch_size)
        parts[label] = batch
        return batch

    def _flush(self, batch: Batch) -> None:
        """Check the batch's episodes, store them and their findings, log its rejections;
        hand what was stored to the batch's `keep`, if any."""
        writer = batch.writer
        writer.reject(batch.rejected)
        checked: list[list[Finding]] = [self.checker.check_episode(e) for e in batch.episodes]
        repeats = writer.episodes(batch.episodes)
        placed: list[tuple[Finding, str, str | None]] = []
        for index, (current, repeat) in enumerate(zip(batch.episodes, repeats, strict=True)):
            if repeat:
                checked[index] = self._repeat_findings(current, checked[index])
            place = (current.institution or "", current.department)
            placed.extend((f, *place) for f in checked[index])
        keys = writer.findings(placed)
        if batch.keep is not None:
            batch.keep.add(batch.episodes, repeats, checked, keys)
        batch.episodes, batch.rejected = [], []
        gc.collect(1)

    def _repeat_findings(self, repeat: Episode, plain: Iterable[Finding]) -> list[Finding]:
        """Findings a repeated record causes beyond those of the same record seen once."""
        seen = set(plain)
        return [f for f in self.checker.check_episode(repeat, duplicate_id=True) if f not in seen]


def _hand_over(rest: Batch, first: Batch) -> None:
    """The records of no tertial go with the file's earliest tertial: its counts, its shown
    rejections and the reader's notices, and their logged rejections (`hand_over`)."""
    unplaced, result = rest.result, first.result
    result.read += unplaced.read
    result.rejected += unplaced.rejected
    result.rejections[:0] = unplaced.rejections
    del result.rejections[SHOWN_REJECTIONS:]
    result.notices[:0] = unplaced.notices
    rest.writer.hand_over(first.writer)


def outside(record: Episode, name: str, period: str) -> Rejected:
    """The rejection of an episode dated outside the period it is imported into."""
    source = record.source
    return Rejected(
        source.file if source else name,
        source.line if source else 0,
        "discharge" if record.discharge is not None else "admission",
        OUTSIDE.format(day=record.rule_date, period=period),
    )


def within(record: Episode, span: tuple[date, date]) -> bool:
    """Whether the episode's date (discharge, else admission) is in the period; an undated
    episode is taken in the period it is imported into (the rules flag the missing date)."""
    day = record.rule_date
    return day is None or span[0] <= day <= span[1]


def describe_failure(exc: BaseException, read: int | None) -> str:
    """Why a file (or pattern run) failed, in Norwegian. An unforeseen error is named by its
    type and how far the file was read, not its text, which may quote a record's values."""
    if isinstance(exc, KodevaktError):  # storage errors included: they name the database
        return str(exc)
    if isinstance(exc, OSError):
        return f"filen kan ikke leses: {exc.strerror or exc}"
    where = f" etter {read} poster" if read else ""
    return (
        f"uventet feil i kodevakt ({type(exc).__name__}){where}; ingenting fra filen er lagret. "
        "Meld gjerne fra om feilen"
    )
