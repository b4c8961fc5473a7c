"""`kodevakt drg`: DRG grouping of episodes or DRG strings with the official tables."""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Annotated, Any, TextIO

import typer
from rich.markup import escape
from rich.table import Table

from kodevakt.cli.common import (
    DefinitionsOption,
    FilesArgument,
    RecordFormat,
    WeightsOption,
    WeightsYearOption,
    err,
    fail,
    out,
)
from kodevakt.drg import Definitions, DrgResult, load_definitions
from kodevakt.drg.input import episode_input
from kodevakt.drg.strings import read_drg_strings
from kodevakt.drg.weights import Weights, load_weights
from kodevakt.episodes.reading import ReadStats, read_episodes
from kodevakt.errors import CodeListError, KodevaktError

CSV_COLUMNS = (
    "episode_id",
    "line",
    "year",
    "drg",
    "mdc",
    "surgical",
    "complication",
    "return_code",
    "logic_row",
    "why",
    "error",
)


@dataclass(frozen=True, slots=True)
class Failed:
    """An episode that could not be grouped (no tables for its year)."""

    episode_id: str | None
    line: int | None
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {"episode_id": self.episode_id, "line": self.line, "error": self.message}


Outcome = DrgResult | Failed


def register(app: typer.Typer) -> None:
    app.command("drg")(drg)


def drg(
    files: FilesArgument = None,
    year: Annotated[
        int | None,
        typer.Option("--year", help="Bruk tabellene for dette året (ellers utskrivningsåret)."),
    ] = None,
    definitions: DefinitionsOption = None,
    output: Annotated[RecordFormat, typer.Option("--format", "-f")] = RecordFormat.TABLE,
    drg_strings: Annotated[
        str | None,
        typer.Option("--drg-strings", help="Les én DRG-streng per linje fra filen (- = stdin)."),
    ] = None,
    weights: WeightsOption = None,
    weights_year: WeightsYearOption = None,
) -> None:
    """DRG-grupper episoder (NordDRG) med de offisielle definisjonstabellene.

    Viser DRG, MDC, kirurgisk/medisinsk, med/uten komplikasjon, returkode og logikkraden
    som ga gruppen (hvorfor), og med --weights DRG-vekten. Avslutningskode 0: alt gruppert;
    1: noen episoder manglet tabeller for sitt år; 2: inndata, tabeller eller vekter kunne
    ikke leses.
    """
    try:
        loaded = load_definitions(definitions, year=year)
        weight_tables = load_weights(weights, year=weights_year)
    except KodevaktError as exc:
        fail(str(exc), code=2)
    stats = ReadStats()
    if drg_strings is not None:
        if files:
            fail("bruk enten episodefiler eller --drg-strings, ikke begge", code=2)
        outcomes = _from_strings(drg_strings, loaded, year)
    else:
        paths = files or []
        if not paths:
            fail("oppgi minst én episodefil (- for standard inn) eller --drg-strings", code=2)
        for path in paths:
            if path != "-" and not Path(path).is_file():
                fail(f"filen «{path}» finnes ikke eller kan ikke leses", code=2)
        outcomes = _from_episodes(paths, loaded, year, stats)
    counts = _Counts()
    try:
        _write(counts.counted(outcomes), output, sys.stdout, weight_tables)
    except KodevaktError as exc:
        fail(str(exc), code=2)
    except BrokenPipeError:
        sys.stderr.close()  # the reader stopped (| head): nothing more to say
        raise typer.Exit(0) from None
    except (OSError, UnicodeDecodeError) as exc:
        fail(f"inndata kunne ikke leses: {exc}", code=2)
    for rejected in stats.rejected[:20]:
        err.print(f"[red]Avvist:[/] {rejected.describe()}")
    err.print(counts.summary(len(stats.rejected)))
    raise typer.Exit(1 if counts.failed else 0)


def _from_strings(path: str, loaded: Definitions, year: int | None) -> Iterator[Outcome]:
    chosen = year if year is not None else loaded.only_year()
    if chosen is None:
        fail("flere års tabeller er lastet; oppgi året DRG-strengene gjelder (--year)", code=2)
    tables = loaded.tables(chosen)
    name = "<stdin>" if path == "-" else path
    try:
        stream: AbstractContextManager[TextIO] = (
            nullcontext(sys.stdin) if path == "-" else open(path, encoding="utf-8-sig")  # noqa: SIM115 (closed by the with below)
        )
    except OSError:
        fail(f"filen «{path}» finnes ikke eller kan ikke leses", code=2)
    with stream as lines:
        for line, case in read_drg_strings(lines, file=name):
            result = tables.group(case)
            yield replace(result, line=line)


