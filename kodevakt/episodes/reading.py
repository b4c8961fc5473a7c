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
    """Records read = episodes accepted + records rejected."""

    read: int = 0
    rejected: list[Rejected] = field(default_factory=list)

    @property
    def accepted(self) -> int:
        return self.read - len(self.rejected)


def read_file(path: str | Path) -> Iterator[Record]:
    """Records from one file; CSV by extension, else the interchange JSON/JSONL."""
    suffix = Path(str(path)).suffix.lower()
    if suffix in (".csv", ".tsv", ".txt"):
        return read_npr_csv(path)
    return read_interchange(path)


def read_episodes(paths: Iterable[str | Path], stats: ReadStats | None = None) -> Iterator[Episode]:
    """Episodes from all `paths` in order; rejected records go to `stats`."""
    for path in paths:
        for record in read_file(path):
            if stats is not None:
                stats.read += 1
            if isinstance(record, Rejected):
                if stats is not None:
                    stats.rejected.append(record)
                continue
            yield record
