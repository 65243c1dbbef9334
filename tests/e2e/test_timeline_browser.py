"""In a real browser: the Timeline shows the plan with a slipped milestone and its history."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import ARTIFACTS, wait_for_app_run

pytestmark = pytest.mark.e2e


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.wait_for_timeout(400)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


@pytest.mark.parametrize(("width", "height"), [(1280, 800), (390, 844)])
def test_timeline_with_a_slipped_milestone_and_its_history(server, page, width, height):
    page.set_viewport_size({"width": width, "height": height})
    # The app's front page first (so the router is running), then a shared link.
    page.goto(server)
    wait_for_app_run(page)
    page.goto(f"{server}/timeline?programme=Kestrel+Vale+Improvement+Network")
    wait_for_app_run(page)
    chart = page.get_by_test_id("stPlotlyChart")
    expect(chart).to_have_count(1)
    chart.scroll_into_view_if_needed()
    expect(chart.locator(".main-svg").first).to_be_visible()
    # The paused milestone is on the chart (its row label) and the key names every status.
    expect(chart.get_by_text("Mentor matching complete").first).to_be_attached()
    expect(page.get_by_text("Key:").first).to_be_visible()
    _shot(page, f"timeline-{width}x{height}-chart")

    box = page.get_by_test_id("stSelectbox").filter(has_text="Show the history of")
    box.scroll_into_view_if_needed()
    box.click()
    page.get_by_role("option").filter(has_text="Mentor matching complete").first.click()
    wait_for_app_run(page)
    summary = page.get_by_text("the forecast moved 2 times")
    expect(summary).to_be_visible()
    expect(page.get_by_text("Programme paused for 13 weeks").first).to_be_visible()
    summary.scroll_into_view_if_needed()
    _shot(page, f"timeline-{width}x{height}-history")
