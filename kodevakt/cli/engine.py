"""`--engine spark`: `kodevakt check` and `kodevakt import` on Apache Spark (`kodevakt.spark`).

Spark reads Parquet and writes its results as Parquet folders under `--out`; the summary on
stderr is the local run's. pyspark is an optional dependency (`kodevakt[spark]`) and Spark
needs Java: when either is missing the command says so in Norwegian and exits 2.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from enum import StrEnum
from importlib.util import find_spec
from pathlib import Path
from types import ModuleType
from typing import Annotated

import typer

from kodevakt.cells import console_text
from kodevakt.cli.common import err, fail
from kodevakt.episodes.formats import EpisodeFormat
from kodevakt.episodes.records import Rejected
from kodevakt.errors import KodevaktError
from kodevakt.rules.finding import Severity

PYSPARK_MISSING = (
    "--engine spark trenger pyspark, som ikke er installert: installer kodevakt med "
    "tillegget spark (pip install 'kodevakt[spark]')"
)
SHOWN_RULES = 10


class Engine(StrEnum):
    LOCAL = "local"
    SPARK = "spark"


EngineOption = Annotated[
    Engine,
    typer.Option(
        "--engine",
        help="local: her, i denne prosessen; spark: på Apache Spark (Parquet inn, Parquet-mapper "
        "ut i --out).",
    ),
]
MasterOption = Annotated[
    str | None,
    typer.Option(
        "--master",
        help="Spark-master for --engine spark: local[2], local[*], spark://vert:7077, yarn. "
        "Standard: den spark-submit oppgir, ellers local[*].",
    ),
]
OutOption = Annotated[
    Path | None,
    typer.Option("--out", "-o", help="Mappe for resultatet fra --engine spark (Parquet)."),
]


def spark_module() -> ModuleType:
    """`kodevakt.spark`, or a Norwegian exit when pyspark is not installed."""
    if find_spec("pyspark") is None:
        fail(PYSPARK_MISSING, code=2)
    import kodevakt.spark

    return kodevakt.spark


def master_of(master: str | None) -> str | None:
    """The master to ask for: the one given; under spark-submit its own; else `local[*]`."""
    if master is not None:
        return master
    return None if "PYSPARK_GATEWAY_PORT" in os.environ else "local[*]"


def require_parquet(
    paths: Sequence[str], out: Path | None, input_format: EpisodeFormat | None
) -> str:
    """Stop before Spark starts when the input or output cannot work on Spark."""
    if out is None:
        fail("--engine spark skriver resultatet som Parquet-mapper: oppgi --out MAPPE", code=2)
    if not paths or "-" in paths:
        fail("--engine spark leser Parquet-filer eller -mapper: oppgi dem (ikke -)", code=2)
    if input_format not in (None, EpisodeFormat.PARQUET):
        fail("--engine spark leser bare Parquet; gjør om med kodevakt convert --to parquet", code=2)
    for path in paths:
        local = Path(path)
        if "://" in path or local.is_dir():
            continue
        if not local.is_file():
            fail(f"filen «{path}» finnes ikke eller kan ikke leses", code=2)
        with local.open("rb") as start:
            if start.read(4) != b"PAR1":
                fail(
                    f"«{path}» er ikke Parquet; --engine spark leser bare Parquet "
                    "(gjør om med kodevakt convert --to parquet)",
                    code=2,
                )
    return str(out)


def run_check(
    paths: Sequence[str],
    out: str,
    master: str | None,
    *,
    select: Sequence[str],
    ignore: Sequence[str],
    preview: bool,
    rules_year: int | None,
    min_severity: Severity,
) -> int:
    """`kodevakt check --engine spark`: the exit code (1 when errors were found)."""
    spark = spark_module()
    try:
        session = spark.start(master_of(master))
        checked = spark.check(
            spark.read_episodes(session, paths),
            select=select,
            ignore=ignore,
            preview=preview,
            rules_year=rules_year,
            min_severity=min_severity,
        )
        spark.write_checked(checked, out)
        summary = checked.summary()
    except KodevaktError as exc:
        fail(str(exc), code=2)
    _rejections(summary.first_rejections, summary.rejected)
    err.print(
        f"Lest {summary.read} poster: {summary.checked} kontrollert, {summary.rejected} avvist. "
        f"Funn: {summary.count(Severity.ERROR)} feil, {summary.count(Severity.WARNING)} "
        f"advarsler, {summary.count(Severity.INFO)} info. Skrevet til {console_text(out)}."
    )
    _top_rules(summary.by_rule)
    return 1 if summary.count(Severity.ERROR) else 0


def run_import(paths: Sequence[str], period: str, out: str, master: str | None) -> int:
    """`kodevakt import --engine spark`: the exit code (0: everything read)."""
    spark = spark_module()
    try:
        session = spark.start(master_of(master))
        analysis = spark.analyse(spark.read_episodes(session, paths), period)
        spark.write_analysis(analysis, out)
        summary = analysis.summary()
    except KodevaktError as exc:
        fail(str(exc), code=2)
    _rejections(summary.first_rejections, summary.rejected)
    findings, patterns = summary.findings, summary.patterns
    err.print(
        f"Lest {summary.read} poster, {summary.rejected} avvist. Episoder: {summary.episodes}. "
        f"Funn: {sum(findings.values())}; mønsterregler (M01–M07): {sum(patterns.values())}; "
        f"kvalitetsindikatorer: {len(analysis.values)} verdier. "
        f"Skrevet til {console_text(out)}."
    )
    _top_rules(patterns + findings)
    return 0


def _rejections(first: Sequence[Rejected], total: int) -> None:
    for rejected in first:
        err.print(f"[red]Avvist:[/] {console_text(rejected.describe())}")
    if total > len(first):
        err.print(f"… og {total - len(first)} avviste poster til")


def _top_rules(by_rule: dict[tuple[str, str], int]) -> None:
    if by_rule:
        top = sorted(by_rule.items(), key=lambda item: (-item[1], item[0]))[:SHOWN_RULES]
        err.print("Vanligste regler: " + ", ".join(f"{rule} ({n})" for (rule, _), n in top))
