"""Episodes as a Spark DataFrame: the columnar schema (docs/formats.md §8) with each row's place.

`read_episodes(spark, paths)` reads Parquet files (or folders of part files) and adds where
each row was: `source_order` (the path's position among `paths`), `source_file` (the path
as given for a file, the part file's address in a folder) and `source_row` (1 = a file's
first row). Rejections name that file and row, as the local Parquet reader does, and a
repeated episode id is the one later in that order, as in the local run.

`positioned(frame)` gives any DataFrame of episodes (from a table, a join) those columns
when it lacks them: file `DataFrame`, rows numbered 1, 2, … in the DataFrame's own order
(one small job counts each partition's rows). Both check the episode columns' types
before a row is read: a column of a type that cannot hold its field is an `InputError`
naming it.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import reduce
from pathlib import Path

from pyspark.errors import PySparkException
from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.pandas.types import to_arrow_schema

from kodevakt.episodes.parquet_reader import checked_columns
from kodevakt.episodes.parquet_schema import KIND
from kodevakt.errors import InputError

POSITION = ("source_order", "source_file", "source_row")
FRAME = "DataFrame"
_ROW_BITS = 33  # monotonically_increasing_id: partition id above these bits, row below


def episode_columns(frame: DataFrame, name: str) -> list[str]:
    """The episode columns `frame` has, checked (see the module docstring)."""
    known = frame.select(*[column for column in frame.columns if column in KIND])
    try:
        schema = to_arrow_schema(known.schema)
    except (PySparkException, TypeError):  # a type Arrow has no form for (a map, say)
        raise InputError("kolonnene har typer kodevakt ikke kan lese", file=name) from None
    return checked_columns(schema, name)


def read_episodes(spark: SparkSession, paths: Iterable[str | Path]) -> DataFrame:
    """Episodes from Parquet files or folders of them, with their places (module docstring)."""
    frames = []
    for order, path in enumerate(paths):
        name = str(path)
        try:
            frame = spark.read.parquet(name)
        except PySparkException:
            raise InputError(
                "filen finnes ikke eller er ikke en lesbar Parquet-fil", file=name
            ) from None
        columns = episode_columns(frame, name)
        file: Column = F.lit(name) if Path(name).is_file() else F.col("_metadata.file_path")
        frames.append(
            frame.select(
                *columns,
                F.lit(order).alias("source_order"),
                file.alias("source_file"),
                (F.col("_metadata.row_index") + 1).alias("source_row"),
            )
        )
    if not frames:
        raise InputError("ingen filer å lese")
    return reduce(lambda a, b: a.unionByName(b, allowMissingColumns=True), frames)


def positioned(frame: DataFrame) -> DataFrame:
    """`frame`'s episode columns with its rows' places (module docstring)."""
    columns = episode_columns(frame, FRAME)
    if all(column in frame.columns for column in POSITION):
        return frame.select(*columns, *POSITION)
    numbered = frame.select(*columns).withColumn("_id", F.monotonically_increasing_id())
    parts = numbered.groupBy(F.shiftright("_id", _ROW_BITS).alias("part")).count().collect()
    counts: dict[int, int] = {row.part: row["count"] for row in parts}
    offsets: list[Column] = []
    total = 0
    for part in sorted(counts):
        offsets += [F.lit(part), F.lit(total)]
        total += counts[part]
    offset = F.element_at(F.create_map(*offsets), F.shiftright("_id", _ROW_BITS)) if offsets else 0
    row = offset + F.col("_id").bitwiseAND((1 << _ROW_BITS) - 1) + 1
    return numbered.select(
        *columns,
        F.lit(0).alias("source_order"),
        F.lit(FRAME).alias("source_file"),
        row.cast("long").alias("source_row"),
    )
