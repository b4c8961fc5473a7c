"""`kodevakt.spark` on DataFrames that did not come from `read_episodes`, and bad columns."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from pyspark.sql import SparkSession
from pyspark.sql import functions as F

from kodevakt.codes.loading import default_codebase
from kodevakt.episodes.parquet_reader import read_parquet
from kodevakt.episodes.records import Rejected
from kodevakt.errors import InputError
from kodevakt.rules.engine import Checker
from kodevakt.spark import check
from tests.spark.data import write
from tests.spark.test_differential import as_json, collected


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write(tmp_path_factory.mktemp("api") / "batch.parquet", 3_000, seed=29)


def test_any_dataframe_of_episodes_is_numbered_in_its_order(
    spark: SparkSession, batch: Path
) -> None:
    """A table read without `read_episodes` (no source columns, an extra column): rows are
    numbered in the DataFrame's order, so rejections name the rows the local reader does."""
    frame = spark.read.parquet(str(batch)).coalesce(1)
    records = list(read_parquet(batch))
    episodes = [r for r in records if not isinstance(r, Rejected)]
    checked = check(frame.withColumn("extra", F.lit(1)))
    assert sorted((r.file, r.row, r.field) for r in checked.rejected.collect()) == sorted(
        ("DataFrame", r.line, r.field) for r in records if isinstance(r, Rejected)
    )
    local = Counter(as_json(f.to_dict()) for f in Checker(default_codebase()).check(episodes))
    assert collected(checked.findings) == local
    checked.release()


def test_a_column_of_the_wrong_type_is_named_before_any_row_is_read(
    spark: SparkSession, batch: Path
) -> None:
    frame = spark.read.parquet(str(batch)).withColumn("conditions", F.lit(7))
    with pytest.raises(InputError, match="kolonnen «conditions» har typen int32"):
        check(frame)
    with pytest.raises(InputError, match="mangler kolonnen «id»"):
        check(spark.read.parquet(str(batch)).drop("id"))
