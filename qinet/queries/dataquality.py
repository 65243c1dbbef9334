"""The data-quality report: each check is a list of rows to fix (its length is the count).

Admins only (the Data page), so the checks are not narrowed by scope; each names the
import kind that fixes it, where one does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.orm import Session

from qinet.domain import ChartType, ImprovementDirection, ProjectStatus
from qinet.models import (
    Directorate,
    Measure,
    Observation,
    Participant,
    ProgressScore,
    Project,
    WorkforceBaseline,
)
from qinet.queries.scope import frame, raw_frame

STALE_AFTER_DAYS = 90


@dataclass(frozen=True)
class Check:
    """One data-quality check: a title, what fixes it, and the rows it found."""

    key: str
    title: str
    fix: str
    rows: pd.DataFrame


def _measures_base() -> sa.Select:
    return sa.select(
        Project.code.label("Project"),
        Measure.name.label("Measure"),
        Measure.frequency.label("Frequency"),
    ).join(Project)


def duplicate_periods(session: Session) -> pd.DataFrame:
    """Measures with two or more observations in the same week or month.

    t and g charts hold one row per event (several in a month is normal), so they are
    left out.
    """
    counted = Measure.chart_type.not_in([ChartType.T, ChartType.G])
    # 120,000 observations: two plain columns straight from the cursor (``raw_frame``);
    # the ~3,000 measures' names and frequencies are joined on in pandas.
    rows = raw_frame(
        session,
        sa.select(Observation.measure_id, Observation.period_start)
        .join(Measure, Observation.measure_id == Measure.id)
        .where(counted),
    )
    if rows.empty:
        return pd.DataFrame(columns=["Project", "Measure", "Period", "Observations"])
    measures = frame(
        session,
        sa.select(Measure.id.label("measure_id"), Measure.frequency, Measure.name, Project.code)
        .join(Project)
        .where(counted),
    ).set_index("measure_id")
    day = pd.to_datetime(rows["period_start"])
    weekly = rows["measure_id"].map(measures["frequency"].astype(str) == "weekly").fillna(False)
    rows["bucket"] = day.dt.to_period("M").dt.start_time.where(
        ~weekly.astype(bool), day.dt.to_period("W").dt.start_time
    )
    counts = rows.groupby(["measure_id", "bucket"]).size().reset_index(name="Observations")
    dup = counts[counts["Observations"] > 1].join(measures, on="measure_id")
    dup = dup.sort_values(["code", "name", "bucket"])
    return pd.DataFrame(
        {
            "Project": dup["code"],
            "Measure": dup["name"],
            "Period": dup["bucket"].dt.date,
            "Observations": dup["Observations"],
        }
    ).reset_index(drop=True)


def missing_periods(completeness: pd.DataFrame) -> pd.DataFrame:
    """Measures with gaps between their first and last period (from the completeness table)."""
    gaps = completeness[completeness["missing_periods"] > 0] if len(completeness) else completeness
    if gaps.empty:
        return pd.DataFrame(columns=["Project", "Measure", "Missing periods"])
    return pd.DataFrame(
        {
            "Project": gaps["project_code"],
            "Measure": gaps["measure"],
            "Missing periods": gaps["missing_periods"],
        }
    )


def short_series(session: Session, minimum: int) -> pd.DataFrame:
    """Measures with fewer points than the preset needs for limits."""
    points = sa.func.count(Observation.id)
    stmt = (
        _measures_base()
        .add_columns(points.label("Points"))
        .outerjoin(Observation, Observation.measure_id == Measure.id)
        .group_by(Project.code, Measure.name, Measure.frequency)
        .having(points < minimum)
        .order_by(Project.code, Measure.name)
    )
    out = frame(session, stmt)
    if len(out):
        out["Frequency"] = out["Frequency"].astype(str)
    return out


def no_direction(session: Session) -> pd.DataFrame:
    """Measures whose improvement direction is not set (neutral)."""
    stmt = _measures_base().where(Measure.improvement_direction == ImprovementDirection.NEUTRAL)
    out = frame(session, stmt.order_by(Project.code, Measure.name))
    if len(out):
        out["Frequency"] = out["Frequency"].astype(str)
    return out


def no_staff_group(session: Session) -> pd.DataFrame:
    """Participants whose staff group is unknown."""
    return frame(
        session,
        sa.select(Participant.reference.label("Participant"))
        .where(Participant.staff_group_code == "unknown")
        .order_by(Participant.reference),
    )


def no_baseline(session: Session) -> pd.DataFrame:
    """Directorates with participants but no workforce baseline (its own or its organisation's)."""
    has_people = sa.select(Participant.directorate_id).where(
        Participant.directorate_id.is_not(None)
    )
    own = sa.select(WorkforceBaseline.directorate_id).where(
        WorkforceBaseline.directorate_id.is_not(None)
    )
    org_level = sa.select(WorkforceBaseline.organisation_id).where(
        WorkforceBaseline.directorate_id.is_(None)
    )
    stmt = (
        sa.select(Directorate.code.label("Directorate code"), Directorate.name.label("Directorate"))
        .where(
            Directorate.id.in_(has_people),
            Directorate.id.not_in(own),
            Directorate.organisation_id.not_in(org_level),
        )
        .order_by(Directorate.code)
    )
    return frame(session, stmt)


def stale_scores(session: Session, today: date) -> pd.DataFrame:
    """Active projects whose latest progress score is missing or older than 90 days."""
    latest = (
        sa.select(ProgressScore.project_id, sa.func.max(ProgressScore.scored_on).label("last"))
        .group_by(ProgressScore.project_id)
        .subquery()
    )
    done = (ProjectStatus.COMPLETE, ProjectStatus.STOPPED)
    stmt = (
        sa.select(
            Project.code.label("Project"),
            Project.title.label("Title"),
            latest.c.last.label("Last scored"),
        )
        .outerjoin(latest, latest.c.project_id == Project.id)
        .where(
            Project.status.not_in(done),
            sa.or_(
                latest.c.last.is_(None), latest.c.last < today - timedelta(days=STALE_AFTER_DAYS)
            ),
        )
        .order_by(Project.code)
    )
    out = frame(session, stmt)
    if len(out):
        out["Last scored"] = pd.to_datetime(out["Last scored"]).dt.date
    return out


def report(session: Session, completeness: pd.DataFrame, today: date, minimum: int) -> list[Check]:
    """Every check, in the order the Data page shows them."""
    return [
        Check(
            "missing",
            "Measures with missing periods",
            "observations",
            missing_periods(completeness),
        ),
        Check("duplicate", "Two values in one period", "observations", duplicate_periods(session)),
        Check(
            "short",
            f"Series shorter than {minimum} points (the preset's minimum for limits)",
            "observations",
            short_series(session, minimum),
        ),
        Check(
            "direction",
            "Measures without an improvement direction",
            "measures",
            no_direction(session),
        ),
        Check(
            "staff_group",
            "Participants without a staff group",
            "participants",
            no_staff_group(session),
        ),
        Check(
            "baseline",
            "Directorates with participants but no workforce baseline",
            "workforce",
            no_baseline(session),
        ),
        Check(
            "stale",
            f"Active projects with no progress score in {STALE_AFTER_DAYS} days",
            "progress_scores",
            stale_scores(session, today),
        ),
    ]
