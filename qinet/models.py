"""ORM models: the relational schema of qinet (SQLAlchemy 2.x, typed, portable).

Enums are stored as strings (``native_enum=False``) and checked by constraints,
so SQLite and PostgreSQL hold the same values. People are pseudonymised: a
participant has a reference, never a name or an email.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from qinet.domain import (
    RATE_MULTIPLIERS,
    AnnotationKind,
    ChartType,
    EnrolmentStatus,
    EventKind,
    Frequency,
    ImprovementDirection,
    MeasureType,
    MilestoneStatus,
    OrganisationType,
    ParticipantRole,
    ProgrammeKind,
    ProjectStatus,
    Role,
    SurveyKind,
    WaveKind,
)

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def enum_column(enum: type[StrEnum], name: str | None = None) -> sa.Enum:
    """A portable string enum column type storing each member's value.

    Args:
        enum: The domain ``StrEnum``.
        name: Constraint name when one table has two columns of the same enum.

    Returns:
        An ``sa.Enum`` with ``native_enum=False`` and a CHECK constraint.
    """
    return sa.Enum(
        enum,
        native_enum=False,
        create_constraint=True,
        length=32,
        values_callable=lambda members: [m.value for m in members],
        name=name or enum.__name__.lower(),
        validate_strings=True,
    )


class Base(DeclarativeBase):
    """Declarative base with a stable constraint naming convention (for Alembic)."""

    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)

    def __repr__(self) -> str:
        """Show the class and primary key, enough to recognise a row in a log."""
        pk = ", ".join(
            f"{c.key}={getattr(self, c.key, None)!r}" for c in sa.inspect(type(self)).primary_key
        )
        return f"<{type(self).__name__} {pk}>"


# --- Reference data ----------------------------------------------------------


class DatasetInfo(Base):
    """Key/value facts about the database itself (e.g. that it holds synthetic demo data)."""

    __tablename__ = "dataset_info"

    key: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    value: Mapped[str] = mapped_column(sa.String(400))


class Organisation(Base):
    """A trust or partner (primary care, social care, academic, voluntary)."""

    __tablename__ = "organisation"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(20), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200), unique=True)
    kind: Mapped[OrganisationType] = mapped_column(enum_column(OrganisationType))

    directorates: Mapped[list[Directorate]] = relationship(back_populates="organisation")


class Directorate(Base):
    """A unit inside an organisation; the main filter for leads and the unit of scoping."""

    __tablename__ = "directorate"
    __table_args__ = (sa.UniqueConstraint("organisation_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    code: Mapped[str] = mapped_column(sa.String(20), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))

    organisation: Mapped[Organisation] = relationship(back_populates="directorates")


class StaffGroupRef(Base):
    """A staff group (NHS workforce groups plus non-staff partners), keyed by its code."""

    __tablename__ = "staff_group"

    code: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    label: Mapped[str] = mapped_column(sa.String(120), unique=True)
    is_staff: Mapped[bool] = mapped_column(sa.Boolean)
    hard_to_reach: Mapped[bool] = mapped_column(sa.Boolean)
    sort_order: Mapped[int] = mapped_column(sa.Integer)


class WorkforceBaseline(Base):
    """Headcount and FTE by organisation × directorate × staff group at a date (reach denominator).

    ``directorate_id`` is NULL for an organisation-level baseline (national workforce
    statistics have no directorates); such a row counts for its organisation only where the
    organisation has no directorate-level row for that staff group and date. Headcount
    (people) and FTE (contracted hours) are kept apart; either may be missing, not both.
    """

    __tablename__ = "workforce_baseline"
    __table_args__ = (
        sa.UniqueConstraint("directorate_id", "staff_group_code", "as_at"),
        sa.CheckConstraint("headcount >= 0", name="headcount_non_negative"),
        sa.CheckConstraint("fte IS NULL OR fte >= 0", name="fte_non_negative"),
        sa.CheckConstraint(
            "headcount IS NOT NULL OR fte IS NOT NULL", name="headcount_or_fte"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    directorate_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("directorate.id"), index=True
    )
    staff_group_code: Mapped[str] = mapped_column(sa.ForeignKey("staff_group.code"))
    as_at: Mapped[date] = mapped_column(sa.Date)
    headcount: Mapped[int | None] = mapped_column(sa.Integer)
    fte: Mapped[float | None] = mapped_column(sa.Float)

    directorate: Mapped[Directorate | None] = relationship()


# --- Programmes, cohorts, people ---------------------------------------------


class Programme(Base):
    """A scheme, collaborative, network or community of practice."""

    __tablename__ = "programme"
    __table_args__ = (
        sa.CheckConstraint(
            "ends_on IS NULL OR ends_on >= starts_on", name="ends_after_start"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(20), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200), unique=True)
    kind: Mapped[ProgrammeKind] = mapped_column(enum_column(ProgrammeKind))
    lead_organisation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisation.id"))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    starts_on: Mapped[date] = mapped_column(sa.Date)
    ends_on: Mapped[date | None] = mapped_column(sa.Date)

    cohorts: Mapped[list[Cohort]] = relationship(back_populates="programme")
    milestones: Mapped[list[Milestone]] = relationship(back_populates="programme")


class ProgrammeTargetGroup(Base):
    """A staff group a programme is aimed at: its reach is measured against these groups only."""

    __tablename__ = "programme_target_group"

    programme_id: Mapped[int] = mapped_column(sa.ForeignKey("programme.id"), primary_key=True)
    staff_group_code: Mapped[str] = mapped_column(
        sa.ForeignKey("staff_group.code"), primary_key=True
    )


class Cohort(Base):
    """One intake of a programme, with dates and planned places."""

    __tablename__ = "cohort"
    __table_args__ = (
        sa.UniqueConstraint("programme_id", "name"),
        sa.CheckConstraint("ends_on >= starts_on", name="ends_after_start"),
        sa.CheckConstraint("planned_places >= 0", name="places_non_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(sa.ForeignKey("programme.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    starts_on: Mapped[date] = mapped_column(sa.Date)
    ends_on: Mapped[date] = mapped_column(sa.Date)
    planned_places: Mapped[int] = mapped_column(sa.Integer)

    programme: Mapped[Programme] = relationship(back_populates="cohorts")
    enrolments: Mapped[list[Enrolment]] = relationship(back_populates="cohort")


class Participant(Base):
    """A person taking part, pseudonymised: a reference, never a name or email."""

    __tablename__ = "participant"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(sa.String(40), unique=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    directorate_id: Mapped[int | None] = mapped_column(sa.ForeignKey("directorate.id"), index=True)
    staff_group_code: Mapped[str] = mapped_column(sa.ForeignKey("staff_group.code"), index=True)
    band: Mapped[str | None] = mapped_column(sa.String(20))

    roles: Mapped[list[ParticipantRoleAssignment]] = relationship(
        back_populates="participant", cascade="all, delete-orphan"
    )
    enrolments: Mapped[list[Enrolment]] = relationship(back_populates="participant")


class ParticipantRoleAssignment(Base):
    """A role a participant holds: mentor, Q member, patient partner, improvement connector."""

    __tablename__ = "participant_role"
    __table_args__ = (sa.UniqueConstraint("participant_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(sa.ForeignKey("participant.id"), index=True)
    role: Mapped[ParticipantRole] = mapped_column(enum_column(ParticipantRole))

    participant: Mapped[Participant] = relationship(back_populates="roles")


class Enrolment(Base):
    """A participant in a cohort, with the applied → enrolled → completed/withdrawn funnel."""

    __tablename__ = "enrolment"
    __table_args__ = (
        sa.UniqueConstraint("participant_id", "cohort_id"),
        sa.CheckConstraint(
            "enrolled_on IS NULL OR enrolled_on >= applied_on", name="enrolled_after_applied"
        ),
        sa.CheckConstraint(
            "completed_on IS NULL OR (enrolled_on IS NOT NULL AND completed_on >= enrolled_on)",
            name="completed_after_enrolled",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(sa.ForeignKey("participant.id"), index=True)
    cohort_id: Mapped[int] = mapped_column(sa.ForeignKey("cohort.id"), index=True)
    status: Mapped[EnrolmentStatus] = mapped_column(enum_column(EnrolmentStatus))
    applied_on: Mapped[date] = mapped_column(sa.Date)
    enrolled_on: Mapped[date | None] = mapped_column(sa.Date)
    completed_on: Mapped[date | None] = mapped_column(sa.Date)
    withdrawn_on: Mapped[date | None] = mapped_column(sa.Date)

    participant: Mapped[Participant] = relationship(back_populates="enrolments")
    cohort: Mapped[Cohort] = relationship(back_populates="enrolments")


# --- Projects and measures ---------------------------------------------------


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
        sa.CheckConstraint(
            "score IS NULL OR (score >= 0.5 AND score <= 5.0)", name="ihi_scale"
        ),
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
        sa.CheckConstraint(
            "multiplier = 1 OR chart_type = 'u'", name="multiplier_only_for_rates"
        ),
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


# --- Surveys -----------------------------------------------------------------


class Survey(Base):
    """A questionnaire: capability self-assessment (paired) or a pulse (snapshots)."""

    __tablename__ = "survey"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), unique=True)
    kind: Mapped[SurveyKind] = mapped_column(enum_column(SurveyKind))
    programme_id: Mapped[int | None] = mapped_column(sa.ForeignKey("programme.id"), index=True)
    anonymous: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    scale_min: Mapped[int] = mapped_column(sa.Integer, default=1)
    scale_max: Mapped[int] = mapped_column(sa.Integer, default=5)
    # The instrument it was built from (qinet/instruments), and its answer labels low → high
    # joined by "|" (one per scale point); both optional for surveys entered by hand.
    instrument: Mapped[str | None] = mapped_column(sa.String(60))
    scale_anchors: Mapped[str | None] = mapped_column(sa.String(600))

    questions: Mapped[list[SurveyQuestion]] = relationship(back_populates="survey")
    waves: Mapped[list[SurveyWave]] = relationship(back_populates="survey")


class SurveyQuestion(Base):
    """One Likert question of a survey."""

    __tablename__ = "survey_question"
    __table_args__ = (sa.UniqueConstraint("survey_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(sa.ForeignKey("survey.id"), index=True)
    code: Mapped[str] = mapped_column(sa.String(20))
    text: Mapped[str] = mapped_column(sa.String(400))
    position: Mapped[int] = mapped_column(sa.Integer)
    # Questions are grouped into domains (a domain score is the mean of its items after
    # reversal); a reverse-scored item is worded so that agreement is the worse state.
    domain: Mapped[str | None] = mapped_column(sa.String(120))
    reverse_scored: Mapped[bool] = mapped_column(
        sa.Boolean, default=False, server_default=sa.false()
    )

    survey: Mapped[Survey] = relationship(back_populates="questions")


class SurveyWave(Base):
    """One administration of a survey (pre, mid, post or a pulse), optionally for a cohort."""

    __tablename__ = "survey_wave"
    __table_args__ = (sa.UniqueConstraint("survey_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(sa.ForeignKey("survey.id"), index=True)
    cohort_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cohort.id"), index=True)
    kind: Mapped[WaveKind] = mapped_column(enum_column(WaveKind))
    name: Mapped[str] = mapped_column(sa.String(120))
    opens_on: Mapped[date] = mapped_column(sa.Date)

    survey: Mapped[Survey] = relationship(back_populates="waves")


class SurveyResponse(Base):
    """One respondent's answers to a wave; linked to a participant only when not anonymous."""

    __tablename__ = "survey_response"

    id: Mapped[int] = mapped_column(primary_key=True)
    wave_id: Mapped[int] = mapped_column(sa.ForeignKey("survey_wave.id"), index=True)
    participant_id: Mapped[int | None] = mapped_column(sa.ForeignKey("participant.id"), index=True)
    staff_group_code: Mapped[str] = mapped_column(sa.ForeignKey("staff_group.code"))
    directorate_id: Mapped[int | None] = mapped_column(sa.ForeignKey("directorate.id"), index=True)
    submitted_on: Mapped[date] = mapped_column(sa.Date)

    answers: Mapped[list[SurveyAnswer]] = relationship(
        back_populates="response", cascade="all, delete-orphan"
    )


