"""What a report and a worklist need, read from the store: the entry points of the CLI and web.

`collect_report` reads the period and up to five earlier ones of the same kind (their
indicator values draw the trends) and builds the report data, streaming: of a period's
million findings it keeps counts and the few episodes it shows; the indicator values are
the ones the pattern run stored. `collect_worklist` reads the findings the coders' list
shows. Both read only what the pipeline stored: they first have it make the periods' stored
pattern findings and indicator values current (`Pipeline.ensure_current`), and the report
says so when it had to. The report's learning profile (`batch.topics`) is counted from the
same stream of findings. `pseudonymiser_for` finds the database's pseudonym key.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from kodevakt.batch.indicators import UNKNOWN
from kodevakt.batch.topics import LearningProfile, ProfileCounter
from kodevakt.errors import KodevaktError
from kodevakt.pipeline import Pipeline
from kodevakt.report.build import FindingSummary, build_report, build_worklist, example_places
from kodevakt.report.effect import DrgSources
from kodevakt.report.loaded import Item, PeriodBatch
from kodevakt.report.model import ReportData
from kodevakt.report.pseudonym import Pseudonymiser, key_beside, key_from_env, new_secret
from kodevakt.report.worklist import WorklistRow
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


REFRESHED = (
    "Mønsterfunnene (M01–M07) og kvalitetsindikatorene for {period} var ikke oppdatert etter "
    "siste innlesing; de ble beregnet på nytt og lagret før denne rapporten ble laget."
)


def collect_report(
    pipeline: Pipeline,
    period: str,
    institution: str | None = None,
    *,
    pseudonyms: Pseudonymiser | None = None,
    now: datetime | None = None,
    drg: DrgSources | None = None,
) -> ReportData:
    """Everything the report of `period` shows, read from the pipeline's store once the
    period and its trend periods are current there."""
    store = pipeline.store
    period = parse_period(period)
    periods = trend_periods(store, period)
    refreshed = {result.period for result in pipeline.ensure_current(periods)}
    history = []
    for earlier in periods[:-1]:
        values = store.indicator_values(earlier, institution)
        if values:
            history.append((earlier, values))
    pseudonyms = pseudonyms or pseudonymiser_for(store)
    learning = ProfileCounter()
    with paused_gc():  # a period's findings are millions of objects; see storage/bulk.py
        summary = FindingSummary.of(
            _learned(learning, Item.stored(found))
            for found in store.period_findings(period, institution)
        )
    wanted = example_places(summary)
    if drg is not None:
        wanted |= {item.place for item in summary.fixes}
    departments: Counter[str] = Counter()
    for department, count in store.department_counts(period, institution).items():
        departments[department or UNKNOWN] += count
    data = build_report(
        PeriodBatch(period, institution, store.episodes_at(period, wanted), []),
        summary,
        store.indicator_values(period, institution) or [],
        departments,
        departments.total(),
        pseudonyms,
        history=history,
        notes=[REFRESHED.format(period=period)] if period in refreshed else [],
        now=now,
        drg=drg,
    )
    return replace(data, learning=learning.profile(departments))


def learning_profile(store: Store, period: str, institution: str | None = None) -> LearningProfile:
    """The departments' error profile by guide topic in `period`, from what is stored (the
    batch report shows the same)."""
    period = parse_period(period)
    counter = ProfileCounter()
    with paused_gc():
        for found in store.period_findings(period, institution):
            _learned(counter, Item.stored(found))
    departments: Counter[str] = Counter()
    for department, count in store.department_counts(period, institution).items():
        departments[department or UNKNOWN] += count
    return counter.profile(departments)


def _learned(counter: ProfileCounter, item: Item) -> Item:
    """`item`, counted into the learning profile unless a coder accepted it (then the coding
    was right); a unit finding counts for each of its episodes."""
    if item.status is not FindingStatus.ACCEPTED:
        unit = item.department or UNKNOWN
        found = item.finding
        for episode_id in found.episodes or (found.episode_id,):
            counter.add(unit, (item.institution, episode_id), found.rule)
    return item


def collect_worklist(
    pipeline: Pipeline,
    period: str,
    institution: str | None = None,
    *,
    statuses: Iterable[FindingStatus] = (FindingStatus.OPEN,),
    pseudonyms: Pseudonymiser | None = None,
) -> list[WorklistRow]:
    """The worklist of `period`, read from the pipeline's store once the period is current
    there: the findings with `statuses` and their episodes' ids and dates."""
    store = pipeline.store
    period = parse_period(period)
    statuses = list(statuses)
    pipeline.ensure_current([period])
    with paused_gc():  # a period's findings are millions of objects; see storage/bulk.py
        found = store.period_findings(period, institution, statuses, episodes=True)
        return build_worklist(found, pseudonyms or pseudonymiser_for(store), statuses)
