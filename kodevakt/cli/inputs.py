"""Reading episode files for a command and writing its result, with every failure told apart.

`check`, `drg` and `effect` stream: records are read while the result is written. So a
failed read surfaces inside the writer, and must not be taken for a failed write (or for
exit 1, "errors found"). Every path is opened, and its start checked against the encoding,
before any output, so that nothing is half written for the common failures; what fails later
is raised through the writer as `InputFailed` and reported as unreadable input, exit 2.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

import typer

from kodevakt.cells import console_text
from kodevakt.cli.common import err, fail, os_reason, writing
from kodevakt.episodes.formats import EpisodeFormat
from kodevakt.episodes.model import Episode
from kodevakt.episodes.reading import ReadStats, check_start, read_episodes
from kodevakt.errors import KodevaktError

SHOWN_REJECTIONS = 20


class InputFailed(Exception):
    """Reading failed part-way; raised through the output writers as its own type."""


def check_paths(
    paths: Sequence[str], encoding: str | None, input_format: EpisodeFormat | None = None
) -> None:
    """Stop before any output when a file cannot be opened or its start cannot be read in
    its format (the reader's own check)."""
    for path in paths:
        if path == "-":
            continue
        try:
            check_start(path, encoding, input_format)
        except OSError as exc:
            fail(f"filen «{path}» kan ikke leses: {os_reason(exc)}", code=2)
        except KodevaktError as exc:
            fail(f"inndata kunne ikke leses: {exc}", code=2)


@contextmanager
def reading(path: str, encoding: str | None) -> Iterator[None]:
    """Read `path` in this block; a failure of the whole file becomes `InputFailed`."""
    name = "standard inn" if path == "-" else f"«{path}»"
    try:
        yield
    except UnicodeDecodeError as exc:
        raise InputFailed(
            f"{name} er ikke {encoding or 'UTF-8'} (byte {exc.start}); "
            "oppgi tegnkodingen med --encoding, f.eks. cp1252"
        ) from exc
    except OSError as exc:
        raise InputFailed(f"{name}: {os_reason(exc)}") from exc
    except KodevaktError as exc:  # names its file already when it knows it
        raise InputFailed(str(exc) if exc.file else f"{name}: {exc}") from exc
    except Exception as exc:  # a reader bug must not look like exit 1, "errors found"
        # The exception's text may quote a record: only its type is shown.
        raise InputFailed(f"{name}: uventet feil ({type(exc).__name__})") from exc


def read_input(
    paths: Sequence[str],
    stats: ReadStats,
    encoding: str | None,
    input_format: EpisodeFormat | None = None,
) -> Iterator[Episode]:
    """Episodes of all `paths`, in order."""
    for path in paths:
        with reading(path, encoding):
            yield from read_episodes([path], stats, encoding=encoding, input_format=input_format)


def write_result(write: Callable[[], None], job: str) -> None:
    """Write the result to stdout, reading the input on the way; every failure exits 2.

    A failed write (disk full, closed stdout) is reported as such by `writing`, a failed read
    as unreadable input, anything else as `job` stopping; a reader that stopped early
    (`| head`) ends the run quietly.
    """
    if sys.stdout is None:  # started with stdout closed (`>&-`)
        fail("kunne ikke skrive resultatet: standard ut er lukket", code=2)
    try:
        with writing("resultatet"):
            write()
    except typer.Exit:
        raise
    except InputFailed as exc:
        fail(f"inndata kunne ikke leses: {exc}", code=2)
    except KodevaktError as exc:
        fail(str(exc), code=2)
    except Exception as exc:  # a rule or the grouper tripped over the input: no traceback
        fail(f"{job} stoppet uventet ({type(exc).__name__})", code=2)


def print_read_problems(stats: ReadStats) -> None:
    """The readers' notices and the first rejected records, on stderr."""
    for notice in stats.notices:
        err.print(f"[yellow]Advarsel:[/] {console_text(notice)}")
    for rejected in stats.rejected[:SHOWN_REJECTIONS]:
        err.print(f"[red]Avvist:[/] {console_text(rejected.describe())}")
    if len(stats.rejected) > SHOWN_REJECTIONS:
        err.print(f"… og {len(stats.rejected) - SHOWN_REJECTIONS} avviste poster til")
