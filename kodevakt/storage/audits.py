"""Record-review samples and the auditors' reviews, as stored.

A sample is identified by how it was drawn: period, institution, strata, allocation, size
and seed. Drawing again with the same parameters finds the stored sample (`save_sample`
returns it unchanged), so a worksheet can be written again and the reviews already imported
stay with it. Each drawn episode keeps the content and the rules that fired on it when it
was drawn: a later import may correct the episode, but the review is of what was drawn.

A review is one auditor's verdict on one drawn episode; importing the same auditor's review
again replaces it (the newest worksheet wins), another auditor's is kept beside it.

Service API (an `Engine`, e.g. `Store.engine`)::

    sample = save_sample(engine, NewSample(period="2025T1", ...), episodes, strata)
    samples(engine, period=None)          # -> [StoredSample], newest first
    get_sample(engine, 3)                 # -> StoredSample (UnknownSample when there is none)
    sample_episodes(engine, 3)            # -> [SampleEpisode] in worksheet order
    save_reviews(engine, 3, [ReviewRow(...)], source="runde1.xlsx")  # -> reviews saved
    reviews(engine, 3)                    # -> [StoredReview]
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError

from kodevakt.errors import StorageError
from kodevakt.storage.database import database_errors, one_of
from kodevakt.storage.findings import utc
from kodevakt.storage.schema import (
    audit_episode,
    audit_review,
    audit_sample,
    audit_stratum,
    episode,
)

MAX_AUDITOR = 128


class UnknownSample(StorageError):
    """No stored sample has this number."""


@dataclass(frozen=True, slots=True)
class NewSample:
    """How a sample is drawn; `strata` names its variables ("" for a simple sample)."""

    period: str
    institution: str
    strata: str
    allocation: str
    size: int
    seed: int
    population: int
    created_by: str | None = None


@dataclass(frozen=True, slots=True)
class StoredSample:
    id: int
    period: str
    institution: str
    strata: str
    allocation: str
    size: int
    seed: int
    population: int
    created_at: datetime
    created_by: str | None
    populations: dict[str, int]  # N_h per stratum
    drawn: dict[str, int]  # n_h per stratum

    @property
    def sampled(self) -> int:
        return sum(self.drawn.values())


@dataclass(frozen=True, slots=True)
class SampleEpisode:
    """A drawn episode; `content` is its stored JSON text when drawn, `rules` the codes of
    the rules whose findings it had then."""

    ref: int
    position: int
    stratum: str
    probability: float
    institution: str
    episode_id: str
    department: str | None
    content: str
    rules: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ReviewRow:
    """One review to store: the drawn episode's position, who, and what they found."""

    position: int
    auditor: str
    verdict: str
    conditions: list[list[str]] | None
    procedures: list[list[str]] | None
    reasons: tuple[str, ...]
    comment: str | None


@dataclass(frozen=True, slots=True)
class StoredReview(ReviewRow):
    """A stored review: what was saved, with where it came from and when."""

    source: str
    reviewed_at: datetime


def save_sample(
    engine: Engine,
    new: NewSample,
    episodes: Sequence[SampleEpisode],
    strata: dict[str, tuple[int, int]],
) -> StoredSample:
    """Store a drawn sample (`strata`: N_h, n_h per stratum), or find the stored one drawn
    with the same parameters. `episodes`' `ref` is ignored (the database numbers them)."""
    now = datetime.now(UTC)
    with database_errors(engine):
        found = _find(engine, new)
        if found is not None:
            return get_sample(engine, found)
        try:
            with engine.begin() as conn:
                sample_id = int(
                    conn.execute(
                        audit_sample.insert()
                        .values(
                            period=new.period,
                            institution=new.institution,
                            strata=new.strata,
                            allocation=new.allocation,
                            size=new.size,
                            seed=new.seed,
                            population=new.population,
                            created_at=now,
                            created_by=new.created_by,
                        )
                        .returning(audit_sample.c.id)
                    ).scalar_one()
                )
                conn.execute(
                    audit_stratum.insert(),
                    [
                        {"sample_id": sample_id, "stratum": name, "population": n, "drawn": k}
                        for name, (n, k) in sorted(strata.items())
                    ],
                )
                if episodes:
                    conn.execute(
                        audit_episode.insert(),
                        [
                            {
                                "sample_id": sample_id,
                                "position": e.position,
                                "stratum": e.stratum,
                                "probability": e.probability,
                                "institution": e.institution,
                                "episode_id": e.episode_id,
                                "department": e.department,
                                "content": e.content,
                                "rules": " ".join(e.rules),
                            }
                            for e in episodes
                        ],
                    )
        except IntegrityError:  # drawn at the same moment by another process
            found = _find(engine, new)
            if found is None:
                raise
            sample_id = found
        return get_sample(engine, sample_id)


def _find(engine: Engine, new: NewSample) -> int | None:
    query = select(audit_sample.c.id).where(
        audit_sample.c.period == new.period,
        audit_sample.c.institution == new.institution,
        audit_sample.c.strata == new.strata,
        audit_sample.c.allocation == new.allocation,
        audit_sample.c.size == new.size,
        audit_sample.c.seed == new.seed,
    )
    with engine.connect() as conn:
        found = conn.execute(query).scalar_one_or_none()
    return int(found) if found is not None else None


def samples(engine: Engine, period: str | None = None) -> list[StoredSample]:
    """The stored samples, newest first."""
    query = select(audit_sample.c.id).order_by(audit_sample.c.id.desc())
    if period is not None:
        query = query.where(audit_sample.c.period == period)
    with database_errors(engine):
        with engine.connect() as conn:
            ids = [int(row.id) for row in conn.execute(query)]
        return [get_sample(engine, sample_id) for sample_id in ids]


