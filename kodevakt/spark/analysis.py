"""`analyse`: what `kodevakt import` computes (episode findings, pattern findings M01–M07,
indicator values) for a national batch on Spark, with the funnel limits.

The result is the pipeline's (`kodevakt.pipeline`) after importing the same files into an
empty database, with `--period auto` (each episode in the tertial of its date, the
previous tertial as M05's comparison and M01/M02/M06's context) or one period:

1. Placing (per partition of each id's records, in input order, `records.by_identity`):
   read, place in its period (or reject: undated, or outside the period, with the
   pipeline's words), check with the same `Checker`. An episode is its institution and id
   in a period; a record repeating one earlier in its file adds only the findings the
   repeat causes (E05), and a later file's record replaces an earlier file's, as one
   import run per file does.
2. Merging (per partition of whole institutions and periods, in input order): each
   episode once, with its current findings; its measures summed into indicator totals and
   its tallies counted, per partition.
3. Spark sums those partial totals by unit and period, and the tallies by key: the
   batch's `BatchTotals` (`kodevakt.batch.totals`), one per period, broadcast. The sums
   are of small integers, exact in any order, so the values equal the local run's.
4. The pattern rules run on parts, by their scope (`Scope`): institution rules on the
   merged partitions, patient rules on the episodes partitioned by patient, each part's
   view handed its period's totals.

Nothing is collected on the driver but the totals (units × periods × indicators, and the
tallies' keys) and the counts. Intermediate results are persisted; `release` frees them.
"""

from __future__ import annotations

import pickle
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
from pyspark import StorageLevel
from pyspark.core.broadcast import Broadcast
from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from kodevakt.batch import IndicatorValue, UnitKind, funnels, pattern_rules
from kodevakt.batch.indicators import UNKNOWN, IndicatorTotals
from kodevakt.batch.patterns.registry import PatternRule, Scope
from kodevakt.batch.periods import parse_tertial, period_span
from kodevakt.batch.service import view_findings
from kodevakt.batch.totals import BatchTotals, Key
from kodevakt.batch.view import TALLIES, BatchView
from kodevakt.codes.codebase import CodeBase
from kodevakt.codes.loading import default_codebase
from kodevakt.episodes.model import Episode
from kodevakt.episodes.parquet_reader import BatchReader
from kodevakt.episodes.records import Rejected
from kodevakt.pipeline.importing import outside, within
from kodevakt.pipeline.tertials import tertial_of
from kodevakt.rules.finding import Finding
from kodevakt.rules.registry import select as select_rules
from kodevakt.spark.reading import FRAME, POSITION, episode_columns, positioned
from kodevakt.spark.records import by_identity, read_batch, rejected_values
from kodevakt.spark.schema import (
    ANALYSED,
    FUNNEL,
    INDICATOR,
    REJECTED,
    batch_of,
    finding_values,
    funnel_rows,
    indicator_values,
    spark_schema,
)
from kodevakt.spark.workers import Setup
from kodevakt.storage.findings import common_place

AUTO = "auto"
EPISODE, EXTRA, REJECTION, SUMS, TALLY, COUNT = (
    "episode",
    "extra",
    "rejected",
    "sums",
    "tally",
    "count",
)
_WHERE = [
    ("label", pa.string()),
    ("unit", pa.string()),
    ("institution", pa.string()),
    ("id", pa.string()),
    ("patient", pa.string()),
    ("source_order", pa.int64()),
    ("source_file", pa.string()),
    ("source_row", pa.int64()),
]
PLACED = pa.schema(
    [("kind", pa.string()), *_WHERE, ("payload", pa.binary()), ("rejected", pa.struct(REJECTED))]
)
MERGED = pa.schema(
    [
        ("kind", pa.string()),
        *_WHERE,
        ("payload", pa.binary()),
        ("findings", pa.list_(pa.struct(ANALYSED))),
        ("rejected", pa.struct(REJECTED)),
        ("unit_kind", pa.string()),
        ("indicator", pa.int32()),
        ("sums", pa.list_(pa.float64())),
        ("tally", pa.string()),
        ("key", pa.list_(pa.string())),
        ("count", pa.int64()),
        ("records", pa.int64()),
    ]
)
Transform = Callable[[Iterator[pa.RecordBatch]], Iterator[pa.RecordBatch]]


