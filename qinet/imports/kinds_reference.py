"""Import kinds for reference data and people (organisations … enrolments).

Organisations, directorates, staff groups and their aliases, programmes, cohorts,
participants and enrolments; the framework is in ``kinds``.
"""

from __future__ import annotations

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.orm import Session

from qinet import models as m
from qinet.domain import (
    EnrolmentStatus,
    OrganisationType,
    ProgrammeKind,
)
from qinet.imports import staffgroups
from qinet.imports.fields import Field
from qinet.imports.kinds import (
    Context,
    Kind,
    check_dates,
    choice_field,
    cohort_ids,
    date_field,
    directorate_ids,
    organisation_ids,
    pair_key,
    participant_ids,
    programme_ids,
    resolve,
    staff_group_codes,
    text_field,
)
from qinet.imports.problems import Problem

T = m.Base.metadata.tables
KINDS: list[Kind] = []  # in the order the Data page and the CLI list them


def _register(kind: Kind) -> None:
    KINDS.append(kind)


def _organisations(s: Session, df: pd.DataFrame, ctx: Context, p: list[Problem]) -> pd.DataFrame:
    return df[["code", "name", "kind"]]


def _directorates(s: Session, df: pd.DataFrame, ctx: Context, p: list[Problem]) -> pd.DataFrame:
    org = resolve(df, "organisation_code", organisation_ids(s), "organisation code", p)
    return pd.DataFrame({"organisation_id": org, "code": df["code"], "name": df["name"]})


def _staff_groups(s: Session, df: pd.DataFrame, ctx: Context, p: list[Problem]) -> pd.DataFrame:
    out = df[["code", "label", "is_staff", "hard_to_reach", "sort_order"]].copy()
    out["is_staff"] = out["is_staff"].map(lambda v: True if v is None else v)
    out["hard_to_reach"] = out["hard_to_reach"].map(lambda v: False if v is None else v)
    out["sort_order"] = out["sort_order"].map(lambda v: 100 if v is None else v)
    return out


def _aliases(s: Session, df: pd.DataFrame, ctx: Context, p: list[Problem]) -> pd.DataFrame:
    staffgroups.ensure_standard(s)
    codes = {c.lower(): c for c in s.scalars(sa.select(m.StaffGroupRef.code))}
    group = resolve(df, "staff_group_code", codes, "staff group code", p)
    return pd.DataFrame({"name": df["name"].map(staffgroups.norm), "staff_group_code": group})


def _programmes(s: Session, df: pd.DataFrame, ctx: Context, p: list[Problem]) -> pd.DataFrame:
    lead = resolve(df, "lead_organisation_code", organisation_ids(s), "organisation code", p)
    check_dates(df, "starts_on", "ends_on", p)
    out = df[["code", "name", "kind", "starts_on", "ends_on"]].copy()
    out["description"] = df["description"].map(lambda v: v or "")
    out["lead_organisation_id"] = lead
    return out


def _cohorts(s: Session, df: pd.DataFrame, ctx: Context, p: list[Problem]) -> pd.DataFrame:
    prog = resolve(df, "programme_code", programme_ids(s), "programme code", p)
    check_dates(df, "starts_on", "ends_on", p)
    out = df[["name", "starts_on", "ends_on", "planned_places"]].copy()
    out["programme_id"] = prog
    return out


def _participants(s: Session, df: pd.DataFrame, ctx: Context, p: list[Problem]) -> pd.DataFrame:
    org = resolve(df, "organisation_code", organisation_ids(s), "organisation code", p)
    dirs = resolve(df, "directorate_code", directorate_ids(s), "directorate code", p)
    group = staff_group_codes(s, df, "staff_group", p)
    return pd.DataFrame(
        {
            "reference": df["reference"],
            "organisation_id": org,
            "directorate_id": dirs,
            "staff_group_code": group,
            "band": df["band"],
        }
    )


def _enrolments(s: Session, df: pd.DataFrame, ctx: Context, p: list[Problem]) -> pd.DataFrame:
    person = resolve(df, "participant_reference", participant_ids(s), "participant reference", p)
    cohort = resolve(
        df,
        "cohort",
        cohort_ids(s),
        "cohort of that programme",
        p,
        keys=pair_key(df, "programme_code", "cohort"),
    )
    check_dates(df, "applied_on", "enrolled_on", p)
    check_dates(df, "enrolled_on", "completed_on", p)
    bad = df["completed_on"].notna() & df["enrolled_on"].isna()
    for row in df.index[bad]:
        p.append(
            Problem("a completed enrolment needs an enrolled_on date", int(row), "enrolled_on")
        )
    out = df[["status", "applied_on", "enrolled_on", "completed_on", "withdrawn_on"]].copy()
    out["participant_id"] = person
    out["cohort_id"] = cohort
    return out


