"""Imports started from the web, run in the background one at a time and followed by job id.

An upload is saved in a folder of its own (readable by this user only) and imported by a
worker thread through the pipeline, as `kodevakt import` imports a file
(`Pipeline.import_files`, or `import_by_tertial` for «auto»); the page that started it
follows it by the job's id. A lead's «beregn på nytt» of stale pattern results runs the same
way (`Pipeline.ensure_current`): a pattern run over a large period takes longer than a
browser or a reverse proxy waits for one response.

- One job runs at a time per application, in the order they were started. The pipeline's
  import lock keeps imports of different processes apart; the worker keeps this process's
  apart, so a page never waits for the lock.
- Progress: while the file is read, how far (the offset of the descriptor the reader holds
  on it, from /proc on Linux; elsewhere, and for Parquet, which is memory-mapped, the page
  shows only that the import is working); then the pattern run.
- The uploaded file is deleted when its job ends, however it ends. Jobs live in memory (the
  last `KEPT_JOBS`); after a restart the import log in the database is what remains.
- Nothing from the file's records is logged: an unexpected failure is logged with the job
  id and the exception's type.
"""

from __future__ import annotations

import logging
import os
import secrets
import shutil
import threading
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path

from fastapi import Request

from kodevakt.episodes.formats import EpisodeFormat
from kodevakt.episodes.reading import reading_as
from kodevakt.errors import KodevaktError
from kodevakt.pipeline import ImportResult, Pipeline, is_auto
from kodevakt.rules.engine import Checker
from kodevakt.storage import Store

log = logging.getLogger("kodevakt.web")

KEPT_JOBS = 50  # finished jobs kept for their result pages
PROC_FD = Path("/proc/self/fd")
_CREATING = threading.Lock()  # one job list per application, however many requests ask


