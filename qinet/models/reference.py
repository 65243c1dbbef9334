"""Reference data: the organisation, its directorates, staff groups and workforce."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from qinet.domain import (
    OrganisationType,
)
from qinet.models.base import Base, enum_column


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
        sa.CheckConstraint("headcount IS NOT NULL OR fte IS NOT NULL", name="headcount_or_fte"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    directorate_id: Mapped[int | None] = mapped_column(sa.ForeignKey("directorate.id"), index=True)
    staff_group_code: Mapped[str] = mapped_column(sa.ForeignKey("staff_group.code"))
    as_at: Mapped[date] = mapped_column(sa.Date)
    headcount: Mapped[int | None] = mapped_column(sa.Integer)
    fte: Mapped[float | None] = mapped_column(sa.Float)

    directorate: Mapped[Directorate | None] = relationship()
