"""The audit log, written in the same transaction as the data (with a data-version bump)."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.orm import Session

from qinet.models import ImportLog
from qinet.queries.version import bump_data_version


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
    bump_data_version(session)
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
