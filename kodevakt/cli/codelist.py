"""`kodevakt codelist check`: a department's own code list against a year's lists and rules."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from kodevakt.cells import SafeCsvWriter, console_text
from kodevakt.cli.common import RecordFormat, err, fail, out, writing
from kodevakt.codelists.check import ListCheck, check_list
from kodevakt.codes.loading import default_codebase
from kodevakt.errors import KodevaktError
from kodevakt.report import fmt

HEADER = ("Rad", "Kode", "Egen tekst", "Offisiell tekst", "Problem", "Alvorlighet", "Melding")


def register(app: typer.Typer) -> None:
    codelist = typer.Typer(
        help="Avdelingenes egne kodelister (kodeskjemaer, favoritter).", no_args_is_help=True
    )
    codelist.command("check")(check)
    app.add_typer(codelist, name="codelist")


def _records(result: ListCheck) -> list[list[object]]:
    return [
        [
            checked.listed.row,
            checked.canonical,
            checked.listed.own_text,
            checked.official_text,
            problem.label,
            problem.severity.norwegian,
            problem.message,
        ]
        for checked in result.codes
        for problem in checked.problems
    ]


def check(
    file: Annotated[Path, typer.Argument(help="Kodelisten: CSV eller xlsx med kolonnen Kode.")],
    year: Annotated[int, typer.Option("--year", help="Året listen skal brukes.")],
    output: Annotated[
        RecordFormat, typer.Option("--format", "-f", help="table, json, jsonl eller csv.")
    ] = RecordFormat.TABLE,
) -> None:
    """Kontroller en avdelings egen kodeliste mot kodeverket og reglene for et år.

    Listen er en CSV- eller xlsx-fil med kolonnen «Kode» og gjerne «Egen tekst». For hver
    kode sier kontrollen om den ikke er gyldig eller ikke kan rapporteres i året, om den
    offisielle teksten er endret fra året før, om koden ikke kan være hovedtilstand i Norge,
    om den er uspesifikk der listen kunne tilby de spesifikke kodene, og om avdelingens
    tekst ikke lenger stemmer med den offisielle. Last årets offisielle kodelister med
    KODEVAKT_CODE_FILES for en fullstendig kontroll.

    Avslutningskode 0: ingen problemer; 1: problemer funnet; 2: filen kunne ikke leses.
    """
    if not file.is_file():
        fail(f"filen «{file}» finnes ikke eller kan ikke leses", code=2)
    try:
        result = check_list(file, year, default_codebase())
    except KodevaktError as exc:
        fail(str(exc), code=2)
    records = _records(result)
    with writing("resultatet"):
        if output is RecordFormat.CSV:
            writer = SafeCsvWriter(sys.stdout)
            writer.writerow(HEADER)
            writer.writerows(records)
        elif output in (RecordFormat.JSON, RecordFormat.JSONL):
            keys = ("row", "code", "own_text", "official_text", "problem", "severity", "message")
            items = [dict(zip(keys, r, strict=True)) for r in records]
            if output is RecordFormat.JSON:
                out.print_json(json.dumps(items, ensure_ascii=False))
            else:
                for item in items:
                    sys.stdout.write(json.dumps(item, ensure_ascii=False) + "\n")
        else:
            for checked in result.codes:
                for problem in checked.problems:
                    out.print(
                        f"rad {checked.listed.row}  [bold]{console_text(checked.canonical)}[/]  "
                        f"{console_text(problem.label)}: {console_text(problem.message)}"
                    )
    for note in result.notes:
        err.print(f"[yellow]Merk:[/] {console_text(note)}")
    err.print(
        f"{console_text(file.name)}: {fmt.integer(len(result.codes))} koder kontrollert for "
        f"{year}; {fmt.integer(result.with_problems)} med problemer."
    )
    raise typer.Exit(1 if result.with_problems else 0)
