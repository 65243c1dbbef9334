"""Improvement projects, their measures, observations and chart annotations."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from qinet.domain import (
    RATE_MULTIPLIERS,
    AnnotationKind,
    ChartType,
    Frequency,
    ImprovementDirection,
    MeasureType,
    ProjectStatus,
)
from qinet.models.base import Base, enum_column
from qinet.models.programmes import Programme
from qinet.models.reference import Directorate


class Project(Base):
    """A QI project with its aim, team, status and directorate."""

    __tablename__ = "project"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(20), unique=True)
    title: Mapped[str] = mapped_column(sa.String(300))
    aim: Mapped[str] = mapped_column(sa.Text, default="")
    directorate_id: Mapped[int] = mapped_column(sa.ForeignKey("directorate.id"), index=True)
    programme_id: Mapped[int | None] = mapped_column(sa.ForeignKey("programme.id"), index=True)
    cohort_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cohort.id"), index=True)
    lead_participant_id: Mapped[int | None] = mapped_column(sa.ForeignKey("participant.id"))
    status: Mapped[ProjectStatus] = mapped_column(enum_column(ProjectStatus))
    started_on: Mapped[date] = mapped_column(sa.Date)

    directorate: Mapped[Directorate] = relationship()
    programme: Mapped[Programme | None] = relationship()
    measures: Mapped[list[Measure]] = relationship(back_populates="project")
    members: Mapped[list[ProjectMember]] = relationship(
        back_populates="project", cascade="all, delete-orphan"
    )
    progress_scores: Mapped[list[ProgressScore]] = relationship(
        back_populates="project", cascade="all, delete-orphan"
    )


class ProjectMember(Base):
    """A participant on a project team."""

    __tablename__ = "project_member"

    project_id: Mapped[int] = mapped_column(sa.ForeignKey("project.id"), primary_key=True)
    participant_id: Mapped[int] = mapped_column(sa.ForeignKey("participant.id"), primary_key=True)
    team_role: Mapped[str] = mapped_column(sa.String(60), default="member")

    project: Mapped[Project] = relationship(back_populates="members")


class ProgressScore(Base):
    """A dated score on the IHI project progress scale (0.5 to 5.0 in steps of 0.5)."""

    __tablename__ = "progress_score"
    __table_args__ = (
        sa.UniqueConstraint("project_id", "scored_on"),
        sa.CheckConstraint("score >= 0.5 AND score <= 5.0", name="ihi_scale"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("project.id"), index=True)
    scored_on: Mapped[date] = mapped_column(sa.Date)
    score: Mapped[float] = mapped_column(sa.Float)

    project: Mapped[Project] = relationship(back_populates="progress_scores")


class ProjectUpdate(Base):
    """A lead's recorded change of a project's progress score or status, with their note.

    Kept for the history: a new score also writes a ``progress_score`` row (the
    score series charts read); this row says who recorded it, when and why, and
    is the only record of status changes.
    """

    __tablename__ = "project_update"
    __table_args__ = (
        sa.CheckConstraint("score IS NULL OR (score >= 0.5 AND score <= 5.0)", name="ihi_scale"),
        sa.CheckConstraint("score IS NOT NULL OR status IS NOT NULL", name="changes_something"),
        sa.CheckConstraint("note <> ''", name="note_required"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("project.id"), index=True)
    recorded_on: Mapped[date] = mapped_column(sa.Date)
    recorded_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    recorded_by: Mapped[str] = mapped_column(sa.String(200))
    score: Mapped[float | None] = mapped_column(sa.Float)
    previous_score: Mapped[float | None] = mapped_column(sa.Float)
    status: Mapped[ProjectStatus | None] = mapped_column(enum_column(ProjectStatus))
    previous_status: Mapped[ProjectStatus | None] = mapped_column(
        enum_column(ProjectStatus, name="previous_projectstatus")
    )
    note: Mapped[str] = mapped_column(sa.String(1000))


class Measure(Base):
    """One project measure: what is counted, how often, how it is charted, which way is better."""

    __tablename__ = "measure"
    __table_args__ = (
        sa.UniqueConstraint("project_id", "name"),
        # Target of observation's (measure_id, chart_type) key: see Observation.
        sa.UniqueConstraint("id", "chart_type"),
        sa.CheckConstraint(
            "baseline_points IS NULL OR baseline_points >= 12", name="baseline_at_least_12"
        ),
        sa.CheckConstraint(
            "multiplier IN (" + ", ".join(str(m) for m in RATE_MULTIPLIERS) + ")",
            name="multiplier_allowed",
        ),
        sa.CheckConstraint("multiplier = 1 OR chart_type = 'u'", name="multiplier_only_for_rates"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("project.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    definition: Mapped[str] = mapped_column(sa.Text, default="")
    measure_type: Mapped[MeasureType] = mapped_column(enum_column(MeasureType))
    unit: Mapped[str] = mapped_column(sa.String(60), default="")
    frequency: Mapped[Frequency] = mapped_column(enum_column(Frequency))
    chart_type: Mapped[ChartType] = mapped_column(enum_column(ChartType))
    improvement_direction: Mapped[ImprovementDirection] = mapped_column(
        enum_column(ImprovementDirection)
    )
    target: Mapped[float | None] = mapped_column(sa.Float)
    baseline_points: Mapped[int | None] = mapped_column(sa.Integer)
    # A u chart's rate is shown per this many units of exposure ("per 1,000 bed days");
    # statistics run on the raw rate, values are scaled for display. Targets are stored
    # on the displayed scale (1.2 falls per 1,000 bed days).
    multiplier: Mapped[int] = mapped_column(sa.Integer, default=1, server_default="1")

    project: Mapped[Project] = relationship(back_populates="measures")
    observations: Mapped[list[Observation]] = relationship(
        back_populates="measure", cascade="all, delete-orphan"
    )
    annotations: Mapped[list[Annotation]] = relationship(
        back_populates="measure", cascade="all, delete-orphan"
    )


def _measure_chart_type(context) -> ChartType | None:  # noqa: ANN001 - execution context
    """Default for ``Observation.chart_type``: the chart type of the observation's measure."""
    measure_id = context.get_current_parameters().get("measure_id")
    value = context.connection.scalar(
        sa.select(sa.column("chart_type"))
        .select_from(sa.table("measure"))
        .where(sa.column("id") == measure_id)
    )
    return ChartType(value) if value is not None else None


