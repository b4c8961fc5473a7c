"""`--period auto`: an extract spread over several tertials, each episode in its own.

NPR's reporting period is the tertial, but an extract from the patient system often spans a
year. With `auto`, each episode is stored in the tertial of its discharge date (its admission
date when it has none; the same date `episode_tertial` and the rules use). The file is read
once to find its tertials, then once per tertial, so that every stored episode keeps its
place (file and line) in the file. Records that cannot be read, and episodes without any
date (whose tertial cannot be known), are rejected in the import of the file's first tertial.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from kodevakt.batch.periods import episode_tertial
from kodevakt.episodes.reading import read_file
from kodevakt.episodes.records import Record, Rejected

AUTO_PERIOD = "auto"
UNDATED = "episoden har verken utskrivnings- eller innskrivningsdato, så tertialet kan ikke "
UNDATED += "bestemmes (--period auto); oppgi perioden for slike episoder"


def tertials_in(
    path: str | Path, *, encoding: str | None = None, notices: list[str] | None = None
) -> list[str]:
    """The tertials of the file's dated episodes, in order (`2025T1`, `2025T2`, …); the
    reader's warnings about the file go to `notices` (the later reads repeat them)."""
    found = set()
    for record in read_file(path, encoding=encoding, notices=notices):
        if not isinstance(record, Rejected):
            tertial = episode_tertial(record)
            if tertial is not None:
                found.add(tertial.label)
    return sorted(found)


def records_of(
    path: str | Path, label: str, *, first: bool, encoding: str | None = None
) -> Iterator[Record]:
    """The file's records that belong to tertial `label`; with `first`, also the records
    that belong to none (rejected, or without any date, which become rejections)."""
    for record in read_file(path, encoding=encoding):
        if isinstance(record, Rejected):
            if first:
                yield record
            continue
        tertial = episode_tertial(record)
        if tertial is None:
            if first:
                source = record.source
                yield Rejected(
                    source.file if source else str(path),
                    source.line if source else 0,
                    None,
                    UNDATED,
                )
        elif tertial.label == label:
            yield record
