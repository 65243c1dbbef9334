"""Projects and their measures, scoped to the viewer; the Projects page's reads and writes."""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.orm import Session

from qinet.access import Viewer
from qinet.domain import IHI_PROGRESS_SCORES, AnnotationKind, ProjectStatus, Role
from qinet.errors import InvalidUpdateError, NotFoundError, NotPermittedError
from qinet.filters import Filters
from qinet.models import (
    Annotation,
    Cohort,
    Directorate,
    Measure,
    Milestone,
    Participant,
    Programme,
    ProgressScore,
    Project,
    ProjectMember,
    ProjectUpdate,
    StaffGroupRef,
)
from qinet.queries.scope import frame, raw_frame, scoped_projects
from qinet.queries.version import bump_data_version


def projects_stmt(viewer: Viewer, f: Filters) -> sa.Select:
    """The project register rows the viewer may see under the filters.

    Args:
        viewer: Who is looking.
        f: Filters (organisation, directorate, programme, cohort).

    Returns:
        A statement with id, code, title, status, directorate, programme, started_on.
    """
    return (
        sa.select(
            Project.id.label("project_id"),
            Project.code,
            Project.title,
            Project.status,
            Project.started_on,
            Directorate.id.label("directorate_id"),
            Directorate.name.label("directorate"),
            Programme.id.label("programme_id"),
            Programme.name.label("programme"),
        )
        .join(Directorate, Project.directorate_id == Directorate.id)
        .outerjoin(Programme, Project.programme_id == Programme.id)
        .where(Project.id.in_(scoped_projects(viewer, f).scalar_subquery()))
        .order_by(Project.code)
    )


def measures_stmt(viewer: Viewer, f: Filters) -> sa.Select:
    """Measures of the projects the viewer may see, with their project's labels."""
    return (
        sa.select(
            Measure.id.label("measure_id"),
            Measure.name.label("measure"),
            Measure.measure_type,
            Measure.unit,
            Measure.frequency,
            Measure.chart_type,
            Measure.improvement_direction,
            Measure.target,
            Measure.baseline_points,
            Measure.multiplier,
            Project.id.label("project_id"),
            Project.code.label("project_code"),
            Project.title.label("project"),
            Project.status.label("project_status"),
            Directorate.name.label("directorate"),
            Programme.name.label("programme"),
        )
        .join(Project, Measure.project_id == Project.id)
        .join(Directorate, Project.directorate_id == Directorate.id)
        .outerjoin(Programme, Project.programme_id == Programme.id)
        .where(Project.id.in_(scoped_projects(viewer, f).scalar_subquery()))
        .order_by(Project.code, Measure.name)
    )


def measure_label(project_code: str, measure_name: str) -> str:
    """The one label for a measure in pickers, links and URLs: ``PRJ-012 · Falls per …``.

    The Measures page's URL parameter ``measure`` carries this label, so the
    Overview matrix links to a measure by building the same string.
    """
    return f"{project_code} · {measure_name}"


# --- the Projects page ----------------------------------------------------------------------

NOTE_MAX_CHARS = 1000
UPDATE_ROLES = (Role.ADMIN, Role.PROGRAMME_LEAD, Role.DIRECTORATE_LEAD)
"""Who may record a progress score or status: leads for the projects in their scope, admins."""


def _latest_scores() -> sa.Subquery:
    """Each project's latest progress score and its date (one row per scored project)."""
    last = (
        sa.select(ProgressScore.project_id, sa.func.max(ProgressScore.scored_on).label("on"))
        .group_by(ProgressScore.project_id)
        .subquery()
    )
    return (
        sa.select(ProgressScore.project_id, ProgressScore.score, ProgressScore.scored_on)
        .join(last, sa.and_(last.c.project_id == ProgressScore.project_id,
                            last.c.on == ProgressScore.scored_on))  # fmt: skip
        .subquery()
    )


def project_count(session: Session, viewer: Viewer, f: Filters) -> int:
    """How many projects (any status) the viewer sees under the filters: the tiles' population."""
    stmt = sa.select(sa.func.count()).select_from(scoped_projects(viewer, f).subquery())
    return int(session.execute(stmt).scalar_one())


