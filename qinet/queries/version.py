"""The data version: one counter every write bumps, so each process can see data changed.

Cached query results live in each app process. A write made in another replica, or by
the command line, is invisible to that cache; the counter is how every process finds
out. It is the single row of the ``data_version`` table (migration 0004): reading it is
one primary-key look-up per rerun (``qinet.ui.cache.follow_data_version``), and bumping
it is one ``UPDATE … SET version = version + 1`` in the writer's own transaction, so the
bump commits or rolls back with the data and is atomic under concurrent writers.

Every writer bumps it: imports and entries (``qinet.imports.audit.record``, entry undo),
phase breaks (``qinet.queries.measures``), plan changes (``qinet.queries.milestones``)
and project updates (``qinet.queries.projects``).
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from qinet.models import DataVersion

ROW_ID = 1


def data_version(conn: Connection | Session) -> int:
    """The current data version (0 before the first write bumped it)."""
    value = conn.execute(
        sa.select(DataVersion.version).where(DataVersion.id == ROW_ID)
    ).scalar_one_or_none()
    return int(value or 0)


def bump_data_version(session: Session) -> None:
    """Add one to the data version inside the caller's transaction (the caller commits).

    A database created before the row existed gets it on the first bump; if another
    writer inserts it at the same moment, this one bumps theirs instead.
    """
    bumped = session.execute(
        sa.update(DataVersion)
        .where(DataVersion.id == ROW_ID)
        .values(version=DataVersion.version + 1)
    )
    if bumped.rowcount:
        return
    try:
        with session.begin_nested():
            session.execute(sa.insert(DataVersion).values(id=ROW_ID, version=1))
    except IntegrityError:  # another writer inserted the row first: bump theirs
        bump_data_version(session)
