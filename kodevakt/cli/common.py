"""Helpers shared by the CLI commands: console, formats, shared options, error exit.

Exit codes mean the same in every command: 1 is the command's own "no" (errors found, code
unknown), 2 "could not be done" (input unreadable, output not written). So a failed write is
2, never 1, and never a traceback.
"""

from __future__ import annotations

import codecs
import errno
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from enum import StrEnum
from typing import Annotated, NoReturn

import typer
from rich.console import Console

from kodevakt.cells import console_text
from kodevakt.episodes.formats import EpisodeFormat


class _Console(Console):
    def on_broken_pipe(self) -> None:
        """Rich would exit 1 ("errors found"); `writing` ends a closed pipe instead."""
        self.quiet = True
        raise BrokenPipeError(errno.EPIPE, os.strerror(errno.EPIPE))


out = _Console(highlight=False, soft_wrap=True)
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
    typer.Argument(help="Episodefiler (JSON, NPR-CSV, NPR-XML, FHIR, Parquet); - = stdin"),
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


def _encoding(value: str | None) -> str | None:
    """Checked when the option is parsed, so a misspelt name stops before any output."""
    if value is None:
        return None
    try:
        codecs.lookup(value)
        "".encode(value)  # also refuses codecs that are not text encodings (base64, rot13)
    except LookupError:
        fail(f"ukjent tegnkoding «{value}» (for eksempel utf-8, cp1252 eller latin-1)", code=2)
    return value


EncodingOption = Annotated[
    str | None,
    typer.Option(
        "--encoding",
        help="Tegnkoding for inndata, f.eks. cp1252 for filer fra Excel; standard UTF-8",
        callback=_encoding,
    ),
]
InputFormatOption = Annotated[
    EpisodeFormat | None,
    typer.Option(
        "--input-format",
        help="Format på inndata når innholdet ikke skal avgjøre det: jsonl (JSON eller JSON "
        "Lines), npr-csv, npr-xml, fhir eller parquet.",
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
    """Print `message` as plain text (it often holds file names and values from the data,
    which rich would read as markup) and exit with `code`."""
    err.print(f"[bold red]Feil:[/] {console_text(message)}")
    raise typer.Exit(code)


_REASONS = {
    errno.ENOENT: "finnes ikke",
    errno.EACCES: "ingen tilgang",
    errno.EPERM: "ingen tilgang",
    errno.EISDIR: "er en mappe",
    errno.ENOTDIR: "mappen finnes ikke",
    errno.ENOSPC: "disken er full",
    errno.EFBIG: "filen ble for stor",
    errno.EROFS: "filsystemet er skrivebeskyttet",
}


def os_reason(exc: OSError) -> str:
    """Why a file operation failed, in Norwegian where the cause is a common one."""
    return _REASONS.get(exc.errno or 0, exc.strerror or str(exc))


@contextmanager
def writing(what: str) -> Iterator[None]:
    """Run a block that writes `what` (to stdout or a file) and report failed writes as such.

    A reader that closed the pipe (`| head`) ends the command quietly; a full disk, a closed
    stdout or a character stdout cannot encode is a Norwegian message. Both exit 2. Stdout
    is flushed before the block ends, so that no write error is left for Python's exit.
    """
    try:
        yield
        sys.stdout.flush()
    except BrokenPipeError:
        _discard_stdout()
        raise typer.Exit(2) from None
    except OSError as exc:
        fail(f"kunne ikke skrive {what}: {os_reason(exc)}", code=2)
    except UnicodeEncodeError as exc:
        fail(
            f"kunne ikke skrive {what}: tegnet {exc.object[exc.start]!r} finnes ikke i "
            f"tegnkodingen {exc.encoding} (sett PYTHONIOENCODING=utf-8)",
            code=2,
        )


def _discard_stdout() -> None:
    """Point stdout at the null device, so the final flush at exit cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):  # not a real file, e.g. under a test runner
        pass


def write_json(text: str) -> None:
    sys.stdout.write(text + "\n")
