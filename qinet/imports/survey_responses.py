"""Survey responses and answers in the long layout survey tools export.

One row per response × question: ``survey, wave, response_ref, participant, staff_group,
directorate, submitted_on, question, answer``. A response is keyed by its wave and the
survey tool's response id (``survey_response.reference``), an answer by that response and
the question, so re-importing an export changes nothing and a corrected export updates
in place. Two tables are written (responses, then their answers) in the caller's one
transaction; an answer already stored but absent from the file is left alone.
"""

from __future__ import annotations

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.orm import Session

from qinet import models as m
from qinet.imports.fields import Field
from qinet.imports.kinds import (
    Context,
    Kind,
    date_field,
    directorate_ids,
    participant_ids,
    resolve,
    staff_group_codes,
    text_field,
)
from qinet.imports.problems import Problem
from qinet.imports.writing import apply, plan

T = m.Base.metadata.tables
NAME = "survey_responses"
RESPONSE_COLUMNS = ("participant_id", "staff_group_code", "directorate_id", "submitted_on")

FIELDS: tuple[Field, ...] = (
    text_field("survey", "Improvement capability self-assessment"),
    text_field("wave", "Cohort 1 pre", "a wave of that survey", n=120),
    text_field("response_ref", "R-000123", "the survey tool's response id", n=60),
    text_field(
        "participant",
        "P-90001",
        "optional participant reference (pairs pre and post); blank for anonymous surveys",
        required=False,
        n=40,
    ),
    text_field("staff_group", "Nursing and Midwifery Registered",
               "code, label, NHS Digital or ESR name"),  # fmt: skip
    text_field("directorate", "RXX-MED", "directorate code, optional", required=False, n=20),
    date_field("submitted_on", "2024-05-03"),
    text_field("question", "Q1", "question code of that survey", n=20),
    Field("answer", "int", example="4", minimum=0, maximum=10,
          note="whole number on the survey's scale"),  # fmt: skip
)


def _surveys(s: Session) -> dict[str, tuple[int, int, int, bool]]:
    rows = s.execute(
        sa.select(m.Survey.name, m.Survey.id, m.Survey.scale_min, m.Survey.scale_max,
                  m.Survey.anonymous)  # fmt: skip
    )
    return {str(n).strip().lower(): (i, lo, hi, bool(a)) for n, i, lo, hi, a in rows}


def _by_survey(s: Session, column: sa.Column, key: sa.Column, survey_ids: list[int]) -> dict:
    """``{(survey id, lower-case name or code): id}`` for waves or questions."""
    table = column.table
    rows = s.execute(
        sa.select(table.c.survey_id, key, column).where(table.c.survey_id.in_(survey_ids))
    )
    return {(sid, str(k).strip().lower()): i for sid, k, i in rows}


def _lookup(
    df: pd.DataFrame, column: str, survey: pd.Series, table: dict, what: str, p: list[Problem]
) -> pd.Series:
    """Resolve a name within each row's survey; a problem names the survey when unknown."""
    out = []
    for row, sid, value in zip(df.index, survey, df[column], strict=True):
        if sid is None or value is None:
            out.append(None)
            continue
        found = table.get((sid, str(value).strip().lower()))
        if found is None:
            p.append(Problem(f"{value!r} is not a {what} of survey {df.at[row, 'survey']!r}",
                             int(row), column))  # fmt: skip
        out.append(found)
    return pd.Series(out, index=df.index, dtype=object)


def build(s: Session, df: pd.DataFrame, ctx: Context, p: list[Problem]) -> pd.DataFrame:
    """Typed file rows → one row per answer, with the response's columns alongside.

    Adds a problem for an unknown survey, a wave or question not of that survey, an
    unknown participant, staff group or directorate, an answer off the survey's scale, a
    participant on an anonymous survey, and a response whose rows disagree about who
    answered or when.
    """
    surveys = _surveys(s)
    info = resolve(df, "survey", surveys, "survey", p)
    sid = info.map(lambda t: None if t is None else t[0])
    ids = sorted({int(i) for i in sid.dropna()})
    waves = _by_survey(s, m.SurveyWave.__table__.c.id, m.SurveyWave.__table__.c.name, ids)
    questions = _by_survey(
        s, m.SurveyQuestion.__table__.c.id, m.SurveyQuestion.__table__.c.code, ids
    )
    wave = _lookup(df, "wave", sid, waves, "wave", p)
    question = _lookup(df, "question", sid, questions, "question", p)
    person = resolve(df, "participant", participant_ids(s), "participant reference", p)
    group = staff_group_codes(s, df, "staff_group", p)
    dirs = resolve(df, "directorate", directorate_ids(s), "directorate code", p)
    for row, t, value, who in zip(df.index, info, df["answer"], df["participant"], strict=True):
        if t is None:
            continue
        _, lo, hi, anonymous = t
        if value is not None and not lo <= int(value) <= hi:
            p.append(Problem(f"{value} is off the survey's scale ({lo} to {hi})", int(row),
                             "answer"))  # fmt: skip
        if anonymous and who is not None:
            p.append(Problem("the survey is anonymous, so its responses carry no participant",
                             int(row), "participant"))  # fmt: skip
    out = pd.DataFrame(
        {
            "wave_id": wave,
            "reference": df["response_ref"],
            "participant_id": person,
            "staff_group_code": group,
            "directorate_id": dirs,
            "submitted_on": df["submitted_on"],
            "question_id": question,
            "value": df["answer"],
        },
        index=df.index,
    )
    _check_consistent(df, out, p)
    return out


