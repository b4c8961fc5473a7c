"""`Pipeline`: read → check → store → patterns → indicators, the one way every caller runs it."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from kodevakt.pipeline.corrections import Corrected, corrected_episodes
from kodevakt.pipeline.importing import FileImporter, ImportResult, describe_failure
from kodevakt.pipeline.kept import KeptPeriod
from kodevakt.pipeline.patterns import Pairs, run_patterns, stale_periods
from kodevakt.pipeline.tertials import AUTO_PERIOD
from kodevakt.rules.engine import Checker
from kodevakt.storage import FileImport, Store, parse_period
from kodevakt.storage.patterns import PATTERN_SOURCE


class Pipeline:
    """Imports files into `store`, runs the pattern rules, and keeps stored results current.

    `checker`: the checker imports use, and whose code base the pattern rules read; by
    default every stable rule over the default code base (the documentation rules D01–D07
    included, for episodes that carry a text), built on first use. Episodes and
    findings go to the database `store.batch_size` at a time.
    """

    def __init__(self, store: Store, checker: Checker | None = None) -> None:
        self.store = store
        self._checker = checker

    def __repr__(self) -> str:
        return f"Pipeline({self.store!r})"

    @property
    def checker(self) -> Checker:
        if self._checker is None:
            from kodevakt.codes.loading import default_codebase
            from kodevakt.documentation.checker import DocumentedChecker

            self._checker = DocumentedChecker(default_codebase())
        return self._checker

    def import_files(
        self,
        paths: Iterable[str | Path],
        period: str,
        *,
        patterns: bool = True,
        encoding: str | None = None,
    ) -> ImportResult:
        """Import each file into `period` in its own transaction; a failed file is rolled
        back and reported, whatever failed, and the next file is imported.

        Episodes dated outside the period are rejected (with a hint to `--period auto`).
        `encoding`: the files' text encoding, passed to the reader (None: its default); the
        reader's warnings about a file are in its `FileImport.notices`.

        Then, when at least one file was imported, the pattern rules M01–M07 run over the
        whole period and their findings are stored (`update_patterns`; `result.patterns`).
        `patterns=False` skips that, e.g. while importing a period's files one call at a time;
        `update_patterns(period)` (or `ensure_current`) runs it later. A failed pattern run
        leaves the files imported and is reported in `result.patterns.error`.
        """
        period = parse_period(period)
        result = ImportResult(period)
        with self.store.import_lock():
            # Into an empty period, the episodes just checked are what the pattern run
            # reads: kept, they need not be read back from the database (`kept`).
            keep = KeptPeriod() if patterns and self.store.period_is_empty(period) else None
            importer = FileImporter(self.store, self.checker, keep)
            for path in paths:
                result.files.append(importer.into_period(path, period, encoding=encoding))
            if patterns and any(f.error is None for f in result.files):
                current = keep.pairs(result.files) if keep is not None else None
                result.patterns = self._pattern_run(period, current)
        return result

    def import_by_tertial(
        self,
        paths: Iterable[str | Path],
        *,
        patterns: bool = True,
        encoding: str | None = None,
    ) -> list[ImportResult]:
        """`--period auto`: each episode into the tertial of its discharge date (see
        `kodevakt.pipeline.tertials`); one `ImportResult` per tertial, in order.

        Each file is read once and stored in one transaction, with one import run per
        tertial it holds; its records of no tertial (unreadable, undated) are rejected with
        its earliest tertial, which also carries the reader's warnings. Then the pattern
        rules run over each of those tertials, the earliest first, so that M05 compares
        every one with the one before. A file that fails, or has no dated episode, stores
        nothing and is reported in a first result with period `auto`.
        """
        unplaced = ImportResult(AUTO_PERIOD)
        results: dict[str, ImportResult] = {}
        with self.store.import_lock():
            importer = FileImporter(self.store, self.checker)
            for path in paths:
                for label, imported in importer.by_tertial(path, encoding=encoding).items():
                    into = (
                        unplaced
                        if label == AUTO_PERIOD
                        else results.setdefault(label, ImportResult(label))
                    )
                    into.files.append(imported)
            ordered = [results[label] for label in sorted(results)]
            if patterns:
                for result in ordered:
                    result.patterns = self._pattern_run(result.period)
        return [unplaced, *ordered] if unplaced.files else ordered

    def update_patterns(self, period: str) -> FileImport:
        """Run the pattern rules M01–M07 over the period's stored episodes and store their
        findings and the period's indicator values (see `kodevakt.pipeline.patterns`).

        Every stored episode of the period counts, with its current (open or accepted)
        checker findings; the previous tertial's, when stored, give M05 its comparison and
        M01, M02 and M06 the stays across the period boundary. Stored pattern findings that
        are no longer produced become fixed; statuses are kept (`Store.add_findings`).
        """
        return run_patterns(self.store, self.checker, period)

    def ensure_current(self, periods: Iterable[str]) -> list[ImportResult]:
        """Make the stored pattern findings and indicator values of `periods` current: run
        the pattern rules again for each period with stored episodes whose stored run is not
        (see `Store.patterns_stored`), the earliest first. One result (its `patterns`) per
        period run again; none when everything was current. Reports call this before they
        read; a database that cannot be written while a period needs a run is a
        `StorageError`.
        """
        wanted = list(periods)
        if not stale_periods(self.store, wanted):
            return []
        done = []
        with self.store.import_lock():  # an import may have run them while we waited
            for period in stale_periods(self.store, wanted):
                done.append(ImportResult(period, patterns=self.update_patterns(period)))
        return done

    def corrected_episodes(
        self, period: str, institution: str | None = None
    ) -> Iterator[Corrected]:
        """The period's stored episodes with the fixes coders approved applied (the
        corrected extract, `kodevakt export --with-fixes`; see `corrections`), streamed."""
        return corrected_episodes(self.store, period, institution, lambda: self.checker)

    def _pattern_run(self, period: str, current: Pairs | None = None) -> FileImport:
        """`update_patterns`, its failure (whatever it is) reported in the result's `error`;
        `current`: the period's episodes with their findings as stored, when the import kept
        them (`kept`), else they are read from the database."""
        try:
            return run_patterns(self.store, self.checker, period, current)
        except Exception as exc:  # the files stay imported; the caller says so
            return FileImport(PATTERN_SOURCE, 0, error=describe_failure(exc, None))
