"""Capability page queries: surveys in scope, answer counts and respondents' scores.

Every statement applies the viewer's scope: a programme-scoped viewer sees only their
programmes' surveys, a directorate-scoped viewer only responses from their directorates.
The sidebar filters narrow responses (directorate, organisation, staff group, cohort) and
surveys (programme). The period filter applies to pulse waves only: a capability
self-assessment's pre, mid and post waves belong together, so cutting one off by date
would break the pairs.

Aggregation happens in SQL: answers are counted per wave, question and value, and each
response's domain scores (the mean of its items after reverse scoring) are computed by
the database, so Python never sees individual answers.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.orm import Session

from qinet.access import Viewer
from qinet.domain import WaveKind
from qinet.filters import Filters
from qinet.models import (
    Cohort,
    Directorate,
    Programme,
    StaffGroupRef,
    Survey,
    SurveyAnswer,
    SurveyQuestion,
    SurveyResponse,
    SurveyWave,
)
from qinet.queries.scope import (
    cohort_filter,
    date_bounds,
    directorate_filter,
    frame,
    programme_filter,
    raw_frame,
    restrict_directorate,
    restrict_programme,
    staff_group_filter,
)

UNGROUPED = "Ungrouped items"  # domain of questions that have none
ALL_ITEMS = "All items"  # the overall score: mean of every item after reversal


def surveys_stmt(viewer: Viewer, f: Filters) -> sa.Select:
    """Surveys the viewer may see, narrowed by the programme and cohort filters."""
    stmt = (
        sa.select(
            Survey.id.label("survey_id"),
            Survey.name,
            Survey.kind,
            Survey.anonymous,
            Survey.scale_min,
            Survey.scale_max,
            Survey.scale_anchors,
            Survey.instrument,
            Programme.name.label("programme"),
        )
        .outerjoin(Programme, Survey.programme_id == Programme.id)
        .order_by(Survey.kind, Survey.name)
    )
    stmt = restrict_programme(stmt, Survey.programme_id, viewer)
    stmt = programme_filter(stmt, Survey.programme_id, f)
    if f.cohort is not None:
        waves = cohort_filter(sa.select(SurveyWave.survey_id), SurveyWave.cohort_id, f)
        stmt = stmt.where(Survey.id.in_(waves.scalar_subquery()))
    return stmt


def surveys(session: Session, viewer: Viewer, f: Filters) -> pd.DataFrame:
    """Surveys in scope (see :func:`surveys_stmt`), kinds as plain strings."""
    out = frame(session, surveys_stmt(viewer, f))
    if len(out):
        out["kind"] = out["kind"].map(str)
    return out


def questions(session: Session, survey_id: int) -> pd.DataFrame:
    """A survey's questions in order.

    Returns:
        ``question_id``, ``code``, ``text``, ``domain``, ``reverse_scored``, ``position``.
    """
    stmt = (
        sa.select(
            SurveyQuestion.id.label("question_id"),
            SurveyQuestion.code,
            SurveyQuestion.text,
            sa.func.coalesce(SurveyQuestion.domain, UNGROUPED).label("domain"),
            SurveyQuestion.reverse_scored,
            SurveyQuestion.position,
        )
        .where(SurveyQuestion.survey_id == survey_id)
        .order_by(SurveyQuestion.position, SurveyQuestion.id)
    )
    out = frame(session, stmt)
    if len(out):
        out["reverse_scored"] = out["reverse_scored"].astype(bool)
    return out


def waves(session: Session, f: Filters, survey_id: int, today: date) -> pd.DataFrame:
    """A survey's waves that the filters keep, oldest first.

    Returns:
        ``wave_id``, ``wave``, ``wave_kind``, ``opens_on``, ``cohort_id``, ``cohort``.
    """
    stmt = (
        sa.select(
            SurveyWave.id.label("wave_id"),
            SurveyWave.name.label("wave"),
            SurveyWave.kind.label("wave_kind"),
            SurveyWave.opens_on,
            SurveyWave.cohort_id,
            Cohort.name.label("cohort"),
        )
        .outerjoin(Cohort, SurveyWave.cohort_id == Cohort.id)
        .where(SurveyWave.survey_id == survey_id)
        .order_by(SurveyWave.opens_on, SurveyWave.id)
    )
    stmt = _wave_filters(stmt, f, today)
    out = frame(session, stmt)
    if len(out):
        out["wave_kind"] = out["wave_kind"].map(str)
        out["opens_on"] = pd.to_datetime(out["opens_on"])
    return out


def _wave_filters(stmt: sa.Select, f: Filters, today: date) -> sa.Select:
    stmt = cohort_filter(stmt, SurveyWave.cohort_id, f)
    start, end = date_bounds(f, today)
    if start is not None:
        is_pulse = SurveyWave.kind == WaveKind.PULSE
        stmt = stmt.where(
            sa.or_(~is_pulse, SurveyWave.opens_on.between(start, end))
        )
    return stmt


def _responses(stmt: sa.Select, viewer: Viewer, f: Filters, survey_id: int,
               today: date) -> sa.Select:  # fmt: skip
    """Narrow a statement over ``survey_response`` ⋈ ``survey_wave`` to scope and filters."""
    stmt = stmt.where(SurveyWave.survey_id == survey_id)
    stmt = restrict_directorate(stmt, SurveyResponse.directorate_id, viewer)
    stmt = directorate_filter(stmt, SurveyResponse.directorate_id, f)
    stmt = staff_group_filter(stmt, SurveyResponse.staff_group_code, f)
    return _wave_filters(stmt, f, today)


def answer_counts_stmt(viewer: Viewer, f: Filters, survey_id: int, today: date) -> sa.Select:
    """Answers counted per wave, question and value (reverse scoring not applied)."""
    n = sa.func.count().label("n")
    stmt = (
        sa.select(SurveyResponse.wave_id, SurveyAnswer.question_id, SurveyAnswer.value, n)
        .select_from(SurveyAnswer)
        .join(SurveyResponse, SurveyAnswer.response_id == SurveyResponse.id)
        .join(SurveyWave, SurveyResponse.wave_id == SurveyWave.id)
        .group_by(SurveyResponse.wave_id, SurveyAnswer.question_id, SurveyAnswer.value)
    )
    return _responses(stmt, viewer, f, survey_id, today)


def answer_counts(session: Session, viewer: Viewer, f: Filters, survey_id: int,
                  today: date) -> pd.DataFrame:  # fmt: skip
    """``wave_id``, ``question_id``, ``value``, ``n`` for the responses in scope."""
    out = raw_frame(session, answer_counts_stmt(viewer, f, survey_id, today))
    return out.astype({"wave_id": "int64", "question_id": "int64", "value": "int64",
                       "n": "int64"}) if len(out) else out  # fmt: skip


def scores_stmt(viewer: Viewer, f: Filters, survey_id: int, today: date, *,
                by_domain: bool) -> sa.Select:  # fmt: skip
    """Each response's score (per domain, or over all items): mean after reverse scoring.

    A reverse-scored answer v counts as ``scale_min + scale_max − v``.
    """
    scored = sa.case(
        (SurveyQuestion.reverse_scored, Survey.scale_min + Survey.scale_max - SurveyAnswer.value),
        else_=SurveyAnswer.value,
    )
    domain = (
        sa.func.coalesce(SurveyQuestion.domain, UNGROUPED) if by_domain else sa.literal(ALL_ITEMS)
    )
    group = [SurveyResponse.id, SurveyResponse.wave_id, SurveyResponse.participant_id,
             SurveyResponse.staff_group_code, SurveyResponse.directorate_id]  # fmt: skip
    if by_domain:
        group.append(SurveyQuestion.domain)  # COALESCE(domain, …) of it is then allowed
    stmt = (
        sa.select(
            SurveyResponse.id.label("response_id"),
            SurveyResponse.wave_id,
            SurveyResponse.participant_id,
            SurveyResponse.staff_group_code,
            SurveyResponse.directorate_id,
            domain.label("domain"),
            sa.func.avg(sa.cast(scored, sa.Float)).label("score"),
            sa.func.count().label("items"),
        )
        .select_from(SurveyAnswer)
        .join(SurveyResponse, SurveyAnswer.response_id == SurveyResponse.id)
        .join(SurveyWave, SurveyResponse.wave_id == SurveyWave.id)
        .join(SurveyQuestion, SurveyAnswer.question_id == SurveyQuestion.id)
        .join(Survey, SurveyQuestion.survey_id == Survey.id)
        .group_by(*group)
    )
    return _responses(stmt, viewer, f, survey_id, today)


def scores(session: Session, viewer: Viewer, f: Filters, survey_id: int,
           today: date) -> pd.DataFrame:  # fmt: skip
    """Every response's domain scores and overall score (domain ``All items``).

    Returns:
        ``response_id``, ``wave_id``, ``participant_id`` (NaN when anonymous),
        ``staff_group_code``, ``directorate_id``, ``domain``, ``score``.
    """
    by_domain = raw_frame(session, scores_stmt(viewer, f, survey_id, today, by_domain=True))
    if by_domain.empty:
        return by_domain.drop(columns="items")
    by_domain["score"] = by_domain["score"].astype(float)
    by_domain["participant_id"] = by_domain["participant_id"].astype("Float64")
    # the overall score is the mean of all items: the item-weighted mean of the domain means
    # (one query over the answers instead of two)
    keys = ["response_id", "wave_id", "participant_id", "staff_group_code", "directorate_id"]
    weighted = by_domain.assign(total=by_domain["score"] * by_domain["items"])
    sums = weighted.groupby("response_id", sort=False)[["total", "items"]].sum()
    overall = by_domain.drop_duplicates("response_id")[keys].join(sums, on="response_id")
    overall = overall.assign(domain=ALL_ITEMS, score=overall["total"] / overall["items"])
    out = pd.concat([by_domain, overall[[*keys, "domain", "score", "items"]]],
                    ignore_index=True)  # fmt: skip
    return out.drop(columns="items")


def labels(session: Session) -> tuple[dict[str, str], dict[int, str]]:
    """Staff-group labels by code and directorate names by id (for breakdown rows)."""
    groups = dict(session.execute(sa.select(StaffGroupRef.code, StaffGroupRef.label)).all())
    dirs = dict(session.execute(sa.select(Directorate.id, Directorate.name)).all())
    return groups, dirs
