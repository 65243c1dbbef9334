"""Survey instruments: anchors and instrument code on survey; domain and reversal on questions.

Revision ID: 0005
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa

from alembic import op

revision = "0005"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the instrument columns (nullable or defaulted, so existing rows stay valid).

    Plain ``ADD COLUMN`` (no batch table copy): SQLite adds these in place, so a filled
    database keeps its rows and foreign keys untouched.
    """
    op.add_column("survey", sa.Column("instrument", sa.String(length=60), nullable=True))
    op.add_column("survey", sa.Column("scale_anchors", sa.String(length=600), nullable=True))
    op.add_column("survey_question", sa.Column("domain", sa.String(length=120), nullable=True))
    op.add_column(
        "survey_question",
        sa.Column("reverse_scored", sa.Boolean(), nullable=False, server_default=sa.false()),
    )


def downgrade() -> None:
    """Drop the instrument columns."""
    with op.batch_alter_table("survey_question") as batch:
        batch.drop_column("reverse_scored")
        batch.drop_column("domain")
    with op.batch_alter_table("survey") as batch:
        batch.drop_column("scale_anchors")
        batch.drop_column("instrument")