class SurveyAnswer(Base):
    """One Likert answer (an integer on the survey's scale)."""

    __tablename__ = "survey_answer"
    __table_args__ = (sa.CheckConstraint("value >= 0 AND value <= 10", name="likert_range"),)

    response_id: Mapped[int] = mapped_column(
        sa.ForeignKey("survey_response.id"), primary_key=True
    )
    question_id: Mapped[int] = mapped_column(sa.ForeignKey("survey_question.id"), primary_key=True)
    value: Mapped[int] = mapped_column(sa.Integer)

    response: Mapped[SurveyResponse] = relationship(back_populates="answers")


# --- Events ------------------------------------------------------------------


class Event(Base):
    """A learning session, training day, world café, festival or hack day."""

    __tablename__ = "event"

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int | None] = mapped_column(sa.ForeignKey("programme.id"), index=True)
    directorate_id: Mapped[int | None] = mapped_column(sa.ForeignKey("directorate.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    kind: Mapped[EventKind] = mapped_column(enum_column(EventKind))
    held_on: Mapped[date] = mapped_column(sa.Date)
    open_event: Mapped[bool] = mapped_column(sa.Boolean, default=False)


class EventAttendance(Base):
    """A named (pseudonymised) participant attending an event."""

    __tablename__ = "event_attendance"

    event_id: Mapped[int] = mapped_column(sa.ForeignKey("event.id"), primary_key=True)
    participant_id: Mapped[int] = mapped_column(sa.ForeignKey("participant.id"), primary_key=True)


class EventGroupCount(Base):
    """Attendance at an open event counted by staff group (no individuals recorded)."""

    __tablename__ = "event_group_count"
    __table_args__ = (sa.CheckConstraint("attendees >= 0", name="attendees_non_negative"),)

    event_id: Mapped[int] = mapped_column(sa.ForeignKey("event.id"), primary_key=True)
    staff_group_code: Mapped[str] = mapped_column(
        sa.ForeignKey("staff_group.code"), primary_key=True
    )
    attendees: Mapped[int] = mapped_column(sa.Integer)


# --- Plan --------------------------------------------------------------------


class Milestone(Base):
    """An item in a programme's plan: baseline date, current forecast, actual, status, owner."""

    __tablename__ = "milestone"
    __table_args__ = (sa.UniqueConstraint("programme_id", "title"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(sa.ForeignKey("programme.id"), index=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    owner: Mapped[str] = mapped_column(sa.String(120))
    baseline_date: Mapped[date] = mapped_column(sa.Date)
    forecast_date: Mapped[date] = mapped_column(sa.Date)
    actual_date: Mapped[date | None] = mapped_column(sa.Date)
    status: Mapped[MilestoneStatus] = mapped_column(enum_column(MilestoneStatus))

    programme: Mapped[Programme] = relationship(back_populates="milestones")
    revisions: Mapped[list[MilestoneRevision]] = relationship(
        back_populates="milestone", cascade="all, delete-orphan"
    )


class MilestoneRevision(Base):
    """A change of forecast or status, kept so slippage over time can be shown."""

    __tablename__ = "milestone_revision"

    id: Mapped[int] = mapped_column(primary_key=True)
    milestone_id: Mapped[int] = mapped_column(sa.ForeignKey("milestone.id"), index=True)
    revised_on: Mapped[date] = mapped_column(sa.Date)
    forecast_date: Mapped[date] = mapped_column(sa.Date)
    status: Mapped[MilestoneStatus] = mapped_column(enum_column(MilestoneStatus))
    note: Mapped[str] = mapped_column(sa.String(400), default="")
    # Who recorded the change (sign-in key, or a team name in the demo data).
    recorded_by: Mapped[str] = mapped_column(sa.String(200), default="", server_default="")
    actual_date: Mapped[date | None] = mapped_column(sa.Date)

    milestone: Mapped[Milestone] = relationship(back_populates="revisions")


# --- Access ------------------------------------------------------------------


class UserRoleAssignment(Base):
    """A role held by a person, optionally scoped; the person is named by ``key_type``.

    ``key_type = 'subject'``: ``user_key`` is the stable id qinet shows a signed-in user
    (``entra:<tid>/<oid>`` or ``<issuer>#<sub>``). ``key_type = 'email'``: ``user_key`` is
    an email, matched (case-insensitively) only when the provider marks it verified.
    A directorate lead or viewer row names a directorate; a programme lead row names
    a programme. A person may hold several rows (several directorates).
    """

    __tablename__ = "user_role"
    __table_args__ = (
        sa.UniqueConstraint("user_key", "role", "directorate_id", "programme_id"),
        sa.CheckConstraint(
            "(role NOT IN ('directorate_lead', 'viewer')) OR directorate_id IS NOT NULL",
            name="scoped_roles_name_directorate",
        ),
        sa.CheckConstraint(
            "role <> 'programme_lead' OR programme_id IS NOT NULL",
            name="programme_lead_names_programme",
        ),
        sa.CheckConstraint("key_type IN ('email', 'subject')", name="key_type_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_key: Mapped[str] = mapped_column(sa.String(200), index=True)
    key_type: Mapped[str] = mapped_column(
        sa.String(16), default="email", server_default="email"
    )
    role: Mapped[Role] = mapped_column(enum_column(Role))
    directorate_id: Mapped[int | None] = mapped_column(sa.ForeignKey("directorate.id"))
    programme_id: Mapped[int | None] = mapped_column(sa.ForeignKey("programme.id"))


# --- Data in -----------------------------------------------------------------


class StaffGroupAlias(Base):
    """A staff-group name used by a source file (NHS Digital, ESR) mapped to a qinet group.

    Names are stored normalised (lower case, single spaces, ``&`` as ``and``). qinet
    ships the published names in code (``qinet.imports.staffgroups``); rows here are
    an admin's additions and override the shipped ones.
    """

    __tablename__ = "staff_group_alias"

    name: Mapped[str] = mapped_column(sa.String(120), primary_key=True)
    staff_group_code: Mapped[str] = mapped_column(sa.ForeignKey("staff_group.code"))


class ImportLog(Base):
    """The audit log: who loaded or changed what, when, from which file, how many rows."""

    __tablename__ = "import_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), index=True)
    user_key: Mapped[str] = mapped_column(sa.String(200), index=True)
    kind: Mapped[str] = mapped_column(sa.String(40))
    file_name: Mapped[str] = mapped_column(sa.String(300), default="")
    sha256: Mapped[str] = mapped_column(sa.String(64), default="")
    rows_added: Mapped[int] = mapped_column(sa.Integer, default=0)
    rows_changed: Mapped[int] = mapped_column(sa.Integer, default=0)
    rows_unchanged: Mapped[int] = mapped_column(sa.Integer, default=0)
    # For a data entry: the observation as it was before (JSON), so it can be undone.
    undo: Mapped[str | None] = mapped_column(sa.Text)
    undone_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))


class DataVersion(Base):
    """One row counting writes; every import or entry bumps it in the same transaction.

    Cached page data is keyed by this number, so the next rerun after any write reads
    fresh data (no timer).
    """

    __tablename__ = "data_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(sa.Integer, default=0)
