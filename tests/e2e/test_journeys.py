"""Whole journeys in a real browser, as the people who use qinet take them.

A steering-group member reads the Overview, narrows it to a directorate, opens a measure
from the matrix, reads why a point is flagged, switches the rule preset, walks through the
other pages and takes extracts and the board pack home. A directorate lead ("View as" over
the demo data, kept in the URL) records a progress score and enters a monthly value. The
admin's import journey is ``test_data_browser.py``; it is not repeated here.

The journeys write to the database, so this module runs its own server on its own copy of
the demo database. Waits are on Streamlit's connection and script state, not on sleeps.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from tests.e2e.conftest import _streamlit, screenshot, wait_for_app_run

pytestmark = pytest.mark.e2e

LEAD = "Directorate lead — Medicine"


@pytest.fixture(scope="module")
def journey_server(e2e_db_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A server on a private copy of the e2e database (these journeys save data)."""
    src = Path(sa.make_url(e2e_db_url).database)
    dst = tmp_path_factory.mktemp("journeys") / "qinet.db"
    shutil.copy(src, dst)
    with _streamlit(f"sqlite:///{dst}") as base:
        yield base


def _nav(page: Page, name: str) -> None:
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=name, exact=True).click()
    expect(page.get_by_role("heading", name=name, level=1)).to_be_visible(timeout=20000)
    wait_for_app_run(page)


def _download(page: Page, label: str | re.Pattern, tmp_path: Path) -> Path:
    button = page.get_by_test_id("stDownloadButton").filter(has_text=label).first
    button.scroll_into_view_if_needed()
    with page.expect_download(timeout=60000) as info:
        button.get_by_role("button").click()
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    return path


def _choose(page: Page, label: str, option: str) -> None:
    """Pick from a sidebar select box (its list opens in a pop-up outside the sidebar)."""
    box = page.get_by_test_id("stSidebar").get_by_test_id("stSelectbox").filter(
        has_text=label).first
    box.click()
    page.get_by_role("option", name=option).first.click()
    wait_for_app_run(page)


def test_steering_group_member(journey_server, page, tmp_path):
    page.goto(journey_server)
    wait_for_app_run(page)
    main = page.get_by_test_id("stMain")
    expect(page.get_by_role("heading", name="Overview", level=1)).to_be_visible()
    assert page.get_by_test_id("stMetric").count() == 5

    # narrow everything to one directorate from the sidebar; the link keeps it
    _choose(page, "Directorate", "Medicine")
    expect(page).to_have_url(re.compile(r"directorate=Medicine"))
    expect(main.get_by_text("Medicine").first).to_be_visible()

    # open a measure from the matrix: its row's selection opens the Measures page
    grid = page.get_by_test_id("stDataFrame").first
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 15, box["y"] + 35 + 17)
    expect(page).to_have_url(re.compile(r"/measures\?.*measure="), timeout=20000)
    wait_for_app_run(page)
    assert "directorate=Medicine" in page.url
    expect(page.get_by_role("heading", name="Measures", level=1)).to_be_visible()

    # the showcase measure, by its link, and why a point is flagged (its hover text)
    page.goto(f"{journey_server}/measures?directorate=Medicine&measure="
              + quote("QI-0001 · Discharge summaries completed by 11:00"))
    wait_for_app_run(page)
    chart = page.get_by_test_id("stPlotlyChart").first
    chart.locator(".main-svg").first.wait_for(state="visible", timeout=20000)
    chart.scroll_into_view_if_needed()
    flagged = chart.locator(".scatterlayer .trace").filter(
        has=page.locator("path.point")).locator("path.point")
    reasons = ""
    for i in range(flagged.count() - 1, -1, -1):  # the latest points first
        flagged.nth(i).hover(force=True)
        hover = chart.locator(".hoverlayer .hovertext")
        said = hover.first.text_content() or "" if hover.count() else ""
        if re.search(r"limit|in a row|trend|shift", said):
            reasons = said
            break
    assert reasons, "no flagged point explained why it was flagged"

    # switch the rule preset: the chart's subtitle and the link follow
    rules = main.get_by_text("Life QI compatible", exact=True).first
    rules.scroll_into_view_if_needed()
    rules.click()
    wait_for_app_run(page)
    expect(main.get_by_text(re.compile(r"Life QI compatible: shift 8")).first).to_be_visible()

    # the other pages, each with its extract
    for name, extract in (("Engagement", "CSV"), ("Capability", "CSV"),
                          ("Timeline", "CSV"), ("Projects", "CSV")):  # fmt: skip
        _nav(page, name)
        assert "directorate=Medicine" in page.url, name  # the filter travels with the person
        expect(page.get_by_test_id("stException")).to_have_count(0)
        csv = _download(page, extract, tmp_path)
        assert csv.suffix == ".csv" and csv.stat().st_size > 0, name
        text = csv.read_text(encoding="utf-8-sig")
        assert "\n" in text.strip(), f"{name}'s extract has no rows"

    # and the board pack from the Overview
    _nav(page, "Overview")
    pack = _download(page, "Board pack", tmp_path)
    assert pack.name.startswith("qinet_board-pack_medicine") and pack.suffix == ".html"
    assert "Synthetic demo data" in pack.read_text(encoding="utf-8")
    screenshot(page, "journey_steering_overview")


