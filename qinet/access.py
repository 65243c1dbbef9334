"""Who is looking: the signed-in viewer, their role and their data scope.

Pure value objects. ``qinet.queries`` applies a ``Viewer``'s scope inside every
statement, so a directorate lead can reach no other directorate's rows through
any page, URL parameter or extract.
"""

from __future__ import annotations

from dataclasses import dataclass

from qinet.domain import Role


@dataclass(frozen=True)
class Viewer:
    """The person using the dashboard and what they may see.

    Attributes:
        user_key: The verified email, else the stable sign-in id (audit trails name it).
        role: Their most powerful role.
        directorate_ids: Directorates whose rows they may see; ``None`` means all.
        programme_ids: Programmes whose rows they may see; ``None`` means all.
        demo_mode: True when sign-in is not configured (everyone is an admin).
    """

    user_key: str
    role: Role
    directorate_ids: frozenset[int] | None = None
    programme_ids: frozenset[int] | None = None
    demo_mode: bool = False

    @property
    def is_admin(self) -> bool:
        """Admins see everything and reach the Data page."""
        return self.role is Role.ADMIN

    @property
    def can_confirm_phases(self) -> bool:
        """Phase breaks are confirmed by programme leads and admins only."""
        return self.role in (Role.ADMIN, Role.PROGRAMME_LEAD)

    @property
    def sees_everything(self) -> bool:
        """No directorate or programme restriction applies."""
        return self.directorate_ids is None and self.programme_ids is None

    def describe(self) -> str:
        """e.g. ``Directorate lead (2 directorates)`` for the sidebar."""
        label = self.role.value.replace("_", " ").capitalize()
        if self.directorate_ids is not None:
            n = len(self.directorate_ids)
            return f"{label} ({n} directorate{'s' if n != 1 else ''})"
        if self.programme_ids is not None:
            n = len(self.programme_ids)
            return f"{label} ({n} programme{'s' if n != 1 else ''})"
        return label


ROLE_PRECEDENCE: tuple[Role, ...] = (
    Role.ADMIN,
    Role.PROGRAMME_LEAD,
    Role.DIRECTORATE_LEAD,
    Role.VIEWER,
)

NO_ACCESS = frozenset[int]()


def strongest_role(roles: list[Role]) -> Role | None:
    """The most powerful of several roles, or ``None`` for none.

    Args:
        roles: Roles from the ID token and from stored assignments.

    Returns:
        The first of ``ROLE_PRECEDENCE`` present.
    """
    for role in ROLE_PRECEDENCE:
        if role in roles:
            return role
    return None


def parse_role(text: str) -> Role | None:
    """Map a token claim such as ``"Directorate.Lead"`` or ``"directorate_lead"`` to a Role."""
    key = text.strip().lower().replace(".", "_").replace("-", "_").replace(" ", "_")
    key = key.removeprefix("qinet_")
    try:
        return Role(key)
    except ValueError:
        return None
