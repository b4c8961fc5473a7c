"""`kodevakt drg`: DRG grouping of episodes or DRG strings with the official tables."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from typing import Annotated, Any, TextIO

import typer
from rich.table import Table

from kodevakt.cells import SafeCsvWriter, console_text
from kodevakt.cli.common import (
    DefinitionsOption,
    EncodingOption,
    FilesArgument,
    InputFormatOption,
    RecordFormat,
    WeightsOption,
    WeightsYearOption,
    err,
    fail,
    out,
)
from kodevakt.cli.inputs import (
    check_paths,
    print_read_problems,
    read_input,
    reading,
    write_result,
)
from kodevakt.drg import Definitions, DrgInput, DrgResult, load_definitions
from kodevakt.drg.input import episode_input
from kodevakt.drg.strings import read_drg_strings
from kodevakt.drg.weights import Weights, load_weights
from kodevakt.drg.years import NotCovered, TableYears
from kodevakt.episodes.model import Episode
from kodevakt.episodes.reading import ReadStats
from kodevakt.errors import KodevaktError

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
    """An episode that could not be grouped (no tables for its year, or no date)."""

    episode_id: str | None
    line: int | None
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {"episode_id": self.episode_id, "line": self.line, "error": self.message}


Outcome = DrgResult | Failed


YearOption = Annotated[
    int | None,
    typer.Option(
        "--year",
        help="Grupper med tabellene for dette året (ellers episodens utskrivningsår); "
        "året må finnes blant tabellene, eller navngi året for en fil uten år i navnet.",
    ),
]


def register(app: typer.Typer) -> None:
    app.command("drg")(drg)


def drg(
    files: FilesArgument = None,
    year: YearOption = None,
    definitions: DefinitionsOption = None,
    output: Annotated[RecordFormat, typer.Option("--format", "-f")] = RecordFormat.TABLE,
    drg_strings: Annotated[
        str | None,
        typer.Option("--drg-strings", help="Les én DRG-streng per linje fra filen (- = stdin)."),
    ] = None,
    weights: WeightsOption = None,
    weights_year: WeightsYearOption = None,
    encoding: EncodingOption = None,
    input_format: InputFormatOption = None,
) -> None:
    """DRG-grupper episoder (NordDRG) med de offisielle definisjonstabellene.

    Viser DRG, MDC, kirurgisk/medisinsk, med/uten komplikasjon, returkode og logikkraden
    som ga gruppen (hvorfor), og med --weights DRG-vekten. Avslutningskode 0: alt gruppert;
    1: noen episoder manglet tabeller for sitt år (eller dato); 2: inndata, tabeller eller
    vekter kunne ikke leses, eller resultatet kunne ikke skrives.
    """
    try:
        loaded = load_definitions(definitions, year=year)
        years = TableYears(loaded.years, year)
        weight_tables = load_weights(weights, year=weights_year)
    except KodevaktError as exc:
        fail(str(exc), code=2)
    stats = ReadStats()
    if drg_strings is not None:
        if files:
            fail("bruk enten episodefiler eller --drg-strings, ikke begge", code=2)
        check_paths([drg_strings], encoding)
        outcomes = _from_strings(drg_strings, loaded, year, encoding)
    else:
        paths = files or []
        if not paths:
            fail("oppgi minst én episodefil (- for standard inn) eller --drg-strings", code=2)
        check_paths(paths, encoding, input_format)
        episodes = read_input(paths, stats, encoding, input_format)
        outcomes = _from_episodes(episodes, loaded, years)
    counts = _Counts()
    write_result(
        lambda: _write(counts.counted(outcomes), output, sys.stdout, weight_tables),
        "DRG-grupperingen",
    )
    print_read_problems(stats)
    print_notice(years)
    err.print(counts.summary(len(stats.rejected)))
    raise typer.Exit(1 if counts.failed else 0)


def print_notice(years: TableYears) -> None:
    """Once per run: why stays were not grouped, and how to choose the tables' year."""
    notice = years.notice()
    if notice is not None:
        err.print(f"[yellow]Merk:[/] {console_text(notice)}")


def not_grouped(failed: dict[str, list[str]], *, shown: int = 10) -> Iterator[str]:
    """One line per reason: the reason, how many, and the first `shown` of them (as markup)."""
    for message, who in failed.items():
        names = ", ".join(console_text(name) for name in who[:shown])
        more = f" og {len(who) - shown} til" if len(who) > shown else ""
        count = "1 episode" if len(who) == 1 else f"{len(who)} episoder"
        yield f"{console_text(message)} – {count}: {names}{more}"


