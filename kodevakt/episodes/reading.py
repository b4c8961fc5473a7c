"""Read episodes from any supported file, lazily, counting what was read and rejected."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from kodevakt.episodes.interchange import read_interchange
from kodevakt.episodes.model import Episode
from kodevakt.episodes.npr_csv import read_npr_csv
from kodevakt.episodes.records import Record, Rejected


@dataclass(slots=True)
class ReadStats:
    """Records read = episodes accepted + records rejected; `notices`: what the readers had
    to say about whole files (Norwegian, for the user), in the order they said it."""

    read: int = 0
    rejected: list[Rejected] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)

    @property
    def accepted(self) -> int:
        return self.read - len(self.rejected)


def read_file(
    path: str | Path, *, encoding: str | None = None, notices: list[str] | None = None
) -> Iterator[Record]:
    """Records from one file; CSV by extension, else the interchange JSON/JSONL.

    `encoding`: the file's encoding (None: UTF-8, a byte order mark allowed); a file whose
    start does not decode raises InputError before the first record. File-level notices
    (how episodes are identified, a missing key column) are appended to `notices`.
    """
    suffix = Path(str(path)).suffix.lower()
    if suffix in (".csv", ".tsv", ".txt"):
        return read_npr_csv(path, encoding=encoding, notices=notices)
    return read_interchange(path, encoding=encoding, notices=notices)


def read_episodes(
    paths: Iterable[str | Path], stats: ReadStats | None = None, *, encoding: str | None = None
) -> Iterator[Episode]:
    """Episodes from all `paths` in order; rejected records and notices go to `stats`."""
    notices = stats.notices if stats is not None else None
    for path in paths:
        for record in read_file(path, encoding=encoding, notices=notices):
            if stats is not None:
                stats.read += 1
            if isinstance(record, Rejected):
                if stats is not None:
                    stats.rejected.append(record)
                continue
            yield record
