"""Milestone revisions say who recorded them and any actual date they set.

Each plan update (new forecast, actual date or status, with a reason) is a new
``milestone_revision`` row; ``recorded_by`` and ``actual_date`` make the history
answer "who moved it, and when was it done" without overwriting anything.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 08:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add ``recorded_by`` and ``actual_date`` to ``milestone_revision``."""
    with op.batch_alter_table("milestone_revision") as batch:
        batch.add_column(
            sa.Column("recorded_by", sa.String(length=200), nullable=False, server_default="")
        )
        batch.add_column(sa.Column("actual_date", sa.Date(), nullable=True))


def downgrade() -> None:
    """Drop the two columns again."""
    with op.batch_alter_table("milestone_revision") as batch:
        batch.drop_column("actual_date")
        batch.drop_column("recorded_by")
