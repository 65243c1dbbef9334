"""The Overview's numbers: headline counts, the portfolio of measures, reach by staff group.

Headline counts are given for a period and the one before; the portfolio feeds the
summary matrix; reach compares participants with the workforce by staff group.

Everything is scoped through :mod:`qinet.queries.scope` and aggregated in SQL where the
answer is a count. Comparison rule (:func:`comparison`): a dated period is compared with
the period of the same length just before it (``Period.previous()``); "All time" is
compared with the state 12 months earlier (flows such as completions then count
everything up to that date).

Point-in-time measures (active projects, reach, milestones) are taken *at the end* of
each window; flows (participants completing training) are counted *within* it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.orm import Session

from qinet.access import Viewer
from qinet.domain import AnnotationKind, ProjectStatus
from qinet.filters import Filters
from qinet.models import (
    Annotation,
    Enrolment,
    Measure,
    Observation,
    Project,
)
from qinet.queries.engagement import enrolments_stmt
from qinet.queries.projects import measures_stmt
from qinet.queries.scope import (
    frame,
    raw_frame,
    scoped_projects,
)

ALL_TIME_LOOKBACK_DAYS = 365  # "All time" compares with the state 12 months earlier
_ACTIVE = [s.value for s in ProjectStatus if s.is_active]


@dataclass(frozen=True)
class Comparison:
    """The current window and the one it is compared with.

    Attributes:
        start: First day of the current window, or None (all time).
        end: Last day of the current window (the reference date for all time).
        previous_start: First day of the previous window, or None.
        previous_end: Last day of the previous window.
        label: How the change is described, e.g. ``"vs Apr 2023 – Mar 2024"``.
    """

    start: date | None
    end: date
    previous_start: date | None
    previous_end: date
    label: str


def comparison(f: Filters, today: date) -> Comparison:
    """The current window from the period filter and the window it is compared with.

    Args:
        f: Filters (only ``period`` is used).
        today: The data's reference date.

    Returns:
        A :class:`Comparison`.
    """
    period = f.period_range(today)
    if period is None:
        before = today - timedelta(days=ALL_TIME_LOOKBACK_DAYS)
        return Comparison(None, today, None, before, f"vs 12 months earlier ({before:%d %b %Y})")
    end = min(period.end, today)
    prev = period.previous()
    return Comparison(period.start, end, prev.start, prev.end, f"vs {prev.describe()}")


# --- portfolio of measures -------------------------------------------------------------


def portfolio_measures(session: Session, viewer: Viewer, f: Filters) -> pd.DataFrame:
    """Measures in scope with their project, directorate and programme (enums as text)."""
    out = frame(session, measures_stmt(viewer, f))
    for col in ("measure_type", "frequency", "chart_type", "improvement_direction",
                "project_status"):  # fmt: skip
        out[col] = out[col].map(str) if len(out) else out[col].astype(object)
    return out


def portfolio_observations_stmt(
    viewer: Viewer, f: Filters, start: date | None, end: date | None
) -> sa.Select:
    """Every observation of the measures in scope within ``[start, end]`` (None: open).

    Returns:
        ``measure_id``, ``period_start`` (as the driver returns it: an ISO string on SQLite,
        a date on PostgreSQL — read it with ``pd.to_datetime``), ``value``, ``numerator``,
        ``denominator``. Skipping SQLAlchemy's per-row date conversion makes fetching the
        large demo's 120,000 observations several times faster.
    """
    stmt = (
        sa.select(
            Observation.measure_id,
            sa.type_coerce(Observation.period_start, sa.String).label("period_start"),
            Observation.value,
            Observation.numerator,
            Observation.denominator,
        )
        .join(Measure, Observation.measure_id == Measure.id)
        .where(Measure.project_id.in_(scoped_projects(viewer, f).scalar_subquery()))
    )
    if start is not None:
        stmt = stmt.where(Observation.period_start >= start)
    if end is not None:
        stmt = stmt.where(Observation.period_start <= end)
    return stmt


def portfolio_observations(
    session: Session, viewer: Viewer, f: Filters, start: date | None, end: date | None
) -> pd.DataFrame:
    """Run :func:`portfolio_observations_stmt` into a DataFrame (the large read: raw rows)."""
    return raw_frame(session, portfolio_observations_stmt(viewer, f, start, end))


def phase_breaks_stmt(viewer: Viewer, f: Filters) -> sa.Select:
    """Confirmed (not retracted) phase breaks of the measures in scope.

    Returns:
        ``measure_id``, ``on_date``.
    """
    return (
        sa.select(Annotation.measure_id, Annotation.on_date)
        .join(Measure, Annotation.measure_id == Measure.id)
        .where(
            Annotation.kind == AnnotationKind.PHASE_BREAK,
            Annotation.retracted_at.is_(None),
            Measure.project_id.in_(scoped_projects(viewer, f).scalar_subquery()),
        )
    )


# --- headline counts --------------------------------------------------------------------


def active_projects(session: Session, viewer: Viewer, f: Filters, as_of: date) -> int:
    """Projects in scope with an active status that had started by ``as_of``.

    Project status history is not recorded, so "active at an earlier date" means
    "active now and started by then": the change is the number of active projects
    started since.
    """
    stmt = sa.select(sa.func.count()).where(
        Project.id.in_(scoped_projects(viewer, f).scalar_subquery()),
        Project.status.in_(_ACTIVE),
        Project.started_on <= as_of,
    )
    return int(session.execute(stmt).scalar_one())


def completed_participants(
    session: Session, viewer: Viewer, f: Filters, start: date | None, end: date
) -> int:
    """Distinct participants who completed training in ``[start, end]`` (start None: ever)."""
    sub = enrolments_stmt(viewer, f, None, None).where(Enrolment.completed_on <= end)
    if start is not None:
        sub = sub.where(Enrolment.completed_on >= start)
    sub = sub.subquery()
    stmt = sa.select(sa.func.count(sa.distinct(sub.c.participant_id)))
    return int(session.execute(stmt).scalar_one())
