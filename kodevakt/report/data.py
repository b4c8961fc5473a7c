"""What a report and a worklist need, read from the store: the CLI's entry points.

`collect_report` reads the period and up to five earlier ones of the same kind (their
indicator values draw the trends) and builds the report data, streaming: of a period's
million episodes and findings it keeps counts, indicator sums and the few episodes it shows.
`collect_worklist` does the same for the coders' list. The pattern findings (M01–M07) are
the ones the import stored; only for a period whose patterns were never run (imported with
`patterns=False`, or the pattern run failed) are they computed here, shown but not stored
(the previous tertial's values then feed rule M05), from the period read whole.
`pseudonymiser_for` finds the database's pseudonym key.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path

from kodevakt.batch import IndicatorValue, compute_indicators
from kodevakt.batch.indicators import UNKNOWN, IndicatorTotals, Measured, default_facts, measure
from kodevakt.batch.periods import parse_tertial
from kodevakt.errors import KodevaktError
from kodevakt.report.build import (
    FindingSummary,
    assemble_report,
    build_report,
    build_worklist,
    example_places,
)
from kodevakt.report.effect import DrgSources
from kodevakt.report.loaded import Item, PeriodBatch, add_patterns, load_batch, load_listed
from kodevakt.report.model import ReportData
from kodevakt.report.pseudonym import Pseudonymiser, key_beside, key_from_env, new_secret
from kodevakt.report.worklist import WorklistRow
from kodevakt.rules.code_facts import FactsCache
from kodevakt.storage import FindingStatus, Store, parse_period, paused_gc

TREND_PERIODS = 6  # the report period and up to five before it


def pseudonymiser_for(store: Store) -> Pseudonymiser:
    """The database's pseudonym key: `KODEVAKT_PSEUDONYM_KEY`, else a file beside SQLite."""
    try:
        key = key_from_env()
    except ValueError as exc:
        raise KodevaktError(f"pseudonymnøkkelen er for kort: {exc}") from None
    if key is not None:
        return Pseudonymiser(key)
    url = store.url
    if url.get_backend_name() == "sqlite":
        database = url.database or ""
        if not database or database == ":memory:":
            return Pseudonymiser(new_secret())
        try:
            return Pseudonymiser(key_beside(Path(database)))
        except (OSError, ValueError) as exc:
            raise KodevaktError(f"pseudonymnøkkelen ved databasen kan ikke leses: {exc}") from None
    raise KodevaktError(
        "sett KODEVAKT_PSEUDONYM_KEY (minst 32 heksadesimale tegn) for å pseudonymisere "
        "pasient-id-er fra en PostgreSQL-database"
    )


def trend_periods(store: Store, period: str, count: int = TREND_PERIODS) -> list[str]:
    """Stored periods of the same kind as `period` (tertials with tertials), up to it."""
    shape = re.sub(r"\d", "9", period)
    same = [p for p in store.periods() if re.sub(r"\d", "9", p) == shape and p <= period]
    if period not in same:
        same.append(period)
    return sorted(same)[-count:]


def collect_report(
    store: Store,
    period: str,
    institution: str | None = None,
    *,
    pseudonyms: Pseudonymiser | None = None,
    now: datetime | None = None,
    drg: DrgSources | None = None,
) -> ReportData:
    """Everything the report of `period` shows, read from the store."""
    period = parse_period(period)
    facts = default_facts()
    history = []
    with paused_gc():  # a period read whole is millions of objects; see storage/bulk.py
        for earlier in trend_periods(store, period)[:-1]:
            values = store.indicator_values(earlier, institution)
            if values is None:  # no pattern run stored them: from the episodes, streamed
                pairs = store.episodes_with_findings(earlier, institution)
                values = compute_indicators(pairs, earlier, facts=facts)
            if values:
                history.append((earlier, values))
        pseudonyms = pseudonyms or pseudonymiser_for(store)
        if store.patterns_stored(period):
            return _streamed_report(
                store, period, institution, pseudonyms, facts, history=history, now=now, drg=drg
            )
        batch = load_batch(store, period, institution)
        add_patterns(batch, _previous(history, period), facts=facts)
        return build_report(batch, pseudonyms, history=history, facts=facts, now=now, drg=drg)


def _streamed_report(
    store: Store,
    period: str,
    institution: str | None,
    pseudonyms: Pseudonymiser,
    facts: FactsCache,
    *,
    history: Sequence[tuple[str, list[IndicatorValue]]],
    now: datetime | None,
    drg: DrgSources | None,
) -> ReportData:
    """The report of a period with stored patterns, its findings read as a stream (only
    counts and the findings shown are kept). The indicator values are the ones the pattern
    run stored; without them every episode is read, streamed, to compute them."""
    summary = FindingSummary.of(
        Item.stored(found) for found in store.period_findings(period, institution)
    )
    wanted = example_places(summary)
    if drg is not None:
        wanted |= {item.place for item in summary.fixes}
    departments: Counter[str] = Counter()
    values = store.indicator_values(period, institution)
    if values is not None:
        for department, count in store.department_counts(period, institution).items():
            departments[department or UNKNOWN] += count
        kept = store.episodes_at(period, wanted)
    else:
        totals = IndicatorTotals()
        kept = []
        for episode, findings in store.episodes_with_findings(period, institution):
            totals.add(episode, measure(Measured(episode, findings, facts)), period)
            departments[episode.department or UNKNOWN] += 1
            if (episode.institution or "", episode.id) in wanted:
                kept.append(episode)
        values = totals.values()
    return assemble_report(
        PeriodBatch(period, institution, kept, []),
        summary,
        values,
        departments,
        departments.total(),
        pseudonyms,
        history=history,
        now=now,
        drg=drg,
    )


def _previous(
    history: Sequence[tuple[str, list[IndicatorValue]]], period: str
) -> list[IndicatorValue]:
    """The previous tertial's values, when the store has it (M05 compares with them)."""
    tertial = parse_tertial(period)
    if tertial is None or not history:
        return []
    label, values = history[-1]
    return values if label == tertial.previous().label else []


def collect_worklist(
    store: Store,
    period: str,
    institution: str | None = None,
    *,
    statuses: Iterable[FindingStatus] = (FindingStatus.OPEN,),
    pseudonyms: Pseudonymiser | None = None,
) -> list[WorklistRow]:
    """The worklist of `period`, read from the store (pattern findings computed if never run)."""
    period = parse_period(period)
    statuses = list(statuses)
    with paused_gc():  # a period read whole is millions of objects; see storage/bulk.py
        if store.patterns_stored(period):
            # the list needs no coded content: findings with their episodes' ids and dates
            batch = load_listed(store, period, institution, statuses)
        else:
            batch = load_batch(store, period, institution)
            facts = default_facts()
            previous: list[IndicatorValue] = []
            tertial = parse_tertial(period)
            if tertial is not None and tertial.previous().label in store.periods():
                label = tertial.previous().label
                pairs = store.episodes_with_findings(label, institution)
                previous = compute_indicators(pairs, label, facts=facts)
            add_patterns(batch, previous, facts=facts)
        return build_worklist(batch, pseudonyms or pseudonymiser_for(store), statuses)
