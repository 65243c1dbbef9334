"""Survey responses carry the survey tool's response id, unique within a wave.

The reference is the natural key that lets a survey-tool export be re-imported without
duplicating responses (``survey_responses`` import). Rows that predate it (the demo's,
or responses typed in before imports existed) keep ``NULL``: both SQLite and PostgreSQL
allow any number of ``NULL`` values under a unique constraint, so nothing is backfilled.

Revision ID: 0010
Revises: 0004
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0010"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add ``survey_response.reference`` (nullable) and its per-wave unique constraint."""
    with op.batch_alter_table("survey_response", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reference", sa.String(length=60), nullable=True))
        batch_op.create_unique_constraint(
            batch_op.f("uq_survey_response_wave_id_reference"), ["wave_id", "reference"]
        )


def downgrade() -> None:
    """Drop the constraint and the column."""
    with op.batch_alter_table("survey_response", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_survey_response_wave_id_reference"), type_="unique")
        batch_op.drop_column("reference")
