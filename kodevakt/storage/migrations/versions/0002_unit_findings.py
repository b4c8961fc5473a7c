"""Unit findings: the episodes behind a finding about a unit's practice (M04, M05, M07).

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


def downgrade() -> None:
    op.drop_column("finding", "episodes")