class JobState(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"

    @property
    def label(self) -> str:
        return _STATE_LABELS[self]

    @property
    def finished(self) -> bool:
        return self in (JobState.DONE, JobState.FAILED)


_STATE_LABELS = {
    JobState.QUEUED: "venter",
    JobState.RUNNING: "kjører",
    JobState.DONE: "ferdig",
    JobState.FAILED: "feilet",
}


@dataclass(frozen=True, slots=True)
class Upload:
    """An uploaded extract waiting for, or being read by, its import: `path` in the job's
    own folder (named as the user's file, whose suffix may decide the format), `name` the
    user's file name, `size` in bytes."""

    path: Path
    name: str
    size: int
    period: str  # a period or «auto»
    encoding: str | None
    format: EpisodeFormat  # as recognised (`upload_check`)
    chosen: EpisodeFormat | None  # the user's choice, which the reader must follow

    def display(self, text: str) -> str:
        """`text` from the reader or pipeline with the upload's folder left out of its path."""
        return text.replace(str(self.path), self.name)


@dataclass(frozen=True, slots=True)
class Progress:
    """How far a job is: `fraction` of the work (None: not known, the bar only moves)."""

    fraction: float | None
    text: str

    @property
    def percent(self) -> int | None:
        return None if self.fraction is None else round(self.fraction * 100)


@dataclass(eq=False)
class Job:
    """One import or pattern run: who started it, its state and, when done, its results
    (one `ImportResult` per period, as the CLI prints them) or why it failed."""

    id: str
    title: str
    by: str
    periods: list[str]  # for the links after it: the periods it concerns, when known
    work: Callable[[Pipeline], list[ImportResult]] = field(repr=False)
    upload: Upload | None = None
    state: JobState = JobState.QUEUED
    results: list[ImportResult] = field(default_factory=list)
    error: str | None = None
    created: datetime = field(default_factory=lambda: datetime.now(UTC))
    finished_at: datetime | None = None
    done: threading.Event = field(default_factory=threading.Event, repr=False)
    _read: float = 0.0  # the furthest fraction of the upload seen read

    @property
    def failed(self) -> bool:
        """Whether anything in it failed: the job, a file, or a pattern run."""
        return self.error is not None or any(
            result.failed or (result.patterns is not None and result.patterns.error)
            for result in self.results
        )

    def progress(self, ahead: int = 0) -> Progress:
        """Where the job is; `ahead`: the jobs that run or wait before it."""
        if self.state is JobState.QUEUED:
            if ahead:
                return Progress(0.0, "Venter på at en annen import eller beregning blir ferdig.")
            return Progress(0.0, "Starter …")
        if self.state.finished:
            return Progress(1.0, "Feilet." if self.error else "Ferdig.")
        upload = self.upload
        if upload is None:
            return Progress(None, "Kjører mønsterreglene (M01–M07) og beregner indikatorene …")
        position = None if upload.format is EpisodeFormat.PARQUET else read_position(upload.path)
        if position is not None and upload.size:
            self._read = max(self._read, min(position / upload.size, 1.0))
            return Progress(
                self._read, f"Leser og kontrollerer episodene: {round(self._read * 100)} %."
            )
        if self._read:
            return Progress(
                None, "Lagrer funnene og kjører mønsterreglene (M01–M07) for hele perioden …"
            )
        return Progress(None, "Leser og kontrollerer episodene …")


class ImportJobs:
    """The jobs of one application: started in order by one worker thread at a time."""

    def __init__(self, store: Store, checker: Callable[[], Checker]) -> None:
        self.store = store
        self.checker = checker
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._queue: deque[Job] = deque()
        self._mutex = threading.Lock()
        self._worker: threading.Thread | None = None

    @classmethod
    def of(cls, request: Request, checker: Callable[[], Checker]) -> ImportJobs:
        """The application's job list, made on first use."""
        state = request.app.state
        with _CREATING:
            found: ImportJobs | None = getattr(state, "import_jobs", None)
            if found is None:
                found = state.import_jobs = cls(state.services.store, checker)
        return found

    def get(self, job_id: str) -> Job | None:
        return self._jobs.get(job_id)

    def recent(self) -> list[Job]:
        """The jobs kept, newest first."""
        return list(reversed(self._jobs.values()))

    def waiting_before(self, job: Job) -> int:
        """How many jobs run or wait before `job`."""
        with self._mutex:
            ahead = list(self._queue)
            running = any(j.state is JobState.RUNNING for j in self._jobs.values())
        return (ahead.index(job) if job in ahead else 0) + running

    def start_import(self, upload: Upload, by: str) -> Job:
        """Import the upload into its period (or each episode's tertial, «auto»)."""

        def work(pipeline: Pipeline) -> list[ImportResult]:
            with reading_as(upload.chosen):
                if is_auto(upload.period):
                    return pipeline.import_by_tertial([upload.path], encoding=upload.encoding)
                return [
                    pipeline.import_files([upload.path], upload.period, encoding=upload.encoding)
                ]

        where = "hver episodes tertial" if is_auto(upload.period) else upload.period
        periods = [] if is_auto(upload.period) else [upload.period]
        return self._start(f"{upload.name} til {where}", by, periods, work, upload)

    def start_patterns(self, periods: list[str], by: str) -> Job:
        """Run the pattern rules again where the periods' stored results are stale."""
        return self._start(
            f"Ny beregning av mønsterfunn og indikatorer for {', '.join(periods)}",
            by,
            periods,
            lambda pipeline: pipeline.ensure_current(periods),
        )

    def _start(
        self,
        title: str,
        by: str,
        periods: list[str],
        work: Callable[[Pipeline], list[ImportResult]],
        upload: Upload | None = None,
    ) -> Job:
        job = Job(secrets.token_urlsafe(12), title, by, periods, work, upload)
        with self._mutex:
            self._jobs[job.id] = job
            self._queue.append(job)
            self._forget_old()
            if self._worker is None:
                self._worker = threading.Thread(
                    target=self._run_queue, name="kodevakt-import", daemon=True
                )
                self._worker.start()
        return job

    def _forget_old(self) -> None:
        finished = [j.id for j in self._jobs.values() if j.state.finished]
        for job_id in finished[: max(len(finished) - KEPT_JOBS, 0)]:
            del self._jobs[job_id]

    def _run_queue(self) -> None:
        while True:
            with self._mutex:
                if not self._queue:
                    self._worker = None
                    return
                job = self._queue.popleft()
                job.state = JobState.RUNNING
            self._run(job)

    def _run(self, job: Job) -> None:
        try:
            results = job.work(Pipeline(self.store, self.checker()))
            job.results = results
            if not job.periods:
                job.periods = [r.period for r in results if not is_auto(r.period)]
        except KodevaktError as exc:  # the database, or another process's import
            job.error = str(exc)
        except Exception as exc:  # a fault in kodevakt: its text may quote a record
            log.error("jobb %s stoppet uventet: %s", job.id, type(exc).__name__)
            job.error = (
                f"uventet feil i kodevakt ({type(exc).__name__}); feilen er logget med "
                f"jobb-id {job.id}"
            )
        finally:
            if job.upload is not None:
                shutil.rmtree(job.upload.path.parent, ignore_errors=True)
            job.finished_at = datetime.now(UTC)
            job.state = JobState.FAILED if job.error else JobState.DONE
            job.done.set()


def read_position(path: Path) -> int | None:
    """How far this process has read the file at `path`: the offset of a descriptor open on
    it, from Linux's /proc; None when none is open or the system does not tell."""
    try:
        target = str(path.resolve())
        entries = list(os.scandir(PROC_FD))
    except OSError:
        return None
    for entry in entries:
        try:
            if os.readlink(entry.path) != target:
                continue
            info = (PROC_FD.parent / "fdinfo" / entry.name).read_text(encoding="ascii")
        except OSError:
            continue
        for line in info.splitlines():
            if line.startswith("pos:"):
                return int(line.split()[1])
    return None
