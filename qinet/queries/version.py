"""The data version: one counter every write bumps, so each replica can see data changed.

Cached query results live in each app process. A write made in another replica, or by the
command line, is invisible to that cache; the counter is how every process finds out. It
is a row of ``dataset_info`` (``key = 'data_version'``), so no schema change is needed:
reading it is one primary-key look-up per rerun, and bumping it is one ``UPDATE … SET
value = value + 1`` in the writer's own transaction (atomic under concurrent writers).
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from qinet.models import DatasetInfo

KEY = "data_version"
_table = DatasetInfo.__table__


def data_version(session: Session) -> int:
    """The current data version (0 before the first write bumped it)."""
    value = session.execute(
        sa.select(_table.c.value).where(_table.c.key == KEY)
    ).scalar_one_or_none()
    try:
        return int(value) if value is not None else 0
    except ValueError:
        return 0


def bump_data_version(session: Session) -> None:
    """Add one to the data version inside the caller's transaction (the caller commits)."""
    as_int = sa.cast(_table.c.value, sa.Integer)
    bumped = session.execute(
        sa.update(_table)
        .where(_table.c.key == KEY)
        .values(value=sa.cast(as_int + 1, sa.String(400)))
    )
    if bumped.rowcount:
        return
    try:
        with session.begin_nested():
            session.execute(sa.insert(_table).values(key=KEY, value="1"))
    except IntegrityError:  # another writer inserted the row first: bump theirs
        bump_data_version(session)
