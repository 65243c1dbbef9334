"""Programmes, cohorts and (pseudonymised) people, and each programme's plan milestones.

Milestones live here because ``Programme.milestones`` and ``Milestone.programme``
refer to each other; one module keeps the import graph acyclic.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from qinet.domain import (
    EnrolmentStatus,
    MilestoneStatus,
    ParticipantRole,
    ProgrammeKind,
)
from qinet.models.base import Base, enum_column


class Programme(Base):
    """A scheme, collaborative, network or community of practice."""

    __tablename__ = "programme"
    __table_args__ = (
        sa.CheckConstraint("ends_on IS NULL OR ends_on >= starts_on", name="ends_after_start"),
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
