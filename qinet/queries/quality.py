"""Data-quality checks for administrators: table sizes and measure completeness."""

from __future__ import annotations

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.orm import Session

from qinet.access import Viewer
from qinet.filters import Filters
from qinet.formatting import plural
from qinet.models import Base, Measure, Observation, Project
from qinet.queries.scope import frame, scoped_projects


def table_counts(session: Session) -> pd.DataFrame:
    """Row count of every table (admins only; not scoped)."""
    rows = [
        (name, session.scalar(sa.select(sa.func.count()).select_from(table)))
        for name, table in sorted(Base.metadata.tables.items())
    ]
    return pd.DataFrame(rows, columns=["table", "rows"])


def measure_completeness_stmt(viewer: Viewer, f: Filters) -> sa.Select:
    """Per measure: points, first and last period, missing values and denominators."""
    return (
        sa.select(
            Measure.id.label("measure_id"),
            Measure.name.label("measure"),
            Project.code.label("project_code"),
            Measure.frequency,
            Measure.chart_type,
            sa.func.count(Observation.id).label("points"),
            sa.func.min(Observation.period_start).label("first_period"),
            sa.func.max(Observation.period_start).label("last_period"),
            sa.func.sum(
                sa.case(
                    (sa.and_(Observation.value.is_(None), Observation.numerator.is_(None)), 1),
                    else_=0,
                )
            ).label("missing_values"),
        )
        .join(Project, Measure.project_id == Project.id)
        .outerjoin(Observation, Observation.measure_id == Measure.id)
        .where(Project.id.in_(scoped_projects(viewer, f).scalar_subquery()))
        .group_by(Measure.id, Measure.name, Project.code, Measure.frequency, Measure.chart_type)
        .order_by(Project.code, Measure.name)
    )


def measure_completeness(session: Session, viewer: Viewer, f: Filters) -> pd.DataFrame:
    """Completeness per measure with the number of periods missing between first and last.

    Args:
        session: Open session.
        viewer: Who is looking.
        f: Filters.

    Returns:
        One row per measure with ``expected_points``, ``missing_periods`` and an
        ``issues`` sentence (empty when the measure looks complete).
    """
    df = frame(session, measure_completeness_stmt(viewer, f))
    if df.empty:
        return df.assign(expected_points=[], missing_periods=[], issues=[])
    first = pd.to_datetime(df["first_period"])
    last = pd.to_datetime(df["last_period"])
    weekly = df["frequency"].astype(str) == "weekly"
    span_weeks = ((last - first).dt.days // 7) + 1
    span_months = (last.dt.year - first.dt.year) * 12 + (last.dt.month - first.dt.month) + 1
    expected = span_weeks.where(weekly, span_months).fillna(0).astype(int)
    df["expected_points"] = expected
    # t and g measures have one point per event, not per period: nothing can be "missing"
    events = df["chart_type"].map(lambda c: str(getattr(c, "value", c))).isin(["t", "g"])
    df["missing_periods"] = (expected - df["points"]).clip(lower=0).where(~events, 0)
    issues = []
    for row in df.itertuples():
        notes = []
        if row.points == 0:
            notes.append("no data yet")
        elif row.points < 12:
            notes.append(f"only {plural(row.points, 'point')} (limits need 12 or more)")
        if row.missing_periods:
            notes.append(plural(int(row.missing_periods), "missing period"))
        if row.missing_values:
            notes.append(plural(int(row.missing_values), "blank value"))
        issues.append("; ".join(notes))
    df["issues"] = issues
    df["frequency"] = df["frequency"].astype(str)
    df["chart_type"] = df["chart_type"].astype(str)
    return df
