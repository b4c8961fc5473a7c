"""Record review: samples, their strata and drawn episodes, and the auditors' reviews.

`audit_sample` holds how a sample was drawn (period, strata, allocation, size, seed), so
the same parameters find the same sample again; `audit_stratum` the episodes per stratum in
the period and in the sample, which the estimates weigh by; `audit_episode` each drawn
episode with its inclusion probability and the coded content and rules that fired when it
was drawn (later imports may change the episode; the review is of what was drawn);
`audit_review` one row per auditor and episode.

Revision ID: 0006
Revises: 0005
Create Date: 2027-01-10
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_sample",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("period", sa.String(length=16), nullable=False),
        sa.Column("institution", sa.String(length=64), nullable=False),
        sa.Column("strata", sa.String(length=128), nullable=False),
        sa.Column("allocation", sa.String(length=16), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("seed", sa.BigInteger(), nullable=False),
        sa.Column("population", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=128), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_sample")),
        sa.UniqueConstraint(
            "period",
            "institution",
            "strata",
            "allocation",
            "size",
            "seed",
            name=op.f("uq_audit_sample_period_institution_strata_allocation_size_seed"),
        ),
    )
    op.create_table(
        "audit_stratum",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("sample_id", sa.Integer(), nullable=False),
        sa.Column("stratum", sa.String(length=200), nullable=False),
        sa.Column("population", sa.Integer(), nullable=False),
        sa.Column("drawn", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["sample_id"],
            ["audit_sample.id"],
            name=op.f("fk_audit_stratum_sample_id_audit_sample"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_stratum")),
        sa.UniqueConstraint(
            "sample_id", "stratum", name=op.f("uq_audit_stratum_sample_id_stratum")
        ),
    )
    op.create_table(
        "audit_episode",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("sample_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("stratum", sa.String(length=200), nullable=False),
        sa.Column("probability", sa.Float(), nullable=False),
        sa.Column("institution", sa.String(length=64), nullable=False),
        sa.Column("episode_id", sa.String(length=128), nullable=False),
        sa.Column("department", sa.String(length=64), nullable=True),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("rules", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["sample_id"],
            ["audit_sample.id"],
            name=op.f("fk_audit_episode_sample_id_audit_sample"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_episode")),
        sa.UniqueConstraint(
            "sample_id",
            "institution",
            "episode_id",
            name=op.f("uq_audit_episode_sample_id_institution_episode_id"),
        ),
        sa.UniqueConstraint(
            "sample_id", "position", name=op.f("uq_audit_episode_sample_id_position")
        ),
    )
    op.create_table(
        "audit_review",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("episode_ref", sa.Integer(), nullable=False),
        sa.Column("auditor", sa.String(length=128), nullable=False),
        sa.Column("verdict", sa.String(length=16), nullable=False),
        sa.Column("conditions", sa.Text(), nullable=True),
        sa.Column("procedures", sa.Text(), nullable=True),
        sa.Column("reasons", sa.String(length=200), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["episode_ref"],
            ["audit_episode.id"],
            name=op.f("fk_audit_review_episode_ref_audit_episode"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_review")),
        sa.UniqueConstraint(
            "episode_ref", "auditor", name=op.f("uq_audit_review_episode_ref_auditor")
        ),
    )
    op.create_index(
        op.f("ix_audit_review_episode_ref"), "audit_review", ["episode_ref"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_audit_review_episode_ref"), table_name="audit_review")
    op.drop_table("audit_review")
    op.drop_table("audit_episode")
    op.drop_table("audit_stratum")
    op.drop_table("audit_sample")
