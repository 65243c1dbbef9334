"""Access: roles held by signed-in people."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from qinet.domain import (
    Role,
)
from qinet.models.base import Base, enum_column


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
    key_type: Mapped[str] = mapped_column(sa.String(16), default="email", server_default="email")
    role: Mapped[Role] = mapped_column(enum_column(Role))
    directorate_id: Mapped[int | None] = mapped_column(sa.ForeignKey("directorate.id"))
    programme_id: Mapped[int | None] = mapped_column(sa.ForeignKey("programme.id"))
