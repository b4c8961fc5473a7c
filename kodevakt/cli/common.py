"""Helpers shared by the CLI commands: console, formats, shared options, error exit."""

from __future__ import annotations

import sys
from datetime import date
from enum import StrEnum
from typing import Annotated, NoReturn

import typer
from rich.console import Console

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)


class OutputFormat(StrEnum):
    TABLE = "table"
    JSON = "json"


class RecordFormat(StrEnum):
    """A readable table, or one of the machine formats of records (findings, groupings)."""

    TABLE = "table"
    JSON = "json"
    JSONL = "jsonl"
    CSV = "csv"


FilesArgument = Annotated[
    list[str] | None,
    typer.Argument(help="Episodefiler (JSON, JSON Lines, NPR-CSV); - = stdin"),
]
DefinitionsOption = Annotated[
    str | None,
    typer.Option(
        "--definitions",
        help="DRG-definisjonstabeller: arbeidsbok, JSON/zip eller mappe med én fil per år "
        "(ellers KODEVAKT_DRG_DEFINITIONS).",
    ),
]
WeightsOption = Annotated[
    str | None,
    typer.Option(
        "--weights",
        help="DRG-vekter: drg;vekt-fil(er) med året i filnavnet, flere skilt med "
        "«:» (Windows: «;»); ellers KODEVAKT_DRG_WEIGHTS.",
    ),
]
WeightsYearOption = Annotated[
    int | None,
    typer.Option("--weights-year", help="Året vektfilen gjelder, når filnavnet ikke sier det."),
]


def parse_day(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        fail(f"datoen «{value}» kan ikke leses; bruk formen ÅÅÅÅ-MM-DD", code=2)


def fail(message: str, *, code: int = 1) -> NoReturn:
    err.print(f"[bold red]Feil:[/] {message}")
    raise typer.Exit(code)


def write_json(text: str) -> None:
    sys.stdout.write(text + "\n")
