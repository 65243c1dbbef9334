"""Import kinds for engagement (surveys and events).

Surveys, their questions and waves, events, named attendance and attendance counts by
staff group; the framework is in ``kinds``.
"""

from __future__ import annotations

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.orm import Session

from qinet import models as m
from qinet.domain import (
    EventKind,
    SurveyKind,
    WaveKind,
)
from qinet.imports.fields import Field
from qinet.imports.kinds import (
    Context,
    Kind,
    choice_field,
    cohort_ids,
    date_field,
    directorate_ids,
    name_ids,
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


def _event_ids(s: Session) -> dict:
    rows = s.execute(sa.select(m.Event.name, m.Event.held_on, m.Event.id))
    return {f"{n.lower()}\x1f{d.isoformat()}": i for n, d, i in rows}


def _survey_ids(s: Session) -> dict:
    return name_ids(s, sa.select(m.Survey.name, m.Survey.id))


def _events(s: Session, df: pd.DataFrame, ctx: Context, p: list[Problem]) -> pd.DataFrame:
    prog = resolve(df, "programme_code", programme_ids(s), "programme code", p)
    dirs = resolve(df, "directorate_code", directorate_ids(s), "directorate code", p)
    out = df[["name", "kind", "held_on"]].copy()
    out["open_event"] = df["open_event"].map(lambda v: bool(v) if v is not None else False)
    out["programme_id"] = prog
    out["directorate_id"] = dirs
    return out


def _event_of(s: Session, df: pd.DataFrame, p: list[Problem]) -> pd.Series:
    return resolve(df, "event", _event_ids(s), "event on that date", p,
                   keys=pair_key(df, "event", "held_on"))  # fmt: skip


def _attendance(s: Session, df: pd.DataFrame, ctx: Context, p: list[Problem]) -> pd.DataFrame:
    event = _event_of(s, df, p)
    person = resolve(df, "participant_reference", participant_ids(s), "participant reference", p)
    return pd.DataFrame({"event_id": event, "participant_id": person})


def _group_counts(s: Session, df: pd.DataFrame, ctx: Context, p: list[Problem]) -> pd.DataFrame:
    event = _event_of(s, df, p)
    group = staff_group_codes(s, df, "staff_group", p)
    return pd.DataFrame(
        {"event_id": event, "staff_group_code": group, "attendees": df["attendees"]}
    )


def _surveys(s: Session, df: pd.DataFrame, ctx: Context, p: list[Problem]) -> pd.DataFrame:
    prog = resolve(df, "programme_code", programme_ids(s), "programme code", p)
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
    cohort = resolve(df, "cohort", cohort_ids(s), "cohort of that programme", p,
                     keys=pair_key(df, "programme_code", "cohort"))  # fmt: skip
    out = df[["name", "kind", "opens_on"]].copy()
    out["survey_id"] = survey
    out["cohort_id"] = cohort
    return out


_register(
    Kind(
        "surveys",
        "Surveys",
        T["survey"],
        (
            text_field("name", "Improvement capability self-assessment"),
            choice_field("kind", SurveyKind, "capability"),
            text_field("programme_code", "PRG-X", "optional", required=False, n=20),
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
            text_field("survey", "Improvement capability self-assessment"),
            text_field("code", "Q1", n=20),
            text_field(
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
            text_field("survey", "Improvement capability self-assessment"),
            text_field("name", "Cohort 1 pre", n=120),
            choice_field("kind", WaveKind, "pre"),
            date_field("opens_on", "2024-05-01"),
            text_field("programme_code", "PRG-X", "with cohort, optional", required=False, n=20),
            text_field("cohort", "Cohort 1", "optional", required=False, n=120),
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
            text_field("name", "Spring learning session"),
            choice_field("kind", EventKind, "learning_session"),
            date_field("held_on", "2024-06-12"),
            text_field("programme_code", "PRG-X", "optional", required=False, n=20),
            text_field("directorate_code", "", "optional", required=False, n=20),
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
            text_field("event", "Spring learning session"),
            date_field("held_on", "2024-06-12"),
            text_field("participant_reference", "P-90001", n=40),
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
            text_field("event", "Spring learning session"),
            date_field("held_on", "2024-06-12"),
            text_field("staff_group", "Estates and Ancillary"),
            Field("attendees", "int", example="14", minimum=0),
        ),
        ("event", "held_on", "staff_group"),
        ("event_id", "staff_group_code"),
        "event and staff group",
        _group_counts,
    )
)
