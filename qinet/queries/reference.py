"""Reference lists for the filters, the data's reference date, and viewer resolution."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from qinet.access import Viewer, parse_role, strongest_role
from qinet.domain import Role
from qinet.filters import Filters
from qinet.models import (
    Cohort,
    DatasetInfo,
    Directorate,
    Organisation,
    Programme,
    StaffGroupRef,
    UserRoleAssignment,
)
from qinet.queries.scope import restrict_directorate, restrict_programme


def reference_date(session: Session, today: date) -> date:
    """The date relative periods are measured from.

    Synthetic demo data is frozen at its own "today" (``DatasetInfo`` key
    ``reference_date``) so "Last 12 months" shows data; real data uses today.

    Args:
        session: Open session.
        today: The real current date.

    Returns:
        The reference date.
    """
    row = session.get(DatasetInfo, "reference_date")
    if row is None:
        return today
    try:
        return date.fromisoformat(row.value)
    except ValueError:
        return today


def organisation_options(session: Session, viewer: Viewer) -> list[str]:
    """Organisations that hold at least one directorate the viewer may see."""
    stmt = sa.select(Organisation.name).join(Directorate).distinct().order_by(Organisation.name)
    stmt = restrict_directorate(stmt, Directorate.id, viewer)
    return list(session.scalars(stmt))


def directorate_options(session: Session, viewer: Viewer, f: Filters) -> list[str]:
    """Directorates the viewer may see, narrowed to the chosen organisation."""
    stmt = sa.select(Directorate.name).join(Organisation).distinct().order_by(Directorate.name)
    stmt = restrict_directorate(stmt, Directorate.id, viewer)
    if f.organisation is not None:
        stmt = stmt.where(Organisation.name == f.organisation)
    return list(session.scalars(stmt))


def programme_options(session: Session, viewer: Viewer) -> list[str]:
    """Programmes the viewer may see."""
    stmt = sa.select(Programme.name).order_by(Programme.name)
    stmt = restrict_programme(stmt, Programme.id, viewer)
    return list(session.scalars(stmt))


def cohort_options(session: Session, viewer: Viewer, f: Filters) -> list[str]:
    """Cohorts of the chosen programme (all visible cohorts when no programme is chosen)."""
    stmt = sa.select(Cohort.name).join(Programme).distinct().order_by(Cohort.name)
    stmt = restrict_programme(stmt, Programme.id, viewer)
    if f.programme is not None:
        stmt = stmt.where(Programme.name == f.programme)
    return list(session.scalars(stmt))


def staff_group_options(session: Session) -> list[str]:
    """Staff-group labels in their conventional order."""
    return list(session.scalars(sa.select(StaffGroupRef.label).order_by(StaffGroupRef.sort_order)))


def first_programme_year(session: Session, today: date) -> int:
    """Financial year in which the earliest programme started (for the period list)."""
    first = session.scalar(sa.select(sa.func.min(Programme.starts_on)))
    if first is None:
        return today.year - 1
    return first.year if first.month >= 4 else first.year - 1


def resolve_viewer(session: Session, user_key: str, token_roles: list[str]) -> Viewer | None:
    """Work out a signed-in user's role and scope from the token and stored assignments.

    The strongest role wins. Directorate leads and viewers see only the
    directorates assigned to them in the database (a token role alone grants no
    directorates); programme leads see only their assigned programmes, across
    every directorate.

    Args:
        session: Open session.
        user_key: The user's email (or OIDC subject), matched case-insensitively.
        token_roles: Values of the ID token's ``roles`` claim.

    Returns:
        The ``Viewer``, or ``None`` when the user holds no role at all.
    """
    rows = session.execute(
        sa.select(
            UserRoleAssignment.role,
            UserRoleAssignment.directorate_id,
            UserRoleAssignment.programme_id,
        ).where(sa.func.lower(UserRoleAssignment.user_key) == user_key.strip().lower())
    ).all()
    roles = [r.role for r in rows] + [r for t in token_roles if (r := parse_role(t))]
    role = strongest_role(roles)
    if role is None:
        return None
    if role is Role.ADMIN:
        return Viewer(user_key=user_key, role=role)
    if role is Role.PROGRAMME_LEAD:
        programmes = frozenset(
            r.programme_id for r in rows if r.role is role and r.programme_id is not None
        )
        return Viewer(user_key=user_key, role=role, programme_ids=programmes)
    directorates = frozenset(
        r.directorate_id
        for r in rows
        if r.role in (Role.DIRECTORATE_LEAD, Role.VIEWER) and r.directorate_id is not None
    )
    return Viewer(user_key=user_key, role=role, directorate_ids=directorates)


def demo_user_keys(session: Session) -> list[str]:
    """Users with stored role assignments (offered as 'view as' in demo mode)."""
    stmt = sa.select(UserRoleAssignment.user_key).distinct().order_by(UserRoleAssignment.user_key)
    return list(session.scalars(stmt))
