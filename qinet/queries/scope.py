"""Scope and filter clauses shared by every query module.

``scoped_projects`` is the one place that decides which projects a viewer may
see; measures, observations and annotations reach data only through it.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.orm import Session

from qinet.access import Viewer
from qinet.filters import Filters
from qinet.models import Cohort, Directorate, Organisation, Programme, Project, StaffGroupRef


def restrict_directorate(stmt: sa.Select, column: sa.ColumnElement, viewer: Viewer) -> sa.Select:
    """Add ``column IN (viewer's directorates)`` when the viewer is directorate-scoped.

    Args:
        stmt: The statement to narrow.
        column: A directorate-id column of a table in ``stmt``.
        viewer: Who is looking.

    Returns:
        The narrowed statement (unchanged for unrestricted viewers).
    """
    if viewer.directorate_ids is None:
        return stmt
    return stmt.where(column.in_(sorted(viewer.directorate_ids)))


def restrict_programme(stmt: sa.Select, column: sa.ColumnElement, viewer: Viewer) -> sa.Select:
    """Add ``column IN (viewer's programmes)`` when the viewer is programme-scoped."""
    if viewer.programme_ids is None:
        return stmt
    return stmt.where(column.in_(sorted(viewer.programme_ids)))


def directorate_filter(
    stmt: sa.Select, column: sa.ColumnElement, f: Filters
) -> sa.Select:
    """Apply the organisation and directorate filters to a directorate-id column."""
    if f.directorate is None and f.organisation is None:
        return stmt
    sub = sa.select(Directorate.id).join(Organisation)
    if f.directorate is not None:
        sub = sub.where(Directorate.name == f.directorate)
    if f.organisation is not None:
        sub = sub.where(Organisation.name == f.organisation)
    return stmt.where(column.in_(sub.scalar_subquery()))


def programme_filter(
    stmt: sa.Select, column: sa.ColumnElement, f: Filters
) -> sa.Select:
    """Apply the programme filter to a programme-id column."""
    if f.programme is None:
        return stmt
    sub = sa.select(Programme.id).where(Programme.name == f.programme)
    return stmt.where(column.in_(sub.scalar_subquery()))


def staff_group_filter(stmt: sa.Select, column: sa.ColumnElement, f: Filters) -> sa.Select:
    """Apply the staff-group filter (chosen by label) to a staff-group-code column."""
    if f.staff_group is None:
        return stmt
    sub = sa.select(StaffGroupRef.code).where(StaffGroupRef.label == f.staff_group)
    return stmt.where(column.in_(sub.scalar_subquery()))


def cohort_filter(stmt: sa.Select, column: sa.ColumnElement, f: Filters) -> sa.Select:
    """Apply the cohort filter (cohort names are unique within a programme)."""
    if f.cohort is None:
        return stmt
    sub = sa.select(Cohort.id).join(Programme).where(Cohort.name == f.cohort)
    if f.programme is not None:
        sub = sub.where(Programme.name == f.programme)
    return stmt.where(column.in_(sub.scalar_subquery()))


def scoped_projects(viewer: Viewer, f: Filters) -> sa.Select:
    """Ids of the projects this viewer may see, narrowed by the filters.

    Args:
        viewer: Who is looking (scope enforced here).
        f: Organisation, directorate, programme and cohort filters.

    Returns:
        ``SELECT project.id …`` usable as a subquery.
    """
    stmt = sa.select(Project.id)
    stmt = restrict_directorate(stmt, Project.directorate_id, viewer)
    stmt = restrict_programme(stmt, Project.programme_id, viewer)
    stmt = directorate_filter(stmt, Project.directorate_id, f)
    stmt = programme_filter(stmt, Project.programme_id, f)
    return cohort_filter(stmt, Project.cohort_id, f)


def frame(session: Session, stmt: sa.Select) -> pd.DataFrame:
    """Run a statement and return its rows as a DataFrame with the statement's column names."""
    # Core execution on the session's connection (same transaction) skips the ORM's
    # per-row loading, and plain tuples build a frame several times faster than Rows.
    result = session.connection().execute(stmt)
    columns = list(result.keys())
    return pd.DataFrame([tuple(r) for r in result.fetchall()], columns=columns)


def raw_frame(session: Session, stmt: sa.Select) -> pd.DataFrame:
    """Like :func:`frame`, for large reads: rows straight from the DBAPI cursor.

    The statement is compiled for the connection's dialect and run with its bound
    parameters (values are never rendered into the SQL), skipping SQLAlchemy's
    per-row result processing: about 40% faster on 120,000 observations. Values
    arrive as the driver returns them (dates as ISO text on SQLite, ``date`` on
    PostgreSQL), so read dates with ``pd.to_datetime``.

    Args:
        session: Open session (the read joins its transaction).
        stmt: A ``select()`` of plain columns.

    Returns:
        The rows, with the statement's column labels.
    """
    conn = session.connection()
    compiled = stmt.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
    params = compiled.construct_params()
    if compiled.positional:
        params = tuple(params[name] for name in compiled.positiontup)
    cursor = conn.exec_driver_sql(str(compiled), params).cursor
    try:
        rows = cursor.fetchall()
        columns = [d[0] for d in cursor.description]
    finally:
        cursor.close()
    return pd.DataFrame(rows, columns=columns)


def date_bounds(f: Filters, today: date) -> tuple[date | None, date | None]:
    """The filter's period as (start, end), or (None, None) for all time."""
    period = f.period_range(today)
    return (period.start, period.end) if period else (None, None)
