"""The text and rows of a curated tab-separated table (attributes, code history, titles).

Each table has a header row of column names, `#` comments and blank lines; every data row has
one field per column. The three tables shared this reading, written three times.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from importlib.resources.abc import Traversable

from kodevakt.errors import CodeListError


def table_text(path: str | os.PathLike[str] | Traversable, what: str) -> tuple[str, str]:
    """(text, name) of the table file or packaged resource at `path`; an unreadable file is a
    CodeListError saying that `what` (Norwegian, "kodehistorikken") cannot be read."""
    name = os.fspath(path) if isinstance(path, str | os.PathLike) else path.name
    try:
        if isinstance(path, str | os.PathLike):
            with open(path, encoding="utf-8") as handle:
                return handle.read(), name
        return path.read_text(encoding="utf-8"), name
    except (OSError, UnicodeDecodeError) as exc:
        raise CodeListError(f"{what} kan ikke leses ({exc})", file=name) from exc


def table_rows(
    text: str,
    name: str,
    columns: tuple[str, ...],
    *,
    missing_header: str,
    bad_row: str | None = None,
) -> Iterator[tuple[int, list[str]]]:
    """(line number, stripped fields) of each data row; a wrong header or field count is a
    CodeListError naming `name` and the line (`bad_row` says what a row must hold, instead of
    the field count), and `missing_header` when no header is found."""
    header_seen = False
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.rstrip("\r")
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        fields = [part.strip() for part in line.split("\t")]
        if not header_seen:
            if tuple(fields) != columns:
                raise CodeListError(
                    f"første rad må være kolonnenavnene {', '.join(columns)} adskilt med "
                    f"tabulator, fant «{line.strip()}»",
                    file=name,
                    line=number,
                )
            header_seen = True
            continue
        if len(fields) != len(columns):
            expected = f"{len(fields)} felt adskilt med tabulator, forventet {len(columns)}"
            raise CodeListError(bad_row or f"raden har {expected}", file=name, line=number)
        yield number, fields
    if not header_seen:
        raise CodeListError(missing_header, file=name)
