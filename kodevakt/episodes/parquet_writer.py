"""Writing episodes as Parquet (parquet_schema), a row group per batch: memory stays bounded."""

from __future__ import annotations

from collections.abc import Iterable
from typing import IO, Any

import pyarrow as pa
import pyarrow.parquet as pq

from kodevakt.episodes.model import Episode
from kodevakt.episodes.parquet_schema import SCHEMA

BATCH = 65_536


def write_parquet(episodes: Iterable[Episode], stream: IO[bytes]) -> int:
    """Write `episodes` to `stream` (zstd-compressed); the number written."""
    count = 0
    with pq.ParquetWriter(stream, SCHEMA, compression="zstd") as writer:
        columns: dict[str, list[Any]] = {name: [] for name in SCHEMA.names}
        for episode in episodes:
            _add(columns, episode)
            count += 1
            if len(columns["id"]) >= BATCH:
                writer.write_batch(pa.RecordBatch.from_pydict(columns, schema=SCHEMA))
                columns = {name: [] for name in SCHEMA.names}
        if columns["id"] or not count:
            writer.write_batch(pa.RecordBatch.from_pydict(columns, schema=SCHEMA))
    return count


def _add(columns: dict[str, list[Any]], episode: Episode) -> None:
    patient = episode.patient
    sex = patient.sex_raw if patient.sex_raw is not None else patient.sex
    care = episode.care_level_raw if episode.care_level_raw is not None else episode.care_level
    columns["id"].append(episode.id)
    columns["patient_id"].append(patient.id)
    columns["sex"].append(str(sex) if sex is not None else None)
    columns["birth_date"].append(patient.birth_date)
    columns["age"].append(patient.age_years)
    columns["age_days"].append(patient.age_days)
    columns["institution"].append(episode.institution)
    columns["department"].append(episode.department)
    columns["care_level"].append(str(care) if care is not None else None)
    columns["urgency"].append(str(episode.urgency) if episode.urgency is not None else None)
    columns["admission"].append(episode.admission)
    columns["discharge"].append(episode.discharge)
    columns["transferred_from"].append(episode.transferred_from)
    columns["transferred_to"].append(episode.transferred_to)
    columns["conditions"].append(episode.conditions)
    columns["procedures"].append([{"codes": g.codes, "date": g.date} for g in episode.procedures])
    columns["text"].append(episode.text)
    columns["grouping_inferred"].append(episode.grouping_inferred)