def _view_as(page: Page, base: str) -> None:
    page.goto(base)
    wait_for_app_run(page)
    _choose(page, "View as", LEAD)
    expect(page).to_have_url(re.compile(r"view_as=Directorate"))
    expect(page.get_by_test_id("stSidebar").get_by_text("Viewing as")).to_contain_text("lead")


def test_directorate_lead_scores_a_project_and_enters_a_value(journey_server, page):
    _view_as(page, journey_server)
    # "View as" survives a page change (it is in the URL) and scopes the sidebar
    _nav(page, "Projects")
    assert "view_as=" in page.url
    sidebar = page.get_by_test_id("stSidebar")
    sidebar.get_by_test_id("stSelectbox").filter(has_text="Directorate").first.click()
    options = page.get_by_role("option").all_inner_texts()
    page.keyboard.press("Escape")
    assert set(options) <= {"All", "Medicine"}, options

    # open a Medicine project and record a progress score with a note
    page.goto(f"{page.url.split('?')[0]}?{page.url.split('?')[1]}&project=QI-0002")
    wait_for_app_run(page)
    main = page.get_by_test_id("stMain")
    expect(main.get_by_text("QI-0002 ·").first).to_be_visible(timeout=20000)
    form = page.get_by_test_id("stForm").filter(has_text="Record a progress score")
    form.scroll_into_view_if_needed()
    score_box = form.get_by_test_id("stSelectbox").filter(has_text="Progress score")
    score_box.click()
    listed = page.get_by_role("option")
    current = score_box.inner_text()
    choice = next(t for t in listed.all_inner_texts() if t.strip() and t.strip() not in current)
    page.get_by_role("option", name=choice, exact=True).click()
    form.get_by_label("Note (required)").fill("Two measures have held their shift (e2e journey)")
    form.get_by_role("button", name="Save update").click()
    wait_for_app_run(page)
    expect(main.get_by_text("Update saved; the history below includes it.")).to_be_visible(
        timeout=20000)

    # enter a monthly value for a measure through the entry pop-over
    _nav(page, "Measures")
    assert "view_as=" in page.url
    page.get_by_role("button", name=re.compile("Enter or correct a value")).click()
    pop = page.get_by_test_id("stPopoverBody")
    expect(pop.get_by_text("Period")).to_be_visible()
    ratio = pop.get_by_label("Numerator").count() > 0
    if ratio:
        pop.get_by_label("Numerator").fill("7")
        pop.get_by_label("Denominator").fill("10")
    else:
        pop.get_by_label("Value", exact=True).fill("12")
    pop.get_by_label("Note (optional)").fill("entered in the e2e journey")
    pop.get_by_role("button", name="Save value").click()
    wait_for_app_run(page)
    expect(main.get_by_text(re.compile(r"(Added|Corrected) the value for"))).to_be_visible(
        timeout=20000)
    screenshot(page, "journey_lead_measures")
