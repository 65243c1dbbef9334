"""Imported surveys on the pages: an instrument and a survey-tool export on the Capability
page (paired change from participant references), and both kinds offered on the Data page."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa

from qinet import db, instruments
from qinet.imports import import_file, import_instrument
from qinet.imports.kinds import Context
from qinet.models import Directorate, Participant
from tests.app.conftest import table_values, texts
from tests.imports.helpers import csv_bytes

pytestmark = pytest.mark.app

NAME = "Imported QI skills check"
PEOPLE = 14  # above the suppression threshold (11), so pairs are shown


@pytest.fixture
def db_copy(demo_sqlite_url, tmp_path, monkeypatch) -> str:
    """A writable copy of the demo database, used by the app for this test."""
    dst = tmp_path / "qinet.db"
    shutil.copy(Path(sa.make_url(demo_sqlite_url).database), dst)
    url = f"sqlite:///{dst}"
    monkeypatch.setenv("QINET_DATABASE_URL", url)
    return url


def _load_survey(url: str) -> list[str]:
    """An instrument, two waves and a pre/post export for PEOPLE demo participants."""
    shipped = Path(instruments.__file__).parent / instruments.FILES[instruments.QI_SKILLS]
    raw = json.loads(shipped.read_text(encoding="utf-8"))
    raw.update(code="qi-skills-imported", name=NAME)
    engine = db.make_engine(url)
    ctx = Context("tester")
    with db.session_scope(engine) as s:
        import_instrument(s, json.dumps(raw).encode(), "skills.json", ctx)
        waves = csv_bytes([["survey", "name", "kind", "opens_on"],
                           [NAME, "Before", "pre", "2025-01-06"],
                           [NAME, "After", "post", "2025-06-02"]])  # fmt: skip
        import_file(s, "survey_waves", waves, "waves.csv", ctx)
        people = s.execute(
            sa.select(Participant.reference, Participant.staff_group_code, Directorate.code)
            .join(Directorate, Participant.directorate_id == Directorate.id)
            .order_by(Participant.reference)
            .limit(PEOPLE)
        ).all()  # fmt: skip
        rows = [["Survey", "Wave", "Response Ref", "Participant", "Staff group", "Directorate",
                 "Submitted on", "Question", "Answer"]]  # fmt: skip
        for i, (ref, group, directorate) in enumerate(people):
            for wave, day, lift in (("Before", "2025-01-08", 0), ("After", "2025-06-04", 1)):
                for j, q in enumerate(raw["questions"]):
                    value = 2 + (i + j) % 2 + lift
                    rows.append([NAME, wave, f"{wave[0]}-{i:03d}", ref, group, directorate,
                                 day, q["code"], str(value)])  # fmt: skip
        result = import_file(s, "survey_responses", csv_bytes(rows), "export.csv", ctx)
    engine.dispose()
    assert result.counts["added"] == PEOPLE * 2 * len(raw["questions"])
    return [p[0] for p in people]


def test_imported_responses_show_on_the_capability_page_with_paired_change(make_app, db_copy):
    _load_survey(db_copy)
    at = make_app(run=False)
    at.run()
    at.switch_page("pages/capability.py").run()
    box = next(s for s in at.selectbox if s.key == "cap_survey")
    assert NAME in box.options
    box.set_value(NAME).run()
    assert not at.exception, [e.value for e in at.exception]
    text = texts(at)
    assert "Scores by wave (all responses, unpaired)" in text
    assert "Paired change: the same people before and after" in text
    assert table_values(at, "Pairs") >= {str(PEOPLE)}, table_values(at, "Pairs")


def test_data_page_offers_survey_responses_and_instruments(make_app):
    at = make_app(user="admin@demo.nhs.example", run=False)
    at.run()
    at.switch_page("pages/data.py").run()
    assert not at.exception
    kinds = next(s for s in at.selectbox if s.key == "import_kind")
    assert "Survey responses" in kinds.options
    assert "Survey instrument (questions, domains, scale; .json)" in kinds.options
    kinds.set_value("survey_responses").run()
    assert "One row per survey wave, response reference and question" in texts(at)
    templates = next(s for s in at.selectbox if s.key == "template_kind")
    assert "Survey responses" in templates.options
    kinds.set_value("instrument").run()
    assert not at.exception
    assert any(u.label == "Instrument definition" for u in at.get("file_uploader"))
