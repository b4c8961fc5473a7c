"""Read episodes from any supported file, lazily, counting what was read and rejected.

Every reader yields the same records (an Episode, or a Rejected naming file, position and
field), so that every format is accounted for alike: records read = checked + rejected. The
format is told from the file's content (formats); `input_format` overrides it. Commands
whose reading happens deep inside a service (the import) set the override for a block
with `reading_as`, as the service has no parameter for it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from importlib import import_module
from pathlib import Path

from kodevakt.episodes.decoding import DecodedText
from kodevakt.episodes.formats import EpisodeFormat, detect_format
from kodevakt.episodes.model import Episode
from kodevakt.episodes.records import Record, Rejected
from kodevakt.errors import InputError

Reader = Callable[..., Iterator[Record]]
#: Each format's reader as (module, function), imported when a file of that format is read:
#: the XML, FHIR and Parquet readers pull in lxml, pydantic and pyarrow, which cost a JSON
#: check 0.5 s of start-up and 75 MB (measured with `python -X importtime`, /usr/bin/time).
READERS: dict[EpisodeFormat, tuple[str, str]] = {
    EpisodeFormat.JSONL: ("kodevakt.episodes.interchange", "read_interchange"),
    EpisodeFormat.NPR_CSV: ("kodevakt.episodes.npr_csv", "read_npr_csv"),
    EpisodeFormat.NPR_XML: ("kodevakt.episodes.npr_xml", "read_npr_xml"),
    EpisodeFormat.FHIR: ("kodevakt.episodes.fhir_reader", "read_fhir"),
    EpisodeFormat.PARQUET: ("kodevakt.episodes.parquet_reader", "read_parquet"),
}


def reader(found: EpisodeFormat) -> Reader:
    """The reader of format `found`."""
    module, name = READERS[found]
    function: Reader = getattr(import_module(module), name)
    return function


_FORCED: ContextVar[EpisodeFormat | None] = ContextVar("kodevakt_input_format", default=None)


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


@contextmanager
def reading_as(input_format: EpisodeFormat | None) -> Iterator[None]:
    """Read every file in the block as `input_format` (None: detect each one)."""
    token = _FORCED.set(input_format)
    try:
        yield
    finally:
        _FORCED.reset(token)


def format_of(
    path: str | Path, encoding: str | None = None, input_format: EpisodeFormat | None = None
) -> EpisodeFormat:
    """The format `path` is read as: `input_format`, the block's `reading_as`, or detected."""
    return input_format or _FORCED.get() or detect_format(path, encoding)


def check_start(
    path: str | Path, encoding: str | None = None, input_format: EpisodeFormat | None = None
) -> None:
    """Raise before any record when the file cannot be read as its format: OSError when it
    cannot be opened, InputError when its start is not in `encoding` (text formats whose
    encoding kodevakt decodes) or it is no Parquet file."""
    found = format_of(path, encoding, input_format)
    if found is EpisodeFormat.PARQUET:
        from kodevakt.episodes.parquet_reader import check_parquet

        check_parquet(path)
        return
    if found is EpisodeFormat.NPR_XML or str(path) == "-":
        return  # XML declares its own encoding; the parser reports what does not decode
    with open(path, "rb") as raw:
        DecodedText(raw, str(path), encoding)


def read_file(
    path: str | Path,
    *,
    encoding: str | None = None,
    notices: list[str] | None = None,
    input_format: EpisodeFormat | None = None,
) -> Iterator[Record]:
    """Records from one file in its format (see `format_of`); stdin for `-`.

    `encoding`: the file's encoding (None: UTF-8, a byte order mark allowed; XML: as it
    declares); a file whose start does not decode raises InputError before the first record.
    File-level notices (how episodes are identified, codes left out) go to `notices`.
    """
    found = format_of(path, encoding, input_format)
    if found.binary and str(path) == "-":
        raise InputError(f"{found.label} kan ikke leses fra standard inn; oppgi filen")
    return reader(found)(path, encoding=encoding, notices=notices)


def read_episodes(
    paths: Iterable[str | Path],
    stats: ReadStats | None = None,
    *,
    encoding: str | None = None,
    input_format: EpisodeFormat | None = None,
) -> Iterator[Episode]:
    """Episodes from all `paths` in order; rejected records and notices go to `stats`."""
    notices = stats.notices if stats is not None else None
    for path in paths:
        for record in read_file(
            path, encoding=encoding, notices=notices, input_format=input_format
        ):
            if stats is not None:
                stats.read += 1
            if isinstance(record, Rejected):
                if stats is not None:
                    stats.rejected.append(record)
                continue
            yield record
