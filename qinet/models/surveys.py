"""Surveys (capability, engagement), their waves and answers."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from qinet.domain import (
    SurveyKind,
    WaveKind,
)
from qinet.models.base import Base, enum_column


class Survey(Base):
    """A questionnaire: capability self-assessment (paired) or a pulse (snapshots)."""

    __tablename__ = "survey"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), unique=True)
    kind: Mapped[SurveyKind] = mapped_column(enum_column(SurveyKind))
    programme_id: Mapped[int | None] = mapped_column(sa.ForeignKey("programme.id"), index=True)
    anonymous: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    scale_min: Mapped[int] = mapped_column(sa.Integer, default=1)
    scale_max: Mapped[int] = mapped_column(sa.Integer, default=5)
    # The instrument it was built from (qinet/instruments), and its answer labels low → high
    # joined by "|" (one per scale point); both optional for surveys entered by hand.
    instrument: Mapped[str | None] = mapped_column(sa.String(60))
    scale_anchors: Mapped[str | None] = mapped_column(sa.String(600))

    questions: Mapped[list[SurveyQuestion]] = relationship(back_populates="survey")
    waves: Mapped[list[SurveyWave]] = relationship(back_populates="survey")


class SurveyQuestion(Base):
    """One Likert question of a survey."""

    __tablename__ = "survey_question"
    __table_args__ = (sa.UniqueConstraint("survey_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(sa.ForeignKey("survey.id"), index=True)
    code: Mapped[str] = mapped_column(sa.String(20))
    text: Mapped[str] = mapped_column(sa.String(400))
    position: Mapped[int] = mapped_column(sa.Integer)
    # Questions are grouped into domains (a domain score is the mean of its items after
    # reversal); a reverse-scored item is worded so that agreement is the worse state.
    domain: Mapped[str | None] = mapped_column(sa.String(120))
    reverse_scored: Mapped[bool] = mapped_column(
        sa.Boolean, default=False, server_default=sa.false()
    )

    survey: Mapped[Survey] = relationship(back_populates="questions")


class SurveyWave(Base):
    """One administration of a survey (pre, mid, post or a pulse), optionally for a cohort."""

    __tablename__ = "survey_wave"
    __table_args__ = (sa.UniqueConstraint("survey_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(sa.ForeignKey("survey.id"), index=True)
    cohort_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cohort.id"), index=True)
    kind: Mapped[WaveKind] = mapped_column(enum_column(WaveKind))
    name: Mapped[str] = mapped_column(sa.String(120))
    opens_on: Mapped[date] = mapped_column(sa.Date)

    survey: Mapped[Survey] = relationship(back_populates="waves")


class SurveyResponse(Base):
    """One respondent's answers to a wave; linked to a participant only when not anonymous."""

    __tablename__ = "survey_response"
    __table_args__ = (sa.UniqueConstraint("wave_id", "reference"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    wave_id: Mapped[int] = mapped_column(sa.ForeignKey("survey_wave.id"), index=True)
    # The survey tool's response id: the natural key of an imported response (unique per
    # wave). NULL for responses that predate imports (the demo's); NULLs never collide.
    reference: Mapped[str | None] = mapped_column(sa.String(60))
    participant_id: Mapped[int | None] = mapped_column(sa.ForeignKey("participant.id"), index=True)
    staff_group_code: Mapped[str] = mapped_column(sa.ForeignKey("staff_group.code"))
    directorate_id: Mapped[int | None] = mapped_column(sa.ForeignKey("directorate.id"), index=True)
    submitted_on: Mapped[date] = mapped_column(sa.Date)

    answers: Mapped[list[SurveyAnswer]] = relationship(
        back_populates="response", cascade="all, delete-orphan"
    )


class SurveyAnswer(Base):
    """One Likert answer (an integer on the survey's scale)."""

    __tablename__ = "survey_answer"
    __table_args__ = (sa.CheckConstraint("value >= 0 AND value <= 10", name="likert_range"),)

    response_id: Mapped[int] = mapped_column(sa.ForeignKey("survey_response.id"), primary_key=True)
    question_id: Mapped[int] = mapped_column(sa.ForeignKey("survey_question.id"), primary_key=True)
    value: Mapped[int] = mapped_column(sa.Integer)

    response: Mapped[SurveyResponse] = relationship(back_populates="answers")
