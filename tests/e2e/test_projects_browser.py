"""In a real browser: a project's page by deep link (laptop and phone); a register row opens it."""

import pytest

from tests.e2e.conftest import screenshot, wait_for_app_run

pytestmark = pytest.mark.e2e

CODE = "QI-0002"  # a Medicine project (QI-0001 carries the hostile title in this database)


def _open(server, page, path: str) -> None:
    # Load the router once first (see test_measures_browser: legacy pages/ routing otherwise).
    page.goto(server)
    wait_for_app_run(page)
    page.goto(f"{server}/{path}")
    wait_for_app_run(page)


@pytest.mark.parametrize(("width", "height", "name"),
                         [(1280, 800, "project_page_1280"), (390, 844, "project_page_390")])
def test_project_page_by_deep_link(server, page, width, height, name):
    page.set_viewport_size({"width": width, "height": height})
    _open(server, page, f"projects?project={CODE}")
    main = page.get_by_test_id("stMain")
    main.get_by_text(f"{CODE} ·").first.wait_for(timeout=20000)
    page.get_by_test_id("stPlotlyChart").first.locator(".main-svg").first.wait_for(
        state="visible", timeout=20000)
    page.wait_for_timeout(1200)  # let Plotly lay out every small multiple
    text = main.inner_text()
    for heading in ("Aim:", "Team", "Progress score over time", "Measures",
                    "Change ideas and PDSA cycles", "Milestones of the programme"):
        assert heading in text
    assert "None" not in text.split()
    assert page.get_by_test_id("stPlotlyChart").count() >= 2  # score history + measures
    screenshot(page, name)
    # further down: the update form, the measures as small multiples, the changes
    for part, heading in (("measures", "Measures"), ("changes", "Change ideas and PDSA cycles")):
        page.get_by_role("heading", name=heading, exact=True).scroll_into_view_if_needed()
        page.wait_for_timeout(600)
        screenshot(page, f"{name}_{part}")


def test_hostile_title_is_shown_as_text(server, page):
    _open(server, page, "projects?project=QI-0001")
    main = page.get_by_test_id("stMain")
    main.get_by_text("QI-0001 ·").first.wait_for(timeout=20000)
    assert "=HYPERLINK(" in main.inner_text()
    assert main.locator("a[href*='evil.example']").count() == 0


def test_register_row_opens_the_project(server, page):
    page.set_viewport_size({"width": 1400, "height": 1000})
    _open(server, page, "projects")
    grid = page.get_by_test_id("stDataFrame").first
    grid.wait_for(timeout=20000)
    page.wait_for_timeout(800)
    screenshot(page, "projects_register")
    page.get_by_role("tab", name="Portfolio").click()
    wait_for_app_run(page)
    page.get_by_test_id("stPlotlyChart").first.locator(".main-svg").first.wait_for(
        state="visible", timeout=20000)
    page.wait_for_timeout(800)
    screenshot(page, "projects_portfolio")
    page.get_by_role("tab", name="Register").click()
    wait_for_app_run(page)
    grid = page.get_by_test_id("stDataFrame").first
    grid.wait_for(timeout=20000)
    page.wait_for_timeout(800)
    # the row selector is the first column of the glide grid: click the first data row there
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 18, box["y"] + 35 + 17)
    wait_for_app_run(page)
    page.wait_for_timeout(500)
    assert "project=QI-" in page.url
    assert "Aim:" in page.get_by_test_id("stMain").inner_text()
