"""user_role names a person by a stable sign-in id or by a verified email (``key_type``).

Existing rows were keyed by email, so they become ``key_type = 'email'`` (matched only
when the identity provider marks the email verified).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30 08:05:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add ``user_role.key_type`` ('email' for every existing row)."""
    with op.batch_alter_table("user_role") as batch:
        batch.add_column(
            sa.Column("key_type", sa.String(length=16), server_default="email", nullable=False)
        )
        batch.create_check_constraint(
            op.f("ck_user_role_key_type_known"), "key_type IN ('email', 'subject')"
        )


def downgrade() -> None:
    """Drop ``user_role.key_type`` (subject rows then read as emails and match no one)."""
    with op.batch_alter_table("user_role") as batch:
        batch.drop_constraint(op.f("ck_user_role_key_type_known"), type_="check")
        batch.drop_column("key_type")