def _from_episodes(
    paths: list[str], loaded: Definitions, year: int | None, stats: ReadStats
) -> Iterator[Outcome]:
    for episode in read_episodes(paths, stats):
        chosen = year
        if chosen is None:
            chosen = episode.rule_date.year if episode.rule_date else loaded.only_year()
        line = episode.source.line if episode.source else None
        if chosen is None:
            yield Failed(episode.id, line, "episoden har ingen dato; oppgi --year")
            continue
        try:
            tables = loaded.tables(chosen)
        except CodeListError as exc:
            if exc.file is not None:
                raise
            yield Failed(episode.id, line, exc.message)
            continue
        result = tables.group(episode_input(episode, year=chosen))
        yield replace(result, episode_id=episode.id, line=line)


@dataclass(slots=True)
class _Counts:
    grouped: int = 0
    ungroupable: int = 0
    failed: int = 0

    def counted(self, outcomes: Iterable[Outcome]) -> Iterator[Outcome]:
        for outcome in outcomes:
            if isinstance(outcome, Failed):
                self.failed += 1
            else:
                self.grouped += 1
                self.ungroupable += outcome.return_code != "0"
            yield outcome

    def summary(self, rejected: int) -> str:
        text = f"Gruppert {self.grouped}, av dem {self.ungroupable} med returkode ulik 0."
        if self.failed:
            text += f" {self.failed} kunne ikke grupperes."
        if rejected:
            text += f" {rejected} poster avvist."
        return text


def _row(outcome: Outcome, weights: Weights | None) -> dict[str, Any]:
    """The outcome's JSON object; with weights loaded, its `weight` too (null when unknown)."""
    row = outcome.to_dict()
    if weights is not None:
        row["weight"] = (
            weights.weight(outcome.drg, outcome.year) if isinstance(outcome, DrgResult) else None
        )
    return row


def _write(
    outcomes: Iterable[Outcome],
    output: RecordFormat,
    stream: TextIO,
    weights: Weights | None = None,
) -> None:
    if output is RecordFormat.JSONL:
        for outcome in outcomes:
            stream.write(json.dumps(_row(outcome, weights), ensure_ascii=False) + "\n")
    elif output is RecordFormat.JSON:
        stream.write("[")
        first = True
        for outcome in outcomes:
            stream.write("\n  " if first else ",\n  ")
            stream.write(json.dumps(_row(outcome, weights), ensure_ascii=False))
            first = False
        stream.write("\n]\n" if not first else "]\n")
    elif output is RecordFormat.CSV:
        columns = CSV_COLUMNS if weights is None else (*CSV_COLUMNS[:4], "weight", *CSV_COLUMNS[4:])
        writer = csv.writer(stream, delimiter=";", lineterminator="\n")
        writer.writerow(columns)
        for outcome in outcomes:
            row = _row(outcome, weights)
            row["why"] = " | ".join(row.get("why") or [])
            writer.writerow([_csv_value(row.get(column)) for column in columns])
    else:
        _write_table(outcomes, weights)


def _csv_value(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nei"
    return value


def _write_table(outcomes: Iterable[Outcome], weights: Weights | None = None) -> None:
    """A table of the groupings, then each one's reasons (the fired row's conditions)."""
    table = Table(show_lines=False)
    columns = ["Episode", "År", "DRG", "MDC", "Type", "Kompl.", "Retur", "Regel"]
    if weights is not None:
        columns.insert(3, "Vekt")
    for column in columns:
        table.add_column(column, overflow="fold")
    reasons: list[str] = []
    for outcome in outcomes:
        who = escape(outcome.episode_id or (f"linje {outcome.line}" if outcome.line else ""))
        if isinstance(outcome, Failed):
            table.add_row(who, *[""] * (len(columns) - 1))
            reasons.append(f"[bold]{who}[/]: [red]{escape(outcome.message)}[/]")
            continue
        weight = weights.weight(outcome.drg, outcome.year) if weights is not None else None
        shown_weight = [] if weights is None else [_weight_text(weight)]
        table.add_row(
            who,
            str(outcome.year),
            outcome.drg,
            *shown_weight,
            outcome.mdc,
            _SURGICAL[outcome.surgical],
            _COMPLICATION[outcome.complication],
            outcome.return_code
            if outcome.return_code == "0"
            else f"[yellow]{outcome.return_code}[/]",
            outcome.logic_row,
        )
        notes = list(outcome.why[1:])
        if outcome.return_code != "0":
            notes.append(f"returkode {outcome.return_code}: {outcome.return_text}")
        reasons.append(
            f"[bold]{who}[/] (DRG {outcome.drg}, regel {outcome.logic_row}): "
            + escape("; ".join(notes))
        )
    if not reasons:
        out.print("Ingen episoder.")
        return
    out.print(table)
    out.print("Hvorfor:")
    for reason in reasons:
        out.print(f"  {reason}")


def _weight_text(weight: float | None) -> str:
    """`0,6120` the Norwegian way; `–` when the DRG has no weight in the loaded files."""
    return "–" if weight is None else f"{weight:.4f}".replace(".", ",")


_SURGICAL = {True: "kirurgisk", False: "medisinsk", None: "–"}
_COMPLICATION = {True: "med", False: "uten", None: "–"}