def _from_strings(
    path: str, loaded: Definitions, year: int | None, encoding: str | None
) -> Iterator[Outcome]:
    chosen = year if year is not None else loaded.only_year()
    if chosen is None:
        fail("flere års tabeller er lastet; oppgi året DRG-strengene gjelder (--year)", code=2)
    tables = loaded.tables(chosen)
    for line, case in _strings(path, encoding):
        yield replace(tables.group(case), line=line)


def _strings(path: str, encoding: str | None) -> Iterator[tuple[int, DrgInput]]:
    with reading(path, encoding):
        if path == "-":
            yield from read_drg_strings(sys.stdin, file="<stdin>")
            return
        with open(path, encoding=encoding or "utf-8-sig") as lines:
            yield from read_drg_strings(lines, file=path)


def _from_episodes(
    episodes: Iterable[Episode], loaded: Definitions, years: TableYears
) -> Iterator[Outcome]:
    for episode in episodes:
        line = episode.source.line if episode.source else None
        try:
            chosen = years.choose(episode.rule_date)
        except NotCovered as exc:
            yield Failed(episode.id, line, exc.message)
            continue
        result = loaded.tables(chosen).group(episode_input(episode, year=chosen))
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
        writer = SafeCsvWriter(stream)
        writer.writerow(columns)
        for outcome in outcomes:
            row = _row(outcome, weights)
            row["why"] = " | ".join(row.get("why") or [])
            writer.writerow([_yes_no(row.get(column)) for column in columns])
    else:
        _write_table(outcomes, weights)


def _yes_no(value: object) -> object:
    if isinstance(value, bool):
        return "ja" if value else "nei"
    return value


def _write_table(outcomes: Iterable[Outcome], weights: Weights | None = None) -> None:
    """A table of the groupings and each one's reasons; stays not grouped, by reason, after."""
    table = Table(show_lines=False)
    columns = ["Episode", "År", "DRG", "MDC", "Type", "Kompl.", "Retur", "Regel"]
    if weights is not None:
        columns.insert(3, "Vekt")
    for column in columns:
        table.add_column(column, overflow="fold")
    reasons: list[str] = []
    failed: dict[str, list[str]] = {}
    for outcome in outcomes:
        name = outcome.episode_id or (f"linje {outcome.line}" if outcome.line else "")
        if isinstance(outcome, Failed):
            failed.setdefault(outcome.message, []).append(name)
            continue
        who = console_text(name)
        weight = weights.weight(outcome.drg, outcome.year) if weights is not None else None
        shown_weight = [] if weights is None else [_weight_text(weight)]
        return_code = console_text(outcome.return_code)
        table.add_row(
            who,
            str(outcome.year),
            console_text(outcome.drg),
            *shown_weight,
            console_text(outcome.mdc),
            _SURGICAL[outcome.surgical],
            _COMPLICATION[outcome.complication],
            return_code if outcome.return_code == "0" else f"[yellow]{return_code}[/]",
            console_text(outcome.logic_row),
        )
        notes = list(outcome.why[1:])
        if outcome.return_code != "0":
            notes.append(f"returkode {outcome.return_code}: {outcome.return_text}")
        reasons.append(
            f"[bold]{who}[/] (DRG {console_text(outcome.drg)}, regel "
            f"{console_text(outcome.logic_row)}): {console_text('; '.join(notes))}"
        )
    if reasons:
        out.print(table)
        out.print("Hvorfor:")
        for reason in reasons:
            out.print(f"  {reason}")
    if failed:
        out.print("Ikke gruppert:" if reasons else "Ingen episoder ble gruppert:")
        for line in not_grouped(failed):
            out.print(f"  [red]{line}[/]")
    if not reasons and not failed:
        out.print("Ingen episoder.")


def _weight_text(weight: float | None) -> str:
    """`0,6120` the Norwegian way; `–` when the DRG has no weight in the loaded files."""
    return "–" if weight is None else f"{weight:.4f}".replace(".", ",")


_SURGICAL = {True: "kirurgisk", False: "medisinsk", None: "–"}
_COMPLICATION = {True: "med", False: "uten", None: "–"}