def get_sample(engine: Engine, sample_id: int) -> StoredSample:
    with database_errors(engine), engine.connect() as conn:
        row = conn.execute(select(audit_sample).where(audit_sample.c.id == sample_id)).first()
        if row is None:
            raise UnknownSample(f"utvalg {sample_id} finnes ikke i databasen")
        strata = conn.execute(
            select(audit_stratum).where(audit_stratum.c.sample_id == sample_id)
        ).all()
    return StoredSample(
        id=row.id,
        period=row.period,
        institution=row.institution,
        strata=row.strata,
        allocation=row.allocation,
        size=row.size,
        seed=int(row.seed),
        population=row.population,
        created_at=utc(row.created_at),
        created_by=row.created_by,
        populations={s.stratum: s.population for s in sorted(strata, key=_name)},
        drawn={s.stratum: s.drawn for s in sorted(strata, key=_name)},
    )


def _name(row: Any) -> str:
    return str(row.stratum)


def sample_episodes(engine: Engine, sample_id: int) -> list[SampleEpisode]:
    query = (
        select(audit_episode)
        .where(audit_episode.c.sample_id == sample_id)
        .order_by(audit_episode.c.position)
    )
    with database_errors(engine), engine.connect() as conn:
        return [
            SampleEpisode(
                ref=row.id,
                position=row.position,
                stratum=row.stratum,
                probability=row.probability,
                institution=row.institution,
                episode_id=row.episode_id,
                department=row.department,
                content=row.content,
                rules=tuple(row.rules.split()),
            )
            for row in conn.execute(query)
        ]


def save_reviews(engine: Engine, sample_id: int, rows: Sequence[ReviewRow], *, source: str) -> int:
    """Store the reviews in one transaction, each replacing the same auditor's earlier
    review of the episode; returns how many were stored. A position the sample does not
    have, or an auditor's name that is empty or too long, stores nothing."""
    now = datetime.now(UTC)
    with database_errors(engine), engine.begin() as conn:
        refs = {
            row.position: row.id
            for row in conn.execute(
                select(audit_episode.c.id, audit_episode.c.position).where(
                    audit_episode.c.sample_id == sample_id
                )
            )
        }
        for row in rows:
            if row.position not in refs:
                raise StorageError(f"utvalg {sample_id} har ingen episode nr. {row.position}")
            auditor = row.auditor.strip()
            if not auditor or len(auditor) > MAX_AUDITOR:
                raise StorageError(
                    f"revisorens navn må ha 1 til {MAX_AUDITOR} tegn (episode nr. {row.position})"
                )
        pairs = [(refs[row.position], row.auditor.strip()) for row in rows]
        for ref, auditor in pairs:
            conn.execute(
                audit_review.delete().where(
                    audit_review.c.episode_ref == ref, audit_review.c.auditor == auditor
                )
            )
        if rows:
            conn.execute(
                audit_review.insert(),
                [
                    {
                        "episode_ref": ref,
                        "auditor": auditor,
                        "verdict": row.verdict,
                        "conditions": _groups(row.conditions),
                        "procedures": _groups(row.procedures),
                        "reasons": " ".join(row.reasons),
                        "comment": row.comment or None,
                        "source": source,
                        "reviewed_at": now,
                    }
                    for row, (ref, auditor) in zip(rows, pairs, strict=True)
                ],
            )
    return len(rows)


def reviews(engine: Engine, sample_id: int, auditor: str | None = None) -> list[StoredReview]:
    """The sample's reviews (of one auditor, if given), by position and auditor."""
    joined = audit_review.join(audit_episode, audit_episode.c.id == audit_review.c.episode_ref)
    query = (
        select(audit_review, audit_episode.c.position)
        .select_from(joined)
        .where(audit_episode.c.sample_id == sample_id)
        .order_by(audit_episode.c.position, audit_review.c.auditor)
    )
    if auditor is not None:
        query = query.where(audit_review.c.auditor == auditor)
    with database_errors(engine), engine.connect() as conn:
        return [
            StoredReview(
                position=row.position,
                auditor=row.auditor,
                verdict=row.verdict,
                conditions=_read_groups(row.conditions),
                procedures=_read_groups(row.procedures),
                reasons=tuple(row.reasons.split()),
                comment=row.comment,
                source=row.source,
                reviewed_at=utc(row.reviewed_at),
            )
            for row in conn.execute(query)
        ]


def episode_contents(
    engine: Engine, period: str, places: Sequence[tuple[str, str]]
) -> dict[tuple[str, str], tuple[str, str | None]]:
    """(content, department) of the stored episodes of the period at (institution, id)."""
    wanted = set(places)
    ids = sorted({episode_id for _, episode_id in wanted})
    found: dict[tuple[str, str], tuple[str, str | None]] = {}
    with database_errors(engine), engine.connect() as conn:
        for start in range(0, len(ids), 5000):
            query = select(
                episode.c.institution, episode.c.episode_id, episode.c.content, episode.c.department
            ).where(
                episode.c.period == period,
                one_of(conn, episode.c.episode_id, ids[start : start + 5000]),
            )
            for row in conn.execute(query):
                place = (row.institution, row.episode_id)
                if place in wanted:
                    found[place] = (row.content, row.department)
    return found


def _groups(groups: list[list[str]] | None) -> str | None:
    return None if groups is None else json.dumps(groups, ensure_ascii=False)


def _read_groups(text: str | None) -> list[list[str]] | None:
    return None if text is None else [list(group) for group in json.loads(text)]