def _check_consistent(df: pd.DataFrame, out: pd.DataFrame, p: list[Problem]) -> None:
    """Every row of one response must agree on participant, staff group, directorate, date."""
    ref = out["reference"].map(lambda v: None if v is None else str(v).strip().lower())
    ok = out["wave_id"].notna() & ref.notna()
    if not ok.any():
        return
    key = (out["wave_id"].astype(str) + "\x1f" + ref.astype(str))[ok]
    cells = out.loc[ok, list(RESPONSE_COLUMNS)].map(lambda v: "" if v is None else str(v))
    first_row = pd.Series(cells.index, index=cells.index).groupby(key).transform("first")
    shown = {"participant_id": "participant", "staff_group_code": "staff_group",
             "directorate_id": "directorate", "submitted_on": "submitted_on"}  # fmt: skip
    for col in RESPONSE_COLUMNS:
        firsts = cells[col].loc[first_row.to_numpy()].to_numpy()
        for row in cells.index[cells[col].to_numpy() != firsts]:
            name, was = shown[col], df.at[first_row[row], shown[col]]
            p.append(Problem(f"{df.at[row, name]!r} differs from row {first_row[row]} of the "
                             f"same response ({was!r})", int(row), name))  # fmt: skip


RESPONSES = Kind(
    "survey_response_rows", "Survey responses", T["survey_response"], FIELDS, (),
    ("wave_id", "reference"), "survey wave and response reference", build,
)  # fmt: skip
ANSWERS = Kind(
    "survey_answer_rows", "Survey answers", T["survey_answer"], FIELDS, (),
    ("response_id", "question_id"), "response and question", build,
)  # fmt: skip
KIND = Kind(
    NAME,
    "Survey responses",
    T["survey_answer"],
    FIELDS,
    ("survey", "wave", "response_ref", "question"),
    ("response_id", "question_id"),  # after the response is keyed on (wave, reference)
    "survey wave, response reference and question",
    build,
)


def _response_ids(s: Session, wave_ids: list[int]) -> dict[tuple[int, str], int]:
    rows = s.execute(
        sa.select(m.SurveyResponse.wave_id, m.SurveyResponse.reference, m.SurveyResponse.id)
        .where(m.SurveyResponse.wave_id.in_(wave_ids), m.SurveyResponse.reference.is_not(None))
    )
    return {(w, str(r).strip().lower()): i for w, r, i in rows}


def write(s: Session, rows: pd.DataFrame, file_name: str) -> tuple[dict[str, int], pd.Series, str]:
    """Upsert the responses, then their answers, in the session's transaction.

    Args:
        s: Open session (inside the import's savepoint).
        rows: Output of :func:`build` (index = spreadsheet row).
        file_name: For messages.

    Returns:
        Counts per file row (added / changed / unchanged: a row is changed when its
        answer or its response's details changed), each row's status, and a note
        counting responses.
    """
    ref = rows["reference"].map(lambda v: str(v).strip().lower())
    firsts = ~pd.DataFrame({"w": rows["wave_id"], "r": ref}).duplicated()
    responses = rows.loc[firsts, ["wave_id", "reference", *RESPONSE_COLUMNS]]
    rplan = plan(s, RESPONSES, responses)
    apply(s, rplan, file_name)
    ids = _response_ids(s, sorted({int(w) for w in rows["wave_id"]}))
    answers = pd.DataFrame(
        {
            "response_id": [ids[(int(w), r)] for w, r in zip(rows["wave_id"], ref, strict=True)],
            "question_id": rows["question_id"],
            "value": rows["value"],
        },
        index=rows.index,
    )
    aplan = plan(s, ANSWERS, answers)
    apply(s, aplan, file_name)
    changed_refs = {(int(w), str(r).strip().lower())
                    for w, r in zip(rplan.changed["wave_id"], rplan.changed["reference"],
                                    strict=True)}  # fmt: skip
    status = pd.Series("unchanged", index=rows.index, dtype=object)
    touched = [(int(w), r) in changed_refs for w, r in zip(rows["wave_id"], ref, strict=True)]
    status[touched] = "changed"
    status[status.index.isin(aplan.changed.index)] = "changed"
    status[status.index.isin(aplan.added.index)] = "added"
    counts = {k: int((status == k).sum()) for k in ("added", "changed", "unchanged")}
    rc = rplan.counts
    note = (f"responses: {rc['added']:,} added, {rc['changed']:,} changed, "
            f"{rc['unchanged']:,} unchanged")  # fmt: skip
    return counts, status, note
