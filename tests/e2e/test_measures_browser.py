"""In a real browser: a link opens the showcase measure with its shift, trend and PDSA note."""

from urllib.parse import quote

import pytest

from qinet.demo import SHOWCASE_MEASURE
from tests.e2e.conftest import screenshot, wait_for_app_run

pytestmark = pytest.mark.e2e

SHOWCASE = f"QI-0001 · {SHOWCASE_MEASURE}"


def _open_link(server, page, measure: str) -> None:
    # Load the router once first: until some session has run app.py's st.navigation,
    # Streamlit serves /measures as a legacy pages/ page without the router's sidebar.
    page.goto(server)
    wait_for_app_run(page)
    page.goto(f"{server}/measures?measure={quote(measure)}")


def test_showcase_measure_link_shows_shift_trend_and_pdsa(server, page):
    page.set_viewport_size({"width": 1400, "height": 1500})
    _open_link(server, page, SHOWCASE)
    wait_for_app_run(page)
    chart = page.get_by_test_id("stPlotlyChart").first
    chart.locator(".main-svg").first.wait_for(state="visible", timeout=20000)
    page.wait_for_timeout(800)  # let Plotly finish laying out annotations
    assert "measure=" in page.url
    box = page.get_by_test_id("stSelectbox").filter(has_text="Measure").last
    shown = box.inner_text() + " ".join(i.input_value() for i in box.locator("input").all())
    assert SHOWCASE_MEASURE in shown
    # the PDSA annotation, the suggested break and the legend of special-cause points
    svg_text = chart.inner_text() + " ".join(chart.locator("text").all_text_contents())
    assert "PDSA 1" in svg_text
    assert "Special cause – improvement" in svg_text
    assert "Special cause – concern" in svg_text
    assert "Suggested break?" in svg_text
    # the icons beside the chart carry their text
    assert page.get_by_text("Special cause variation: improvement (higher values)").count() >= 1
    # signals name the trend and the sustained shift
    main = page.get_by_test_id("stMain").inner_text()
    assert "Signals" in main and "Suggested" in main
    chart.scroll_into_view_if_needed()
    screenshot(page, "measures_showcase")


def test_switching_measure_updates_the_link(server, page):
    _open_link(server, page, SHOWCASE)
    wait_for_app_run(page)
    box = page.get_by_test_id("stSelectbox").filter(has_text="Measure")
    box.click()
    page.get_by_role("option", name="QI-0001 · Length of stay (days)").click()
    wait_for_app_run(page)
    assert "Length+of+stay" in page.url or "Length%20of%20stay" in page.url
    assert page.get_by_test_id("stPlotlyChart").count() >= 1
