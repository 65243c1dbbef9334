"""Programme plans: milestones and their revisions, scoped, and their state on a date.

Milestones belong to programmes. A programme-scoped viewer sees their programmes'
plans; a directorate-scoped viewer (or a directorate/organisation filter) sees the plans
of programmes that have projects in those directorates, so the plan matches the
projects on screen. The cohort filter narrows to the cohort's programme.

:func:`state_as_of` classifies each milestone on any date from its revisions, so the
Overview can compare "late now" with "late at the end of the previous period":

* ``complete`` — delivered (actual date on or before the date);
* ``cancelled``;
* ``late`` — not delivered and either marked late or its forecast date has passed;
* ``at_risk`` — marked at risk, forecast not yet passed;
* ``on_track`` — on track or not started, forecast not yet passed;
* ``not_planned`` — no revision existed yet on that date.
"""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.orm import Session

from qinet.access import Viewer
from qinet.domain import MilestoneStatus
from qinet.filters import Filters
from qinet.models import Cohort, Milestone, MilestoneRevision, Programme, Project
from qinet.queries.scope import frame, programme_filter, restrict_programme, scoped_projects

DUE_SOON_DAYS = 30  # "due in the next 30 days" on the Overview
STATES = ("on_track", "at_risk", "late", "complete", "cancelled", "not_planned")


def _scoped(stmt: sa.Select, viewer: Viewer, f: Filters) -> sa.Select:
    stmt = restrict_programme(stmt, Milestone.programme_id, viewer)
    stmt = programme_filter(stmt, Milestone.programme_id, f)
    if f.cohort is not None:
        sub = sa.select(Cohort.programme_id).where(Cohort.name == f.cohort)
        stmt = stmt.where(Milestone.programme_id.in_(sub.scalar_subquery()))
    if viewer.directorate_ids is not None or f.directorate is not None or f.organisation:
        progs = sa.select(Project.programme_id).where(
            Project.id.in_(scoped_projects(viewer, f).scalar_subquery()),
            Project.programme_id.is_not(None),
        )
        stmt = stmt.where(Milestone.programme_id.in_(progs.scalar_subquery()))
    return stmt


def milestones_stmt(viewer: Viewer, f: Filters) -> sa.Select:
    """Milestones of the programmes in scope, with their programme's name.

    Args:
        viewer: Who is looking.
        f: Filters (organisation, directorate, programme, cohort).

    Returns:
        ``milestone_id``, ``programme``, ``title``, ``owner``, ``baseline_date``,
        ``forecast_date``, ``actual_date``, ``status``.
    """
    stmt = (
        sa.select(
            Milestone.id.label("milestone_id"),
            Programme.name.label("programme"),
            Milestone.title,
            Milestone.owner,
            Milestone.baseline_date,
            Milestone.forecast_date,
            Milestone.actual_date,
            Milestone.status,
        )
        .join(Programme, Milestone.programme_id == Programme.id)
        .order_by(Milestone.forecast_date, Programme.name, Milestone.title)
    )
    return _scoped(stmt, viewer, f)


def revisions_stmt(viewer: Viewer, f: Filters) -> sa.Select:
    """Forecast and status revisions of the milestones in scope, oldest first."""
    stmt = (
        sa.select(
            MilestoneRevision.milestone_id,
            MilestoneRevision.revised_on,
            MilestoneRevision.forecast_date,
            MilestoneRevision.status,
        )
        .join(Milestone, MilestoneRevision.milestone_id == Milestone.id)
        .order_by(MilestoneRevision.milestone_id, MilestoneRevision.revised_on,
                  MilestoneRevision.id)  # fmt: skip
    )
    return _scoped(stmt, viewer, f)


def milestones(session: Session, viewer: Viewer, f: Filters) -> pd.DataFrame:
    """Run :func:`milestones_stmt`; statuses as plain strings."""
    out = frame(session, milestones_stmt(viewer, f))
    out["status"] = out["status"].map(str) if len(out) else out["status"]
    return out


def revisions(session: Session, viewer: Viewer, f: Filters) -> pd.DataFrame:
    """Run :func:`revisions_stmt`; statuses as plain strings."""
    out = frame(session, revisions_stmt(viewer, f))
    out["status"] = out["status"].map(str) if len(out) else out["status"]
    return out


