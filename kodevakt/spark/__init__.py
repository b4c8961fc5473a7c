"""Kodevakt on Apache Spark: the same checks, pattern rules and indicators for national data.

One hospital trust's year fits on one machine; the national registry's, and every hospital
at once for the pattern rules, run where the data is: on a Spark cluster, as Parquet. This
package runs kodevakt's own code there (the `Checker`, the pattern rules, the indicators),
split the way each rule allows, and its results equal the local run's (the differential test
in tests/spark compares them exactly)::

    from kodevakt.spark import analyse, check, read_episodes, start

    spark = start("local[2]")                       # or spark-submit's session (start())
    episodes = read_episodes(spark, ["npr-2025.parquet"])   # columnar schema, with places
    checked = check(episodes)                       # as `kodevakt check`
    checked.findings, checked.rejected, checked.summary()
    result = analyse(episodes, "auto")              # as `kodevakt import --period auto`
    result.findings, result.patterns, result.indicators, result.funnels, result.rejected
    result.values                                   # the IndicatorValues, for funnels() etc.

Any DataFrame with the episode columns (docs/formats.md §8) will do; `positioned` numbers
its rows when it has no `source_*` columns. The commands are
`kodevakt check FILES --engine spark --out DIR` and
`kodevakt import FILES --period auto --engine spark --out DIR` (`output`). docs/scale.md
tells how to run on a cluster.

Modules: `session` (starting Spark), `reading` (episodes and their places), `records`
(each id's records in one partition), `workers` (what each worker holds once), `check`,
`analysis`, `schema` (the columns), `output` (Parquet folders).
"""

from kodevakt.spark.analysis import AUTO, Analysis, AnalysisSummary, analyse
from kodevakt.spark.check import Checked, CheckSummary, check
from kodevakt.spark.output import write_analysis, write_checked
from kodevakt.spark.reading import positioned, read_episodes
from kodevakt.spark.session import start

__all__ = [
    "AUTO",
    "Analysis",
    "AnalysisSummary",
    "CheckSummary",
    "Checked",
    "analyse",
    "check",
    "positioned",
    "read_episodes",
    "start",
    "write_analysis",
    "write_checked",
]
