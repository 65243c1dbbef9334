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
    Enrolment,
    Organisation,
    Participant,
    Programme,
    Project,
    StaffGroupRef,
    UserRoleAssignment,
)
from qinet.queries.scope import restrict_programme


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


def _visible_directorates(viewer: Viewer) -> sa.Select:
    """Ids of the directorates a scoped viewer's data lives in.

    Directorate-scoped viewers: their directorates. Programme leads: the directorates
    of their programmes' projects. (Unrestricted viewers never call this.)
    """
    if viewer.directorate_ids is not None:
        return sa.select(Directorate.id).where(Directorate.id.in_(sorted(viewer.directorate_ids)))
    return restrict_programme(
        sa.select(Project.directorate_id).distinct(), Project.programme_id, viewer
    )


def _visible_programmes(viewer: Viewer) -> sa.Select:
    """Ids of the programmes a scoped viewer's data belongs to.

    Programme leads: their programmes. Directorate-scoped viewers: programmes with a
    project in their directorates or a participant from them enrolled in a cohort.
    """
    if viewer.programme_ids is not None:
        return sa.select(Programme.id).where(Programme.id.in_(sorted(viewer.programme_ids)))
    dirs = sorted(viewer.directorate_ids or ())
    by_project = sa.select(Project.programme_id).where(Project.directorate_id.in_(dirs))
    by_enrolment = (
        sa.select(Cohort.programme_id)
        .join(Enrolment, Enrolment.cohort_id == Cohort.id)
        .join(Participant, Participant.id == Enrolment.participant_id)
        .where(Participant.directorate_id.in_(dirs))
    )
    return sa.union(by_project, by_enrolment)


def _visible_cohorts(viewer: Viewer) -> sa.Select:
    """Ids of the cohorts a scoped viewer's data belongs to (see ``_visible_programmes``)."""
    if viewer.programme_ids is not None:
        return sa.select(Cohort.id).where(Cohort.programme_id.in_(sorted(viewer.programme_ids)))
    dirs = sorted(viewer.directorate_ids or ())
    by_project = sa.select(Project.cohort_id).where(Project.directorate_id.in_(dirs))
    by_enrolment = (
        sa.select(Enrolment.cohort_id)
        .join(Participant, Participant.id == Enrolment.participant_id)
        .where(Participant.directorate_id.in_(dirs))
    )
    return sa.union(by_project, by_enrolment)


def organisation_options(session: Session, viewer: Viewer) -> list[str]:
    """Organisations that hold at least one directorate the viewer may see."""
    stmt = sa.select(Organisation.name).join(Directorate).distinct().order_by(Organisation.name)
    if not viewer.sees_everything:
        stmt = stmt.where(Directorate.id.in_(_visible_directorates(viewer).scalar_subquery()))
    return list(session.scalars(stmt))


def directorate_options(session: Session, viewer: Viewer, f: Filters) -> list[str]:
    """Directorates the viewer's data lives in, narrowed to the chosen organisation."""
    stmt = sa.select(Directorate.name).join(Organisation).distinct().order_by(Directorate.name)
    if not viewer.sees_everything:
        stmt = stmt.where(Directorate.id.in_(_visible_directorates(viewer).scalar_subquery()))
    if f.organisation is not None:
        stmt = stmt.where(Organisation.name == f.organisation)
    return list(session.scalars(stmt))


def programme_options(session: Session, viewer: Viewer) -> list[str]:
    """Programmes the viewer's data belongs to (never other programmes' names)."""
    stmt = sa.select(Programme.name).order_by(Programme.name)
    if not viewer.sees_everything:
        stmt = stmt.where(Programme.id.in_(_visible_programmes(viewer).scalar_subquery()))
    return list(session.scalars(stmt))


def cohort_options(session: Session, viewer: Viewer, f: Filters) -> list[str]:
    """Cohorts of the chosen programme (all visible cohorts when no programme is chosen)."""
    stmt = sa.select(Cohort.name).join(Programme).distinct().order_by(Cohort.name)
    if not viewer.sees_everything:
        stmt = stmt.where(Cohort.id.in_(_visible_cohorts(viewer).scalar_subquery()))
    if f.programme is not None:
        stmt = stmt.where(Programme.name == f.programme)
    return list(session.scalars(stmt))