def _classify(status: pd.Series, forecast: pd.Series, actual: pd.Series, on: date) -> pd.Series:
    status = status.astype(str)
    forecast = pd.to_datetime(forecast)
    actual = pd.to_datetime(actual)
    day = pd.Timestamp(on)
    done = (actual.notna() & (actual <= day)) | (status == MilestoneStatus.COMPLETE.value)
    cancelled = status == MilestoneStatus.CANCELLED.value
    late = (status == MilestoneStatus.LATE.value) | (forecast < day)
    at_risk = status == MilestoneStatus.AT_RISK.value
    out = pd.Series("on_track", index=status.index, dtype=object)
    out[at_risk] = "at_risk"
    out[late] = "late"
    out[cancelled] = "cancelled"
    out[done] = "complete"
    return out


def state_as_of(
    ms: pd.DataFrame, revs: pd.DataFrame, on: date, today: date
) -> pd.DataFrame:
    """Each milestone's state on a date (see the module docstring for the states).

    On or after ``today`` the milestone's current status and forecast are used; before
    it, the latest revision made on or before ``on``.

    Args:
        ms: :func:`milestones` rows.
        revs: :func:`revisions` rows.
        on: The date to classify on.
        today: The data's reference date.

    Returns:
        ``ms`` with ``state`` and ``forecast_on`` (the forecast believed on that date).
    """
    out = ms.copy()
    if out.empty:
        return out.assign(state=pd.Series(dtype=object), forecast_on=pd.Series(dtype=object))
    if on >= today:
        out["forecast_on"] = out["forecast_date"]
        out["state"] = _classify(out["status"], out["forecast_date"], out["actual_date"], on)
        return out
    known = revs[pd.to_datetime(revs["revised_on"]) <= pd.Timestamp(on)]
    latest = known.groupby("milestone_id").tail(1).set_index("milestone_id")
    status = out["milestone_id"].map(latest["status"])
    forecast = out["milestone_id"].map(latest["forecast_date"])
    actual = out["actual_date"].where(
        pd.to_datetime(out["actual_date"]) <= pd.Timestamp(on), None
    )
    state = _classify(status.fillna(""), forecast, actual, on)
    state[status.isna()] = "not_planned"
    out["forecast_on"] = forecast
    out["state"] = state
    return out


def counts_by_state(states: pd.DataFrame) -> dict[str, int]:
    """``{state: count}`` for every state in :data:`STATES` (zeros included)."""
    counts = states["state"].value_counts() if len(states) else pd.Series(dtype=int)
    return {s: int(counts.get(s, 0)) for s in STATES}


def plan(
    ms: pd.DataFrame, today: date, days: int = DUE_SOON_DAYS
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Milestones due in the next ``days`` days, and those late, as on-screen tables.

    Args:
        ms: :func:`milestones` rows.
        today: The data's reference date.
        days: The look-ahead window.

    Returns:
        ``(due, late)``: each with ``programme``, ``title``, ``owner``, ``baseline_date``,
        ``forecast_date``, ``status``, ``days_slipped`` (forecast − baseline) and, for
        late ones, ``days_late`` (today − forecast).
    """
    cols = ["programme", "title", "owner", "baseline_date", "forecast_date", "status"]
    if ms.empty:
        empty = pd.DataFrame(columns=[*cols, "days_slipped"])
        return empty, empty.assign(days_late=pd.Series(dtype=int))
    state = _classify(ms["status"], ms["forecast_date"], ms["actual_date"], today)
    forecast = pd.to_datetime(ms["forecast_date"])
    slipped = (forecast - pd.to_datetime(ms["baseline_date"])).dt.days
    base = ms[cols].assign(days_slipped=slipped)
    open_ = state.isin(["on_track", "at_risk"])
    horizon = pd.Timestamp(today + timedelta(days=days))
    due = base[open_ & (forecast >= pd.Timestamp(today)) & (forecast <= horizon)]
    late = base[state == "late"].assign(
        days_late=(pd.Timestamp(today) - forecast[state == "late"]).dt.days.clip(lower=0)
    )
    return (
        due.sort_values("forecast_date").reset_index(drop=True),
        late.sort_values("forecast_date").reset_index(drop=True),
    )
