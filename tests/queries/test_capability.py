"""Capability queries on SQLite and PostgreSQL: scores in SQL equal a recomputation, scope holds."""

import pandas as pd
import pytest
import sqlalchemy as sa

from qinet import demo
from qinet import models as m
from qinet.access import Viewer
from qinet.domain import Role
from qinet.filters import Filters
from qinet.queries import capability as q
from qinet.queries.scope import frame
from qinet.stats.surveys import domain_scores

pytestmark = pytest.mark.db

TODAY = demo.DEMO_TODAY
ADMIN = Viewer("admin", Role.ADMIN)


@pytest.fixture
def demo_session(session):
    demo.build(session, seed=11, scale="small")
    session.commit()
    return session


def _survey(s, name):
    return s.execute(sa.select(m.Survey).where(m.Survey.name == name)).scalar_one()


def test_scores_in_sql_equal_reverse_scored_means(demo_session):
    s = demo_session
    sv = _survey(s, "Team psychological safety pulse")
    assert (sv.scale_min, sv.scale_max, sv.instrument) == (1, 7, "team-psychological-safety")
    got = q.scores(s, ADMIN, Filters(), sv.id, TODAY)
    answers = frame(s, sa.select(m.SurveyAnswer.response_id, m.SurveyAnswer.question_id,
                                 m.SurveyAnswer.value)
                    .join(m.SurveyQuestion).where(m.SurveyQuestion.survey_id == sv.id))  # fmt: skip
    questions = q.questions(s, sv.id)
    assert questions["reverse_scored"].sum() == 3 and len(questions) == 7
    want = domain_scores(answers, questions, 1, 7)
    want_all = domain_scores(answers, questions.assign(domain=q.ALL_ITEMS), 1, 7)
    expected = pd.concat([want, want_all]).set_index(["response_id", "domain"])["score"]
    actual = got.set_index(["response_id", "domain"])["score"]
    assert len(actual) == len(expected)
    assert actual.sort_index().to_numpy() == pytest.approx(expected.sort_index().to_numpy())


def test_answer_counts_add_up_and_staff_group_filter_narrows(demo_session):
    s = demo_session
    sv = _survey(s, "Joy in work pulse")
    counts = q.answer_counts(s, ADMIN, Filters(), sv.id, TODAY)
    total = s.execute(sa.select(sa.func.count()).select_from(m.SurveyAnswer)
                      .join(m.SurveyQuestion).where(m.SurveyQuestion.survey_id == sv.id)
                      ).scalar_one()  # fmt: skip
    assert counts["n"].sum() == total
    nursing = q.answer_counts(s, ADMIN, Filters(staff_group="Nursing & Midwifery Registered"),
                              sv.id, TODAY)  # fmt: skip
    assert 0 < nursing["n"].sum() < total


def test_directorate_and_programme_scope(demo_session):
    s = demo_session
    med = s.execute(sa.select(m.Directorate.id).where(m.Directorate.name == "Medicine")).scalar()
    lead = Viewer("m", Role.DIRECTORATE_LEAD, directorate_ids=frozenset({med}))
    sv = _survey(s, "Team psychological safety pulse")
    scores = q.scores(s, lead, Filters(), sv.id, TODAY)
    assert len(scores) and set(scores["directorate_id"]) == {med}
    prog = s.execute(sa.select(m.Programme.id).where(
        m.Programme.name == demo.SUPPORT_SERVICES_PROGRAMME)).scalar()  # fmt: skip
    plead = Viewer("p", Role.PROGRAMME_LEAD, programme_ids=frozenset({prog}))
    names = set(q.surveys(s, plead, Filters())["name"])
    assert names == {f"{demo.SUPPORT_SERVICES_PROGRAMME}: QI skills and confidence"}


def test_period_filter_applies_to_pulses_only(demo_session):
    s = demo_session
    f = Filters(period="Last 6 months")
    pulse = _survey(s, "Joy in work pulse")
    recent, every = q.waves(s, f, pulse.id, TODAY), q.waves(s, Filters(), pulse.id, TODAY)
    assert 5 <= len(recent) <= 7 < len(every)
    cap = s.execute(sa.select(m.Survey).where(m.Survey.kind == "capability")).scalars().first()
    assert len(q.waves(s, f, cap.id, TODAY)) == len(q.waves(s, Filters(), cap.id, TODAY))