@dataclass(frozen=True)
class AnalysisSummary:
    """Records read and rejected, episodes (each institution and id once per period), and
    findings by (rule, severity): the checker's and the pattern rules'."""

    read: int
    rejected: int
    episodes: int
    findings: Counter[tuple[str, str]]
    patterns: Counter[tuple[str, str]]
    first_rejections: list[Rejected]


@dataclass(frozen=True)
class Analysis:
    """The outcome of `analyse` (columns in `kodevakt.spark.schema`): `findings` and
    `patterns` (`ANALYSED`), `rejected` (`REJECTED`), `indicators` (`INDICATOR`, every
    unit and period), `funnels` (`FUNNEL`, institutions and departments); `values`: the
    indicator values as `IndicatorValue`s."""

    merged: DataFrame
    patterns: DataFrame
    indicators: DataFrame
    funnels: DataFrame
    values: list[IndicatorValue]

    @property
    def findings(self) -> DataFrame:
        episodes = self.merged.where(F.col("kind") == EPISODE)
        return episodes.select(F.explode("findings").alias("f")).select("f.*")

    @property
    def rejected(self) -> DataFrame:
        return self.merged.where(F.col("kind") == REJECTION).select("rejected.*")

    def summary(self, shown: int = 20) -> AnalysisSummary:
        counts = self.merged.where(F.col("kind") == COUNT).agg(
            F.sum("records").alias("records"), F.sum("count").alias("episodes")
        )
        [total] = counts.collect()
        rejected = self.rejected.count()
        first = [
            Rejected(r.file, r.row, r.field, r.message, r.position)
            for r in self.rejected.orderBy("file", "row").limit(shown).collect()
        ]
        return AnalysisSummary(
            (total.records or 0) + rejected,
            rejected,
            total.episodes or 0,
            _by_rule(self.findings),
            _by_rule(self.patterns),
            first,
        )

    def release(self) -> None:
        self.patterns.unpersist()
        self.merged.unpersist()


def _by_rule(findings: DataFrame) -> Counter[tuple[str, str]]:
    rows = findings.groupBy("rule", "severity").count().collect()
    return Counter({(row.rule, row.severity): row["count"] for row in rows})


def analyse(episodes: DataFrame, period: str = AUTO, *, base: CodeBase | None = None) -> Analysis:
    """Analyse a DataFrame of episodes as `kodevakt import` with `--period period` would
    (`auto`, or one period: a tertial `2025T1`, a month `2025-03` or a year `2025`), with
    every stable rule (see the module docstring). `base`: the code base (default: the
    embedded lists and `KODEVAKT_CODE_FILES`, loaded on the driver and broadcast)."""
    label = None if period.strip().lower() == AUTO else period.strip()
    frame = positioned(episodes)
    columns = episode_columns(frame, FRAME)
    spark = frame.sparkSession
    setup = spark.sparkContext.broadcast(Setup(base or default_codebase(), select_rules()))
    placed = by_identity(frame).mapInArrow(_placing(setup, columns, label), spark_schema(PLACED))
    merged = (
        placed.repartition("label", "unit")
        .sortWithinPartitions("label", "unit", *POSITION)
        .mapInArrow(_merging(setup), spark_schema(MERGED))
        .persist(StorageLevel.MEMORY_AND_DISK)
    )
    values, totals = _totals(merged)
    shared = spark.sparkContext.broadcast(totals)
    rules = pattern_rules()
    by_scope = {scope: [r for r in rules if r.scope is scope] for scope in Scope}
    stored = merged.where(F.col("kind") == EPISODE)
    in_units = stored.mapInArrow(
        _unit_rules(setup, shared, by_scope[Scope.INSTITUTION]), spark_schema(ANALYSED)
    )
    by_patient = (
        stored.where(F.col("patient").isNotNull())
        .select("label", "patient", *POSITION, "payload")
        .repartition("patient")
        .sortWithinPartitions("label", *POSITION)
        .mapInArrow(_patient_rules(setup, shared, by_scope[Scope.PATIENT]), spark_schema(ANALYSED))
    )
    patterns = in_units.unionByName(by_patient).persist(StorageLevel.MEMORY_AND_DISK)
    indicators = spark.createDataFrame(
        [indicator_values(v) for v in values], spark_schema(INDICATOR)
    )
    placed_funnels = [
        row
        for kind in (UnitKind.INSTITUTION, UnitKind.DEPARTMENT)
        for funnel in funnels(values, kind)
        for row in funnel_rows(funnel)
    ]
    funnel_frame = spark.createDataFrame(placed_funnels, spark_schema(FUNNEL))
    return Analysis(merged, patterns, indicators, funnel_frame, values)


