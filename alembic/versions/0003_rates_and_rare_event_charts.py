"""Rates per 100/1,000/10,000 (``measure.multiplier``) and t and g chart types.

A u chart's rate can be shown per 100, 1,000 or 10,000 units of exposure ("falls per
1,000 bed days"); the statistics run on the raw rate and values are scaled for display.
t (time between rare events) and g (cases between rare events) join the chart types
allowed on ``measure`` and ``observation``. On SQLite the two tables are rebuilt (batch
mode) with foreign keys deferred until commit, so existing rows survive.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30 08:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_CHARTS = ("run", "xmr", "p", "u", "c")
NEW_CHARTS = (*OLD_CHARTS, "t", "g")
MULTIPLIERS = "multiplier IN (1, 100, 1000, 10000)"
ONLY_RATES = "multiplier = 1 OR chart_type = 'u'"


def _in(values: Sequence[str]) -> str:
    return "chart_type IN (" + ", ".join(f"'{v}'" for v in values) + ")"


def _set_chart_types(values: Sequence[str]) -> None:
    """Replace the chart-type CHECK constraints on measure and observation."""
    sqlite = op.get_bind().dialect.name == "sqlite"
    # Batch mode rebuilds the tables (copy, drop, rename). Dropping measure while
    # observation rows point at it would fail an immediate foreign-key check; alembic/env.py
    # runs every migration with SQLite's foreign keys off, in one transaction, and checks
    # them all before the commit. Keys still on means a caller bypassed env.py: defer them.
    enforced = sqlite and op.get_bind().exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    if enforced:
        op.execute("PRAGMA defer_foreign_keys = ON")
    for table in ("measure", "observation"):
        name = f"ck_{table}_charttype"
        with op.batch_alter_table(table, recreate="always" if sqlite else "auto") as batch:
            batch.drop_constraint(op.f(name), type_="check")
            batch.create_check_constraint(op.f(name), _in(values))
    if enforced:
        broken = op.get_bind().exec_driver_sql("PRAGMA foreign_key_check").fetchall()
        if broken:
            raise RuntimeError(f"foreign keys broken by the rebuild: {broken[:3]}")


def upgrade() -> None:
    """Apply this migration."""
    _set_chart_types(NEW_CHARTS)
    with op.batch_alter_table("measure") as batch:
        batch.add_column(sa.Column("multiplier", sa.Integer(), server_default="1", nullable=False))
        batch.create_check_constraint(op.f("ck_measure_multiplier_allowed"), MULTIPLIERS)
        batch.create_check_constraint(op.f("ck_measure_multiplier_only_for_rates"), ONLY_RATES)


def downgrade() -> None:
    """Undo this migration (fails while a t or g measure, or a multiplier, is stored)."""
    with op.batch_alter_table("measure") as batch:
        batch.drop_constraint(op.f("ck_measure_multiplier_only_for_rates"), type_="check")
        batch.drop_constraint(op.f("ck_measure_multiplier_allowed"), type_="check")
        batch.drop_column("multiplier")
    _set_chart_types(OLD_CHARTS)
