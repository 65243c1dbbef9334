"""Events and attendance (named or counted by staff group)."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from qinet.domain import (
    EventKind,
)
from qinet.models.base import Base, enum_column


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
