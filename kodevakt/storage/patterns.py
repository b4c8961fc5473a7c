"""Pattern findings (M01–M07) stored per period: run over the stored episodes after an import.

The pattern rules read a whole period, so they run once per `Store.import_files` call, after
its files, over every stored episode of the period (not only the imported file's) with its
current per-episode findings. The previous tertial, when stored, comes along: M05 compares
with its indicator values and M01, M02 and M06 see its episodes across the period boundary.
The findings are merged by `Store.add_findings(period, findings, rules=<the M codes>)`, so a
pattern that is gone after a correction becomes `fixed` and a coder's status is kept.

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

from kodevakt.batch.periods import parse_tertial
from kodevakt.episodes.model import Episode
from kodevakt.rules.finding import Finding, Severity
from kodevakt.storage.content import episode_from_content
from kodevakt.storage.database import stream_rows
from kodevakt.storage.findings import FindingStatus, fix_from_text
from kodevakt.storage.schema import episode, finding, import_run

PATTERN_SOURCE = "mønsterregler"  # import_run.file of the pattern runs an import makes
Place = tuple[str, str]  # (institution or "", episode id)
Pairs = Iterator[tuple[Episode, list[Finding]]]


def previous_period(period: str) -> str | None:
    """The period M05 compares with: the previous tertial (months and years have none)."""
    tertial = parse_tertial(period)
    return tertial.previous().label if tertial is not None else None


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
    names = ("message", "location", "suggestion", "fix")
    texts: list[ColumnElement[Any]] = (
        [finding.c[name] for name in names]
        if details
        else [literal(""), literal(""), null(), null()]
    )
    message, location, suggestion, fix = (
        column.label(name) for column, name in zip(texts, names, strict=True)
    )
    query = (
        select(
            finding.c.institution,
            finding.c.episode_id,
            finding.c.rule,
            finding.c.name,
            finding.c.severity,
            message,
            finding.c.codes,
            location,
            finding.c.source,
            suggestion,
            finding.c.rule_year,
            fix,
        )
        .where(
            finding.c.period == period,
            finding.c.scope == "episode",
            finding.c.status != FindingStatus.FIXED.value,
        )
        .order_by(finding.c.institution, finding.c.episode_id, finding.c.rule, finding.c.key)
    )
    if institution is not None:
        query = query.where(finding.c.institution == institution)
    one = (shared if shared is not None else {}).setdefault
    severities = {s.value: s for s in Severity}
    grouped: dict[Place, list[Finding]] = {}
    for row in stream_rows(engine, query, size=10_000):
        suggestion = row.suggestion
        grouped.setdefault((row.institution, row.episode_id), []).append(
            Finding(
                episode_id=row.episode_id,
                rule=one(row.rule, row.rule),
                name=one(row.name, row.name),
                severity=severities[row.severity],
                message=row.message,
                codes=tuple([one(code, code) for code in row.codes.split()]),
                location=row.location,
                source=one(row.source, row.source),
                suggestion=one(suggestion, suggestion) if suggestion else None,
                rule_year=row.rule_year,
                fix=fix_from_text(row.fix),
            )
        )
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


def has_episodes(engine: Engine, period: str) -> bool:
    with engine.connect() as conn:
        query = select(episode.c.id).where(episode.c.period == period).limit(1)
        return conn.execute(query).first() is not None


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