def register_stmt(viewer: Viewer, f: Filters) -> sa.Select:
    """The Projects register: one row per project in scope and filter, counts done in SQL.

    Returns:
        ``project_id``, ``code``, ``title``, ``status``, ``started_on``, ``directorate``,
        ``programme``, ``cohort``, ``lead_staff_group``, ``lead_hard_to_reach``, ``score``,
        ``scored_on`` (latest score and its date), ``measures`` (number of measures).
    """
    latest = _latest_scores()
    n_measures = (
        sa.select(Measure.project_id, sa.func.count(Measure.id).label("n"))
        .group_by(Measure.project_id)
        .subquery()
    )
    return (
        sa.select(
            Project.id.label("project_id"),
            Project.code,
            Project.title,
            Project.status,
            Project.started_on,
            Directorate.name.label("directorate"),
            Programme.name.label("programme"),
            Cohort.name.label("cohort"),
            StaffGroupRef.label.label("lead_staff_group"),
            StaffGroupRef.hard_to_reach.label("lead_hard_to_reach"),
            latest.c.score,
            latest.c.scored_on,
            sa.func.coalesce(n_measures.c.n, 0).label("measures"),
        )
        .join(Directorate, Project.directorate_id == Directorate.id)
        .outerjoin(Programme, Project.programme_id == Programme.id)
        .outerjoin(Cohort, Project.cohort_id == Cohort.id)
        .outerjoin(Participant, Project.lead_participant_id == Participant.id)
        .outerjoin(StaffGroupRef, Participant.staff_group_code == StaffGroupRef.code)
        .outerjoin(latest, latest.c.project_id == Project.id)
        .outerjoin(n_measures, n_measures.c.project_id == Project.id)
        .where(Project.id.in_(scoped_projects(viewer, f).scalar_subquery()))
        .order_by(Project.code)
    )


def register(session: Session, viewer: Viewer, f: Filters) -> pd.DataFrame:
    """Run :func:`register_stmt` (raw rows: 1,500 projects read in a fraction of the time).

    Status comes back as text, ``lead_hard_to_reach`` as a bool, ``started_on`` and
    ``scored_on`` as dates (the driver returns ISO text on SQLite).
    """
    out = raw_frame(session, register_stmt(viewer, f))
    out["status"] = out["status"].map(str) if len(out) else out["status"]
    out["lead_hard_to_reach"] = out["lead_hard_to_reach"].map(
        lambda v: bool(v) if v is not None and not pd.isna(v) else False)
    for col in ("started_on", "scored_on"):
        out[col] = pd.to_datetime(out[col]).dt.date
    return out


def score_history(session: Session, viewer: Viewer, f: Filters) -> pd.DataFrame:
    """Run :func:`score_history_stmt` (raw rows; ``scored_on`` as a timestamp)."""
    out = raw_frame(session, score_history_stmt(viewer, f))
    out["scored_on"] = pd.to_datetime(out["scored_on"])
    return out


def score_history_stmt(viewer: Viewer, f: Filters) -> sa.Select:
    """Every progress score of the projects in scope and filter (``project_id``, date, score)."""
    return (
        sa.select(ProgressScore.project_id, ProgressScore.scored_on, ProgressScore.score)
        .where(ProgressScore.project_id.in_(scoped_projects(viewer, f).scalar_subquery()))
        .order_by(ProgressScore.project_id, ProgressScore.scored_on)
    )


def _in_scope(viewer: Viewer) -> sa.ColumnElement[bool]:
    """The viewer's scope only (a deep link opens a project whatever the sidebar filters)."""
    return Project.id.in_(scoped_projects(viewer, Filters()).scalar_subquery())


def project_by_code(session: Session, viewer: Viewer, code: str) -> dict | None:
    """One project in the viewer's scope by its code, or None (absent and out of scope alike).

    Returns:
        ``project_id``, ``code``, ``title``, ``aim``, ``status``, ``started_on``,
        ``directorate``, ``programme``, ``cohort``, ``lead_staff_group``.
    """
    stmt = (
        sa.select(
            Project.id.label("project_id"), Project.code, Project.title, Project.aim,
            Project.status, Project.started_on, Directorate.name.label("directorate"),
            Programme.name.label("programme"), Cohort.name.label("cohort"),
            StaffGroupRef.label.label("lead_staff_group"),
        )
        .join(Directorate, Project.directorate_id == Directorate.id)
        .outerjoin(Programme, Project.programme_id == Programme.id)
        .outerjoin(Cohort, Project.cohort_id == Cohort.id)
        .outerjoin(Participant, Project.lead_participant_id == Participant.id)
        .outerjoin(StaffGroupRef, Participant.staff_group_code == StaffGroupRef.code)
        .where(Project.code == code, _in_scope(viewer))
    )  # fmt: skip
    row = session.connection().execute(stmt).mappings().first()
    if row is None:
        return None
    out = dict(row)
    out["status"] = str(out["status"])
    return out


