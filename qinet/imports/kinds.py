"""The import kinds: their columns, natural keys, and how file rows become table rows.

Each kind states its natural key (``Kind.key_note``): a row whose key already exists
updates that row, otherwise a new row is added, so re-importing a file changes nothing.
Names in files (organisation codes, project codes, measure names…) are resolved to ids
here; an unknown one is a row problem naming the value.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.orm import Session

from qinet import models as m
from qinet.domain import (
    AnnotationKind,
    ChartType,
    EnrolmentStatus,
    EventKind,
    Frequency,
    ImprovementDirection,
    MeasureType,
    MilestoneStatus,
    OrganisationType,
    ProgrammeKind,
    ProjectStatus,
    SurveyKind,
    WaveKind,
)
from qinet.imports import staffgroups
from qinet.imports.fields import Field
from qinet.imports.problems import ImportRejected, Problem


@dataclass
class Context:
    """Who is importing and with which options."""

    user_key: str = "cli"
    add_organisations: bool = False
    now: datetime = field(default_factory=lambda: datetime.now(UTC))


Build = Callable[[Session, pd.DataFrame, Context, list[Problem]], pd.DataFrame]


@dataclass(frozen=True)
class Kind:
    """One kind of import.

    Attributes:
        name: As typed on the command line (``observations``).
        label: For people.
        table: The table written.
        fields: The file's columns.
        file_key: Columns that may not repeat within a file.
        key: Table columns of the natural key (upsert on these).
        key_note: The natural key in words.
        build: Typed file rows → table rows (with the key columns); adds row problems.
        insert_only: Columns set on insert but never compared or updated.
    """

    name: str
    label: str
    table: sa.Table
    fields: tuple[Field, ...]
    file_key: tuple[str, ...]
    key: tuple[str, ...]
    key_note: str
    build: Build
    insert_only: tuple[str, ...] = ()


def _choices(enum: type) -> tuple[str, ...]:
    return tuple(e.value for e in enum)


def _ids(session: Session, stmt: sa.Select) -> dict:
    """``{lower-case key: id}`` from a two-column select (key text, id)."""
    return {str(k).strip().lower(): i for k, i in session.execute(stmt)}


def resolve(
    df: pd.DataFrame,
    column: str,
    table: dict,
    what: str,
    problems: list[Problem],
    keys: pd.Series | None = None,
) -> pd.Series:
    """Map a column of names to ids, adding a problem for each unknown name.

    Args:
        df: Typed rows (index = spreadsheet row).
        column: The column reported in problems.
        table: ``{lower-case name: id}``.
        what: Noun for messages (``organisation code``).
        problems: Appended to.
        keys: Lookup keys when they differ from the column (composite keys).

    Returns:
        Ids (``None`` where blank or unknown).
    """
    raw = df[column]
    look = keys if keys is not None else raw.map(lambda v: None if v is None else str(v).lower())
    out = look.map(lambda k: table.get(k) if k is not None else None)
    bad = raw.notna() & out.isna()
    for row in df.index[bad]:
        problems.append(Problem(f"{raw[row]!r} is not a known {what}", row=int(row), column=column))
    return out.astype(object).where(out.notna(), None)


def _pair(df: pd.DataFrame, a: str, b: str) -> pd.Series:
    return pd.Series(
        [
            None if x is None or y is None else f"{str(x).lower()}\x1f{str(y).lower()}"
            for x, y in zip(df[a], df[b], strict=True)
        ],
        index=df.index,
        dtype=object,
    )


def _org_ids(s: Session) -> dict:
    return _ids(s, sa.select(m.Organisation.code, m.Organisation.id))


def _dir_ids(s: Session) -> dict:
    return _ids(s, sa.select(m.Directorate.code, m.Directorate.id))


def _prog_ids(s: Session) -> dict:
    return _ids(s, sa.select(m.Programme.code, m.Programme.id))


def _project_ids(s: Session) -> dict:
    return _ids(s, sa.select(m.Project.code, m.Project.id))


def _participant_ids(s: Session) -> dict:
    return _ids(s, sa.select(m.Participant.reference, m.Participant.id))


def _cohort_ids(s: Session) -> dict:
    rows = s.execute(sa.select(m.Programme.code, m.Cohort.name, m.Cohort.id).join(m.Programme))
    return {f"{p.lower()}\x1f{c.lower()}": i for p, c, i in rows}


def _measure_ids(s: Session) -> dict:
    rows = s.execute(
        sa.select(m.Project.code, m.Measure.name, m.Measure.id, m.Measure.chart_type).join(
            m.Project
        )
    )
    return {f"{p.lower()}\x1f{n.lower()}": (i, ChartType(c).value) for p, n, i, c in rows}


def staff_group_codes(
    s: Session, df: pd.DataFrame, column: str, problems: list[Problem]
) -> pd.Series:
    """Resolve staff-group names (code, label, NHS Digital, ESR or an admin's alias)."""
    staffgroups.ensure_standard(s)
    table = staffgroups.mapping(s)
    if any(table.get(staffgroups.norm(v)) == staffgroups.UNKNOWN_CODE for v in df[column].dropna()):
        staffgroups.ensure_unknown(s)
    out = df[column].map(lambda v: None if v is None else table.get(staffgroups.norm(v)))
    bad = df[column].notna() & out.isna()
    if bad.any():
        names = "; ".join(staffgroups.accepted_names(s))
        for row in df.index[bad]:
            problems.append(
                Problem(
                    f"{df.at[row, column]!r} is not a known staff group (accepted: {names})",
                    row=int(row),
                    column=column,
                )
            )
    return out


def _check_dates(df: pd.DataFrame, before: str, after: str, problems: list[Problem]) -> None:
    bad = df[before].notna() & df[after].notna()
    bad &= pd.Series(
        [
            a is not None and b is not None and b < a
            for a, b in zip(df[before], df[after], strict=True)
        ],
        index=df.index,
    )
    for row in df.index[bad]:
        problems.append(
            Problem(
                f"{df.at[row, after]} is before {before} {df.at[row, before]}",
                row=int(row),
                column=after,
            )
        )


# --- Builders ------------------------------------------------------------------------


def _organisations(s: Session, df: pd.DataFrame, ctx: Context, p: list[Problem]) -> pd.DataFrame:
    return df[["code", "name", "kind"]]


def _directorates(s: Session, df: pd.DataFrame, ctx: Context, p: list[Problem]) -> pd.DataFrame:
    org = resolve(df, "organisation_code", _org_ids(s), "organisation code", p)
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
    lead = resolve(df, "lead_organisation_code", _org_ids(s), "organisation code", p)
    _check_dates(df, "starts_on", "ends_on", p)
    out = df[["code", "name", "kind", "starts_on", "ends_on"]].copy()
    out["description"] = df["description"].map(lambda v: v or "")
    out["lead_organisation_id"] = lead
    return out


def _cohorts(s: Session, df: pd.DataFrame, ctx: Context, p: list[Problem]) -> pd.DataFrame:
    prog = resolve(df, "programme_code", _prog_ids(s), "programme code", p)
    _check_dates(df, "starts_on", "ends_on", p)
    out = df[["name", "starts_on", "ends_on", "planned_places"]].copy()
    out["programme_id"] = prog
    return out


def _participants(s: Session, df: pd.DataFrame, ctx: Context, p: list[Problem]) -> pd.DataFrame:
    org = resolve(df, "organisation_code", _org_ids(s), "organisation code", p)
    dirs = resolve(df, "directorate_code", _dir_ids(s), "directorate code", p)
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
    person = resolve(df, "participant_reference", _participant_ids(s), "participant reference", p)
    cohort = resolve(
        df,
        "cohort",
        _cohort_ids(s),
        "cohort of that programme",
        p,
        keys=_pair(df, "programme_code", "cohort"),
    )
    _check_dates(df, "applied_on", "enrolled_on", p)
    _check_dates(df, "enrolled_on", "completed_on", p)
    bad = df["completed_on"].notna() & df["enrolled_on"].isna()
    for row in df.index[bad]:
        p.append(
            Problem("a completed enrolment needs an enrolled_on date", int(row), "enrolled_on")
        )
    out = df[["status", "applied_on", "enrolled_on", "completed_on", "withdrawn_on"]].copy()
    out["participant_id"] = person
    out["cohort_id"] = cohort
    return out


def _projects(s: Session, df: pd.DataFrame, ctx: Context, p: list[Problem]) -> pd.DataFrame:
    dirs = resolve(df, "directorate_code", _dir_ids(s), "directorate code", p)
    prog = resolve(df, "programme_code", _prog_ids(s), "programme code", p)
    cohort = resolve(
        df,
        "cohort",
        _cohort_ids(s),
        "cohort of that programme",
        p,
        keys=_pair(df, "programme_code", "cohort"),
    )
    lead = resolve(
        df, "lead_participant_reference", _participant_ids(s), "participant reference", p
    )
    out = df[["code", "title", "status", "started_on"]].copy()
    out["aim"] = df["aim"].map(lambda v: v or "")
    out["directorate_id"] = dirs
    out["programme_id"] = prog
    out["cohort_id"] = cohort
    out["lead_participant_id"] = lead
    return out


def _measures(s: Session, df: pd.DataFrame, ctx: Context, p: list[Problem]) -> pd.DataFrame:
    proj = resolve(df, "project_code", _project_ids(s), "project code", p)
    out = df[
        [
            "name",
            "measure_type",
            "frequency",
            "chart_type",
            "improvement_direction",
            "target",
            "baseline_points",
        ]
    ].copy()
    out["definition"] = df["definition"].map(lambda v: v or "")
    out["unit"] = df["unit"].map(lambda v: v or "")
    out["project_id"] = proj
    return out


def measure_refs(s: Session, df: pd.DataFrame, p: list[Problem]) -> tuple[pd.Series, pd.Series]:
    """Measure ids and chart types for ``project_code`` + ``measure`` columns."""
    table = _measure_ids(s)
    keys = _pair(df, "project_code", "measure")
    found = keys.map(lambda k: table.get(k) if k is not None else None)
    bad = keys.notna() & found.isna()
    for row in df.index[bad]:
        p.append(
            Problem(
                f"{df.at[row, 'measure']!r} is not a measure of project "
                f"{df.at[row, 'project_code']!r}",
                row=int(row),
                column="measure",
            )
        )
    ids = found.map(lambda t: t[0] if t else None)
    charts = found.map(lambda t: t[1] if t else None)
    return ids, charts


def _observations(s: Session, df: pd.DataFrame, ctx: Context, p: list[Problem]) -> pd.DataFrame:
    ids, charts = measure_refs(s, df, p)
    check_observations(df, charts, p)
    out = df[["period_start", "value", "numerator", "denominator", "note"]].copy()
    out["ghosted"] = df["ghosted"].map(lambda v: bool(v) if v is not None else False)
    out["measure_id"] = ids
    out["chart_type"] = charts
    return out


def check_observations(df: pd.DataFrame, charts: pd.Series, p: list[Problem]) -> None:
    """Value for run/xmr/c charts; numerator and denominator for p/u; p within denominator."""
    ratio = charts.isin(["p", "u"])
    need_value = charts.notna() & ~ratio & df["value"].isna()
    for row in df.index[need_value]:
        p.append(Problem(f"a value is required for a {charts[row]} chart", int(row), "value"))
    for col in ("numerator", "denominator"):
        missing = ratio & df[col].isna()
        for row in df.index[missing]:
            p.append(Problem(f"a {col} is required for a {charts[row]} chart", int(row), col))
    den = pd.to_numeric(df["denominator"], errors="coerce")
    num = pd.to_numeric(df["numerator"], errors="coerce")
    for row in df.index[den.notna() & (den <= 0)]:
        p.append(Problem("a denominator must be above 0", int(row), "denominator"))
    for row in df.index[(charts == "p") & (num > den)]:
        p.append(
            Problem(
                f"numerator {num[row]:g} exceeds denominator {den[row]:g} (a proportion)",
                int(row),
                "numerator",
            )
        )


def _annotations(s: Session, df: pd.DataFrame, ctx: Context, p: list[Problem]) -> pd.DataFrame:
    ids, _ = measure_refs(s, df, p)
    out = df[["on_date", "kind", "title"]].copy()
    out["detail"] = df["detail"].map(lambda v: v or "")
    out["measure_id"] = ids
    out["created_by"] = ctx.user_key
    out["created_at"] = ctx.now
    return out


def _progress(s: Session, df: pd.DataFrame, ctx: Context, p: list[Problem]) -> pd.DataFrame:
    proj = resolve(df, "project_code", _project_ids(s), "project code", p)
    for row in df.index[df["score"].map(lambda v: v is not None and (v * 2) % 1 != 0)]:
        p.append(
            Problem(
                f"{df.at[row, 'score']} is not on the IHI scale (steps of 0.5)", int(row), "score"
            )
        )
    return pd.DataFrame({"project_id": proj, "scored_on": df["scored_on"], "score": df["score"]})


def _milestones(s: Session, df: pd.DataFrame, ctx: Context, p: list[Problem]) -> pd.DataFrame:
    prog = resolve(df, "programme_code", _prog_ids(s), "programme code", p)
    out = df[["title", "owner", "baseline_date", "forecast_date", "actual_date", "status"]].copy()
    out["programme_id"] = prog
    return out


def _event_ids(s: Session) -> dict:
    rows = s.execute(sa.select(m.Event.name, m.Event.held_on, m.Event.id))
    return {f"{n.lower()}\x1f{d.isoformat()}": i for n, d, i in rows}


def _survey_ids(s: Session) -> dict:
    return _ids(s, sa.select(m.Survey.name, m.Survey.id))


def _events(s: Session, df: pd.DataFrame, ctx: Context, p: list[Problem]) -> pd.DataFrame:
    prog = resolve(df, "programme_code", _prog_ids(s), "programme code", p)
    dirs = resolve(df, "directorate_code", _dir_ids(s), "directorate code", p)
    out = df[["name", "kind", "held_on"]].copy()
    out["open_event"] = df["open_event"].map(lambda v: bool(v) if v is not None else False)
    out["programme_id"] = prog
    out["directorate_id"] = dirs
    return out


def _event_of(s: Session, df: pd.DataFrame, p: list[Problem]) -> pd.Series:
    return resolve(df, "event", _event_ids(s), "event on that date", p,
                   keys=_pair(df, "event", "held_on"))  # fmt: skip


def _attendance(s: Session, df: pd.DataFrame, ctx: Context, p: list[Problem]) -> pd.DataFrame:
    event = _event_of(s, df, p)
    person = resolve(df, "participant_reference", _participant_ids(s), "participant reference", p)
    return pd.DataFrame({"event_id": event, "participant_id": person})


def _group_counts(s: Session, df: pd.DataFrame, ctx: Context, p: list[Problem]) -> pd.DataFrame:
    event = _event_of(s, df, p)
    group = staff_group_codes(s, df, "staff_group", p)
    return pd.DataFrame(
        {"event_id": event, "staff_group_code": group, "attendees": df["attendees"]}
    )


def _surveys(s: Session, df: pd.DataFrame, ctx: Context, p: list[Problem]) -> pd.DataFrame:
    prog = resolve(df, "programme_code", _prog_ids(s), "programme code", p)
    out = df[["name", "kind"]].copy()
    out["anonymous"] = df["anonymous"].map(lambda v: bool(v) if v is not None else False)
    out["scale_min"] = df["scale_min"].map(lambda v: 1 if v is None else v)
    out["scale_max"] = df["scale_max"].map(lambda v: 5 if v is None else v)
    bad = out["scale_max"] <= out["scale_min"]
    for row in df.index[bad]:
        p.append(Problem("scale_max must be above scale_min", int(row), "scale_max"))
    out["programme_id"] = prog
    return out


def _questions(s: Session, df: pd.DataFrame, ctx: Context, p: list[Problem]) -> pd.DataFrame:
    survey = resolve(df, "survey", _survey_ids(s), "survey", p)
    out = df[["code", "text", "position"]].copy()
    out["survey_id"] = survey
    return out


def _waves(s: Session, df: pd.DataFrame, ctx: Context, p: list[Problem]) -> pd.DataFrame:
    survey = resolve(df, "survey", _survey_ids(s), "survey", p)
    cohort = resolve(df, "cohort", _cohort_ids(s), "cohort of that programme", p,
                     keys=_pair(df, "programme_code", "cohort"))  # fmt: skip
    out = df[["name", "kind", "opens_on"]].copy()
    out["survey_id"] = survey
    out["cohort_id"] = cohort
    return out


def _text(name: str, example: str, note: str = "", required: bool = True, n: int = 200) -> Field:
    return Field(name, "text", required, max_len=n, example=example, note=note)


def _date(name: str, example: str, note: str = "", required: bool = True) -> Field:
    return Field(name, "date", required, example=example, note=note)


def _choice(name: str, enum: type, example: str, required: bool = True) -> Field:
    return Field(
        name,
        "choice",
        required,
        choices=_choices(enum),
        example=example,
        note="one of " + ", ".join(_choices(enum)),
    )


T = m.Base.metadata.tables

KINDS: dict[str, Kind] = {}


def _register(kind: Kind) -> None:
    KINDS[kind.name] = kind


_register(
    Kind(
        "organisations",
        "Organisations",
        T["organisation"],
        (
            _text("code", "RXX", "ODS code, unique", n=20),
            _text("name", "Example Hospitals NHS Trust"),
            _choice("kind", OrganisationType, "acute_trust"),
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
            _text("organisation_code", "RXX", "code of an organisation already loaded", n=20),
            _text("code", "RXX-MED", "unique code", n=20),
            _text("name", "Medicine"),
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
            _text("code", "bank_staff", "short code, unique", n=32),
            _text("label", "Bank staff", n=120),
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
            _text("name", "Bank Nursing", "a name used in workforce files", n=120),
            _text(
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
            _text("code", "PRG-X", "unique code", n=20),
            _text("name", "Example Improvement Programme"),
            _choice("kind", ProgrammeKind, "collaborative"),
            _date("starts_on", "2024-04-01"),
            _date("ends_on", "2026-03-31", required=False),
            _text("lead_organisation_code", "RXX", "optional", required=False, n=20),
            _text("description", "A short description", required=False, n=4000),
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
            _text("programme_code", "PRG-X", n=20),
            _text("name", "Cohort 1", n=120),
            _date("starts_on", "2024-05-01"),
            _date("ends_on", "2024-11-30"),
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
            _text("reference", "P-90001", "pseudonymous reference; never a name or email", n=40),
            _text("organisation_code", "RXX", n=20),
            _text("directorate_code", "RXX-MED", "optional", required=False, n=20),
            _text(
                "staff_group",
                "Nursing and Midwifery Registered",
                "code, label, NHS Digital or ESR name",
            ),
            _text("band", "Band 6", required=False, n=20),
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
            _text("participant_reference", "P-90001", n=40),
            _text("programme_code", "PRG-X", n=20),
            _text("cohort", "Cohort 1", n=120),
            _choice("status", EnrolmentStatus, "enrolled"),
            _date("applied_on", "2024-04-10"),
            _date("enrolled_on", "2024-05-01", required=False),
            _date("completed_on", "", required=False),
            _date("withdrawn_on", "", required=False),
        ),
        ("participant_reference", "programme_code", "cohort"),
        ("participant_id", "cohort_id"),
        "participant and cohort",
        _enrolments,
    )
)
_register(
    Kind(
        "projects",
        "Projects",
        T["project"],
        (
            _text("code", "PRJ-X1", "unique code", n=20),
            _text("title", "Reducing falls on ward 7", n=300),
            _text("directorate_code", "RXX-MED", n=20),
            _choice("status", ProjectStatus, "testing"),
            _date("started_on", "2024-06-01"),
            _text("aim", "Reduce falls by 30% by March", required=False, n=4000),
            _text("programme_code", "PRG-X", "optional", required=False, n=20),
            _text("cohort", "Cohort 1", "optional, with programme_code", required=False, n=120),
            _text("lead_participant_reference", "P-90001", "optional", required=False, n=40),
        ),
        ("code",),
        ("code",),
        "project code",
        _projects,
    )
)
_register(
    Kind(
        "measures",
        "Measures",
        T["measure"],
        (
            _text("project_code", "PRJ-X1", n=20),
            _text("name", "Falls per 1,000 bed days"),
            _choice("measure_type", MeasureType, "outcome"),
            _choice("frequency", Frequency, "monthly"),
            _choice("chart_type", ChartType, "u"),
            _choice("improvement_direction", ImprovementDirection, "decrease"),
            _text(
                "definition", "Inpatient falls / occupied bed days x 1000", required=False, n=4000
            ),
            _text("unit", "per 1,000 bed days", required=False, n=60),
            Field("target", "float", False, example="4.5", note="optional"),
            Field(
                "baseline_points",
                "int",
                False,
                minimum=12,
                example="",
                note="optional: freeze limits on the first N (12 or more) points",
            ),
        ),
        ("project_code", "name"),
        ("project_id", "name"),
        "project and measure name",
        _measures,
    )
)
_register(
    Kind(
        "observations",
        "Observations (measure values)",
        T["observation"],
        (
            _text("project_code", "PRJ-X1", n=20),
            _text("measure", "Falls per 1,000 bed days"),
            _date("period_start", "2024-07-01", "first day of the week or month"),
            Field("value", "float", False, example="", note="for run, XmR and c charts"),
            Field("numerator", "float", False, minimum=0, example="12", note="for p and u charts"),
            Field(
                "denominator", "float", False, example="2450", note="for p and u charts; above 0"
            ),
            _text("note", "New sensor mats", required=False, n=500),
            Field(
                "ghosted", "bool", False, example="no", note="yes: shown hollow, left out of limits"
            ),
        ),
        ("project_code", "measure", "period_start"),
        ("measure_id", "period_start"),
        "measure and period",
        _observations,
    )
)
_register(
    Kind(
        "annotations",
        "Annotations (PDSA, change ideas, phase breaks)",
        T["annotation"],
        (
            _text("project_code", "PRJ-X1", n=20),
            _text("measure", "Falls per 1,000 bed days"),
            _date("on_date", "2024-09-01"),
            _choice("kind", AnnotationKind, "pdsa"),
            _text("title", "PDSA 1: sensor mats on bay B"),
            _text("detail", "", required=False, n=4000),
        ),
        ("project_code", "measure", "on_date", "kind", "title"),
        ("measure_id", "on_date", "kind", "title"),
        "measure, date, kind and title",
        _annotations,
        insert_only=("created_by", "created_at"),
    )
)
_register(
    Kind(
        "progress_scores",
        "Progress scores (IHI 0.5–5)",
        T["progress_score"],
        (
            _text("project_code", "PRJ-X1", n=20),
            _date("scored_on", "2024-09-30"),
            Field(
                "score",
                "float",
                example="2.5",
                minimum=0.5,
                maximum=5.0,
                note="0.5 to 5 in steps of 0.5",
            ),
        ),
        ("project_code", "scored_on"),
        ("project_id", "scored_on"),
        "project and date",
        _progress,
    )
)
_register(
    Kind(
        "milestones",
        "Milestones",
        T["milestone"],
        (
            _text("programme_code", "PRG-X", n=20),
            _text("title", "Cohort 1 graduation"),
            _text("owner", "Programme manager", n=120),
            _date("baseline_date", "2024-12-01"),
            _date("forecast_date", "2024-12-08"),
            _date("actual_date", "", required=False),
            _choice("status", MilestoneStatus, "on_track"),
        ),
        ("programme_code", "title"),
        ("programme_id", "title"),
        "programme and title",
        _milestones,
    )
)


_register(
    Kind(
        "surveys",
        "Surveys",
        T["survey"],
        (
            _text("name", "Improvement capability self-assessment"),
            _choice("kind", SurveyKind, "capability"),
            _text("programme_code", "PRG-X", "optional", required=False, n=20),
            Field("anonymous", "bool", False, example="no"),
            Field("scale_min", "int", False, example="1", note="lowest answer (default 1)"),
            Field(
                "scale_max",
                "int",
                False,
                example="5",
                maximum=10,
                note="highest answer (default 5)",
            ),
        ),
        ("name",),
        ("name",),
        "survey name",
        _surveys,
    )
)
_register(
    Kind(
        "survey_questions",
        "Survey questions",
        T["survey_question"],
        (
            _text("survey", "Improvement capability self-assessment"),
            _text("code", "Q1", n=20),
            _text(
                "text", "I can use a run chart to tell whether a change is an improvement", n=400
            ),
            Field("position", "int", example="1", minimum=0),
        ),
        ("survey", "code"),
        ("survey_id", "code"),
        "survey and question code",
        _questions,
    )
)
_register(
    Kind(
        "survey_waves",
        "Survey waves",
        T["survey_wave"],
        (
            _text("survey", "Improvement capability self-assessment"),
            _text("name", "Cohort 1 pre", n=120),
            _choice("kind", WaveKind, "pre"),
            _date("opens_on", "2024-05-01"),
            _text("programme_code", "PRG-X", "with cohort, optional", required=False, n=20),
            _text("cohort", "Cohort 1", "optional", required=False, n=120),
        ),
        ("survey", "name"),
        ("survey_id", "name"),
        "survey and wave name",
        _waves,
    )
)
_register(
    Kind(
        "events",
        "Events",
        T["event"],
        (
            _text("name", "Spring learning session"),
            _choice("kind", EventKind, "learning_session"),
            _date("held_on", "2024-06-12"),
            _text("programme_code", "PRG-X", "optional", required=False, n=20),
            _text("directorate_code", "", "optional", required=False, n=20),
            Field(
                "open_event",
                "bool",
                False,
                example="no",
                note="yes: attendance counted by staff group",
            ),
        ),
        ("name", "held_on"),
        ("name", "held_on"),
        "event name and date",
        _events,
    )
)
_register(
    Kind(
        "event_attendance",
        "Event attendance (named)",
        T["event_attendance"],
        (
            _text("event", "Spring learning session"),
            _date("held_on", "2024-06-12"),
            _text("participant_reference", "P-90001", n=40),
        ),
        ("event", "held_on", "participant_reference"),
        ("event_id", "participant_id"),
        "event and participant",
        _attendance,
    )
)
_register(
    Kind(
        "event_group_counts",
        "Event attendance (counts by staff group)",
        T["event_group_count"],
        (
            _text("event", "Spring learning session"),
            _date("held_on", "2024-06-12"),
            _text("staff_group", "Estates and Ancillary"),
            Field("attendees", "int", example="14", minimum=0),
        ),
        ("event", "held_on", "staff_group"),
        ("event_id", "staff_group_code"),
        "event and staff group",
        _group_counts,
    )
)


def build_rows(
    session: Session, kind: Kind, typed: pd.DataFrame, ctx: Context, file_name: str = ""
) -> pd.DataFrame:
    """Resolve names to ids; raise every row problem at once.

    Raises:
        ImportRejected: Unknown references or broken cross-column rules.
    """
    problems: list[Problem] = []
    rows = kind.build(session, typed, ctx, problems)
    if problems:
        problems.sort(key=lambda p: (p.row or 0, p.column or ""))
        raise ImportRejected(problems, file_name)
    return rows