# -- 1. placing ------------------------------------------------------------------------------
def _placing(shared: Broadcast[Setup], columns: list[str], label: str | None) -> Transform:
    """Read, place and check one partition's records (each id's all, in input order)."""
    span = period_span(label) if label is not None else None

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        checker = shared.value.checker
        reader = BatchReader(columns)
        last_file: dict[tuple[str, str, str], tuple[int, str]] = {}
        for batch in batches:
            orders = batch.column("source_order").to_pylist()
            rows: list[dict[str, Any]] = []
            for order, record in zip(orders, read_batch(reader, batch), strict=True):
                name = record.file if isinstance(record, Rejected) else _file(record)
                placed = _placed(record, name, label, span)
                if isinstance(placed, Rejected):
                    rows.append({"kind": REJECTION, "rejected": rejected_values(placed)})
                    continue
                episode, where = placed
                key = (where, episode.institution or "", episode.id)
                source = (order, name)
                plain = checker.check_episode(episode)
                if last_file.get(key) != source:  # the first in its file
                    last_file[key] = source
                    kind, payload = EPISODE, pickle.dumps((episode, plain), protocol=5)
                else:  # a repeat adds only what the repeat causes (E05)
                    seen = set(plain)
                    repeat = checker.check_episode(episode, duplicate_id=True)
                    extra = [f for f in repeat if f not in seen]
                    kind, payload = EXTRA, pickle.dumps(extra, protocol=5)
                rows.append({"kind": kind, **_where(episode, where, order), "payload": payload})
            if rows:
                yield batch_of(PLACED, rows)

    return run


def _file(episode: Episode) -> str:
    return episode.source.file if episode.source else FRAME


def _placed(
    record: Episode | Rejected, name: str, label: str | None, span: tuple[Any, Any] | None
) -> tuple[Episode, str] | Rejected:
    """The episode and its period, or the record's rejection (as the pipeline words it)."""
    if isinstance(record, Rejected):
        return record
    if label is None:
        where = tertial_of(record, name)
        return where if isinstance(where, Rejected) else (record, where)
    if span is not None and not within(record, span):
        return outside(record, name, label)
    return record, label


def _where(episode: Episode, label: str, order: int) -> dict[str, Any]:
    source = episode.source
    return {
        "label": label,
        "unit": episode.institution or UNKNOWN,
        "institution": episode.institution or "",
        "id": episode.id,
        "patient": episode.patient.id or None,
        "source_order": order,
        "source_file": source.file if source else FRAME,
        "source_row": source.line if source else 0,
    }


# -- 2. merging ------------------------------------------------------------------------------
class _Stored:
    """One stored episode: the record kept (from the last file that has it), its current
    findings, and where it was first met (its place in the batch's order)."""

    __slots__ = ("episode", "file", "findings", "first")

    def __init__(self, episode: Episode, findings: list[Finding], row: Any) -> None:
        self.episode, self.findings = episode, findings
        self.file = (row["source_order"], row["source_file"])
        self.first = {name: row[name] for name, _ in _WHERE}


