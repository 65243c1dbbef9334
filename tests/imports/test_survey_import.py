"""Survey responses (long survey-tool exports) and survey instruments (JSON) imports."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
import sqlalchemy as sa

from qinet import db, instruments
from qinet.imports import ImportRejected, import_file, import_instrument
from qinet.imports.instrument import read_back
from qinet.imports.kinds import Context
from qinet.imports.templates import template_csv, template_xlsx
from qinet.models import SurveyAnswer, SurveyResponse
from qinet.queries.version import data_version
from tests.imports.helpers import csv_bytes, dump, load_examples

pytestmark = pytest.mark.db
ROOT = Path(__file__).resolve().parents[2]
INSTRUMENTS = ROOT / "qinet" / "instruments"
HEADER = ["survey", "wave", "response_ref", "participant", "staff_group", "directorate",
          "submitted_on", "question", "answer"]  # fmt: skip
SURVEY = "Improvement capability self-assessment"  # the templates' example survey (1–5)


def _row(ref="R-1", question="Q1", answer="4", **kw) -> list[str]:
    row = {"survey": SURVEY, "wave": "Cohort 1 pre", "response_ref": ref,
           "participant": "P-90001", "staff_group": "Nursing and Midwifery Registered",
           "directorate": "RXX-MED", "submitted_on": "2024-05-03", "question": question,
           "answer": answer, **kw}  # fmt: skip
    return [row[h] for h in HEADER]


def _responses(engine, rows, name="export.csv", **kw):
    with db.session_scope(engine) as s:
        return import_file(s, "survey_responses", csv_bytes([HEADER, *rows]), name,
                           Context("tester"), **kw)  # fmt: skip


def _stored(engine) -> list[tuple]:
    with engine.connect() as c:
        return c.execute(
            sa.select(SurveyResponse.reference, SurveyResponse.staff_group_code,
                      SurveyAnswer.question_id, SurveyAnswer.value)
            .join(SurveyAnswer, SurveyAnswer.response_id == SurveyResponse.id)
            .order_by(SurveyResponse.reference, SurveyAnswer.question_id)
        ).all()  # fmt: skip


@pytest.fixture
def examples(engine):
    """The template examples up to the survey waves (survey, question Q1, wave, participant)."""
    load_examples(engine, upto="survey_waves")
    return engine


def test_template_example_imports_and_reimport_changes_nothing(examples):
    with db.session_scope(examples) as s:
        first = import_file(s, "survey_responses", template_csv("survey_responses"), "t.csv",
                            Context("tester"))  # fmt: skip
    assert first.counts == {"added": 1, "changed": 0, "unchanged": 0}
    assert "responses: 1 added" in first.notes[0]
    version = _version(examples)
    before = dump(examples)
    with db.session_scope(examples) as s:
        again = import_file(s, "survey_responses", template_xlsx("survey_responses"), "t.xlsx",
                            Context("tester"))  # fmt: skip
    assert again.counts == {"added": 0, "changed": 0, "unchanged": 1}
    after = dump(examples)
    assert {k: v for k, v in after.items() if k not in ("import_log", "data_version")} == {
        k: v for k, v in before.items() if k not in ("import_log", "data_version")
    }
    assert _version(examples) == version + 1  # audited and the data version bumped
    with examples.connect() as c:
        ref = c.scalar(sa.select(SurveyResponse.reference))
    assert ref == "R-000123"


def _version(engine) -> int:
    with engine.connect() as c:
        return data_version(c)


def test_changed_answers_and_response_details_update_in_place(examples):
    _responses(examples, [_row("R-1", "Q1", "4"), _row("R-2", "Q1", "2")])
    moved = _row("R-2", "Q1", "2", staff_group="Allied Health Professionals")
    result = _responses(examples, [_row("R-1", "Q1", "5"), moved, _row("R-3", "Q1", "3")])
    assert result.counts == {"added": 1, "changed": 2, "unchanged": 0}
    assert result.notes[0] == "responses: 1 added, 1 changed, 1 unchanged"
    stored = _stored(examples)
    assert [(r[0], r[3]) for r in stored] == [("R-1", 5), ("R-2", 2), ("R-3", 3)]
    assert stored[1][1] != stored[0][1]  # R-2's staff group changed, not duplicated
    with examples.connect() as c:
        assert c.scalar(sa.select(sa.func.count()).select_from(SurveyResponse)) == 3


def test_a_bad_file_lists_every_row_column_and_reason_and_writes_nothing(examples):
    before = dump(examples)
    rows = [
        _row("R-1", "Q1", "6"),  # row 2: off the 1–5 scale
        _row("R-2", "Q9"),  # row 3: not a question of the survey
        _row("R-3", submitted_on="31/02/2024"),  # row 4: not a date
        _row("R-4", wave="Cohort 9 post"),  # row 5: not a wave of the survey
        _row("R-5", participant="P-NOPE"),  # row 6: unknown participant
        _row("R-6", staff_group="Wizards"),  # row 7
        _row("R-7", directorate="NOPE"),  # row 8
        _row("R-8", answer="four"),  # row 9
        _row("R-9", survey="No such survey"),  # row 10
    ]
    with pytest.raises(ImportRejected) as caught:
        _responses(examples, rows)
    found = {(p.row, p.column) for p in caught.value.problems}
    assert {(2, "answer"), (3, "question"), (4, "submitted_on"), (5, "wave"),
            (6, "participant"), (7, "staff_group"), (8, "directorate"), (9, "answer"),
            (10, "survey")} <= found  # fmt: skip
    report = caught.value.report()
    assert "row 2, column `answer`: 6 is off the survey's scale (1 to 5)" in report
    assert "row 3, column `question`: 'Q9' is not a question of survey" in report
    assert "row 4, column `submitted_on`: '31/02/2024' is not a date" in report
    assert dump(examples) == before


def test_one_responses_rows_must_agree_and_anonymous_surveys_take_no_participant(examples):
    with pytest.raises(ImportRejected) as caught:
        _responses(examples, [_row("R-1", "Q1"), _row("R-1", "Q1"),
                              _row("R-2", submitted_on="2024-05-04"),
                              _row("R-2", "Q1", submitted_on="2024-05-05")])  # fmt: skip
    report = caught.value.report()
    assert "row 3: repeats an earlier row" in report
    assert "row 5, column `submitted_on`" in report and "same response" in report
    with db.session_scope(examples) as s:
        s.execute(sa.text("UPDATE survey SET anonymous = :t"), {"t": True})
    with pytest.raises(ImportRejected) as caught:
        _responses(examples, [_row()])
    assert "column `participant`: the survey is anonymous" in caught.value.report()
    _responses(examples, [_row(participant="")])  # the same without a participant: fine
    assert len(_stored(examples)) == 1


def _json(code: str) -> bytes:
    return (INSTRUMENTS / instruments.FILES[code]).read_bytes()


def test_every_shipped_instrument_round_trips_and_reimport_changes_nothing(engine):
    for code in instruments.FILES:
        with db.session_scope(engine) as s:
            first = import_instrument(s, _json(code), f"{code}.json", Context("tester"))
        inst = instruments.load(code)
        assert first.counts["added"] == 1 + len(inst.questions)
        with db.session_scope(engine) as s:
            again = import_instrument(s, _json(code), f"{code}.json", Context("tester"))
            assert again.counts == {"added": 0, "changed": 0,
                                    "unchanged": 1 + len(inst.questions)}  # fmt: skip
            assert read_back(s, code) == replace(inst, description="", stem="")


def test_a_corrected_instrument_updates_in_place(engine):
    raw = json.loads(_json(instruments.JOY_IN_WORK))
    with db.session_scope(engine) as s:
        import_instrument(s, json.dumps(raw).encode(), "joy.json")
    raw["questions"][0]["reverse"] = not raw["questions"][0]["reverse"]
    raw["questions"][1]["domain"] = "Renamed domain"
    with db.session_scope(engine) as s:
        result = import_instrument(s, json.dumps(raw).encode(), "joy.json")
        assert result.counts["changed"] == 2
        back = read_back(s, raw["code"])
    assert back.questions[0].reverse is raw["questions"][0]["reverse"]
    assert back.questions[1].domain == "Renamed domain"


@pytest.mark.parametrize(
    ("change", "says"),
    [
        (lambda d: d.pop("name"), "field `name`: this field is missing"),
        (lambda d: d["scale"].update(max="5"), "field `scale.max`: '5' is not a whole number"),
        (lambda d: d["questions"][2].update(reverse="no"),
         "field `questions[3].reverse`: 'no' is not true or false"),
        (lambda d: d.update(kind="census"), "field `kind`: 'census' is not"),
        (lambda d: d["scale"]["anchors"].pop(), "scale has 5 points but 4 anchors"),
    ],
)
def test_a_wrong_instrument_field_is_named_and_nothing_is_written(engine, change, says):
    raw = json.loads(_json(instruments.QI_SKILLS))
    change(raw)
    before = dump(engine)
    with pytest.raises(ImportRejected) as caught, db.session_scope(engine) as s:
        import_instrument(s, json.dumps(raw).encode(), "bad.json")
    assert says in caught.value.report()
    assert dump(engine) == before


def test_instrument_files_that_are_not_json_are_refused_by_name(engine):
    cases = ((b'{"code": ', "not valid JSON (line 1"), (b"\xff\xfe\x00", "not UTF-8 text"),
             (b"[1, 2]", "one JSON object"))  # fmt: skip
    for data, says in cases:
        with pytest.raises(ImportRejected) as caught, db.session_scope(engine) as s:
            import_instrument(s, data, "x.json")
        assert says in caught.value.report()


def _cli(url: str, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "QINET_DATABASE_URL": url, "QINET_CREATE_DEMO": "0"}
    return subprocess.run([sys.executable, "-m", "qinet", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)  # fmt: skip


def test_cli_imports_an_instrument_then_responses_and_refuses_a_bad_file(tmp_path):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    engine = db.make_engine(url)
    db.create_schema(engine)
    load_examples(engine, upto="survey_waves")
    engine.dispose()
    done = _cli(url, "import", "instrument", str(INSTRUMENTS / "qi_skills_confidence.json"))
    assert done.returncode == 0, done.stderr
    assert "Survey instrument: 10 added" in done.stdout
    assert _cli(url, "template", "survey_responses", "--output",
                str(tmp_path / "t.csv")).returncode == 0  # fmt: skip
    done = _cli(url, "import", "survey_responses", str(tmp_path / "t.csv"))
    assert done.returncode == 0, done.stderr
    assert "Survey responses: 1 added" in done.stdout
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes([HEADER, _row("R-9", "Q1", "9")]))
    done = _cli(url, "import", "survey_responses", str(bad))
    assert done.returncode == 1
    assert "row 2, column `answer`: 9 is off the survey's scale" in done.stderr
    broken = tmp_path / "broken.json"
    broken.write_text('{"code": "x", "name": "X", "kind": "pulse"}')
    done = _cli(url, "import", "instrument", str(broken))
    assert done.returncode == 1 and "field `scale`" in done.stderr


def test_an_instrument_refuses_ambiguous_or_conflicting_surveys(examples):
    raw = json.loads(_json(instruments.JOY_IN_WORK))
    raw["name"] = SURVEY  # the name of the template's survey, not built from this instrument
    with pytest.raises(ImportRejected) as caught, db.session_scope(examples) as s:
        import_instrument(s, json.dumps(raw).encode(), "joy.json")
    assert "a survey called 'Improvement capability self-assessment' already exists" in str(
        caught.value.report()
    )
    with db.session_scope(examples) as s:  # two surveys from one instrument (like the demo's)
        s.execute(sa.text("UPDATE survey SET instrument = 'joy-in-work-pulse'"))
        s.execute(
            sa.text("INSERT INTO survey (name, kind, anonymous, scale_min, scale_max, instrument)"
                    " VALUES ('Copy', 'pulse', :t, 1, 5, 'joy-in-work-pulse')"), {"t": True}
        )  # fmt: skip
    raw = json.loads(_json(instruments.JOY_IN_WORK))
    with pytest.raises(ImportRejected) as caught, db.session_scope(examples) as s:
        import_instrument(s, json.dumps(raw).encode(), "joy.json")
    assert "2 surveys are built from instrument 'joy-in-work-pulse'" in caught.value.report()


def test_an_instruments_scale_cannot_change_under_stored_answers(examples):
    _responses(examples, [_row()])  # one answer on the template survey's 1–5 scale
    raw = json.loads(_json(instruments.PSYCHOLOGICAL_SAFETY))  # a 1–7 scale
    raw["name"] = SURVEY
    with db.session_scope(examples) as s:
        s.execute(sa.text("UPDATE survey SET instrument = :c"), {"c": raw["code"]})
    before = dump(examples)
    with pytest.raises(ImportRejected) as caught, db.session_scope(examples) as s:
        import_instrument(s, json.dumps(raw).encode(), "ps.json")
    assert "already holds 1 answer on its 1 to 5 scale" in caught.value.report()
    assert dump(examples) == before
