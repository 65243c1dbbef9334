"""Board pack commentary: a programme lead's words for a period and scope.

Revision ID: 0009
Revises: 0004
Create Date: 2026-11-30 09:45:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0009"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this migration."""
    op.create_table(
        "pack_commentary",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("period_label", sa.String(length=200), nullable=False),
        sa.Column("scope_description", sa.String(length=400), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("author", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pack_commentary")),
    )
    with op.batch_alter_table("pack_commentary", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pack_commentary_period_label"), ["period_label"],
                              unique=False)  # fmt: skip


def downgrade() -> None:
    """Revert this migration."""
    with op.batch_alter_table("pack_commentary", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pack_commentary_period_label"))
    op.drop_table("pack_commentary")
