"""Demo sign-in: the demo users and their roles and scopes."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from qinet.demo.catalogue import (
    PROGRAMMES,
    SUPPORT_SERVICES_PROGRAMME,
)
from qinet.demo.world import World
from qinet.domain import Role

# --- Demo sign-in --------------------------------------------------------------------------

DEMO_USERS: Mapping[str, tuple[Role, tuple[str, ...]]] = MappingProxyType(
    {
        "admin@demo.nhs.example": (Role.ADMIN, ()),
        "programme.lead@demo.nhs.example": (Role.PROGRAMME_LEAD, (SUPPORT_SERVICES_PROGRAMME,)),
        "medicine.lead@demo.nhs.example": (Role.DIRECTORATE_LEAD, ("Medicine",)),
        "estates.viewer@demo.nhs.example": (Role.VIEWER, ("Estates & Facilities",)),
    }
)


def build_access(w: World) -> None:
    """Demo sign-in roles (``DEMO_USERS``), scoped to their programme or directorate."""
    prog_by_name = {p.name: w.prog_id[p.code] for p in PROGRAMMES}
    for email, (role, scopes) in DEMO_USERS.items():
        if not scopes:
            w.add("user_role", id=w.ids("user_role"), user_key=email, role=role,
                  directorate_id=None, programme_id=None)  # fmt: skip
        for scope in scopes:
            if role is Role.PROGRAMME_LEAD:
                w.add("user_role", id=w.ids("user_role"), user_key=email, role=role,
                      directorate_id=None, programme_id=prog_by_name[scope])  # fmt: skip
            else:
                w.add(
                    "user_role",
                    id=w.ids("user_role"),
                    user_key=email,
                    role=role,
                    directorate_id=w.dir_by_name[scope]["id"],
                    programme_id=None,
                )
