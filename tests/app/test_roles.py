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


JUNK = ["' OR 1=1 --", "<script>alert(1)</script>", '=HYPERLINK("http://evil")', "x" * 3000]
FILTER_KEYS = ["directorate", "programme", "cohort", "staff_group", "period", "spc_rules",
               "run_rules"]  # fmt: skip
SCOPED_PAGES = [p for p in PAGES if p != "pages/data.py"]  # the Data page is admins' only


@pytest.fixture(scope="module")
def foreign(demo_engine) -> dict:
    """What a Medicine lead must never see, and a link that asks for it.

    Tokens are other directorates' names, project codes, project titles and measure names,
    minus any that also occur inside a Medicine name (a shared measure name is not a leak).
    """
    with demo_engine.connect() as c:
        rows = c.execute(sa.text(
            "SELECT d.name, p.code, p.title, m.name FROM project p "
            "JOIN directorate d ON d.id = p.directorate_id "
            "LEFT JOIN measure m ON m.project_id = p.id ORDER BY p.code, m.id"
        )).all()
        # a cohort with projects in Medicine and elsewhere: the page still has content
        cohort = c.execute(sa.text(
            "SELECT c.name FROM cohort c JOIN project p ON p.cohort_id = c.id "
            "JOIN directorate d ON d.id = p.directorate_id GROUP BY c.id, c.name "
            "HAVING COUNT(DISTINCT d.name) > 1 AND SUM(d.name = 'Medicine') > 0 "
            "ORDER BY c.id LIMIT 1"
        )).scalar_one()
    mine = {x for d, code, title, m in rows if d == "Medicine" for x in (d, code, title, m) if x}
    theirs = {x for d, code, title, m in rows if d != "Medicine"
              for x in (d, code, title, m) if x}  # fmt: skip
    allowed = "\n".join(mine)
    surgery = next((code, m) for d, code, _, m in rows if d == "Surgery" and m)
    params = {"directorate": "Surgery", "measure": f"{surgery[0]} · {surgery[1]}",
              "measure_project": surgery[0], "project": surgery[0], "cohort": cohort}
    # A page may echo the link back ("no project QI-0005 is available to you"): the link's
    # own words are not a leak, every other name of another directorate is.
    echoed = set(params.values()) | set(surgery)
    tokens = sorted(t for t in theirs if t not in allowed and t not in echoed)
    return {"tokens": tokens, "params": params, "surgery": surgery}


@pytest.fixture
def served(monkeypatch) -> dict[str, bytes]:
    """The bytes every download button would serve (its data callable run as a click runs it)."""
    import streamlit as st

    got: dict[str, bytes] = {}
    real = st.download_button

    def spy(label, data=None, *args, **kwargs):  # noqa: ANN001, ANN202
        payload = data() if callable(data) else data
        got[kwargs.get("key") or label] = payload.encode() if isinstance(payload, str) else payload
        return real(label, data, *args, **kwargs)

    monkeypatch.setattr(st, "download_button", spy)
    return got


def shown_content(at, served: dict[str, bytes]) -> str:  # noqa: ANN001
    """Everything a page shows or serves, as text: words, tables, options, charts, files.

    CSV extracts embedded in the board pack (base64 data URIs) are decoded too.
    """
    import base64
    import re

    parts = [texts(at)]
    parts += [df.value.astype(str).to_csv() for df in at.dataframe]
    for kind in ("selectbox", "multiselect", "radio", "segmented_control"):
        for w in at.get(kind):
            parts += [str(o) for o in getattr(w, "options", [])]
    parts += [c.proto.spec for c in at.get("plotly_chart")]
    parts += [str(b.label) for b in at.get("download_button")]
    for payload in served.values():
        text = payload.decode("utf-8", errors="replace")
        parts.append(text)
        parts += [base64.b64decode(x).decode("utf-8", "replace")
                  for x in re.findall(r"data:text/csv;base64,([A-Za-z0-9+/=]+)", text)]  # fmt: skip
    return "\n".join(parts)


def leaks(content: str, tokens: list[str]) -> list[str]:
    """The out-of-scope names found in ``content``."""
    return [t for t in tokens if t in content]


def _scoped_page(make_app, served, page, params):  # noqa: ANN001, ANN202
    at = make_app(user=MED_LEAD, params=params)
    served.clear()
    at.switch_page(page).run()
    assert not at.exception
    return at


@pytest.mark.parametrize("page", SCOPED_PAGES)
@pytest.mark.parametrize("link", ["foreign", "junk"])
def test_url_parameters_cannot_widen_a_directorate_leads_scope(make_app, served, foreign, page,
                                                               link):  # fmt: skip
    """Another directorate's measure, project, name and a cohort in the link; or junk.

    Whatever the link says, no other directorate's name, project code or title or measure
    name appears in the page's words, tables, select-box options, chart specs or the bytes
    of any file it serves (CSV extracts, the board pack and the CSVs inside it).
    """
    if link == "foreign":
        params = foreign["params"]
    else:
        params = {key: JUNK[i % len(JUNK)] for i, key in enumerate(
            [*FILTER_KEYS, "measure", "measure_project", "project"])}  # fmt: skip
    at = _scoped_page(make_app, served, page, params)
    content = shown_content(at, served)
    if page == "pages/projects.py" and link == "foreign":  # the link names a foreign project
        assert "is available to you" in content
    else:
        assert len(content) > 500  # the page showed something to check
    found = leaks(content, foreign["tokens"])
    assert not found, f"{page} shows out-of-scope names with {link} link: {found[:10]}"


def _scope_off(monkeypatch) -> None:  # noqa: ANN001
    """Make the scope filter a no-op everywhere it was imported by name."""
    import sys

    from qinet.queries import scope

    def no_op(stmt, column, viewer):  # noqa: ANN001, ANN202, ARG001
        return stmt

    for name, module in list(sys.modules.items()):
        if name.startswith("qinet.") and module is not None:
            for attr in ("restrict_directorate", "restrict_programme"):
                if getattr(module, attr, None) is getattr(scope, attr):
                    monkeypatch.setattr(module, attr, no_op)
    monkeypatch.setattr(scope, "restrict_directorate", no_op)
    monkeypatch.setattr(scope, "restrict_programme", no_op)


@pytest.mark.parametrize("page", ["pages/overview.py", "pages/measures.py", "pages/projects.py"])
def test_positive_control_the_leak_check_sees_a_leak_when_scope_is_off(
    make_app, served, foreign, monkeypatch, page
):
    """With the scope filter made a no-op, the same check finds other directorates' names.

    So the scope test above can fail: it reads content where a leak would show.
    """
    import streamlit as st

    st.cache_data.clear()  # scoped results cached by earlier tests would hide the leak
    _scope_off(monkeypatch)
    try:
        at = _scoped_page(make_app, served, page, foreign["params"])
        found = leaks(shown_content(at, served), foreign["tokens"])
    finally:
        st.cache_data.clear()  # and the leaked results must not serve later tests
    assert found, f"the check saw no leak on {page} with the scope filter removed"


def test_scoped_viewer_is_told_what_they_are_looking_at(make_app):
    at = make_app(user=MED_LEAD)
    main_caption = at.caption[0].value
    assert main_caption.startswith("Medicine")
    assert "Whole network" not in main_caption
    at = make_app(user=PROG_LEAD)
    assert at.caption[0].value.startswith("Behind the Scenes")
    at = make_app(user=ADMIN)
    assert at.caption[0].value.startswith("Whole network")
