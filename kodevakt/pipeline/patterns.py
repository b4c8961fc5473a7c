"""The pattern rules (M01–M07) over a stored period, and keeping stored results current.

The pattern rules read a whole period, so they run after an import's files, over every
stored episode of the period (not only the imported file's) with its current (open or
accepted) checker findings. The previous tertial, when stored, comes along: M05 compares
with its indicator values, and M01, M02 and M06 see its episodes across the period
boundary. The findings are stored with `Store.add_findings(period, found, rules=<the M
codes>)`, so that a pattern gone after a correction becomes `fixed` and a coder's status is
kept; the period's indicator values from the same run are stored with them.

They stay current while no file is imported into the period after their run
(`Store.patterns_stored`). Reports read only what is stored; `stale_periods` names the
periods whose stored results are not current (imported with `patterns=False`, a pattern
run that failed or was killed, a database from before indicator values were stored), and
`Pipeline.ensure_current` runs the patterns again for them: the one place where they are
recomputed.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

from kodevakt.batch import batch_view, pattern_rules, view_findings
from kodevakt.batch.periods import parse_tertial
from kodevakt.episodes.model import Episode
from kodevakt.errors import StorageError
from kodevakt.rules.engine import Checker
from kodevakt.rules.finding import Finding
from kodevakt.storage import FileImport, Store, parse_period, paused_gc
from kodevakt.storage.patterns import PATTERN_SOURCE

Pairs = Iterator[tuple[Episode, Sequence[Finding]]]
READ_ONLY = (
    "mønsterfunnene og kvalitetsindikatorene for {periods} er ikke oppdatert etter siste "
    "innlesing, og databasen kan ikke skrives her; åpne den der den kan skrives, så beregnes "
    "de på nytt og lagres"
)


def previous_period(period: str) -> str | None:
    """The period M05 compares with: the previous tertial (months and years have none)."""
    tertial = parse_tertial(period)
    return tertial.previous().label if tertial is not None else None


def run_patterns(
    store: Store, checker: Checker, period: str, current: Pairs | None = None
) -> FileImport:
    """Run M01–M07 over the period's stored episodes and store their findings and the
    period's indicator values (see the module docstring); the run's counts. `current`: the
    period's episodes with their findings exactly as `Store.episodes_with_findings(period,
    details=False)` would read them, when the caller has them (an import that kept them,
    `kept`); else they are read from the database."""
    period = parse_period(period)
    rules = pattern_rules()
    before = previous_period(period)
    with store.import_lock(), paused_gc():
        previous: list[tuple[Episode, list[Finding]]] | None = None
        if before is not None and store.has_episodes(before):
            previous = list(store.episodes_with_findings(before, details=False))
        view = batch_view(
            current if current is not None else store.episodes_with_findings(period, details=False),
            period,
            previous,
            base=checker.base,
        )
        found = view_findings(view, rules)
        values = view.indicators
        del previous, view  # the episodes are not needed while the findings are written
        return store.add_findings(
            period,
            found,
            rules=[rule.code for rule in rules],
            source=PATTERN_SOURCE,
            indicators=values,
        )


def stale_periods(store: Store, periods: Iterable[str]) -> list[str]:
    """Of `periods`, those with stored episodes whose stored pattern findings and indicator
    values are not current, in order; a `StorageError` when there are such periods and the
    database cannot be written, so they cannot be made current."""
    stale = sorted(
        period
        for period in {parse_period(p) for p in periods}
        if not store.patterns_stored(period) and store.has_episodes(period)
    )
    if stale and store.read_only:
        raise StorageError(READ_ONLY.format(periods=", ".join(stale)))
    return stale