def _merging(shared: Broadcast[Setup]) -> Transform:
    """Each episode of one partition's institutions and periods once, with its findings,
    measures and tallies; then the partition's indicator sums and tally counts."""

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        facts = shared.value.facts
        totals = IndicatorTotals()
        tallies: Counter[tuple[str, str, Key]] = Counter()
        group: dict[tuple[str, str], _Stored] = {}
        current: tuple[str, str] | None = None
        counted = {"records": 0, "episodes": 0}

        def flush() -> Iterator[pa.RecordBatch]:
            if not group or current is None:
                return
            label = current[0]
            stored = list(group.values())
            counted["episodes"] += len(stored)
            view = BatchView([(s.episode, s.findings) for s in stored], facts, period=label)
            for entry, values in zip(stored, view.measures, strict=True):
                totals.add(entry.episode, values, label)
                for name, tally in TALLIES.items():
                    for key in tally(view, entry.episode):
                        tallies[(label, name, key)] += 1
            yield batch_of(MERGED, [_merged(entry, label) for entry in stored])
            group.clear()

        for batch in batches:
            rejected: list[dict[str, Any]] = []
            for row in batch.to_pylist():
                if row["kind"] == REJECTION:
                    rejected.append({"kind": REJECTION, "rejected": row["rejected"]})
                    continue
                counted["records"] += 1
                where = (row["label"], row["unit"])
                if where != current:
                    yield from flush()
                    current = where
                ident = (row["institution"], row["id"])
                entry = group.get(ident)
                if row["kind"] == EPISODE:
                    episode, findings = pickle.loads(row["payload"])
                    if entry is None:
                        group[ident] = _Stored(episode, list(findings), row)
                    else:  # a later file's record replaces the episode
                        entry.episode, entry.findings = episode, list(findings)
                        entry.file = (row["source_order"], row["source_file"])
                elif entry is not None and entry.file == (row["source_order"], row["source_file"]):
                    entry.findings.extend(pickle.loads(row["payload"]))
            if rejected:
                yield batch_of(MERGED, rejected)
        yield from flush()
        yield batch_of(MERGED, _sums(totals, tallies, counted))

    return run


def _merged(entry: _Stored, label: str) -> dict[str, Any]:
    episode = entry.episode
    place = {
        "period": label,
        "institution": episode.institution or "",
        "department": episode.department,
    }
    return {
        "kind": EPISODE,
        **entry.first,
        "patient": episode.patient.id or None,
        "payload": pickle.dumps((episode, entry.findings), protocol=5),
        "findings": [{**finding_values(f), **place} for f in entry.findings],
    }


def _sums(
    totals: IndicatorTotals, tallies: Counter[tuple[str, str, Key]], counted: dict[str, int]
) -> list[dict[str, Any]]:
    """A partition's indicator sums, tally counts, records and episodes, as rows."""
    rows: list[dict[str, Any]] = []
    for (label, kind, unit, institution), cells in totals.sums():
        for index, cell in enumerate(cells):
            if cell[2]:
                rows.append(
                    {
                        "kind": SUMS,
                        "label": label,
                        "unit_kind": kind.value,
                        "unit": unit,
                        "institution": institution,
                        "indicator": index,
                        "sums": cell,
                    }
                )
    for (label, name, key), count in tallies.items():
        rows.append(
            {"kind": TALLY, "label": label, "tally": name, "key": list(key), "count": count}
        )
    rows.append({"kind": COUNT, "records": counted["records"], "count": counted["episodes"]})
    return rows


