"""Spark gives the local run's results, exactly, on 100,000 episodes and more.

The batch (tests/spark/data.py) is synthetic episodes over a year with split stays, extra
outpatient contacts, repeated records and rows that cannot be read or placed. The local
side is kodevakt's own: `Checker.check` over the Parquet reader (what `kodevakt check`
does) and the `Pipeline` importing the file into a new SQLite database with
`--period auto` (what `kodevakt import` does). The Spark side runs on `local[2]`.
Everything is compared field by field: every finding, every pattern finding with the
episodes it names, every indicator value to the last bit, every rejection.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest
from pyspark.sql import DataFrame, Row, SparkSession

from kodevakt.batch import IndicatorValue
from kodevakt.codes.loading import default_codebase
from kodevakt.episodes.parquet_reader import read_parquet
from kodevakt.episodes.records import Rejected
from kodevakt.pipeline import Pipeline
from kodevakt.rules.engine import Checker
from kodevakt.rules.finding import FIELDS
from kodevakt.spark import analyse, check, read_episodes
from kodevakt.storage import Store
from tests.spark.data import BROKEN, write

EPISODES = 100_000


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write(tmp_path_factory.mktemp("national") / "npr-2025.parquet", EPISODES, seed=17)


def as_json(finding: dict[str, Any], **place: Any) -> str:
    return json.dumps({**finding, **place}, ensure_ascii=False, sort_keys=True)


def spark_finding(row: Row, *extra: str) -> str:
    """A row of findings as `Finding.to_dict()` gives it, with the `extra` columns."""
    values = row.asDict(recursive=True)
    found = {name: values[name] for name in FIELDS}
    if not found["episodes"]:
        del found["episodes"]
    return as_json(found, **{name: values[name] for name in extra})


def collected(frame: DataFrame, *extra: str) -> Counter[str]:
    return Counter(spark_finding(row, *extra) for row in frame.toLocalIterator())


def test_spark_check_equals_kodevakt_check(spark: SparkSession, batch: Path) -> None:
    records = list(read_parquet(batch))
    rejected = [r for r in records if isinstance(r, Rejected)]
    local = Counter(
        as_json(f.to_dict())
        for f in Checker(default_codebase()).check(
            r for r in records if not isinstance(r, Rejected)
        )
    )
    assert len(records) >= EPISODES and len(rejected) == len({row for row, _, _ in BROKEN}) - 1
    assert any('"rule": "E05"' in found for found in local)

    checked = check(read_episodes(spark, [batch]))
    summary = checked.summary()
    assert (summary.read, summary.rejected) == (len(records), len(rejected))
    assert sum(summary.by_rule.values()) == local.total()
    assert collected(checked.findings) == local
    assert sorted(
        (r.file, r.row, r.field, r.message) for r in checked.rejected.collect()
    ) == sorted((r.file, r.line, r.field, r.message) for r in rejected)
    checked.release()


def stored(store: Store) -> tuple[Counter[str], Counter[str], list[IndicatorValue]]:
    """Every stored finding (the checker's, the pattern rules') and indicator value."""
    findings: Counter[str] = Counter()
    patterns: Counter[str] = Counter()
    values: list[IndicatorValue] = []
    for period in store.periods():
        for found in store.findings(period):
            into = patterns if found.scope == "batch" else findings
            into[
                as_json(
                    found.finding.to_dict(),
                    period=found.period,
                    institution=found.institution,
                    department=found.department,
                )
            ] += 1
        values.extend(store.indicator_values(period) or [])
    return findings, patterns, values


def _key(value: IndicatorValue) -> tuple[str, ...]:
    return (value.period, value.unit_kind.value, value.unit, value.indicator)


def _rules(found: Iterable[str]) -> set[str]:
    return {json.loads(text)["rule"] for text in found}


def test_spark_import_equals_the_local_pipeline(
    spark: SparkSession, batch: Path, tmp_path: Path
) -> None:
    with Store(str(tmp_path / "kodevakt.db")) as store:
        results = Pipeline(store).import_by_tertial([batch])
        findings, patterns, values = stored(store)
        local_rejections = sorted(
            rejection
            for log in store.imports()
            if log.kind == "file"
            for rejection in store.rejections(log.id)
        )
    assert all(not result.failed and result.patterns for result in results)
    assert _rules(patterns) == {"M01", "M02", "M03", "M04", "M05", "M06", "M07"}

    analysis = analyse(read_episodes(spark, [batch]), "auto")
    place = ("period", "institution", "department")
    assert collected(analysis.findings, *place) == findings
    assert collected(analysis.patterns, *place) == patterns
    assert sorted(analysis.values, key=_key) == sorted(values, key=_key)
    assert (
        sorted((r.row, r.field, r.message) for r in analysis.rejected.collect()) == local_rejections
    )
    summary = analysis.summary()
    assert summary.read == sum(result.total("read") for result in results)
    assert summary.episodes == sum(result.total("episodes_new") for result in results)
    analysis.release()
