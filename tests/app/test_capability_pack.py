"""The Overview's board pack carries the Capability section from the Capability view model."""

from datetime import date

import pandas as pd
import pytest

from qinet.access import Viewer
from qinet.domain import Role
from qinet.filters import Filters
from qinet.io import boardpack as bp
from qinet.views import overview_pack
from qinet.views.base import ViewContext

pytestmark = pytest.mark.db


def test_capability_part_reuses_the_view_and_its_extracts(demo_engine):
    part, extracts = overview_pack.capability_part(ViewContext(
        demo_engine, Viewer("a", Role.ADMIN), Filters(), date(2025, 9, 30), True, "", 11))
    assert (part.key, part.title) == ("capability", "Capability")
    sections = part.sections
    headings = [s.heading for s in sections]
    assert headings[0].startswith("Capability — ") and "scores by wave" in headings[0]
    assert "Paired change (same people before and after)" in headings
    assert {"capability by wave", "capability paired change"} <= set(extracts)
    assert all(s.chart is None or "plotly" in s.chart.html for s in sections)
    html = bp.render_html(bp.BoardPack(
        filters="Whole network", description="Whole network", as_of=date(2025, 9, 30),
        made_on=date(2025, 9, 30), synthetic=True, tiles=[], comparison="",
        matrix=pd.DataFrame(), group_by="Programme",
        icons=overview_pack.PACK_ICONS, parts=[part], extracts=extracts))  # fmt: skip
    assert 'id="capability"' in html
    assert "Paired change (same people before and after)" in html
