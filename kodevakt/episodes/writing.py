"""Writing episodes in any format kodevakt reads: one entry point for `convert` and `export`."""

from __future__ import annotations

from collections.abc import Iterable
from typing import IO

from kodevakt.episodes.fhir_writer import write_fhir
from kodevakt.episodes.formats import EpisodeFormat
from kodevakt.episodes.interchange_writer import write_jsonl
from kodevakt.episodes.model import Episode
from kodevakt.episodes.npr_csv_writer import write_npr_csv
from kodevakt.episodes.npr_xml_writer import MessageOptions, write_npr_xml
from kodevakt.episodes.parquet_writer import write_parquet


def write_episodes(
    episodes: Iterable[Episode],
    to: EpisodeFormat,
    stream: IO[bytes],
    *,
    message: MessageOptions | None = None,
    ndjson: bool = False,
) -> int:
    """Write `episodes` to `stream` in format `to`; the number written. `message`: the NPR
    message's options; `ndjson`: FHIR as NDJSON instead of a Bundle."""
    if to is EpisodeFormat.NPR_XML:
        return write_npr_xml(episodes, stream, message)
    if to is EpisodeFormat.FHIR:
        return write_fhir(episodes, stream, ndjson=ndjson)
    if to is EpisodeFormat.PARQUET:
        return write_parquet(episodes, stream)
    if to is EpisodeFormat.NPR_CSV:
        return write_npr_csv(episodes, stream)
    return write_jsonl(episodes, stream)
