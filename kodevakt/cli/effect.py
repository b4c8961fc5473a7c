"""`kodevakt effect`: what each correctable coding error does to the DRG and the cost weight."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Annotated, TextIO

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
from kodevakt.cli.drg import YearOption, not_grouped, print_notice
from kodevakt.cli.inputs import check_paths, print_read_problems, read_input, write_result
from kodevakt.codes.loading import default_codebase
from kodevakt.drg import Definitions, load_definitions
from kodevakt.drg.effect import FIX, Effect, episode_effects
from kodevakt.drg.weights import Weights, load_weights
from kodevakt.drg.years import NotCovered, TableYears
from kodevakt.episodes.model import Episode
from kodevakt.episodes.reading import ReadStats
from kodevakt.errors import KodevaktError
from kodevakt.rules.engine import Checker
from kodevakt.rules.finding import Fix
from kodevakt.rules.registry import select

CSV_COLUMNS = (
    "episode_id",
    "line",
    "year",
    "kind",
    "rule",
    "location",
    "fix",
    "pair",
    "drg_before",
    "drg_after",
    "mdc_before",
    "mdc_after",
    "return_code_before",
    "return_code_after",
    "weight_before",
    "weight_after",
    "weight_change",
    "note",
)


def register(app: typer.Typer) -> None:
    app.command("effect")(effect)


def effect(
    files: FilesArgument = None,
    year: YearOption = None,
    definitions: DefinitionsOption = None,
    weights: WeightsOption = None,
    weights_year: WeightsYearOption = None,
    output: Annotated[RecordFormat, typer.Option("--format", "-f")] = RecordFormat.TABLE,
    changed_only: Annotated[
        bool,
        typer.Option(
            "--changed-only", help="Vis bare rettelser som endrer DRG, MDC eller returkode."
        ),
    ] = False,
    select_: Annotated[
        str, typer.Option("--select", help="Regler å ta med, som prefikser: T,P")
    ] = "",
    ignore: Annotated[str, typer.Option("--ignore", help="Regler å utelate: T13,K06")] = "",
    encoding: EncodingOption = None,
    input_format: InputFormatOption = None,
) -> None:
    """Vis hva kodefeil koster: DRG og vekt før og etter hver rettelse reglene foreslår.

    Hvert funn med en maskinlesbar rettelse grupperes med tabellene for episodens år (eller
    --year), før og etter rettelsen. For tilstandsgrupper med flere diagnosekoder (f.eks.
    J12.8+U07.1) vises også hva tabellene gjør med paret, mot første kode alene, når det gir
    ulik DRG. Avslutningskode 0: alt gruppert; 1: noen episoder manglet tabeller for sitt år
    eller dato; 2: inndata, tabeller eller vekter kunne ikke leses, ingen tabeller er oppgitt,
    eller resultatet kunne ikke skrives.
    """
    try:
        loaded = load_definitions(definitions, year=year)
        years = TableYears(loaded.years, year)
        weight_tables = load_weights(weights, year=weights_year)
    except KodevaktError as exc:
        fail(str(exc), code=2)
    if weights_year is not None and weights is None and weight_tables is None:
        fail("--weights-year krever --weights eller KODEVAKT_DRG_WEIGHTS", code=2)
    paths = files or []
    if not paths:
        fail("oppgi minst én episodefil (- for standard inn)", code=2)
    check_paths(paths, encoding, input_format)
    try:
        base = default_codebase()
    except KodevaktError as exc:
        fail(str(exc), code=2)
    checker = Checker(base, select(_split(select_), _split(ignore)))
    stats = ReadStats()
    run = _Run(weight_tables)
    episodes = read_input(paths, stats, encoding, input_format)
    rows = run.effects(episodes, checker, loaded, years, changed_only=changed_only)
    write_result(
        lambda: _write(rows, output, sys.stdout, weighted=weight_tables is not None),
        "Effektberegningen",
    )
    print_read_problems(stats)
    if run.failed:
        err.print("[yellow]Ikke gruppert:[/]")
        for line in not_grouped(run.failed):
            err.print(f"  {line}")
    print_notice(years)
    err.print(run.summary(len(stats.rejected)))
    raise typer.Exit(1 if run.failed else 0)


def _split(value: str) -> list[str]:
    return [part.strip().upper() for part in value.split(",") if part.strip()]


@dataclass(slots=True)
class _Run:
    """Groups the episodes and keeps the counts for the summary."""

    weights: Weights | None
    episodes: int = 0
    fixes: int = 0
    changed: int = 0
    pairs: int = 0
    weight_change: float = 0.0
    failed: dict[str, list[str]] = field(default_factory=dict)
    missing_weights: set[int] = field(default_factory=set)

    def effects(
        self,
        episodes: Iterable[Episode],
        checker: Checker,
        loaded: Definitions,
        years: TableYears,
        *,
        changed_only: bool,
    ) -> Iterator[Effect]:
        seen: set[str] = set()
        for episode in episodes:
            self.episodes += 1
            duplicate = episode.id in seen
            seen.add(episode.id)
            line = episode.source.line if episode.source else None
            try:
                tables = loaded.tables(years.choose(episode.rule_date))
            except NotCovered as exc:
                self.failed.setdefault(exc.message, []).append(episode.id)
                continue
            if self.weights is not None and not self.weights.has_year(tables.year):
                self.missing_weights.add(tables.year)
            findings = checker.check_episode(episode, duplicate_id=duplicate)
            for row in episode_effects(episode, findings, tables, self.weights, line=line):
                if row.kind == FIX:
                    self.fixes += 1
                else:
                    self.pairs += 1
                if row.changed:
                    self.changed += row.kind == FIX
                elif changed_only:
                    continue
                if row.kind == FIX and row.weight_change is not None:
                    self.weight_change += row.weight_change
                yield row

    def summary(self, rejected: int) -> str:
        text = (
            f"Lest {self.episodes} episoder: {self.fixes} rettelser vurdert, {self.changed} "
            f"endrer DRG, MDC eller returkode; {self.pairs} diagnosepar der tabellene gir en annen "
            "DRG enn første kode alene."
        )
        if self.weights is not None:
            text += (
                f" Sum av vektendringene (hver rettelse for seg): {_number(self.weight_change)}."
            )
        if self.missing_weights:
            years = ", ".join(str(y) for y in sorted(self.missing_weights))
            text += f" Ingen vekter for {years}."
        if self.failed:
            count = sum(len(who) for who in self.failed.values())
            text += f" {count} episoder kunne ikke grupperes."
        if rejected:
            text += f" {rejected} poster avvist."
        return text


def compact_fix(fix: Fix | None) -> str:
    """A fix in the compact notation: `E10.3+H36.0; I10`, procedures after `|`."""
    if fix is None:
        return ""
    parts = []
    if fix.conditions is not None:
        parts.append("; ".join("+".join(group) for group in fix.conditions))
    if fix.procedures is not None:
        parts.append("prosedyrer: " + "; ".join("+".join(group) for group in fix.procedures))
    return " | ".join(parts)


def _write(
    rows: Iterable[Effect], output: RecordFormat, stream: TextIO, *, weighted: bool = True
) -> None:
    if output is RecordFormat.JSONL:
        for row in rows:
            stream.write(json.dumps(row.to_dict(), ensure_ascii=False) + "\n")
    elif output is RecordFormat.JSON:
        stream.write("[")
        first = True
        for row in rows:
            stream.write("\n  " if first else ",\n  ")
            stream.write(json.dumps(row.to_dict(), ensure_ascii=False))
            first = False
        stream.write("\n]\n" if not first else "]\n")
    elif output is RecordFormat.CSV:
        writer = SafeCsvWriter(stream)
        writer.writerow(CSV_COLUMNS)
        for row in rows:
            data = row.to_dict()
            data["fix"] = compact_fix(row.fix)
            data["pair"] = "+".join(row.pair) if row.pair else ""
            writer.writerow([data[c] for c in CSV_COLUMNS])
    else:
        _write_table(rows, weighted)


_TABLE_COLUMNS = (
    "Episode",
    "År",
    "Regel",
    "Koding etter",
    "DRG før",
    "DRG etter",
    "Vekt før",
    "Vekt etter",
    "Endring",
)


def _write_table(rows: Iterable[Effect], weighted: bool) -> None:
    """One line per fix or pair (weights only when loaded), then what changed and why."""
    table = Table(show_lines=False)
    for column in _TABLE_COLUMNS if weighted else _TABLE_COLUMNS[:6]:
        table.add_column(column, overflow="fold")
    notes: list[str] = []
    for row in rows:
        who = console_text(row.episode_id)
        if row.kind == FIX:
            what, coding = console_text(row.rule), compact_fix(row.fix)
        else:
            first, second = row.pair or ("", "")
            what, coding = "par", f"{first}+{second} som par → {first} alene"
        weights = [
            _number(row.weight_before),
            _number(row.weight_after),
            _number(row.weight_change, signed=True),
        ]
        table.add_row(
            who,
            str(row.year),
            what,
            console_text(coding),
            _drg(row.before.drg, row.before.return_code),
            _drg(row.after.drg, row.after.return_code, bold=row.changed),
            *(weights if weighted else []),
        )
        if row.changed:
            notes.append(f"[bold]{who}[/] {what}: {console_text(row.note)}")
    if not table.rows:
        out.print("Ingen rettelser eller diagnosepar med DRG-effekt.")
        return
    out.print(table)
    if notes:
        out.print("Endringer:")
        for note in notes:
            out.print(f"  {note}")


def _drg(drg: str, return_code: str, *, bold: bool = False) -> str:
    shown = f"[bold]{console_text(drg)}[/]" if bold else console_text(drg)
    if return_code == "0":
        return shown
    return f"{shown} [yellow](retur {console_text(return_code)})[/]"


def _number(value: float | None, *, signed: bool = False) -> str:
    """A weight the Norwegian way (`0,612`, `+0,241`); empty when unknown."""
    if value is None:
        return ""
    text = f"{value:+.4f}" if signed else f"{value:.4f}"
    return text.replace(".", ",")
