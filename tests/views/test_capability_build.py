"""The Capability view over the demo data: every survey builds, sections reuse the view."""

from datetime import date

import pytest

from qinet.access import Viewer
from qinet.domain import Role
from qinet.filters import Filters
from qinet.views import capability as v
from qinet.views.base import ViewContext

pytestmark = pytest.mark.db

TODAY = date(2025, 9, 30)


def _vc(engine, viewer=None, f=None):
    return ViewContext(engine, viewer or Viewer("a", Role.ADMIN), f or Filters(), TODAY)


def test_every_survey_builds_with_sections_from_the_same_view(demo_engine):
    names = v.survey_list(_vc(demo_engine))["name"].tolist()
    assert "Team psychological safety pulse" in names and "Joy in work pulse" in names
    for name in names:
        view = v.build(_vc(demo_engine), survey=name)
        assert view.survey == name and not view.message
        secs = v.sections(view)
        assert secs[0].figure is view.wave_figure and secs[0].extract is view.extracts["by_wave"]
        if view.kind == "capability":
            assert view.paired_figure is not None and view.paired_sentences
        else:
            fig = view.pulse_charts[0].figure
            assert "Anhøj" in fig.layout.title.subtitle.text


def test_psychological_safety_shift_is_found_by_the_run_chart_rules(demo_engine):
    view = v.build(_vc(demo_engine), survey="Team psychological safety pulse",
                   pulse_view="By directorate")
    assert len(v.build(_vc(demo_engine), survey="Team psychological safety pulse")
               .pulse_charts) == 1  # everyone in view only, unless asked for directorates
    titles = {c.title: c.signal for c in view.pulse_charts}
    improver = next(t for t in titles if t.startswith("Adult Mental Health"))
    assert "run" in titles[improver].lower() or "crossing" in titles[improver].lower()


def test_directorate_scope_limits_the_responses(demo_engine):
    admin = v.build(_vc(demo_engine), survey="Team psychological safety pulse",
                    breakdown_by="Directorate")  # fmt: skip
    with demo_engine.connect() as c:
        import sqlalchemy as sa

        med = c.execute(sa.text("SELECT id FROM directorate WHERE name = 'Medicine'")).scalar()
    lead = Viewer("m", Role.DIRECTORATE_LEAD, directorate_ids=frozenset({med}))
    view = v.build(_vc(demo_engine, lead), survey="Team psychological safety pulse",
                   breakdown_by="Directorate")  # fmt: skip
    assert set(admin.breakdown_table["Directorate"]) > {"Medicine"}
    assert set(view.breakdown_table["Directorate"]) == {"Medicine"}


def test_too_few_pairs_everywhere_gives_sentences_and_a_table_but_no_empty_chart(demo_engine):
    """The Medicine lead's self-assessment: every comparison under 11 pairs."""
    lead = Viewer("medicine.lead@demo.nhs.example", Role.DIRECTORATE_LEAD,
                  directorate_ids=frozenset({1}))  # fmt: skip
    view = v.build(_vc(demo_engine, lead), survey="Aspiring Improvers: QI skills and confidence")
    assert len(view.paired_table) and view.paired_figure is None and view.paired_alt == ""
    assert all("fewer than 11 people answered both" in s for s in view.paired_sentences)
    section = next(s for s in v.sections(view) if s.heading.startswith("Paired change"))
    assert section.figure is None and section.table is view.paired_table
