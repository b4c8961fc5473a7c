"""`check`: the episode rules over a DataFrame of episodes, as `kodevakt check` runs them.

Each id's records meet in one partition in input order (`records.by_identity`); a worker
reads them with the Parquet reader's code and checks each with the same `Checker` as the
local run, built once per worker from the broadcast code base (`workers.Setup`). A record
with an id seen before is checked as a repeat (E05), as `Checker.check` does over a stream.
The rules that need a patient's earlier episodes get none, as in the local run (T27 stays
silent there too).

Every record read is checked or rejected: the partition's count of checked episodes is a
row of the outcome like its findings and rejections, so the counts come from the same data
as the findings. A task Spark runs again (a lost executor) replaces its output rather than
adding to it, so nothing is counted twice.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

import pyarrow as pa
from pyspark import StorageLevel
from pyspark.core.broadcast import Broadcast
from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from kodevakt.codes.codebase import CodeBase
from kodevakt.codes.loading import default_codebase
from kodevakt.episodes.parquet_reader import BatchReader
from kodevakt.episodes.records import Rejected
from kodevakt.rules.finding import Severity
from kodevakt.rules.registry import select as select_rules
from kodevakt.spark.reading import FRAME, episode_columns, positioned
from kodevakt.spark.records import by_identity, read_batch, rejected_values
from kodevakt.spark.schema import CHECKED, REJECTED, batch_of, finding_values, spark_schema
from kodevakt.spark.workers import Setup

FINDING, REJECTION, COUNT = "finding", "rejected", "checked"
OUTCOME = pa.schema(
    [
        ("kind", pa.string()),
        ("finding", pa.struct(CHECKED)),
        ("rejected", pa.struct(REJECTED)),
        ("checked", pa.int64()),
    ]
)
SHOWN_REJECTIONS = 20


@dataclass(frozen=True)
class CheckSummary:
    """What `kodevakt check` reports after its findings: records read, checked and rejected,
    findings by (rule, severity), and the first rejections in input order."""

    read: int
    checked: int
    rejected: int
    by_rule: Counter[tuple[str, str]]
    first_rejections: list[Rejected]

    def count(self, severity: Severity) -> int:
        return sum(n for (_, level), n in self.by_rule.items() if level == severity.value)


@dataclass(frozen=True)
class Checked:
    """The outcome of `check`, computed once when first used (it is persisted; `release`
    frees it): `findings` (`schema.CHECKED` columns), `rejected` (`schema.REJECTED`)."""

    outcome: DataFrame

    @property
    def findings(self) -> DataFrame:
        return self.outcome.where(F.col("kind") == FINDING).select("finding.*")

    @property
    def rejected(self) -> DataFrame:
        return self.outcome.where(F.col("kind") == REJECTION).select("rejected.*")

    def summary(self) -> CheckSummary:
        """The counts, from one aggregation over the outcome (and the first rejections)."""
        counted = (
            self.outcome.groupBy(
                "kind", F.col("finding.rule").alias("rule"), F.col("finding.severity")
            )
            .agg(F.count(F.lit(1)).alias("n"), F.sum("checked").alias("checked"))
            .collect()
        )
        by_rule: Counter[tuple[str, str]] = Counter()
        checked = rejected = 0
        for row in counted:
            if row.kind == FINDING:
                by_rule[(row.rule, row.severity)] += row.n
            elif row.kind == REJECTION:
                rejected += row.n
            else:
                checked += row.checked or 0
        first = [
            Rejected(r.file, r.row, r.field, r.message, r.position)
            for r in self.rejected.orderBy("file", "row").limit(SHOWN_REJECTIONS).collect()
        ]
        return CheckSummary(checked + rejected, checked, rejected, by_rule, first)

    def release(self) -> None:
        """Free the persisted outcome."""
        self.outcome.unpersist()


def check(
    episodes: DataFrame,
    *,
    base: CodeBase | None = None,
    select: Iterable[str] = (),
    ignore: Iterable[str] = (),
    preview: bool = False,
    rules_year: int | None = None,
    min_severity: Severity | str = Severity.INFO,
) -> Checked:
    """Check a DataFrame of episodes (columnar schema, docs/formats.md §8; from
    `read_episodes` or any DataFrame with those columns) with the rules chosen as
    `kodevakt check` chooses them; `base`: the code base (default: the embedded lists and
    `KODEVAKT_CODE_FILES`, loaded here on the driver and broadcast)."""
    setup = Setup(
        base or default_codebase(),
        select_rules(select, ignore, preview=preview),
        rules_year=rules_year,
        min_severity=Severity(min_severity),
    )
    frame = positioned(episodes)
    columns = episode_columns(frame, FRAME)
    shared = frame.sparkSession.sparkContext.broadcast(setup)
    outcome = by_identity(frame).mapInArrow(_checking(shared, columns), spark_schema(OUTCOME))
    return Checked(outcome.persist(StorageLevel.MEMORY_AND_DISK))


def _checking(
    shared: Broadcast[Setup], columns: list[str]
) -> Callable[[Iterator[pa.RecordBatch]], Iterator[pa.RecordBatch]]:
    """The check of one partition (records in input order, each id's all in it)."""

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        checker = shared.value.checker
        reader = BatchReader(columns)
        seen: set[str] = set()
        checked = 0
        for batch in batches:
            rows = []
            for record in read_batch(reader, batch):
                if isinstance(record, Rejected):
                    rows.append({"kind": REJECTION, "rejected": rejected_values(record)})
                    continue
                repeat = record.id in seen
                seen.add(record.id)
                checked += 1
                source = record.source
                place = {
                    "institution": record.institution,
                    "department": record.department,
                    "source_file": source.file if source else None,
                    "source_row": source.line if source else None,
                }
                for found in checker.check_episode(record, duplicate_id=repeat):
                    rows.append({"kind": FINDING, "finding": {**finding_values(found), **place}})
            if rows:
                yield batch_of(OUTCOME, rows)
        yield batch_of(OUTCOME, [{"kind": COUNT, "checked": checked}])

    return run
