"""What the pattern run reads back from a stored period, and whether its results are current.

The pattern rules (M01–M07) read a whole period, so the pipeline runs them after an
import's files over every stored episode of the period with its current per-episode
findings (`period_pairs`), and stores their findings with `Store.add_findings` as a
`findings` run named `PATTERN_SOURCE`. `last_pattern_run` tells whether that run is still
current: no file was imported into the period after it.

Memory: the period's episodes are streamed from the database straight into the pattern run
(`run_patterns` keeps them once, in its `BatchView`); only the per-episode findings are
gathered first, grouped by episode, and handed over as each episode streams past.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from typing import Any

from sqlalchemy import Engine, func, literal, null, select
from sqlalchemy.sql.elements import ColumnElement

from kodevakt.episodes.model import Episode
from kodevakt.rules.finding import FIELDS, Finding
from kodevakt.storage.content import episode_from_content
from kodevakt.storage.database import stream_rows
from kodevakt.storage.findings import FindingColumns, FindingStatus
from kodevakt.storage.schema import episode, finding, import_run

PATTERN_SOURCE = "mønsterregler"  # import_run.file of the pattern runs
Place = tuple[str, str]  # (institution or "", episode id)
Pairs = Iterator[tuple[Episode, list[Finding]]]


def episode_findings(
    engine: Engine,
    period: str,
    shared: dict[str, str] | None = None,
    institution: str | None = None,
    *,
    details: bool = True,
) -> dict[Place, list[Finding]]:
    """The period's current (open or accepted) checker findings, grouped by episode.

    Repeated texts (rule, name, source, suggestion, codes) are held once (in `shared`).
    `details=False` leaves message, location, suggestion and fix empty: the pattern rules
    and the indicators read only rule, severity and codes, and a period's messages are
    hundreds of megabytes.
    """
    left_out: dict[str, ColumnElement[Any]] = {
        "message": literal(""),
        "location": literal(""),
        "suggestion": null(),
        "fix": null(),
    }
    columns = [
        finding.c[name] if details or name not in left_out else left_out[name].label(name)
        for name in FIELDS
    ]
    query = (
        select(finding.c.institution, *columns)
        .where(
            finding.c.period == period,
            finding.c.scope == "episode",
            finding.c.status != FindingStatus.FIXED.value,
        )
        .order_by(finding.c.institution, finding.c.episode_id, finding.c.rule, finding.c.key)
    )
    if institution is not None:
        query = query.where(finding.c.institution == institution)
    read = FindingColumns(shared)
    grouped: dict[Place, list[Finding]] = {}
    for row in stream_rows(engine, query, size=10_000):
        grouped.setdefault((row.institution, row.episode_id), []).append(read(row[1:]))
    return grouped


def period_pairs(
    engine: Engine, period: str, institution: str | None = None, *, details: bool = True
) -> Pairs:
    """Each stored episode of `period` (of one institution, if given) with its current
    checker findings, streamed: what `run_patterns` and `compute_indicators` take.

    The episodes come without their place in the imported file (`source` None), which
    neither reads, to keep a whole period in as little memory as possible; `details=False`
    leaves out the findings' texts too (see `episode_findings`).
    """
    shared: dict[str, str] = {}  # repeated strings (codes, texts) held once
    found = episode_findings(engine, period, shared, institution, details=details)
    query = select(episode.c.content).where(episode.c.period == period).order_by(episode.c.id)
    if institution is not None:
        query = query.where(episode.c.institution == institution)
    for count, row in enumerate(stream_rows(engine, query, size=5_000), start=1):
        current = episode_from_content(row.content, None, shared)
        yield current, found.pop((current.institution or "", current.id), [])
        if count % 20_000 == 0:
            gc.collect(1)  # the young garbage of the fetches, when the caller paused the gc


def has_episodes(engine: Engine, period: str, institution: str | None = None) -> bool:
    with engine.connect() as conn:
        query = select(episode.c.id).where(episode.c.period == period).limit(1)
        if institution is not None:
            query = query.where(episode.c.institution == institution)
        return conn.execute(query).first() is not None


def is_empty(engine: Engine, period: str) -> bool:
    """No episode and no episode finding stored for the period."""
    with engine.connect() as conn:
        for table, where in (
            (episode, episode.c.period == period),
            (finding, (finding.c.period == period) & (finding.c.scope == "episode")),
        ):
            query = select(literal(1)).select_from(table).where(where).limit(1)
            if conn.execute(query).first() is not None:
                return False
    return True


def last_pattern_run(engine: Engine, period: str) -> int | None:
    """The id of the period's latest successful pattern run when it is current, None when
    there has been none or a file was imported into the period after it (the stored pattern
    findings and indicator values then describe episodes as they were)."""
    runs = (
        select(import_run.c.kind, func.max(import_run.c.id).label("last"))
        .where(
            import_run.c.period == period,
            import_run.c.status == "ok",
            (import_run.c.kind == "file")
            | ((import_run.c.kind == "findings") & (import_run.c.file == PATTERN_SOURCE)),
        )
        .group_by(import_run.c.kind)
    )
    with engine.connect() as conn:
        last = {row.kind: int(row.last) for row in conn.execute(runs)}
    pattern_run = last.get("findings")
    if pattern_run is None or last.get("file", 0) > pattern_run:
        return None
    return pattern_run