class Observation(Base):
    """One value of a measure for a period: a value, or a numerator and denominator.

    ``chart_type`` repeats the measure's chart type, kept equal to it by a
    composite foreign key (``ON UPDATE CASCADE``), so the database itself can
    insist that a *proportion* (p chart) never has a numerator above its
    denominator, while a rate (u chart: events per unit of exposure) may exceed 1.
    It is filled in from the measure when not given.
    """

    __tablename__ = "observation"
    __table_args__ = (
        sa.UniqueConstraint("measure_id", "period_start"),
        sa.ForeignKeyConstraint(
            ["measure_id", "chart_type"],
            ["measure.id", "measure.chart_type"],
            onupdate="CASCADE",
            name="fk_observation_measure_chart_type",
        ),
        sa.CheckConstraint("denominator IS NULL OR denominator > 0", name="denominator_positive"),
        sa.CheckConstraint("numerator IS NULL OR numerator >= 0", name="numerator_non_negative"),
        sa.CheckConstraint(
            "chart_type <> 'p' OR numerator IS NULL OR denominator IS NULL "
            "OR numerator <= denominator",
            name="proportion_within_denominator",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    measure_id: Mapped[int] = mapped_column(index=True)  # in the composite key above
    chart_type: Mapped[ChartType] = mapped_column(
        enum_column(ChartType), default=_measure_chart_type
    )
    period_start: Mapped[date] = mapped_column(sa.Date)
    value: Mapped[float | None] = mapped_column(sa.Float)
    numerator: Mapped[float | None] = mapped_column(sa.Float)
    denominator: Mapped[float | None] = mapped_column(sa.Float)
    note: Mapped[str | None] = mapped_column(sa.String(500))
    # Shown hollow and left out of the limits and rules (MDC ``GhostFlag``).
    ghosted: Mapped[bool] = mapped_column(sa.Boolean, default=False, server_default=sa.false())

    measure: Mapped[Measure] = relationship(back_populates="observations")


class Annotation(Base):
    """A dated change on a measure: a PDSA cycle, a change idea, or a phase break.

    Phase breaks are human decisions: they record who confirmed them and why, and
    are undone by setting ``retracted_at`` (kept for the audit trail, never deleted).
    """

    __tablename__ = "annotation"

    id: Mapped[int] = mapped_column(primary_key=True)
    measure_id: Mapped[int] = mapped_column(sa.ForeignKey("measure.id"), index=True)
    on_date: Mapped[date] = mapped_column(sa.Date)
    kind: Mapped[AnnotationKind] = mapped_column(enum_column(AnnotationKind))
    title: Mapped[str] = mapped_column(sa.String(200))
    detail: Mapped[str] = mapped_column(sa.Text, default="")
    created_by: Mapped[str] = mapped_column(sa.String(200), default="demo")
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    retracted_by: Mapped[str | None] = mapped_column(sa.String(200))
    retracted_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))

    measure: Mapped[Measure] = relationship(back_populates="annotations")
