"""In a real browser: the Engagement page draws the reach chart and the reach p-chart.

Screenshots at a laptop (1280×800) and a phone (390×844) width go to tests/artifacts/.
On the small demo data, months with fewer than 11 staff enrolments are left out, which
leaves 12 months: one short of process limits, so the default server shows a run chart.
A second server with ``QINET_SMALL_NUMBER_THRESHOLD=5`` keeps 14 months and shows the
p-chart with its variation icon.
"""

import os
from collections.abc import Iterator

import pytest

from tests.e2e.conftest import _streamlit, screenshot, wait_for_app_run

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def low_threshold_server(e2e_db_url: str) -> Iterator[str]:
    """The app with a small-number threshold of 5 (a deployment setting)."""
    old = os.environ.get("QINET_SMALL_NUMBER_THRESHOLD")
    os.environ["QINET_SMALL_NUMBER_THRESHOLD"] = "5"
    try:
        with _streamlit(e2e_db_url) as base:
            yield base
    finally:
        if old is None:
            os.environ.pop("QINET_SMALL_NUMBER_THRESHOLD", None)
        else:
            os.environ["QINET_SMALL_NUMBER_THRESHOLD"] = old


def _open(browser, base: str, width: int, height: int):  # noqa: ANN202
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.goto(f"{base}/engagement")
    wait_for_app_run(page, timeout=60000)
    page.get_by_text("Reach against the workforce").first.wait_for()
    page.get_by_test_id("stPlotlyChart").first.wait_for()
    return context, page


@pytest.mark.parametrize(("width", "height"), [(1280, 800), (390, 844)])
def test_reach_chart_and_run_chart(server, browser, width, height):
    context, page = _open(browser, server, width, height)
    try:
        charts = page.get_by_test_id("stPlotlyChart")
        assert charts.count() >= 3  # reach, reach over time, attendance
        charts.nth(0).scroll_into_view_if_needed()
        page.wait_for_timeout(1000)
        reach = charts.nth(0)
        assert reach.locator("text", has_text="All staff groups").count() == 1
        assert reach.locator("text", has_text="under-represented").count() >= 1
        body = page.inner_text("body")
        assert "Hard to reach (a fixed list" in body and "Under-represented" in body
        screenshot(page, f"engagement-reach-{width}x{height}")
        charts.nth(1).scroll_into_view_if_needed()
        page.wait_for_timeout(1000)
        assert "Run chart" in charts.nth(1).inner_text()
        screenshot(page, f"engagement-trend-{width}x{height}")
    finally:
        context.close()


@pytest.mark.parametrize(("width", "height"), [(1280, 800), (390, 844)])
def test_p_chart_with_its_variation_icon(low_threshold_server, browser, width, height):
    context, page = _open(browser, low_threshold_server, width, height)
    try:
        trend = page.get_by_test_id("stPlotlyChart").nth(1)
        trend.scroll_into_view_if_needed()
        page.wait_for_timeout(1000)
        assert "p chart (proportion)" in trend.inner_text()
        assert "Variation:" in page.inner_text("body")
        page.get_by_text("Is reach improving?").first.scroll_into_view_if_needed()
        page.wait_for_timeout(800)
        screenshot(page, f"engagement-p-chart-{width}x{height}")
    finally:
        context.close()