def staff_group_options(session: Session, viewer: Viewer) -> list[str]:
    """Staff groups of the people in the viewer's scope, in their conventional order."""
    stmt = sa.select(StaffGroupRef.label).order_by(StaffGroupRef.sort_order)
    if not viewer.sees_everything:
        people = sa.select(Participant.staff_group_code)
        if viewer.directorate_ids is not None:
            people = people.where(Participant.directorate_id.in_(sorted(viewer.directorate_ids)))
        else:
            people = people.join(Enrolment, Enrolment.participant_id == Participant.id).where(
                Enrolment.cohort_id.in_(_visible_cohorts(viewer).scalar_subquery())
            )
        stmt = stmt.where(StaffGroupRef.code.in_(people.scalar_subquery()))
    return list(session.scalars(stmt))


def first_programme_year(session: Session, today: date) -> int:
    """Financial year in which the earliest programme started (for the period list)."""
    first = session.scalar(sa.select(sa.func.min(Programme.starts_on)))
    if first is None:
        return today.year - 1
    return first.year if first.month >= 4 else first.year - 1


def resolve_viewer(
    session: Session, subject: str, verified_email: str | None, token_roles: list[str]
) -> Viewer | None:
    """Work out a signed-in user's role and scope from the token and stored assignments.

    ``user_role`` rows match the stable subject (``key_type = 'subject'``) or, only when
    the provider verified it, the email (``key_type = 'email'``, case-insensitive). The
    strongest role wins. Directorate leads and viewers see only the directorates
    assigned to them in the database (a token role alone grants no directorates);
    programme leads see only their assigned programmes, across every directorate.

    Args:
        session: Open session.
        subject: Stable id (``entra:<tid>/<oid>`` or ``<issuer>#<sub>``); "" if none.
        verified_email: The email when verified, else ``None``.
        token_roles: Values of the ID token's ``roles`` claim.

    Returns:
        The ``Viewer``, or ``None`` when the user holds no role at all.
    """
    who = []
    if subject:
        who.append(
            sa.and_(
                UserRoleAssignment.key_type == "subject", UserRoleAssignment.user_key == subject
            )
        )
    if verified_email:
        who.append(
            sa.and_(
                UserRoleAssignment.key_type == "email",
                sa.func.lower(UserRoleAssignment.user_key) == verified_email.strip().lower(),
            )
        )
    rows = []
    if who:
        rows = session.execute(
            sa.select(
                UserRoleAssignment.role,
                UserRoleAssignment.directorate_id,
                UserRoleAssignment.programme_id,
            ).where(sa.or_(*who))
        ).all()
    key = verified_email or subject  # audit trails name a verified email when there is one
    roles = [r.role for r in rows] + [r for t in token_roles if (r := parse_role(t))]
    role = strongest_role(roles)
    if role is None:
        return None
    if role is Role.ADMIN:
        return Viewer(user_key=key, role=role)
    if role is Role.PROGRAMME_LEAD:
        programmes = frozenset(
            r.programme_id for r in rows if r.role is role and r.programme_id is not None
        )
        return Viewer(user_key=key, role=role, programme_ids=programmes)
    directorates = frozenset(
        r.directorate_id
        for r in rows
        if r.role in (Role.DIRECTORATE_LEAD, Role.VIEWER) and r.directorate_id is not None
    )
    return Viewer(user_key=key, role=role, directorate_ids=directorates)


def demo_people(session: Session) -> dict[str, str]:
    """Stored people for demo mode's "View as": ``{label: email}`` in a stable order.

    Labels name the role and areas, e.g. ``Directorate lead — Medicine (demo user 3)``,
    so the picker shows what each preview means rather than an address.
    """
    rows = session.execute(
        sa.select(
            UserRoleAssignment.user_key,
            UserRoleAssignment.role,
            Directorate.name.label("directorate"),
            Programme.name.label("programme"),
        )
        .outerjoin(Directorate, Directorate.id == UserRoleAssignment.directorate_id)
        .outerjoin(Programme, Programme.id == UserRoleAssignment.programme_id)
        .where(UserRoleAssignment.key_type == "email")
        .order_by(UserRoleAssignment.user_key, Directorate.name, Programme.name)
    ).all()
    people: dict[str, tuple[Role, list[str]]] = {}
    for r in rows:
        role, areas = people.setdefault(r.user_key, (r.role, []))
        stronger = strongest_role([role, r.role])
        area = r.directorate or r.programme
        if stronger is not role:
            people[r.user_key] = (r.role, [area] if area else [])
        elif r.role is role and area:
            areas.append(area)
    out: dict[str, str] = {}
    for n, (email, (role, areas)) in enumerate(people.items(), start=1):
        label = role.value.replace("_", " ").capitalize()
        where = f" — {', '.join(areas)}" if areas else ""
        out[f"{label}{where} (demo user {n})"] = email
    return out
