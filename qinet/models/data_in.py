"""Data in: staff-group aliases, the import log and the data version."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from qinet.models.base import Base


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
