"""A national-like batch for the Spark tests: synthetic episodes, the patterns the synthetic
generator seldom makes (split stays, several contacts a day), repeated records, and rows
that cannot be read or placed, written as Parquet the way a data platform might hold them
(dates as text)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from kodevakt.episodes.interchange import episode_from_dict
from kodevakt.episodes.model import CareLevel, Episode, Source
from kodevakt.episodes.parquet_writer import write_parquet
from kodevakt.synth import generate

# (row, column, value) written over the table: a date that is no date, an unknown care
# level, a missing id, and an episode without any date (rejected by --period auto)
BROKEN = (
    (101, "admission", "2025-13-45"),
    (202, "care_level", "7"),
    (303, "id", None),
    (404, "admission", None),
    (404, "discharge", None),
    (505, "discharge", "i går"),
)


def episodes(count: int, seed: int) -> list[Episode]:
    """`count` synthetic episodes and, every few hundred, a stay split in two, a second
    outpatient contact the same day, or the same record again."""
    found: list[Episode] = []
    for i, record in enumerate(generate(count, seed=seed, year=2025), start=1):
        episode = episode_from_dict(record, Source("synth", i))
        assert isinstance(episode, Episode)
        found.append(episode)
        if i % 311 == 0 and episode.care_level is CareLevel.INPATIENT and episode.discharge:
            back = episode.discharge + timedelta(hours=5)
            found.append(
                replace(
                    episode,
                    id=f"{episode.id}-igjen",
                    admission=back,
                    discharge=back + timedelta(days=2),
                )
            )
        elif i % 257 == 0 and episode.care_level is CareLevel.OUTPATIENT and episode.admission:
            found.append(
                replace(
                    episode,
                    id=f"{episode.id}-2",
                    department=f"{episode.department}2",
                    admission=episode.admission + timedelta(hours=2),
                    discharge=(episode.discharge or episode.admission) + timedelta(hours=2),
                )
            )
        elif i % 997 == 0:
            found.append(episode)
    return found


def write(path: Path, count: int, seed: int) -> Path:
    """The batch as Parquet at `path`, dates as text and the `BROKEN` values in place."""
    with path.open("wb") as stream:
        write_parquet(episodes(count, seed), stream)
    table = pq.read_table(path)
    columns = {name: table.column(name).to_pylist() for name in table.column_names}
    for name in ("admission", "discharge"):
        columns[name] = [None if v is None else v.isoformat(sep=" ") for v in columns[name]]
    for row, name, value in BROKEN:
        columns[name][row - 1] = value
    schema = pa.schema(
        [
            pa.field(f.name, pa.string()) if f.name in ("admission", "discharge") else f
            for f in table.schema
        ]
    ).remove_metadata()
    schema = schema.set(schema.get_field_index("id"), pa.field("id", pa.string()))
    pq.write_table(pa.table(columns, schema=schema), path, compression="zstd")
    return path
