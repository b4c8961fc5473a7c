"""Unit findings and stored indicators.

A finding about a unit's practice (M04, M05, M07) keeps the episodes behind it; the pattern
run stores the period's indicator values, which reports read instead of every episode.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("finding", sa.Column("episodes", sa.Text(), nullable=True))
    op.create_table(
        "indicator_value",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("period", sa.String(length=16), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("unit_kind", sa.String(length=16), nullable=False),
        sa.Column("unit", sa.String(length=200), nullable=False),
        sa.Column("institution", sa.String(length=64), nullable=True),
        sa.Column("indicator", sa.String(length=64), nullable=False),
        sa.Column("numerator", sa.Float(), nullable=False),
        sa.Column("denominator", sa.Integer(), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("spread", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(
            ["run_id"], ["import_run.id"], name=op.f("fk_indicator_value_run_id_import_run")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_indicator_value")),
    )
    op.create_index(op.f("ix_indicator_value_period"), "indicator_value", ["period"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_indicator_value_period"), table_name="indicator_value")
    op.drop_table("indicator_value")
    op.drop_column("finding", "episodes")
