"""The first schema: imports, episodes with versions, findings with status and events.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "import_run",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("period", sa.String(length=16), nullable=False),
        sa.Column("file", sa.Text(), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("records_read", sa.Integer(), nullable=False),
        sa.Column("rejected", sa.Integer(), nullable=False),
        sa.Column("duplicates", sa.Integer(), nullable=False),
        sa.Column("episodes_new", sa.Integer(), nullable=False),
        sa.Column("episodes_changed", sa.Integer(), nullable=False),
        sa.Column("episodes_unchanged", sa.Integer(), nullable=False),
        sa.Column("findings_new", sa.Integer(), nullable=False),
        sa.Column("findings_reopened", sa.Integer(), nullable=False),
        sa.Column("findings_fixed", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_run")),
    )
    op.create_table(
        "episode",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("period", sa.String(length=16), nullable=False),
        sa.Column("institution", sa.String(length=64), nullable=False),
        sa.Column("episode_id", sa.String(length=128), nullable=False),
        sa.Column("patient_id", sa.String(length=128), nullable=True),
        sa.Column("department", sa.String(length=64), nullable=True),
        sa.Column("care_level", sa.String(length=16), nullable=True),
        sa.Column("admission", sa.DateTime(), nullable=True),
        sa.Column("discharge", sa.DateTime(), nullable=True),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("source_file", sa.Text(), nullable=True),
        sa.Column("source_line", sa.Integer(), nullable=True),
        sa.Column("first_import_id", sa.Integer(), nullable=False),
        sa.Column("last_import_id", sa.Integer(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["first_import_id"],
            ["import_run.id"],
            name=op.f("fk_episode_first_import_id_import_run"),
        ),
        sa.ForeignKeyConstraint(
            ["last_import_id"], ["import_run.id"], name=op.f("fk_episode_last_import_id_import_run")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_episode")),
        sa.UniqueConstraint(
            "period",
            "episode_id",
            "institution",
            name=op.f("uq_episode_period_episode_id_institution"),
        ),
    )
    op.create_index(op.f("ix_episode_last_import_id"), "episode", ["last_import_id"], unique=False)
    op.create_index(
        op.f("ix_episode_period_institution_department"),
        "episode",
        ["period", "institution", "department"],
        unique=False,
    )
    op.create_table(
        "finding",
        sa.Column("key", sa.String(length=32), nullable=False),
        sa.Column("scope", sa.String(length=8), nullable=False),
        sa.Column("period", sa.String(length=16), nullable=False),
        sa.Column("institution", sa.String(length=64), nullable=False),
        sa.Column("department", sa.String(length=64), nullable=True),
        sa.Column("episode_id", sa.String(length=128), nullable=False),
        sa.Column("rule", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("severity", sa.String(length=16), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("codes", sa.Text(), nullable=False),
        sa.Column("location", sa.String(length=128), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("suggestion", sa.Text(), nullable=True),
        sa.Column("rule_year", sa.Integer(), nullable=False),
        sa.Column("fix", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("changed_by", sa.String(length=128), nullable=True),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("first_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_import_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["last_seen_import_id"],
            ["import_run.id"],
            name=op.f("fk_finding_last_seen_import_id_import_run"),
        ),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_finding")),
    )
    op.create_index(
        op.f("ix_finding_period_institution_episode_id"),
        "finding",
        ["period", "institution", "episode_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_finding_period_status_rule"), "finding", ["period", "status", "rule"], unique=False
    )
    op.create_table(
        "import_rejection",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("field", sa.String(length=128), nullable=True),
        sa.Column("message", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["import_id"], ["import_run.id"], name=op.f("fk_import_rejection_import_id_import_run")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_rejection")),
    )
    op.create_index(
        op.f("ix_import_rejection_import_id"), "import_rejection", ["import_id"], unique=False
    )
    op.create_table(
        "episode_version",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("episode_ref", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.Column("previous_content", sa.Text(), nullable=False),
        sa.Column("changes", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["episode_ref"], ["episode.id"], name=op.f("fk_episode_version_episode_ref_episode")
        ),
        sa.ForeignKeyConstraint(
            ["import_id"], ["import_run.id"], name=op.f("fk_episode_version_import_id_import_run")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_episode_version")),
    )
    op.create_index(
        op.f("ix_episode_version_episode_ref"), "episode_version", ["episode_ref"], unique=False
    )
    op.create_table(
        "finding_event",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("key", sa.String(length=32), nullable=False),
        sa.Column("from_status", sa.String(length=16), nullable=False),
        sa.Column("to_status", sa.String(length=16), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("by", sa.String(length=128), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("import_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["import_id"], ["import_run.id"], name=op.f("fk_finding_event_import_id_import_run")
        ),
        sa.ForeignKeyConstraint(
            ["key"], ["finding.key"], name=op.f("fk_finding_event_key_finding")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_finding_event")),
    )
    op.create_index(op.f("ix_finding_event_key"), "finding_event", ["key"], unique=False)


def downgrade() -> None:
    for table in (
        "finding_event",
        "finding",
        "episode_version",
        "episode",
        "import_rejection",
        "import_run",
    ):
        op.drop_table(table)
