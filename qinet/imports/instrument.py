"""Survey instruments from JSON definitions (the format of ``qinet/instruments``).

An instrument file becomes one survey with its questions (domains, reverse-scored flags,
scale and anchors). The natural key is the instrument code (``survey.instrument``):
importing the same file again changes nothing, a corrected file updates the survey and
its questions in place (questions keyed by code). Every field is checked first and a
problem names the field by its path (``questions[3].reverse``); the cross-field rules
(scale length, anchors per point, unique codes) are those of :func:`qinet.instruments.parse`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.orm import Session

from qinet import instruments
from qinet import models as m
from qinet.domain import SurveyKind
from qinet.imports.kinds import Kind
from qinet.imports.problems import ImportRejected, Problem, reject
from qinet.imports.writing import Plan, apply, plan

T = m.Base.metadata.tables
NAME = "instrument"
LABEL = "Survey instrument"


SURVEYS = Kind("instrument_survey", "Survey", T["survey"], (), (), ("instrument",),
               "instrument code")  # fmt: skip
QUESTIONS = Kind("instrument_questions", "Survey questions", T["survey_question"], (), (),
                 ("survey_id", "code"), "survey and question code")  # fmt: skip


@dataclass
class Written:
    """What an instrument import did: counts over the survey and its questions."""

    counts: dict[str, int]
    notes: list[str]
    preview: pd.DataFrame


def _bad(path: str, reason: str) -> Problem:
    """A problem naming a JSON field by its path (files here have no rows or columns)."""
    return Problem(f"field `{path}`: {reason}")


def _text(p: list[Problem], data: dict, key: str, where: str, limit: int, *, need: bool) -> None:
    value = data.get(key)
    if value is None:
        if need:
            p.append(_bad(f"{where}{key}", "this field is missing"))
    elif not isinstance(value, str) or (need and not value.strip()):
        p.append(_bad(f"{where}{key}", f"{value!r} is not text"))
    elif len(value) > limit:
        p.append(_bad(f"{where}{key}", f"text longer than {limit} characters"))


def _whole(p: list[Problem], data: dict, key: str, where: str) -> None:
    value = data.get(key)
    if value is None:
        p.append(_bad(f"{where}{key}", "this field is missing"))
    elif isinstance(value, bool) or not isinstance(value, int):
        p.append(_bad(f"{where}{key}", f"{value!r} is not a whole number"))


def field_problems(data: object) -> list[Problem]:
    """Every field that is missing or of the wrong type, named by its path."""
    if not isinstance(data, dict):
        return [Problem("the file must hold one JSON object (an instrument definition)")]
    p: list[Problem] = []
    _text(p, data, "code", "", 60, need=True)
    _text(p, data, "name", "", 200, need=True)
    _text(p, data, "description", "", 2000, need=False)
    _text(p, data, "stem", "", 400, need=False)
    kind = data.get("kind")
    if kind is None:
        p.append(_bad("kind", "this field is missing"))
    elif kind not in ("capability", "pulse"):
        p.append(_bad("kind", f"{kind!r} is not 'capability' or 'pulse'"))
    if "anonymous" in data and not isinstance(data["anonymous"], bool):
        p.append(_bad("anonymous", f"{data['anonymous']!r} is not true or false"))
    scale = data.get("scale")
    if not isinstance(scale, dict):
        p.append(_bad("scale", "must be an object with min, max and anchors"))
    else:
        _whole(p, scale, "min", "scale.")
        _whole(p, scale, "max", "scale.")
        anchors = scale.get("anchors")
        if not isinstance(anchors, list) or not all(isinstance(a, str) for a in anchors):
            p.append(_bad("scale.anchors", "must be a list of labels, low to high"))
        elif len("|".join(anchors)) > 600 or any("|" in a for a in anchors):
            p.append(_bad("scale.anchors", "labels must be short and hold no '|'"))
    questions = data.get("questions")
    if not isinstance(questions, list) or not questions:
        p.append(_bad("questions", "must be a non-empty list of questions"))
        return p
    for i, q in enumerate(questions, start=1):
        where = f"questions[{i}]."
        if not isinstance(q, dict):
            p.append(_bad(f"questions[{i}]", "must be an object"))
            continue
        _text(p, q, "code", where, 20, need=True)
        _text(p, q, "domain", where, 120, need=True)
        _text(p, q, "text", where, 400, need=True)
        if not isinstance(q.get("reverse"), bool):
            said = q.get("reverse")
            p.append(_bad(f"{where}reverse", f"{said!r} is not true or false"))
    return p


def parse_file(data: bytes, file_name: str) -> tuple[instruments.Instrument, bool]:
    """The instrument in a JSON file, and whether its survey is anonymous.

    ``anonymous`` is optional in the file; by default a pulse is anonymous and a
    capability self-assessment is not (its waves are paired by participant).

    Raises:
        ImportRejected: Not UTF-8 JSON, or any field wrong (each named).
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise reject(
            "the file is not UTF-8 text (an instrument is a .json file)", file_name
        ) from None
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise reject(f"not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})",
                     file_name) from None  # fmt: skip
    problems = field_problems(raw)
    if problems:
        raise ImportRejected(problems, file_name)
    try:
        inst = instruments.parse(raw, file_name)
    except instruments.InstrumentError as exc:
        raise reject(str(exc).removeprefix(f"{file_name}: "), file_name) from None
    return inst, bool(raw.get("anonymous", inst.kind == "pulse"))


