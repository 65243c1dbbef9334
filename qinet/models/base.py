"""The declarative base, naming convention and portable enum column type of every model.

Enums are stored as strings (``native_enum=False``) and checked by constraints,
so SQLite and PostgreSQL hold the same values. People are pseudonymised: a
participant has a reference, never a name or an email.
"""

from __future__ import annotations

from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase

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
