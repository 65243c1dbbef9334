"""Project updates: who recorded a progress score or status change, when, and why.

A new progress score still writes a ``progress_score`` row; ``project_update``
keeps the note, the recorder and the previous value, and is the only history of
status changes.

Revision ID: 0007
Revises: 0008
Create Date: 2026-11-30 08:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0007"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_STATUSES = ("idea", "planning", "testing", "implementing", "sustaining", "spreading",
             "complete", "stopped")  # fmt: skip


def upgrade() -> None:
    """Create ``project_update``."""
    op.create_table(
        "project_update",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("recorded_on", sa.Date(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("previous_score", sa.Float(), nullable=True),
        sa.Column("status", sa.Enum(*_STATUSES, name="projectstatus", native_enum=False,
                                    create_constraint=True, length=32), nullable=True),
        sa.Column("previous_status", sa.Enum(*_STATUSES, name="previous_projectstatus",
                                             native_enum=False, create_constraint=True,
                                             length=32), nullable=True),
        sa.Column("note", sa.String(length=1000), nullable=False),
        sa.CheckConstraint("score IS NULL OR (score >= 0.5 AND score <= 5.0)",
                           name=op.f("ck_project_update_ihi_scale")),
        sa.CheckConstraint("score IS NOT NULL OR status IS NOT NULL",
                           name=op.f("ck_project_update_changes_something")),
        sa.CheckConstraint("note <> ''", name=op.f("ck_project_update_note_required")),
        sa.ForeignKeyConstraint(["project_id"], ["project.id"],
                                name=op.f("fk_project_update_project_id_project")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_project_update")),
    )  # fmt: skip
    op.create_index(op.f("ix_project_update_project_id"), "project_update", ["project_id"],
                    unique=False)  # fmt: skip


def downgrade() -> None:
    """Drop ``project_update``."""
    op.drop_index(op.f("ix_project_update_project_id"), table_name="project_update")
    op.drop_table("project_update")