def _survey_row(
    s: Session, inst: instruments.Instrument, anonymous: bool, file_name: str
) -> pd.DataFrame:
    """The survey's row; refuses a code shared by several surveys or a name taken."""
    same = s.execute(
        sa.select(m.Survey.id, m.Survey.name, m.Survey.scale_min, m.Survey.scale_max).where(
            m.Survey.instrument == inst.code
        )
    ).all()
    if len(same) > 1:
        names = "; ".join(sorted(r.name for r in same))
        raise reject(f"{len(same)} surveys are built from instrument {inst.code!r} ({names}); "
                     "an instrument file updates only a survey of its own", file_name)  # fmt: skip
    taken = s.execute(
        sa.select(m.Survey.id, m.Survey.instrument).where(
            sa.func.lower(m.Survey.name) == inst.name.lower()
        )
    ).first()
    if taken is not None and (not same or taken.id != same[0].id):
        raise reject(f"a survey called {inst.name!r} already exists and is not built from "
                     f"instrument {inst.code!r}; rename one of them", file_name)  # fmt: skip
    if same and (same[0].scale_min, same[0].scale_max) != (inst.scale_min, inst.scale_max):
        answered = s.execute(
            sa.select(sa.func.count())
            .select_from(m.SurveyAnswer)
            .join(m.SurveyResponse)
            .join(m.SurveyWave)
            .where(m.SurveyWave.survey_id == same[0].id)
        ).scalar()
        if answered:
            raise reject(f"the survey already holds {answered:,} "
                         f"answer{'s' if answered != 1 else ''} on its "
                         f"{same[0].scale_min} to {same[0].scale_max} scale; a new scale "
                         "would change what they mean", file_name)  # fmt: skip
    return pd.DataFrame([{
        "instrument": inst.code, "name": inst.name, "kind": SurveyKind(inst.kind).value,
        "anonymous": anonymous, "scale_min": inst.scale_min, "scale_max": inst.scale_max,
        "scale_anchors": "|".join(inst.anchors),
    }])  # fmt: skip


def write(s: Session, data: bytes, file_name: str) -> Written:
    """Create or update the instrument's survey and questions in the session's transaction.

    Raises:
        ImportRejected: The file is wrong or conflicts with stored surveys; nothing written.
    """
    inst, anonymous = parse_file(data, file_name)
    survey = _survey_row(s, inst, anonymous, file_name)
    splan = plan(s, SURVEYS, survey)
    apply(s, splan, file_name)
    sid = s.execute(sa.select(m.Survey.id).where(m.Survey.instrument == inst.code)).scalar_one()
    questions = pd.DataFrame(
        [{"survey_id": sid, "code": q.code, "text": q.text, "position": i, "domain": q.domain,
          "reverse_scored": q.reverse} for i, q in enumerate(inst.questions, start=1)]
    )  # fmt: skip
    qplan = plan(s, QUESTIONS, questions)
    apply(s, qplan, file_name)
    counts = {k: splan.counts[k] + qplan.counts[k] for k in splan.counts}
    notes = [_line("survey", splan), _line("questions", qplan)]
    kept = s.execute(
        sa.select(sa.func.count())
        .select_from(m.SurveyQuestion)
        .where(m.SurveyQuestion.survey_id == sid, m.SurveyQuestion.code.not_in(
            [q.code for q in inst.questions]))
    ).scalar()  # fmt: skip
    if kept:
        notes.append(f"{kept} stored question{'s' if kept != 1 else ''} not in the file "
                     "kept (answers may refer to them)")  # fmt: skip
    return Written(counts, notes, _preview(inst, qplan))


def _line(what: str, p: Plan) -> str:
    c = p.counts
    return f"{what}: {c['added']} added, {c['changed']} changed, {c['unchanged']} unchanged"


def _preview(inst: instruments.Instrument, p: Plan) -> pd.DataFrame:
    change = pd.Series("unchanged", index=range(len(inst.questions)), dtype=object)
    change[change.index.isin(p.added.index)] = "added"
    change[change.index.isin(p.changed.index)] = "changed"
    return pd.DataFrame(
        {
            "Change": change,
            "code": [q.code for q in inst.questions],
            "domain": [q.domain for q in inst.questions],
            "text": [q.text for q in inst.questions],
            "reverse": [q.reverse for q in inst.questions],
        }
    )


def read_back(s: Session, code: str) -> instruments.Instrument:
    """The stored survey of an instrument as an :class:`~qinet.instruments.Instrument`.

    Description and stem are not stored, so they come back empty.
    """
    survey = s.execute(sa.select(m.Survey).where(m.Survey.instrument == code)).scalar_one()
    qs = s.execute(
        sa.select(m.SurveyQuestion)
        .where(m.SurveyQuestion.survey_id == survey.id)
        .order_by(m.SurveyQuestion.position)
    ).scalars()
    return instruments.Instrument(
        code, survey.name, SurveyKind(survey.kind).value, "", "", survey.scale_min,
        survey.scale_max, tuple((survey.scale_anchors or "").split("|")),
        tuple(instruments.Question(q.code, q.domain or "", q.text, q.reverse_scored) for q in qs),
    )  # fmt: skip
