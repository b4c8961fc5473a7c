"""The history of a stored episode: each time its coded content changed, what and when.

When an import brings an episode whose content differs from the stored one, the stored
content is kept in `episode_version` with the list of changed fields, and the episode row is
updated to the new content with its version number raised. Version 1 is the first import.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, select

from kodevakt.storage.findings import utc
from kodevakt.storage.schema import episode, episode_version, import_run


@dataclass(frozen=True, slots=True)
class EpisodeChange:
    """One change: the version it created, when, from which file, and {field: [old, new]}."""

    period: str
    institution: str | None
    episode_id: str
    version: int
    changed_at: datetime
    file: str | None
    changes: dict[str, list[Any]]
    previous: dict[str, Any]


def episode_history(
    engine: Engine,
    episode_id: str,
    *,
    period: str | None = None,
    institution: str | None = None,
) -> list[EpisodeChange]:
    """Changes to the episode `episode_id` (in every period and institution unless given)."""
    query = (
        select(
            episode.c.period,
            episode.c.institution,
            episode.c.episode_id,
            episode_version.c.version,
            episode_version.c.changed_at,
            episode_version.c.changes,
            episode_version.c.previous_content,
            import_run.c.file,
        )
        .join(episode, episode.c.id == episode_version.c.episode_ref)
        .join(import_run, import_run.c.id == episode_version.c.import_id)
        .where(episode.c.episode_id == episode_id)
        .order_by(episode.c.period, episode.c.institution, episode_version.c.version)
    )
    if period is not None:
        query = query.where(episode.c.period == period)
    if institution is not None:
        query = query.where(episode.c.institution == institution)
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    return [
        EpisodeChange(
            period=row.period,
            institution=row.institution or None,
            episode_id=row.episode_id,
            version=row.version,
            changed_at=utc(row.changed_at),
            file=row.file,
            changes=json.loads(row.changes),
            previous=json.loads(row.previous_content),
        )
        for row in rows
    ]
