"""Programme plans: milestones, their revisions and cohorts, scoped; and recording a plan update.

Milestones belong to programmes. A programme-scoped viewer sees their programmes'
plans; a directorate-scoped viewer (or a directorate/organisation filter) sees the plans
of programmes that have projects in those directorates, so the plan matches the
projects on screen. The cohort filter narrows to the cohort's programme.

Status, slip and due/late are *not* decided here: ``qinet.stats.plan`` holds the one
rule the Timeline, the Overview and the board pack share. :func:`record_update` is the
only write: it checks the viewer may edit the milestone *inside the statement* (a
programme lead cannot reach another programme's milestone by crafting input), refuses
bad input naming the field, and adds a revision rather than overwriting history.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.orm import Session

from qinet.access import Viewer
from qinet.domain import MilestoneStatus, Role
from qinet.errors import NotPermittedError, QinetError
from qinet.filters import Filters
from qinet.models import Cohort, Milestone, MilestoneRevision, Programme, Project
from qinet.queries.scope import frame, programme_filter, restrict_programme, scoped_projects
from qinet.queries.version import bump_data_version


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
        ``milestone_id``, ``programme_id``, ``programme``, ``programme_start``, ``title``,
        ``owner``, ``baseline_date``, ``forecast_date``, ``actual_date``, ``status``.
    """
    stmt = (
        sa.select(
            Milestone.id.label("milestone_id"),
            Milestone.programme_id,
            Programme.name.label("programme"),
            Programme.starts_on.label("programme_start"),
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
    """Revisions of the milestones in scope, oldest first (date, then the order recorded)."""
    stmt = (
        sa.select(
            MilestoneRevision.id.label("revision_id"),
            MilestoneRevision.milestone_id,
            MilestoneRevision.revised_on,
            MilestoneRevision.forecast_date,
            MilestoneRevision.actual_date,
            MilestoneRevision.status,
            MilestoneRevision.note,
            MilestoneRevision.recorded_by,
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




def cohorts_stmt(viewer: Viewer, f: Filters) -> sa.Select:
    """Cohorts of the programmes whose plans are in scope (the cohort filter narrows to one).

    Returns:
        ``programme_id``, ``programme``, ``cohort``, ``starts_on``, ``ends_on``.
    """
    stmt = (
        sa.select(
            Cohort.programme_id,
            Programme.name.label("programme"),
            Cohort.name.label("cohort"),
            Cohort.starts_on,
            Cohort.ends_on,
        )
        .join(Programme, Cohort.programme_id == Programme.id)
        .order_by(Programme.name, Cohort.starts_on)
    )
    stmt = restrict_programme(stmt, Cohort.programme_id, viewer)
    stmt = programme_filter(stmt, Cohort.programme_id, f)
    if f.cohort is not None:
        stmt = stmt.where(Cohort.name == f.cohort)
    if viewer.directorate_ids is not None or f.directorate is not None or f.organisation:
        progs = sa.select(Project.programme_id).where(
            Project.id.in_(scoped_projects(viewer, f).scalar_subquery()),
            Project.programme_id.is_not(None),
        )
        stmt = stmt.where(Cohort.programme_id.in_(progs.scalar_subquery()))
    return stmt


def cohorts(session: Session, viewer: Viewer, f: Filters) -> pd.DataFrame:
    """Run :func:`cohorts_stmt`."""
    return frame(session, cohorts_stmt(viewer, f))


# --- Recording a plan update ------------------------------------------------------------

EDITOR_ROLES = (Role.ADMIN, Role.PROGRAMME_LEAD)


class PlanUpdateError(QinetError):
    """A plan update was refused; ``field`` names the input at fault."""

    def __init__(self, field: str, reason: str) -> None:
        """Keep the field and reason for the form to show beside the input."""
        self.field = field
        self.reason = reason
        super().__init__(f"{field}: {reason}")


@dataclass(frozen=True)
class PlanUpdate:
    """What a lead records: any of a new forecast, an actual date or a status, and why.

    Attributes:
        milestone_id: The milestone to update.
        reason: Why (required; kept with the revision).
        forecast_date: New forecast, or ``None`` to keep the current one.
        actual_date: The date it was done, or ``None``.
        status: New recorded status, or ``None`` to keep (done when an actual date is given).
    """

    milestone_id: int
    reason: str
    forecast_date: date | None = None
    actual_date: date | None = None
    status: MilestoneStatus | None = None


def can_update(viewer: Viewer) -> bool:
    """Programme leads (for their programmes) and admins may update plans; nobody else."""
    return viewer.role in EDITOR_ROLES


def editable_stmt(viewer: Viewer) -> sa.Select:
    """Milestones this viewer may update (empty for viewers and directorate leads)."""
    stmt = sa.select(Milestone.id).where(sa.true() if can_update(viewer) else sa.false())
    if viewer.role is Role.PROGRAMME_LEAD:
        ids = viewer.programme_ids if viewer.programme_ids is not None else frozenset()
        stmt = stmt.where(Milestone.programme_id.in_(sorted(ids)))
    return restrict_programme(stmt, Milestone.programme_id, viewer)


def _validate(u: PlanUpdate, m: Milestone, programme_start: date, today: date) -> None:
    if not u.reason.strip():
        raise PlanUpdateError("Reason", "say why the plan changed (it is kept with the history)")
    if len(u.reason) > 400:
        raise PlanUpdateError("Reason", "keep it under 400 characters")
    if u.forecast_date is None and u.actual_date is None and u.status is None:
        raise PlanUpdateError("Update", "give a new forecast, an actual date or a status")
    if u.actual_date is not None and u.actual_date > today:
        raise PlanUpdateError(
            "Actual date",
            f"{u.actual_date:%-d %b %Y} is in the future; record it once it has happened "
            "(or give a forecast instead)",
        )
    if u.actual_date is not None and u.actual_date < programme_start:
        raise PlanUpdateError(
            "Actual date", f"is before the programme started ({programme_start:%-d %b %Y})"
        )
    if u.forecast_date is not None and u.forecast_date < programme_start:
        raise PlanUpdateError(
            "Forecast date",
            f"{u.forecast_date:%-d %b %Y} is before the programme starts "
            f"({programme_start:%-d %b %Y})",
        )
    if u.status is MilestoneStatus.COMPLETE and u.actual_date is None and m.actual_date is None:
        raise PlanUpdateError("Actual date", "give the date it was done to mark it done")
    if u.actual_date is not None and u.status not in (None, MilestoneStatus.COMPLETE):
        raise PlanUpdateError("Status", "a milestone with an actual date is done")


def record_update(session: Session, viewer: Viewer, u: PlanUpdate, today: date) -> int:
    """Validate and record one plan update as a new revision; nothing is written on refusal.

    The milestone is fetched through :func:`editable_stmt`, so the viewer's role and
    programmes are part of the statement itself.

    Args:
        session: Open session (the caller's scope commits).
        viewer: Who is recording it.
        u: The update.
        today: The data's "today" (an actual date may not be after it).

    Returns:
        The new revision's id.

    Raises:
        NotPermittedError: The viewer may not update this milestone (or it does not exist
            for them).
        PlanUpdateError: The input is wrong; ``field`` names which.
    """
    if not can_update(viewer):
        raise NotPermittedError("Only programme leads and administrators can update the plan.")
    m = session.execute(
        sa.select(Milestone).where(Milestone.id.in_(editable_stmt(viewer).where(
            Milestone.id == u.milestone_id).scalar_subquery()))
    ).scalar_one_or_none()  # fmt: skip
    if m is None:
        raise NotPermittedError("You can update milestones of your own programmes only.")
    start = session.execute(
        sa.select(Programme.starts_on).where(Programme.id == m.programme_id)
    ).scalar_one()
    _validate(u, m, start, today)
    status = u.status
    if u.actual_date is not None:
        status = MilestoneStatus.COMPLETE
    forecast = u.forecast_date or u.actual_date or m.forecast_date
    actual = u.actual_date if u.actual_date is not None else m.actual_date
    status = status or m.status
    m.forecast_date, m.actual_date, m.status = forecast, actual, status
    rev = MilestoneRevision(
        milestone_id=m.id, revised_on=today, forecast_date=forecast, actual_date=actual,
        status=status, note=u.reason.strip(), recorded_by=viewer.user_key,
    )  # fmt: skip
    session.add(rev)
    session.flush()
    bump_data_version(session)  # every process's pages re-read the plan on their next rerun
    return rev.id
