"""The programme lead's board-pack commentary: stored per period and scope, audited.

Only admins and programme leads write it; everyone who can open the Overview reads the
commentary for the period and scope they are looking at. Every save adds a row (the newest
is printed) and an ``import_log`` audit row, and bumps the data version, in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from qinet.access import Viewer
from qinet.domain import Role
from qinet.errors import NotPermittedError, QinetError
from qinet.filters import Filters
from qinet.imports import audit
from qinet.models import PackCommentary

MAX_CHARS = 2000
AUDIT_KIND = "pack commentary"


@dataclass(frozen=True)
class Commentary:
    """The commentary printed for a period and scope."""

    text: str
    author: str
    created_at: datetime

    @property
    def byline(self) -> str:
        """``lead@x, 3 Oct 2025`` (who wrote it, and when)."""
        return f"{self.author}, {self.created_at:%d %b %Y}"


def period_label(f: Filters, today: date) -> str:
    """The period the commentary belongs to, e.g. ``Jul 2025 – Sep 2025``."""
    period = f.period_range(today)
    return period.describe() if period else f"All time to {today:%b %Y}"


def scope_description(f: Filters, scope: str = "") -> str:
    """The filters other than the period, naming a scoped viewer's areas."""
    text = f.without("period").describe().removesuffix(" · All time")
    return text.replace("Whole network", scope, 1) if scope else text


def can_write(viewer: Viewer) -> bool:
    """Programme leads and admins write commentary; others read it."""
    return viewer.role in (Role.ADMIN, Role.PROGRAMME_LEAD)


def latest(session: Session, period: str, scope: str) -> Commentary | None:
    """The newest commentary for this period and scope, or ``None``."""
    row = session.execute(
        sa.select(PackCommentary.text, PackCommentary.author, PackCommentary.created_at)
        .where(PackCommentary.period_label == period, PackCommentary.scope_description == scope)
        .order_by(PackCommentary.id.desc())
        .limit(1)
    ).first()
    return Commentary(row[0], row[1], row[2]) if row else None


def save(session: Session, viewer: Viewer, period: str, scope: str, text: str,
         at: datetime | None = None) -> int:  # fmt: skip
    """Store the commentary and its audit row; returns the new row's id.

    Raises:
        NotPermittedError: The viewer is not a programme lead or admin.
        QinetError: The text is empty or longer than ``MAX_CHARS``.
    """
    if not can_write(viewer):
        raise NotPermittedError("Only a programme lead or an admin can write the commentary.")
    clean = text.replace("\r\n", "\n").strip()
    if not clean:
        raise QinetError("Commentary: write at least one sentence (it is empty).")
    if len(clean) > MAX_CHARS:
        raise QinetError(f"Commentary: {len(clean):,} characters; the limit is {MAX_CHARS:,}.")
    when = at or datetime.now(UTC)
    row = PackCommentary(period_label=period[:200], scope_description=scope[:400], text=clean,
                         author=viewer.user_key, created_at=when)  # fmt: skip
    session.add(row)
    session.flush()
    audit.record(session, user_key=viewer.user_key, kind=AUDIT_KIND,
                 file_name=f"{period} · {scope}", added=1, at=when)  # fmt: skip
    return row.id
