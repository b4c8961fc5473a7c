"""The records of a Spark partition, read with the local Parquet reader's code, in input order.

Both runs (`check`, `analyse`) first bring every record of an episode id into one partition,
in input order, so that a repeated id is found as the local run finds it: the later record
is the repeat. `by_identity` is the partition key: the id with everything but letters and
digits removed, so that ids the reader trims to the same id (`" e1 "`, `"e1"`) meet in one
partition whatever whitespace they carry; the reader's own id decides within it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pyarrow as pa
from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from kodevakt.episodes.parquet_reader import BatchReader
from kodevakt.episodes.records import Record, Rejected
from kodevakt.spark.reading import POSITION


def by_identity(frame: DataFrame) -> DataFrame:
    """`frame` (`positioned`) with each id's records in one partition, in input order."""
    key: Column = F.regexp_replace(F.col("id").cast("string"), r"[^\p{L}\p{N}]", "")
    return frame.repartition(key).sortWithinPartitions(*POSITION)


def read_batch(reader: BatchReader, batch: pa.RecordBatch) -> Iterator[Record]:
    """The batch's rows as episodes or rejections, each with its file and row."""
    places = zip(
        batch.column("source_file").to_pylist(),
        batch.column("source_row").to_pylist(),
        strict=True,
    )
    return reader.records(batch, places)


def rejected_values(record: Rejected) -> dict[str, Any]:
    """A rejection by `schema.REJECTED` column."""
    return {
        "file": record.file,
        "row": record.line,
        "field": record.field,
        "message": record.message,
        "position": record.position or f"rad {record.line}",
    }