def team(session: Session, viewer: Viewer, project_id: int) -> pd.DataFrame:
    """A project's team: pseudonymous reference, staff group and role on the team."""
    stmt = (
        sa.select(
            Participant.reference,
            StaffGroupRef.label.label("staff_group"),
            ProjectMember.team_role,
        )
        .join(Participant, ProjectMember.participant_id == Participant.id)
        .join(StaffGroupRef, Participant.staff_group_code == StaffGroupRef.code)
        .join(Project, ProjectMember.project_id == Project.id)
        .where(ProjectMember.project_id == project_id, _in_scope(viewer))
        .order_by(sa.case((ProjectMember.team_role == "lead", 0), else_=1), Participant.reference)
    )
    return frame(session, stmt)


def changes(session: Session, viewer: Viewer, project_id: int) -> pd.DataFrame:
    """Change ideas, PDSA cycles and notes on a project's measures, oldest first.

    Returns:
        ``on_date``, ``kind``, ``title``, ``detail``, ``measure``.
    """
    stmt = (
        sa.select(Annotation.on_date, Annotation.kind, Annotation.title, Annotation.detail,
                  Measure.name.label("measure"))
        .join(Measure, Annotation.measure_id == Measure.id)
        .join(Project, Measure.project_id == Project.id)
        .where(
            Measure.project_id == project_id,
            _in_scope(viewer),
            Annotation.kind.in_([AnnotationKind.PDSA, AnnotationKind.CHANGE_IDEA,
                                 AnnotationKind.NOTE]),
            Annotation.retracted_at.is_(None),
        )
        .order_by(Annotation.on_date, Annotation.id)
    )  # fmt: skip
    out = frame(session, stmt)
    if len(out):
        out["kind"] = out["kind"].map(lambda k: AnnotationKind(k).value)
    return out


def project_milestones(session: Session, viewer: Viewer, project_id: int) -> pd.DataFrame:
    """The milestones of the project's programme (the plan the project works to)."""
    stmt = (
        sa.select(Milestone.id.label("milestone_id"), Milestone.title, Milestone.owner,
                  Milestone.baseline_date, Milestone.forecast_date, Milestone.actual_date,
                  Milestone.status)
        .join(Project, Project.programme_id == Milestone.programme_id)
        .where(Project.id == project_id, _in_scope(viewer))
        .order_by(Milestone.forecast_date, Milestone.id)
    )  # fmt: skip
    out = frame(session, stmt)
    if len(out):
        out["status"] = out["status"].map(str)
    return out


def project_measures(session: Session, viewer: Viewer, project_id: int) -> pd.DataFrame:
    """A project's measures (``measure_id``, ``measure``, ``chart_type``), by name."""
    stmt = (
        sa.select(Measure.id.label("measure_id"), Measure.name.label("measure"),
                  Measure.chart_type)
        .join(Project, Measure.project_id == Project.id)
        .where(Measure.project_id == project_id, _in_scope(viewer))
        .order_by(Measure.name)
    )  # fmt: skip
    out = frame(session, stmt)
    if len(out):
        out["chart_type"] = out["chart_type"].map(str)
    return out


def project_scores(session: Session, viewer: Viewer, project_id: int) -> pd.DataFrame:
    """A project's progress-score history (``scored_on``, ``score``), oldest first."""
    stmt = (
        sa.select(ProgressScore.scored_on, ProgressScore.score)
        .join(Project, ProgressScore.project_id == Project.id)
        .where(ProgressScore.project_id == project_id, _in_scope(viewer))
        .order_by(ProgressScore.scored_on)
    )
    return frame(session, stmt)


