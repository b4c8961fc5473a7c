"""The worklog: assignment, due date, asking the doctor, and an audit log of every change.

`finding` gets who works on it (`assignee`), a due date set by hand (`due_date`; without one
the period's correction deadline applies), and the question to the responsible doctor with
its answer, each with who and when (status `asked`). `finding_event` becomes the audit log of
every change, not only of status: `kind` says what changed (`status`, `assignee`,
`due_date`, `answer`) and `old_value` → `new_value` holds the change where it is not a
status. Every event stored so far is a status change (the server default).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-20
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def _finding_columns() -> list[sa.Column[Any]]:
    return [
        sa.Column("assignee", sa.String(length=128), nullable=True),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("question", sa.Text(), nullable=True),
        sa.Column("asked_by", sa.String(length=128), nullable=True),
        sa.Column("asked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("answered_by", sa.String(length=128), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
    ]


def _event_columns() -> list[sa.Column[Any]]:
    return [
        sa.Column("kind", sa.String(length=16), nullable=False, server_default="status"),
        sa.Column("old_value", sa.Text(), nullable=True),
        sa.Column("new_value", sa.Text(), nullable=True),
    ]


def upgrade() -> None:
    with op.batch_alter_table("finding") as batch:
        for column in _finding_columns():
            batch.add_column(column)
        batch.create_index(op.f("ix_finding_assignee_status"), ["assignee", "status"], unique=False)
    with op.batch_alter_table("finding_event") as batch:
        for column in _event_columns():
            batch.add_column(column)


def downgrade() -> None:
    """Back to 0004: the worklog's own events go, and `asked` findings become open again
    (0004 knows no such status)."""
    conn = op.get_bind()
    conn.execute(sa.text("DELETE FROM finding_event WHERE kind <> 'status'"))
    conn.execute(
        sa.text("DELETE FROM finding_event WHERE from_status = 'asked' OR to_status = 'asked'")
    )
    conn.execute(sa.text("UPDATE finding SET status = 'open' WHERE status = 'asked'"))
    with op.batch_alter_table("finding_event") as batch:
        for column in reversed(_event_columns()):
            batch.drop_column(column.name)
    with op.batch_alter_table("finding") as batch:
        batch.drop_index(op.f("ix_finding_assignee_status"))
        for column in reversed(_finding_columns()):
            batch.drop_column(column.name)
