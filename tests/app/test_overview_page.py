"""The Overview page through app.py: whole network, one directorate, an empty filter, a lead."""

import pytest

from tests.app.conftest import table_values, texts

pytestmark = pytest.mark.app

MED_LEAD = "medicine.lead@demo.nhs.example"
TILES = ["Active projects", "Improving", "Trained", "Hard to reach", "On track / late"]


def _matrix(at):
    return next(d.value for d in at.dataframe if "variation_icon" in d.value.columns)


def _downloads(at):
    return [b.label for b in at.get("download_button")]


def test_whole_network(make_app):
    at = make_app()
    assert not at.exception
    assert [m.label for m in at.metric] == TILES
    assert all(m.delta for m in at.metric)  # every tile says how it changed
    body = texts(at)
    for heading in ("Summary of measures", "Reach by staff group", "Plan"):
        assert heading in body
    matrix = _matrix(at)
    assert len(matrix) > 20
    assert matrix["variation_icon"].astype(str).str.startswith("data:image/svg+xml;base64,").all()
    assert matrix["state"].astype(str).str.len().gt(0).all()  # words beside every icon
    assert list(matrix.columns[:2]) == ["variation_icon", "assurance_icon"]  # icons first
    from qinet.views.overview import ASSURANCE_URI

    assured = matrix["assurance_icon"].astype(str) != ASSURANCE_URI["no_target"]
    assert assured.any()
    assert matrix.loc[assured, "state"].str.contains(" · ").all()  # assurance in words too
    assert len(table_values(at, "directorate")) > 3
    # the first download is still the project register; the board pack is next to it
    assert _downloads(at)[:2] == ["Project register CSV", "Board pack (HTML)"]


def test_one_directorate(make_app):
    at = make_app(params={"directorate": "Medicine"})
    assert not at.exception
    assert table_values(at, "directorate") == {"Medicine"}
    assert "Medicine" in "\n".join(c.value for c in at.caption)
    assert 0 < len(_matrix(at)) < len(_matrix(make_app()))


def test_group_by_directorate(make_app):
    at = make_app()
    at.segmented_control(key="overview_group_by").set_value("Directorate").run()
    assert not at.exception
    matrix = _matrix(at)
    assert set(matrix["group"].astype(str)) == set(matrix["directorate"])


def test_empty_filter_explains_itself(make_app):
    at = make_app(params={"programme": "Aspiring Improvers", "cohort": "Cohort 4"})
    assert not at.exception
    assert "No measures match these filters." in texts(at)
    assert [m.label for m in at.metric] == TILES
    assert next(m for m in at.metric if m.label == "Active projects").value == "0 of 0"


def test_staff_group_with_no_workforce_says_so(make_app):
    at = make_app(params={"staff_group": "Volunteer"})
    assert not at.exception
    assert "No workforce figures" in texts(at)


def test_directorate_lead_sees_only_their_directorate(make_app):
    at = make_app(user=MED_LEAD)
    assert not at.exception
    assert table_values(at, "directorate") == {"Medicine"}
    assert set(_matrix(at)["directorate"]) == {"Medicine"}
    # a link to another directorate is dropped, not obeyed
    at = make_app(user=MED_LEAD, params={"directorate": "Surgery"})
    assert not at.exception
    assert table_values(at, "directorate") == {"Medicine"}