def project_updates(session: Session, viewer: Viewer, project_id: int) -> pd.DataFrame:
    """Recorded updates of a project's score or status, newest first."""
    stmt = (
        sa.select(ProjectUpdate.recorded_on, ProjectUpdate.recorded_by, ProjectUpdate.score,
                  ProjectUpdate.previous_score, ProjectUpdate.status,
                  ProjectUpdate.previous_status, ProjectUpdate.note)
        .join(Project, ProjectUpdate.project_id == Project.id)
        .where(ProjectUpdate.project_id == project_id, _in_scope(viewer))
        .order_by(ProjectUpdate.recorded_at.desc(), ProjectUpdate.id.desc())
    )  # fmt: skip
    out = frame(session, stmt)
    for col in ("status", "previous_status"):
        if len(out):
            out[col] = out[col].map(lambda v: None if v is None else str(v))
    return out


def can_update(viewer: Viewer) -> bool:
    """Leads and admins record scores; viewers only read."""
    return viewer.role in UPDATE_ROLES


def update_problems(score: float | None, status: str | None, note: str,
                    current_score: float | None, current_status: str) -> list[str]:  # fmt: skip
    """What is wrong with a proposed update, in words (empty when it may be saved)."""
    problems = []
    if score is not None and float(score) not in IHI_PROGRESS_SCORES:
        problems.append(f"Score {score} is not on the IHI scale (0.5 to 5.0 in steps of 0.5).")
    if status is not None and status not in {s.value for s in ProjectStatus}:
        problems.append(f"Status {status!r} is not a project status.")
    same_score = score is None or (current_score is not None and float(score) == current_score)
    if same_score and (status is None or status == current_status):
        problems.append("Nothing to record: choose a new score or a new status.")
    if not note.strip():
        problems.append("A note is required: say what the score or status is based on.")
    elif len(note.strip()) > NOTE_MAX_CHARS:
        problems.append(f"The note is {len(note.strip()):,} characters; at most "
                        f"{NOTE_MAX_CHARS:,} are kept.")  # fmt: skip
    return problems


def record_update(
    session: Session, viewer: Viewer, project_id: int, *, score: float | None,
    status: str | None, note: str, on: date, at: datetime,
) -> None:  # fmt: skip
    """Record a new progress score and/or status with a note; the history is kept.

    A new score adds a ``progress_score`` row dated ``on`` (a second score the same day
    replaces that day's score; both updates stay in ``project_update``). A status change
    updates the project and is recorded in ``project_update`` with the previous status.

    Raises:
        NotPermittedError: The viewer is not a lead or an administrator.
        NotFoundError: The project is not in the viewer's scope.
        InvalidUpdateError: The update is not valid (:func:`update_problems`).
    """
    if not can_update(viewer):
        raise NotPermittedError(
            "only the project's directorate lead, programme lead or an administrator can "
            "record a progress score or status"
        )
    project = session.scalars(
        sa.select(Project).where(Project.id == project_id, _in_scope(viewer))
    ).first()
    if project is None:
        raise NotFoundError("this project is not available to you")
    current = session.execute(
        sa.select(ProgressScore.score).where(ProgressScore.project_id == project_id)
        .order_by(ProgressScore.scored_on.desc()).limit(1)
    ).scalar()  # fmt: skip
    problems = update_problems(score, status, note, current, str(project.status))
    if problems:
        raise InvalidUpdateError(" ".join(problems))
    new_score = None if score is None or (current is not None and float(score) == current) \
        else float(score)  # fmt: skip
    new_status = None if status is None or status == str(project.status) else status
    if new_score is not None:
        same_day = session.scalars(
            sa.select(ProgressScore).where(ProgressScore.project_id == project_id,
                                           ProgressScore.scored_on == on)  # fmt: skip
        ).first()
        if same_day is not None:
            same_day.score = new_score
        else:
            session.add(ProgressScore(project_id=project_id, scored_on=on, score=new_score))
    previous_status = project.status
    if new_status is not None:
        project.status = ProjectStatus(new_status)
    session.add(ProjectUpdate(
        project_id=project_id, recorded_on=on, recorded_at=at, recorded_by=viewer.user_key,
        score=new_score, previous_score=current if new_score is not None else None,
        status=ProjectStatus(new_status) if new_status else None,
        previous_status=previous_status if new_status else None, note=note.strip(),
    ))  # fmt: skip
    session.flush()
    bump_data_version(session)  # every process's pages re-read on their next rerun
