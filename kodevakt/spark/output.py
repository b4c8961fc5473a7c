"""Writing a Spark run's results as Parquet folders (one per kind of result) under one folder.

`kodevakt check --engine spark --out DIR` writes `DIR/findings` and `DIR/rejected`;
`kodevakt import --engine spark --out DIR` writes `DIR/findings` (the checker's),
`DIR/patterns` (M01–M07), `DIR/indicators`, `DIR/funnels` and `DIR/rejected`. Columns:
`kodevakt.spark.schema` (docs/scale.md). Each folder is written by Spark's own commit
protocol, which a retried task cannot leave half-written, and replaces what was there.
"""

from __future__ import annotations

from collections.abc import Mapping

from pyspark.errors import PySparkException
from pyspark.sql import DataFrame

from kodevakt.errors import KodevaktError
from kodevakt.spark.analysis import Analysis
from kodevakt.spark.check import Checked


def write_folders(frames: Mapping[str, DataFrame], out: str) -> None:
    """Each frame as zstd-compressed Parquet in `out/<name>`, replacing it."""
    for name, frame in frames.items():
        target = f"{out.rstrip('/')}/{name}"
        try:
            frame.write.mode("overwrite").option("compression", "zstd").parquet(target)
        except PySparkException as exc:
            why = exc.getCondition() or type(exc).__name__
            raise KodevaktError(f"resultatet kunne ikke skrives ({why})", file=target) from None


def write_checked(checked: Checked, out: str) -> None:
    write_folders({"findings": checked.findings, "rejected": checked.rejected}, out)


def write_analysis(analysis: Analysis, out: str) -> None:
    write_folders(
        {
            "findings": analysis.findings,
            "patterns": analysis.patterns,
            "indicators": analysis.indicators,
            "funnels": analysis.funnels,
            "rejected": analysis.rejected,
        },
        out,
    )
