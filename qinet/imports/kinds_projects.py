"""Import kinds for improvement work (projects … milestones).

Projects, measures, observations, annotations, progress scores and milestones; the
framework is in ``kinds``.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy.orm import Session

from qinet import models as m
from qinet.domain import (
    RATE_MULTIPLIERS,
    AnnotationKind,
    ChartType,
    Frequency,
    ImprovementDirection,
    MeasureType,
    MilestoneStatus,
    ProjectStatus,
)
from qinet.imports.fields import Field
from qinet.imports.kinds import (
    Context,
    Kind,
    choice_field,
    cohort_ids,
    date_field,
    directorate_ids,
    measure_ids,
    pair_key,
    participant_ids,
    programme_ids,
    project_ids,
    resolve,
    text_field,
)
from qinet.imports.problems import Problem

T = m.Base.metadata.tables
KINDS: list[Kind] = []  # in the order the Data page and the CLI list them


def _register(kind: Kind) -> None:
    KINDS.append(kind)


def _projects(s: Session, df: pd.DataFrame, ctx: Context, p: list[Problem]) -> pd.DataFrame:
    dirs = resolve(df, "directorate_code", directorate_ids(s), "directorate code", p)
    prog = resolve(df, "programme_code", programme_ids(s), "programme code", p)
    cohort = resolve(
        df,
        "cohort",
        cohort_ids(s),
        "cohort of that programme",
        p,
        keys=pair_key(df, "programme_code", "cohort"),
    )
    lead = resolve(df, "lead_participant_reference", participant_ids(s), "participant reference", p)
    out = df[["code", "title", "status", "started_on"]].copy()
    out["aim"] = df["aim"].map(lambda v: v or "")
    out["directorate_id"] = dirs
    out["programme_id"] = prog
    out["cohort_id"] = cohort
    out["lead_participant_id"] = lead
    return out


def _measures(s: Session, df: pd.DataFrame, ctx: Context, p: list[Problem]) -> pd.DataFrame:
    proj = resolve(df, "project_code", project_ids(s), "project code", p)
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
    out["multiplier"] = df["multiplier"].map(lambda v: 1 if v is None else int(v))
    allowed = ", ".join(f"{x:g}" for x in RATE_MULTIPLIERS)
    for row in df.index[~out["multiplier"].isin(RATE_MULTIPLIERS)]:
        p.append(Problem(f"a multiplier is one of {allowed}", int(row), "multiplier"))
    not_rate = (out["multiplier"] != 1) & (df["chart_type"] != ChartType.U.value)
    for row in df.index[not_rate & out["multiplier"].isin(RATE_MULTIPLIERS)]:
        p.append(Problem("only a u chart (a rate) takes a multiplier", int(row), "multiplier"))
    out["project_id"] = proj
    return out


def measure_refs(s: Session, df: pd.DataFrame, p: list[Problem]) -> tuple[pd.Series, pd.Series]:
    """Measure ids and chart types for ``project_code`` + ``measure`` columns."""
    table = measure_ids(s)
    keys = pair_key(df, "project_code", "measure")
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
    proj = resolve(df, "project_code", project_ids(s), "project code", p)
    for row in df.index[df["score"].map(lambda v: v is not None and (v * 2) % 1 != 0)]:
        p.append(
            Problem(
                f"{df.at[row, 'score']} is not on the IHI scale (steps of 0.5)", int(row), "score"
            )
        )
    return pd.DataFrame({"project_id": proj, "scored_on": df["scored_on"], "score": df["score"]})


def _milestones(s: Session, df: pd.DataFrame, ctx: Context, p: list[Problem]) -> pd.DataFrame:
    prog = resolve(df, "programme_code", programme_ids(s), "programme code", p)
    out = df[["title", "owner", "baseline_date", "forecast_date", "actual_date", "status"]].copy()
    out["programme_id"] = prog
    return out


_register(
    Kind(
        "projects",
        "Projects",
        T["project"],
        (
            text_field("code", "PRJ-X1", "unique code", n=20),
            text_field("title", "Reducing falls on ward 7", n=300),
            text_field("directorate_code", "RXX-MED", n=20),
            choice_field("status", ProjectStatus, "testing"),
            date_field("started_on", "2024-06-01"),
            text_field("aim", "Reduce falls by 30% by March", required=False, n=4000),
            text_field("programme_code", "PRG-X", "optional", required=False, n=20),
            text_field(
                "cohort", "Cohort 1", "optional, with programme_code", required=False, n=120
            ),
            text_field("lead_participant_reference", "P-90001", "optional", required=False, n=40),
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
            text_field("project_code", "PRJ-X1", n=20),
            text_field("name", "Falls per 1,000 bed days"),
            choice_field("measure_type", MeasureType, "outcome"),
            choice_field("frequency", Frequency, "monthly"),
            choice_field("chart_type", ChartType, "u"),
            choice_field("improvement_direction", ImprovementDirection, "decrease"),
            text_field(
                "definition", "Inpatient falls / occupied bed days x 1000", required=False, n=4000
            ),
            text_field("unit", "falls per 1,000 bed days", required=False, n=60),
            Field(
                "multiplier",
                "int",
                False,
                example="1000",
                note="u charts only: show the rate per 100, 1000 or 10000 (blank: per 1)",
            ),
            Field("target", "float", False, example="4.5", note="optional, on the shown scale"),
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
            text_field("project_code", "PRJ-X1", n=20),
            text_field("measure", "Falls per 1,000 bed days"),
            date_field("period_start", "2024-07-01", "first day of the week or month"),
            Field("value", "float", False, example="", note="for run, XmR and c charts"),
            Field("numerator", "float", False, minimum=0, example="12", note="for p and u charts"),
            Field(
                "denominator", "float", False, example="2450", note="for p and u charts; above 0"
            ),
            text_field("note", "New sensor mats", required=False, n=500),
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
            text_field("project_code", "PRJ-X1", n=20),
            text_field("measure", "Falls per 1,000 bed days"),
            date_field("on_date", "2024-09-01"),
            choice_field("kind", AnnotationKind, "pdsa"),
            text_field("title", "PDSA 1: sensor mats on bay B"),
            text_field("detail", "", required=False, n=4000),
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
            text_field("project_code", "PRJ-X1", n=20),
            date_field("scored_on", "2024-09-30"),
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
            text_field("programme_code", "PRG-X", n=20),
            text_field("title", "Cohort 1 graduation"),
            text_field("owner", "Programme manager", n=120),
            date_field("baseline_date", "2024-12-01"),
            date_field("forecast_date", "2024-12-08"),
            date_field("actual_date", "", required=False),
            choice_field("status", MilestoneStatus, "on_track"),
        ),
        ("programme_code", "title"),
        ("programme_id", "title"),
        "programme and title",
        _milestones,
    )
)
