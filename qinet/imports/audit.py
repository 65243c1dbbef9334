"""The audit log and the data version, written in the same transaction as the data."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from qinet.models import DataVersion, ImportLog


def bump_version(session: Session) -> None:
    """Add one to the data version (creating the row if a database predates it)."""
    done = session.execute(
        sa.update(DataVersion).where(DataVersion.id == 1).values(version=DataVersion.version + 1)
    )
    if done.rowcount == 0:
        session.execute(sa.insert(DataVersion).values(id=1, version=1))


def current_version(conn: Connection | Session) -> int:
    """The data version now (0 before any write); one indexed single-row read."""
    value = conn.execute(sa.select(DataVersion.version).where(DataVersion.id == 1)).scalar()
    return int(value or 0)


def record(
    session: Session,
    *,
    user_key: str,
    kind: str,
    file_name: str = "",
    sha256: str = "",
    added: int = 0,
    changed: int = 0,
    unchanged: int = 0,
    undo: str | None = None,
    at: datetime | None = None,
) -> int:
    """Write an audit row and bump the data version; returns the audit row id."""
    row = ImportLog(
        at=at or datetime.now(UTC),
        user_key=user_key,
        kind=kind,
        file_name=file_name[:300],
        sha256=sha256,
        rows_added=added,
        rows_changed=changed,
        rows_unchanged=unchanged,
        undo=undo,
    )
    session.add(row)
    session.flush()
    bump_version(session)
    return row.id


def log_frame(session: Session, limit: int = 500) -> pd.DataFrame:
    """The latest audit rows, newest first, with human column names."""
    rows = session.execute(
        sa.select(
            ImportLog.at,
            ImportLog.user_key,
            ImportLog.kind,
            ImportLog.file_name,
            ImportLog.sha256,
            ImportLog.rows_added,
            ImportLog.rows_changed,
            ImportLog.undone_at,
        )
        .order_by(ImportLog.id.desc())
        .limit(limit)
    ).all()
    return pd.DataFrame(
        [tuple(r) for r in rows],
        columns=[
            "When",
            "Who",
            "What",
            "File",
            "SHA-256",
            "Rows added",
            "Rows changed",
            "Undone at",
        ],
    )
