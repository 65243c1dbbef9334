"""Engagement: programme target groups, and organisation-level workforce baselines.

``programme_target_group`` names the staff groups a programme is aimed at (reach for
that programme is measured against them, not the whole workforce).
``workforce_baseline.directorate_id`` becomes nullable: NULL is an organisation-level
headcount. Batch mode rebuilds the table on SQLite.

Revision ID: 0008
Revises: 0006
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0008"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this migration."""
    op.create_table(
        "programme_target_group",
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("staff_group_code", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["programme_id"], ["programme.id"],
            name=op.f("fk_programme_target_group_programme_id_programme"),
        ),
        sa.ForeignKeyConstraint(
            ["staff_group_code"], ["staff_group.code"],
            name=op.f("fk_programme_target_group_staff_group_code_staff_group"),
        ),
        sa.PrimaryKeyConstraint(
            "programme_id", "staff_group_code", name=op.f("pk_programme_target_group")
        ),
    )
    with op.batch_alter_table("workforce_baseline") as batch:
        batch.alter_column("directorate_id", existing_type=sa.Integer(), nullable=True)


def downgrade() -> None:
    """Undo this migration (organisation-level baselines are deleted first)."""
    op.execute("DELETE FROM workforce_baseline WHERE directorate_id IS NULL")
    with op.batch_alter_table("workforce_baseline") as batch:
        batch.alter_column("directorate_id", existing_type=sa.Integer(), nullable=False)
    op.drop_table("programme_target_group")
