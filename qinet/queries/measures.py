"""One measure's data, scoped to the viewer: header, observations, annotations, milestones.

Every statement here reaches a measure only through :func:`qinet.queries.scope.scoped_projects`,
so a directorate lead cannot open another directorate's measure by id (in a URL or
otherwise): an out-of-scope id reads as "not found".

Phase breaks are human decisions stored as annotations. :func:`confirm_phase_break` and
:func:`undo_phase_break` are the only writers; both need ``viewer.can_confirm_phases``
(admins and programme leads), and an undo keeps the row (``retracted_by`` /
``retracted_at``) for the audit trail.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.orm import Session

from qinet.access import Viewer
from qinet.domain import AnnotationKind
from qinet.errors import NotFoundError, NotPermittedError, PhaseBreakError
from qinet.filters import Filters
from qinet.models import Annotation, Measure, Milestone, Observation, Project
from qinet.queries.projects import measures_stmt
from qinet.queries.scope import date_bounds, frame, scoped_projects
from qinet.queries.version import bump_data_version

REASON_MAX_CHARS = 2000  # the detail text of a phase-break annotation
TITLE_MAX_CHARS = 200  # Annotation.title is String(200)
NO_FILTERS = Filters()


def _in_scope(viewer: Viewer, f: Filters) -> sa.ColumnElement[bool]:
    return Measure.project_id.in_(scoped_projects(viewer, f).scalar_subquery())


def measure_options_stmt(viewer: Viewer, f: Filters) -> sa.Select:
    """Every measure the viewer may see under the filters, for the picker (one query).

    Args:
        viewer: Who is looking (scope enforced).
        f: Organisation, directorate, programme and cohort filters.

    Returns:
        The columns of :func:`qinet.queries.projects.measures_stmt`, ordered by project
        code and measure name.
    """
    return measures_stmt(viewer, f)


def measure_header_stmt(viewer: Viewer, measure_id: int, f: Filters = NO_FILTERS) -> sa.Select:
    """One measure's definition and its project's labels, if the viewer may see it.

    Args:
        viewer: Who is looking.
        measure_id: The measure.
        f: Filters (the page passes the sidebar filters; writers pass none).

    Returns:
        The :func:`~qinet.queries.projects.measures_stmt` columns plus ``definition``
        and ``programme_id``, for at most one row.
    """
    return (
        measures_stmt(viewer, f)
        .add_columns(Measure.definition, Project.programme_id)
        .where(Measure.id == measure_id)
    )


def measure_header(
    session: Session, viewer: Viewer, measure_id: int, f: Filters = NO_FILTERS
) -> dict:
    """Run :func:`measure_header_stmt`.

    Returns:
        The row as a dict.

    Raises:
        NotFoundError: No such measure, or it is outside the viewer's scope or filters.
    """
    row = session.execute(measure_header_stmt(viewer, measure_id, f)).mappings().first()
    if row is None:
        raise NotFoundError(
            f"measure {measure_id} does not exist or is not available to you with these filters"
        )
    return dict(row)


def observations_stmt(
    viewer: Viewer, measure_id: int, f: Filters = NO_FILTERS, today: date | None = None
) -> sa.Select:
    """A measure's observations in period order, limited to the period filter.

    Args:
        viewer: Who is looking (scope enforced).
        measure_id: The measure.
        f: Filters; ``period`` limits the dates when ``today`` is given.
        today: Reference date for relative periods (``Last 12 months``).

    Returns:
        ``period_start``, ``value``, ``numerator``, ``denominator``, ``note``, ``ghosted``.
    """
    stmt = (
        sa.select(
            Observation.period_start,
            Observation.value,
            Observation.numerator,
            Observation.denominator,
            Observation.note,
            Observation.ghosted,
        )
        .join(Measure, Observation.measure_id == Measure.id)
        .where(Observation.measure_id == measure_id, _in_scope(viewer, f))
        .order_by(Observation.period_start)
    )
    if today is not None:
        start, end = date_bounds(f, today)
        if start is not None:
            stmt = stmt.where(Observation.period_start >= start)
        if end is not None:
            stmt = stmt.where(Observation.period_start <= end)
    return stmt


def observations(
    session: Session,
    viewer: Viewer,
    measure_id: int,
    f: Filters = NO_FILTERS,
    today: date | None = None,
) -> pd.DataFrame:
    """Run :func:`observations_stmt` into a DataFrame."""
    return frame(session, observations_stmt(viewer, measure_id, f, today))


def annotations_stmt(
    viewer: Viewer, measure_id: int, *, include_retracted: bool = False
) -> sa.Select:
    """A measure's annotations (active ones unless asked), in date order.

    Args:
        viewer: Who is looking (scope enforced).
        measure_id: The measure.
        include_retracted: Also return undone phase breaks (the audit trail).

    Returns:
        ``annotation_id``, ``on_date``, ``kind``, ``title``, ``detail``, ``created_by``,
        ``created_at``, ``retracted_by``, ``retracted_at``.
    """
    stmt = (
        sa.select(
            Annotation.id.label("annotation_id"),
            Annotation.on_date,
            Annotation.kind,
            Annotation.title,
            Annotation.detail,
            Annotation.created_by,
            Annotation.created_at,
            Annotation.retracted_by,
            Annotation.retracted_at,
        )
        .join(Measure, Annotation.measure_id == Measure.id)
        .where(Annotation.measure_id == measure_id, _in_scope(viewer, NO_FILTERS))
        .order_by(Annotation.on_date, Annotation.id)
    )
    if not include_retracted:
        stmt = stmt.where(Annotation.retracted_at.is_(None))
    return stmt


def annotations(
    session: Session, viewer: Viewer, measure_id: int, *, include_retracted: bool = False
) -> pd.DataFrame:
    """Run :func:`annotations_stmt`; ``kind`` comes back as its string value."""
    df = frame(session, annotations_stmt(viewer, measure_id, include_retracted=include_retracted))
    if len(df):
        df["kind"] = df["kind"].map(lambda k: AnnotationKind(k).value)
    return df


def milestones_stmt(viewer: Viewer, measure_id: int) -> sa.Select:
    """Milestones of the programme the measure's project belongs to.

    Args:
        viewer: Who is looking (scope enforced through the measure).
        measure_id: The measure.

    Returns:
        ``milestone_id``, ``title``, ``on_date`` (actual date, else the current
        forecast), ``baseline_date``, ``forecast_date``, ``actual_date``, ``status``.
    """
    return (
        sa.select(
            Milestone.id.label("milestone_id"),
            Milestone.title,
            sa.func.coalesce(Milestone.actual_date, Milestone.forecast_date).label("on_date"),
            Milestone.baseline_date,
            Milestone.forecast_date,
            Milestone.actual_date,
            Milestone.status,
        )
        .join(Project, Project.programme_id == Milestone.programme_id)
        .join(Measure, Measure.project_id == Project.id)
        .where(Measure.id == measure_id, _in_scope(viewer, NO_FILTERS))
        .order_by(sa.func.coalesce(Milestone.actual_date, Milestone.forecast_date), Milestone.id)
    )


def milestones(session: Session, viewer: Viewer, measure_id: int) -> pd.DataFrame:
    """Run :func:`milestones_stmt`; ``status`` comes back as its string value."""
    df = frame(session, milestones_stmt(viewer, measure_id))
    if len(df):
        df["status"] = df["status"].map(str)
    return df


# --- writers ------------------------------------------------------------------------------


def _require_permission(viewer: Viewer, action: str) -> None:
    if not viewer.can_confirm_phases:
        raise NotPermittedError(
            f"only a programme lead or an administrator can {action} a phase break"
        )


def _scoped_measure(session: Session, viewer: Viewer, measure_id: int) -> Measure:
    measure = session.scalars(
        sa.select(Measure).where(Measure.id == measure_id, _in_scope(viewer, NO_FILTERS))
    ).first()
    if measure is None:
        raise NotFoundError(f"measure {measure_id} does not exist or is not available to you")
    return measure


def _phase_sizes(periods: list[date], starts: list[date]) -> list[int]:
    """Points in each phase when phases start at the first period on or after each date."""
    cuts = sorted({0, *(sum(p < s for p in periods) for s in starts), len(periods)})
    return [b - a for a, b in zip(cuts, cuts[1:], strict=False)]


def confirm_phase_break(
    session: Session,
    viewer: Viewer,
    measure_id: int,
    on_date: date,
    reason: str,
    *,
    min_points_per_phase: int = 0,
    preset_label: str = "",
    now: datetime | None = None,
) -> Annotation:
    """Record a lead's decision that a new phase (recalculated limits) starts on a date.

    Args:
        session: An open session (the caller commits, through ``db.session_scope``).
        viewer: Who is confirming; must be an admin or a programme lead.
        measure_id: The measure.
        on_date: The first period of the new phase (a period with data, after the first).
        reason: Why the process changed (required; shown on the chart and in the audit).
        min_points_per_phase: The preset's minimum points in every phase (Making Data
            Count: 12); 0 for none.
        preset_label: The preset's name, for the message when the minimum is broken.
        now: Timestamp to record (defaults to the current UTC time).

    Returns:
        The new (flushed) annotation.

    Raises:
        NotPermittedError: The viewer cannot confirm phases.
        NotFoundError: The measure does not exist or is outside the viewer's scope.
        PhaseBreakError: No reason, a date outside the data, a break already there, or a
            phase left shorter than ``min_points_per_phase``.
    """
    _require_permission(viewer, "confirm")
    measure = _scoped_measure(session, viewer, measure_id)
    text = " ".join((reason or "").split())
    if not text:
        raise PhaseBreakError("a reason is required: say what changed in the process")
    if len(text) > REASON_MAX_CHARS:
        raise PhaseBreakError(
            f"the reason is too long ({len(text)} characters; at most {REASON_MAX_CHARS})"
        )
    periods = list(
        session.scalars(
            sa.select(Observation.period_start)
            .where(Observation.measure_id == measure.id)
            .order_by(Observation.period_start)
        )
    )
    if len(periods) < 2 or not periods[0] < on_date <= periods[-1]:
        span = f"{periods[0]:%d %b %Y} to {periods[-1]:%d %b %Y}" if periods else "none"
        raise PhaseBreakError(
            f"{on_date:%d %b %Y} is not inside this measure's data (periods {span}); a new "
            "phase must start after the first period and no later than the last"
        )
    existing = list(
        session.scalars(
            sa.select(Annotation.on_date).where(
                Annotation.measure_id == measure.id,
                Annotation.kind == AnnotationKind.PHASE_BREAK,
                Annotation.retracted_at.is_(None),
            )
        )
    )
    snapped = next(p for p in periods if p >= on_date)
    if any(next((p for p in periods if p >= d), None) == snapped for d in existing):
        raise PhaseBreakError(f"a phase already starts at {snapped:%d %b %Y}")
    if min_points_per_phase:
        sizes = _phase_sizes(periods, [*existing, on_date])
        if min(sizes) < min_points_per_phase:
            who = preset_label or "The chosen rules"
            raise PhaseBreakError(
                f"{who} needs at least {min_points_per_phase} points in each phase; a break on "
                f"{snapped:%d %b %Y} would leave phases of {', '.join(map(str, sizes))} points"
            )
    title = _title(text)
    annotation = Annotation(
        measure_id=measure.id,
        on_date=snapped,
        kind=AnnotationKind.PHASE_BREAK,
        title=title,
        detail=text,
        created_by=viewer.user_key,
        created_at=now or datetime.now(UTC),
    )
    session.add(annotation)
    session.flush()
    bump_data_version(session)  # pages re-read on their next rerun
    return annotation


def _title(text: str) -> str:
    return text if len(text) <= TITLE_MAX_CHARS else text[: TITLE_MAX_CHARS - 1] + "…"


def undo_phase_break(
    session: Session, viewer: Viewer, annotation_id: int, *, now: datetime | None = None
) -> Annotation:
    """Retract a confirmed phase break (kept, with who undid it and when).

    Args:
        session: An open session (the caller commits).
        viewer: Who is undoing; must be an admin or a programme lead.
        annotation_id: The phase-break annotation.
        now: Timestamp to record (defaults to the current UTC time).

    Returns:
        The retracted annotation.

    Raises:
        NotPermittedError: The viewer cannot confirm (or undo) phases.
        NotFoundError: No such annotation, or its measure is outside the viewer's scope.
        PhaseBreakError: It is not a phase break, or it was already undone.
    """
    _require_permission(viewer, "undo")
    annotation = session.scalars(
        sa.select(Annotation)
        .join(Measure, Annotation.measure_id == Measure.id)
        .where(Annotation.id == annotation_id, _in_scope(viewer, NO_FILTERS))
    ).first()
    if annotation is None:
        raise NotFoundError(f"annotation {annotation_id} does not exist or is not available to you")
    if annotation.kind is not AnnotationKind.PHASE_BREAK:
        raise PhaseBreakError(
            f"annotation {annotation_id} is a {annotation.kind.value}, not a phase break"
        )
    if annotation.retracted_at is not None:
        raise PhaseBreakError(
            f"the phase break of {annotation.on_date:%d %b %Y} was already undone by "
            f"{annotation.retracted_by}"
        )
    annotation.retracted_by = viewer.user_key
    annotation.retracted_at = now or datetime.now(UTC)
    session.flush()
    bump_data_version(session)
    return annotation


def picker_stmt(viewer: Viewer, f: Filters) -> sa.Select:
    """Projects the viewer may see under the filters, with their measures (if any).

    One row per measure, plus one row (measure columns NULL) for a project with no
    measure yet, so the page can say so.

    Args:
        viewer: Who is looking (scope enforced).
        f: Organisation, directorate, programme and cohort filters.

    Returns:
        ``project_id``, ``project_code``, ``project``, ``measure_id``, ``measure``,
        ``chart_type``, ``unit``, ``improvement_direction``, ``target``,
        ``baseline_points``, ``multiplier``, ``frequency``, ``measure_type``, ordered by
        project code and measure name.
    """
    return (
        sa.select(
            Project.id.label("project_id"),
            Project.code.label("project_code"),
            Project.title.label("project"),
            Measure.id.label("measure_id"),
            Measure.name.label("measure"),
            Measure.chart_type,
            Measure.unit,
            Measure.improvement_direction,
            Measure.target,
            Measure.baseline_points,
            Measure.multiplier,
            Measure.frequency,
            Measure.measure_type,
        )
        .outerjoin(Measure, Measure.project_id == Project.id)
        .where(Project.id.in_(scoped_projects(viewer, f).scalar_subquery()))
        .order_by(Project.code, Measure.name)
    )


def picker(session: Session, viewer: Viewer, f: Filters) -> pd.DataFrame:
    """Run :func:`picker_stmt`; enum columns come back as their string values."""
    df = frame(session, picker_stmt(viewer, f))
    for col in ("chart_type", "improvement_direction", "frequency", "measure_type"):
        if len(df):
            df[col] = df[col].map(
                lambda v: None if v is None else str(v.value if hasattr(v, "value") else v)
            )
    return df
