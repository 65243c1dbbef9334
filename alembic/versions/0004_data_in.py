"""Data in: FTE and organisation-level workforce baselines, ghosted observations,
staff-group aliases, the import audit log and the data-version counter.

Revision ID: 0004
Revises: 0007
Create Date: 2026-11-30 08:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0004"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this migration."""
    with op.batch_alter_table("workforce_baseline", schema=None) as batch_op:
        batch_op.add_column(sa.Column("fte", sa.Float(), nullable=True))
        batch_op.alter_column("directorate_id", existing_type=sa.Integer(), nullable=True)
        batch_op.alter_column("headcount", existing_type=sa.Integer(), nullable=True)
        batch_op.create_check_constraint(
            op.f("ck_workforce_baseline_fte_non_negative"), "fte IS NULL OR fte >= 0"
        )
        batch_op.create_check_constraint(
            op.f("ck_workforce_baseline_headcount_or_fte"),
            "headcount IS NOT NULL OR fte IS NOT NULL",
        )
    with op.batch_alter_table("observation", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("ghosted", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    op.create_table(
        "staff_group_alias",
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("staff_group_code", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["staff_group_code"],
            ["staff_group.code"],
            name=op.f("fk_staff_group_alias_staff_group_code_staff_group"),
        ),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_staff_group_alias")),
    )
    op.create_table(
        "import_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_key", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("file_name", sa.String(length=300), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("rows_added", sa.Integer(), nullable=False),
        sa.Column("rows_changed", sa.Integer(), nullable=False),
        sa.Column("rows_unchanged", sa.Integer(), nullable=False),
        sa.Column("undo", sa.Text(), nullable=True),
        sa.Column("undone_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_log")),
    )
    with op.batch_alter_table("import_log", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_import_log_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_import_log_user_key"), ["user_key"], unique=False)
    op.create_table(
        "data_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_version")),
    )
    op.bulk_insert(
        sa.table("data_version", sa.column("id", sa.Integer), sa.column("version", sa.Integer)),
        [{"id": 1, "version": 0}],
    )


def downgrade() -> None:
    """Undo this migration."""
    op.drop_table("data_version")
    with op.batch_alter_table("import_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_import_log_user_key"))
        batch_op.drop_index(batch_op.f("ix_import_log_at"))
    op.drop_table("import_log")
    op.drop_table("staff_group_alias")
    with op.batch_alter_table("observation", schema=None) as batch_op:
        batch_op.drop_column("ghosted")
    op.execute("DELETE FROM workforce_baseline WHERE directorate_id IS NULL OR headcount IS NULL")
    with op.batch_alter_table("workforce_baseline", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_workforce_baseline_headcount_or_fte"), type_="check")
        batch_op.drop_constraint(op.f("ck_workforce_baseline_fte_non_negative"), type_="check")
        batch_op.alter_column("headcount", existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column("directorate_id", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column("fte")