# -- 3. totals -------------------------------------------------------------------------------
def _totals(merged: DataFrame) -> tuple[list[IndicatorValue], dict[str, BatchTotals]]:
    """The indicator values of every unit and period, and each period's `BatchTotals`."""
    indicator = IndicatorTotals()
    sums = (
        merged.where(F.col("kind") == SUMS)
        .groupBy("label", "unit_kind", "unit", "institution", "indicator")
        .agg(*(F.sum(F.col("sums")[i]).alias(f"s{i}") for i in range(3)))
        .collect()
    )
    for row in sums:
        key = (row.label, UnitKind(row.unit_kind), row.unit, row.institution)
        indicator.add_sums(key, row.indicator, (row.s0, row.s1, row.s2))
    values = indicator.values()
    counts: dict[str, dict[str, Counter[Key]]] = {}
    tallied = (
        merged.where(F.col("kind") == TALLY)
        .groupBy("label", "tally", "key")
        .agg(F.sum("count").alias("n"))
        .collect()
    )
    for row in tallied:
        by_name = counts.setdefault(row.label, {name: Counter() for name in TALLIES})
        by_name[row.tally][tuple(row.key)] = row.n
    by_period: dict[str, list[IndicatorValue]] = {}
    for value in values:
        by_period.setdefault(value.period, []).append(value)
    totals = {
        label: BatchTotals(
            label,
            own,
            by_period.get(_previous(label) or "", []),
            counts.get(label, {name: Counter() for name in TALLIES}),
        )
        for label, own in by_period.items()
    }
    return values, totals


def _previous(label: str) -> str | None:
    """The period M05 compares with, as the pipeline has it: the previous tertial."""
    tertial = parse_tertial(label)
    return tertial.previous().label if tertial is not None else None


# -- 4. pattern rules on parts ---------------------------------------------------------------
def _unit_rules(
    shared: Broadcast[Setup], totals: Broadcast[dict[str, BatchTotals]], rules: list[PatternRule]
) -> Transform:
    """The institution rules over one merged partition (whole institutions and periods)."""

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        by_label: dict[str, list[tuple[Episode, list[Finding]]]] = {}
        for batch in batches:
            for label, payload in zip(
                batch.column("label").to_pylist(), batch.column("payload").to_pylist(), strict=True
            ):
                by_label.setdefault(label, []).append(pickle.loads(payload))
        for label, pairs in by_label.items():
            view = BatchView(pairs, shared.value.facts, period=label, totals=totals.value[label])
            yield batch_of(ANALYSED, _pattern_rows(view, rules, label))

    return run


def _patient_rules(
    shared: Broadcast[Setup], totals: Broadcast[dict[str, BatchTotals]], rules: list[PatternRule]
) -> Transform:
    """The patient rules over one partition of whole patients (all their periods), each
    period with the previous one's episodes as context."""

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        by_label: dict[str, list[tuple[Episode, list[Finding]]]] = {}
        for batch in batches:
            for label, payload in zip(
                batch.column("label").to_pylist(), batch.column("payload").to_pylist(), strict=True
            ):
                by_label.setdefault(label, []).append(pickle.loads(payload))
        known = totals.value
        for label, pairs in by_label.items():
            before = _previous(label)
            context = [e for e, _ in by_label.get(before, [])] if before in known else []
            view = BatchView(
                pairs, shared.value.facts, period=label, context=context, totals=known[label]
            )
            yield batch_of(ANALYSED, _pattern_rows(view, rules, label))

    return run


def _pattern_rows(
    view: BatchView, rules: Sequence[PatternRule], label: str
) -> list[dict[str, Any]]:
    """The rules' findings over `view` with the place the store gives them."""
    places: dict[str, set[tuple[str, str | None]]] = {}
    for episode in view.episodes:
        places.setdefault(episode.id, set()).add((episode.institution or "", episode.department))
    rows = []
    for found in view_findings(view, rules):
        where: set[tuple[str, str | None]] = set()
        for episode_id in found.episodes or (found.episode_id,):
            where |= places.get(episode_id, set())
        institution, department = common_place(where, bool(found.episodes))
        rows.append(
            {
                **finding_values(found),
                "period": label,
                "institution": institution,
                "department": department,
            }
        )
    return rows
