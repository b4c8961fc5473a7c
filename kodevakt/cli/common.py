"""Helpers shared by the CLI commands: console, date options, error exit."""

from __future__ import annotations

import sys
from datetime import date
from enum import StrEnum
from typing import NoReturn

import typer
from rich.console import Console

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)


class OutputFormat(StrEnum):
    TABLE = "table"
    JSON = "json"


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
