"""In a real browser: Capability's wave chart and paired-change chart, on desktop and phone."""

import pytest

from tests.e2e.conftest import ARTIFACTS, screenshot, wait_for_app_run

pytestmark = pytest.mark.e2e


def _open(server, page) -> None:
    page.goto(server)  # load the router once (see test_measures_browser)
    wait_for_app_run(page)
    page.goto(f"{server}/capability")
    wait_for_app_run(page)


@pytest.mark.parametrize(("width", "height"), [(1280, 800), (390, 844)],
                         ids=["desktop", "phone"])
def test_wave_and_paired_change_charts_render(server, page, width, height):
    page.set_viewport_size({"width": width, "height": height})
    _open(server, page)
    charts = page.get_by_test_id("stPlotlyChart")
    assert charts.count() == 2
    charts.nth(0).locator(".main-svg").first.wait_for(state="visible", timeout=20000)
    screenshot(page, f"capability_top_{width}x{height}")  # controls, notes and the wave chart
    wave, paired = charts.nth(0), charts.nth(1)
    for chart in (wave, paired):
        chart.scroll_into_view_if_needed()
        chart.locator(".main-svg").first.wait_for(state="visible", timeout=20000)
    page.wait_for_timeout(800)
    wave_text = " ".join(wave.locator("text").all_text_contents())
    assert "less favourable" in wave_text and "Pre" in wave_text and "Post" in wave_text
    paired_text = " ".join(paired.locator("text").all_text_contents())
    assert "Pre → post" in paired_text and "Mean change" in paired_text
    main = page.get_by_test_id("stMain").inner_text()
    assert "Paired change: the same people before and after" in main
    assert "Scores by wave (all responses, unpaired)" in main
    assert page.get_by_test_id("stException").count() == 0
    screenshot(page, f"capability_{width}x{height}")  # the whole page
    for name, chart in (("wave", wave), ("paired", paired)):  # and each chart close up
        chart.scroll_into_view_if_needed()
        chart.screenshot(path=str(ARTIFACTS / f"capability_{name}_{width}x{height}.png"))


def test_pulse_run_chart_renders(server, page):
    page.set_viewport_size({"width": 1280, "height": 800})
    _open(server, page)
    box = page.get_by_test_id("stSelectbox").filter(has_text="Survey")
    box.click()
    page.get_by_role("option", name="Team psychological safety pulse").click()
    wait_for_app_run(page)
    assert "Pulse over time" in page.get_by_test_id("stMain").inner_text()
    assert page.get_by_test_id("stPlotlyChart").count() >= 2
    wave = page.get_by_test_id("stPlotlyChart").first
    wave.scroll_into_view_if_needed()
    wave.locator(".main-svg").first.wait_for(state="visible", timeout=20000)
    assert "least favourable" in " ".join(wave.locator("text").all_text_contents())
    wave.screenshot(path=str(ARTIFACTS / "capability_pulse_wave.png"))
    page.get_by_text("Pulse over time").first.scroll_into_view_if_needed()
    page.wait_for_timeout(800)
    screenshot(page, "capability_pulse")