_register(
    Kind(
        "organisations",
        "Organisations",
        T["organisation"],
        (
            text_field("code", "RXX", "ODS code, unique", n=20),
            text_field("name", "Example Hospitals NHS Trust"),
            choice_field("kind", OrganisationType, "acute_trust"),
        ),
        ("code",),
        ("code",),
        "organisation code",
        _organisations,
    )
)
_register(
    Kind(
        "directorates",
        "Directorates",
        T["directorate"],
        (
            text_field("organisation_code", "RXX", "code of an organisation already loaded", n=20),
            text_field("code", "RXX-MED", "unique code", n=20),
            text_field("name", "Medicine"),
        ),
        ("code",),
        ("code",),
        "directorate code",
        _directorates,
    )
)
_register(
    Kind(
        "staff_groups",
        "Staff groups",
        T["staff_group"],
        (
            text_field("code", "bank_staff", "short code, unique", n=32),
            text_field("label", "Bank staff", n=120),
            Field(
                "is_staff",
                "bool",
                False,
                example="yes",
                note="no for patients, volunteers, partners",
            ),
            Field(
                "hard_to_reach",
                "bool",
                False,
                example="no",
                note="counted in the hard-to-reach tile",
            ),
            Field("sort_order", "int", False, example="20", note="order in tables"),
        ),
        ("code",),
        ("code",),
        "staff-group code",
        _staff_groups,
    )
)
_register(
    Kind(
        "staff_group_aliases",
        "Staff-group names (mapping)",
        T["staff_group_alias"],
        (
            text_field("name", "Bank Nursing", "a name used in workforce files", n=120),
            text_field(
                "staff_group_code", "nursing_midwifery", "the qinet staff group it counts as", n=32
            ),
        ),
        ("name",),
        ("name",),
        "name (case-insensitive)",
        _aliases,
    )
)
_register(
    Kind(
        "programmes",
        "Programmes",
        T["programme"],
        (
            text_field("code", "PRG-X", "unique code", n=20),
            text_field("name", "Example Improvement Programme"),
            choice_field("kind", ProgrammeKind, "collaborative"),
            date_field("starts_on", "2024-04-01"),
            date_field("ends_on", "2026-03-31", required=False),
            text_field("lead_organisation_code", "RXX", "optional", required=False, n=20),
            text_field("description", "A short description", required=False, n=4000),
        ),
        ("code",),
        ("code",),
        "programme code",
        _programmes,
    )
)
_register(
    Kind(
        "cohorts",
        "Cohorts",
        T["cohort"],
        (
            text_field("programme_code", "PRG-X", n=20),
            text_field("name", "Cohort 1", n=120),
            date_field("starts_on", "2024-05-01"),
            date_field("ends_on", "2024-11-30"),
            Field("planned_places", "int", example="24", minimum=0),
        ),
        ("programme_code", "name"),
        ("programme_id", "name"),
        "programme and cohort name",
        _cohorts,
    )
)
_register(
    Kind(
        "participants",
        "Participants",
        T["participant"],
        (
            text_field(
                "reference", "P-90001", "pseudonymous reference; never a name or email", n=40
            ),
            text_field("organisation_code", "RXX", n=20),
            text_field("directorate_code", "RXX-MED", "optional", required=False, n=20),
            text_field(
                "staff_group",
                "Nursing and Midwifery Registered",
                "code, label, NHS Digital or ESR name",
            ),
            text_field("band", "Band 6", required=False, n=20),
        ),
        ("reference",),
        ("reference",),
        "participant reference",
        _participants,
    )
)
_register(
    Kind(
        "enrolments",
        "Enrolments",
        T["enrolment"],
        (
            text_field("participant_reference", "P-90001", n=40),
            text_field("programme_code", "PRG-X", n=20),
            text_field("cohort", "Cohort 1", n=120),
            choice_field("status", EnrolmentStatus, "enrolled"),
            date_field("applied_on", "2024-04-10"),
            date_field("enrolled_on", "2024-05-01", required=False),
            date_field("completed_on", "", required=False),
            date_field("withdrawn_on", "", required=False),
        ),
        ("participant_reference", "programme_code", "cohort"),
        ("participant_id", "cohort_id"),
        "participant and cohort",
        _enrolments,
    )
)
