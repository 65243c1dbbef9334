"""A scoped lead's CSV says their scope in the file name AND in its ``filters`` column.

Regression: the measure chart CSV's ``filters`` column used the bare filter description,
so a Medicine lead's extract said "Whole network" while its file name said "Medicine".
"""

import io

import pandas as pd
import pytest
import streamlit

pytestmark = pytest.mark.app

MED_LEAD = "medicine.lead@demo.nhs.example"


@pytest.fixture
def downloads(monkeypatch):
    """Record every download button drawn: ``{key: (file_name, data callable)}``."""
    seen = {}
    real = streamlit.download_button

    def spy(label, data=None, file_name=None, *args, **kwargs):
        seen[kwargs.get("key")] = (file_name, data)
        return real(label, data, file_name, *args, **kwargs)

    monkeypatch.setattr(streamlit, "download_button", spy)
    return seen


def test_measure_csv_filters_column_names_the_leads_scope(make_app, downloads):
    at = make_app(user=MED_LEAD)
    at.switch_page("pages/measures.py").run()
    assert not at.exception
    file_name, data = downloads["dl_measure_chart"]
    assert "medicine" in file_name
    frame = pd.read_csv(io.BytesIO(data() if callable(data) else data))
    assert set(frame["filters"]) == {"Medicine · All time"}, set(frame["filters"])
