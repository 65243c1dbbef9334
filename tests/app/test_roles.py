"""Every page, every role: what each may and may not see (AppTest through app.py)."""

import pytest
import sqlalchemy as sa

from tests.app.conftest import table_values, texts

pytestmark = pytest.mark.app

ADMIN = "admin@demo.nhs.example"
PROG_LEAD = "programme.lead@demo.nhs.example"
MED_LEAD = "medicine.lead@demo.nhs.example"
ESTATES_VIEWER = "estates.viewer@demo.nhs.example"
PAGES = ["pages/overview.py", "pages/measures.py", "pages/engagement.py",
         "pages/capability.py", "pages/timeline.py", "pages/projects.py", "pages/data.py"]


@pytest.fixture(scope="module")
def project_codes(demo_engine) -> dict[str, set[str]]:
    """Project codes per directorate and per programme in the demo data."""
    with demo_engine.connect() as c:
        rows = c.execute(sa.text(
            "SELECT p.code, d.name, g.name FROM project p JOIN directorate d "
            "ON d.id = p.directorate_id LEFT JOIN programme g ON g.id = p.programme_id"
        )).all()
    out: dict[str, set[str]] = {}
    for code, directorate, programme in rows:
        out.setdefault(directorate, set()).add(code)
        out.setdefault(programme, set()).add(code)
    return out


def _open(make_app, user, page, params=None):
    at = make_app(user=user, params=params)
    assert not at.exception
    return at.switch_page(page).run()


def _picker_codes(at) -> set[str]:
    box = next(s for s in at.selectbox if s.key == "measure_project")
    return {o.split(" · ")[0] for o in box.options}


@pytest.mark.parametrize("page", PAGES)
def test_admin_opens_every_page(make_app, page):
    at = _open(make_app, ADMIN, page)
    assert not at.exception
    assert "administrators only" not in texts(at)


@pytest.mark.parametrize("user", [PROG_LEAD, MED_LEAD, ESTATES_VIEWER])
def test_only_admins_have_the_data_page(make_app, user):
    at = make_app(user=user)
    with pytest.raises(ValueError):  # not registered in their navigation
        at.switch_page("pages/data.py").run()


@pytest.mark.parametrize(
    ("user", "scope"),
    [(MED_LEAD, "Medicine"), (ESTATES_VIEWER, "Estates & Facilities"),
     (PROG_LEAD, "Behind the Scenes: Support Services QI")],
)
def test_measures_picker_is_limited_to_scope(make_app, project_codes, user, scope):
    at = _open(make_app, user, "pages/measures.py")
    assert not at.exception
    codes = _picker_codes(at)
    assert codes and codes <= project_codes[scope]


@pytest.mark.parametrize(
    ("user", "column", "allowed"),
    [(MED_LEAD, "directorate", {"Medicine"}),
     (ESTATES_VIEWER, "directorate", {"Estates & Facilities"}),
     (PROG_LEAD, "programme", {"Behind the Scenes: Support Services QI"})],
)
def test_overview_tables_are_limited_to_scope(make_app, user, column, allowed):
    at = _open(make_app, user, "pages/overview.py")
    assert not at.exception
    assert table_values(at, column) <= allowed


def test_a_measure_link_outside_scope_shows_nothing_of_it(make_app, demo_engine):
    with demo_engine.connect() as c:
        surgery, name = c.execute(sa.text(
            "SELECT p.code, m.name FROM measure m JOIN project p ON p.id = m.project_id "
            "JOIN directorate d ON d.id = p.directorate_id WHERE d.name = 'Surgery' "
            "ORDER BY m.id LIMIT 1"
        )).one()
    at = make_app(user=MED_LEAD, params={"measure": f"{surgery} · {name}"})
    at.switch_page("pages/measures.py").run()
    assert not at.exception
    assert surgery not in _picker_codes(at)
    assert surgery not in texts(at) and name not in texts(at)


@pytest.mark.parametrize("user", [MED_LEAD, ESTATES_VIEWER])
def test_viewers_and_directorate_leads_cannot_confirm_phase_breaks(make_app, user):
    at = _open(make_app, user, "pages/measures.py")
    assert not at.exception
    assert not [b for b in at.button if b.label in ("Confirm phase break", "Undo")]


JUNK = ["Surgery", "' OR 1=1 --", "<script>alert(1)</script>", '=HYPERLINK("http://evil")',
        "x" * 3000]


@pytest.mark.parametrize("page", ["pages/measures.py", "pages/data.py"])
@pytest.mark.parametrize("key", ["directorate", "programme", "cohort", "staff_group", "period",
                                 "measure", "measure_project", "spc_rules", "run_rules"])
@pytest.mark.parametrize("value", JUNK, ids=range(len(JUNK)))
def test_junk_in_url_parameters_on_every_page(make_app, page, key, value):
    user = MED_LEAD if page != "pages/data.py" else ADMIN
    at = make_app(user=user, params={key: value})
    at.switch_page(page).run()
    assert not at.exception
    if user == MED_LEAD:
        assert table_values(at, "directorate") <= {"Medicine"}
        assert "Surgery" not in " ".join(
            o for s in at.selectbox if s.key == "measure_project" for o in s.options
        )


def test_scoped_viewer_is_told_what_they_are_looking_at(make_app):
    at = make_app(user=MED_LEAD)
    main_caption = at.caption[0].value
    assert main_caption.startswith("Medicine")
    assert "Whole network" not in main_caption
    at = make_app(user=PROG_LEAD)
    assert at.caption[0].value.startswith("Behind the Scenes")
    at = make_app(user=ADMIN)
    assert at.caption[0].value.startswith("Whole network")
