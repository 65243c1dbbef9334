"""Staff-group names used by NHS workforce files, mapped to qinet's staff groups.

Ships the NHS Digital workforce-statistics staff groups and the ESR staff groups
(including ESR's truncated forms such as ``Add Prof Scientific and Technic``). An
admin extends or overrides the mapping by importing ``staff_group_aliases`` rows
(table ``staff_group_alias``). National files' ``Unknown`` group maps to an explicit
``unknown`` group, created on first use.

The NHS Digital groups are finer or cut differently from ESR's; where one maps onto
several ESR groups the nearest is used (e.g. *Scientific, therapeutic & technical
staff* → Allied Health Professionals, its largest part). An admin can change that.
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from sqlalchemy.orm import Session

from qinet.domain import StaffGroup
from qinet.models import StaffGroupAlias, StaffGroupRef

UNKNOWN_CODE = "unknown"
UNKNOWN_LABEL = "Unknown / other"

SHIPPED: dict[str, str] = {
    # NHS Digital workforce statistics (staff group)
    "HCHS doctors": StaffGroup.MEDICAL_DENTAL,
    "Nurses & health visitors": StaffGroup.NURSING_MIDWIFERY,
    "Midwives": StaffGroup.NURSING_MIDWIFERY,
    "Ambulance staff": StaffGroup.ALLIED_HEALTH,
    "Scientific, therapeutic & technical staff": StaffGroup.ALLIED_HEALTH,
    "Support to doctors, nurses & midwives": StaffGroup.ADDITIONAL_CLINICAL,
    "Support to ambulance staff": StaffGroup.ADDITIONAL_CLINICAL,
    "Support to ST&T staff": StaffGroup.ADDITIONAL_CLINICAL,
    "Central functions": StaffGroup.ADMIN_CLERICAL,
    "Hotel, property & estates": StaffGroup.ESTATES_ANCILLARY,
    "Senior managers": StaffGroup.ADMIN_CLERICAL,
    "Managers": StaffGroup.ADMIN_CLERICAL,
    "Unknown": UNKNOWN_CODE,
    # ESR staff groups, full and truncated
    "Nursing and Midwifery Registered": StaffGroup.NURSING_MIDWIFERY,
    "Medical and Dental": StaffGroup.MEDICAL_DENTAL,
    "Allied Health Professionals": StaffGroup.ALLIED_HEALTH,
    "Additional Clinical Services": StaffGroup.ADDITIONAL_CLINICAL,
    "Estates and Ancillary": StaffGroup.ESTATES_ANCILLARY,
    "Administrative and Clerical": StaffGroup.ADMIN_CLERICAL,
    "Healthcare Scientists": StaffGroup.HEALTHCARE_SCIENTISTS,
    "Additional Professional Scientific and Technical": StaffGroup.ADD_PROF_SCIENTIFIC,
    "Add Prof Scientific and Technic": StaffGroup.ADD_PROF_SCIENTIFIC,
    "Add Prof Scientific and Technical": StaffGroup.ADD_PROF_SCIENTIFIC,
    "Students": StaffGroup.STUDENTS,
}

# Totals and level-1 groupings in national files: skipped, or they would double count.
AGGREGATES = frozenset(
    {
        "total",
        "all staff groups",
        "all staff",
        "professionally qualified clinical staff",
        "support to clinical staff",
        "nhs infrastructure support",
        "other staff or those with unknown classification",
    }
)


def norm(name: object) -> str:
    """How names compare: lower case, ``&`` as ``and``, single spaces."""
    text = str(name).strip().lower().replace("&", " and ")
    return re.sub(r"[\s_]+", " ", text).strip()


def ensure_unknown(session: Session) -> None:
    """Create the explicit ``Unknown / other`` staff group if it is missing."""
    if session.get(StaffGroupRef, UNKNOWN_CODE) is None:
        top = session.scalar(sa.select(sa.func.max(StaffGroupRef.sort_order))) or 0
        session.add(
            StaffGroupRef(
                code=UNKNOWN_CODE,
                label=UNKNOWN_LABEL,
                is_staff=True,
                hard_to_reach=False,
                sort_order=top + 1,
            )
        )
        session.flush()


def ensure_standard(session: Session) -> None:
    """Add any of qinet's standard staff groups missing from a database loaded by import."""
    have = set(session.scalars(sa.select(StaffGroupRef.code)))
    missing = [g for g in StaffGroup if g.value not in have]
    if not missing:
        return
    top = session.scalar(sa.select(sa.func.max(StaffGroupRef.sort_order))) or 0
    labels = set(session.scalars(sa.select(StaffGroupRef.label)))
    for i, g in enumerate(missing, start=1):
        if g.label in labels:
            continue
        session.add(
            StaffGroupRef(
                code=g.value,
                label=g.label,
                is_staff=g.is_staff,
                hard_to_reach=g.hard_to_reach,
                sort_order=top + i,
            )
        )
    session.flush()


def mapping(session: Session) -> dict[str, str]:
    """Every accepted name (normalised) → staff-group code.

    Codes and labels of the groups in the database, the shipped names, then an
    admin's aliases (which win).
    """
    out: dict[str, str] = {}
    for code, label in session.execute(sa.select(StaffGroupRef.code, StaffGroupRef.label)):
        out[norm(code)] = code
        out[norm(label)] = code
    for name, code in SHIPPED.items():
        out[norm(name)] = str(code)
    for name, code in session.execute(
        sa.select(StaffGroupAlias.name, StaffGroupAlias.staff_group_code)
    ):
        out[norm(name)] = code
    return out


def accepted_names(session: Session) -> list[str]:
    """The names an unmapped group's message lists (labels, then shipped names)."""
    labels = list(
        session.scalars(sa.select(StaffGroupRef.label).order_by(StaffGroupRef.sort_order))
    )
    extra = [n for n in SHIPPED if n not in labels]
    aliases = list(session.scalars(sa.select(StaffGroupAlias.name)))
    return labels + extra + aliases
