"""In a real browser: the Overview renders, and its board pack opens offline from disk."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import ARTIFACTS, HOSTILE_TITLE, screenshot, wait_for_app_run

pytestmark = pytest.mark.e2e


def test_overview_renders_matrix_reach_and_plan(server, page):
    page.goto(server)
    wait_for_app_run(page)
    assert page.get_by_test_id("stMetric").count() == 5
    assert page.get_by_test_id("stDataFrame").count() >= 2
    assert page.get_by_test_id("stPlotlyChart").count() == 1
    page.get_by_text("Summary of measures").first.scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    screenshot(page, "overview")


def test_board_pack_downloads_and_opens_offline(server, page, browser, tmp_path):
    page.goto(f"{server}/?directorate=Medicine")
    wait_for_app_run(page)
    button = page.get_by_test_id("stDownloadButton").filter(has_text="Board pack")
    with page.expect_download(timeout=60000) as info:
        button.get_by_role("button").click()
    download = info.value
    assert download.suggested_filename.startswith("qinet_board-pack_medicine")
    assert download.suggested_filename.endswith(".html")
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    html = path.read_text(encoding="utf-8")
    assert "Synthetic demo data" in html
    assert "Paired change (same people before and after)" in html  # the Capability section

    offline = browser.new_context(viewport={"width": 1100, "height": 1400})
    offline.set_offline(True)
    requests: list[str] = []
    offline.on("request", lambda r: requests.append(r.url))
    offline.route(lambda url: not url.startswith(("file:", "data:")),
                  lambda route: route.abort())
    pack = offline.new_page()
    errors: list[str] = []
    pack.on("pageerror", lambda e: errors.append(str(e)))
    pack.goto(Path(path).resolve().as_uri())
    pack.wait_for_load_state("load")
    pack.wait_for_timeout(1500)
    try:
        assert errors == []
        assert all(u.startswith(("file:", "data:")) for u in requests), requests
        # the matrix with icons (each icon an inline <svg><use>) and words
        assert pack.locator("#matrix table tr").count() > 3
        assert pack.locator("#matrix .icon svg use").count() >= 2
        # charts drawn from the inlined plotly.js, with no network
        charts = pack.locator("#signals .js-plotly-plot .main-svg")
        assert charts.count() >= 1
        assert pack.locator("#reach .js-plotly-plot .main-svg").count() >= 1
        # the Plan part is the Timeline page's: its chart drawn offline, then due and late
        assert pack.locator("#plan .js-plotly-plot .main-svg").count() >= 1
        assert "Programme timeline" in pack.locator("#plan").inner_text()
        # the Projects page's part: its portfolio heatmap drawn, its stale-score table
        assert pack.locator("#projects .js-plotly-plot .main-svg").count() >= 1
        assert "Progress scores that may be stale" in pack.locator("#projects").inner_text()
        # the hostile project title is text, not markup
        assert HOSTILE_TITLE in pack.locator("#matrix").inner_text()
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        pack.screenshot(path=str(ARTIFACTS / "boardpack.png"), full_page=True)
        pack.locator("#projects").screenshot(path=str(ARTIFACTS / "boardpack_projects.png"))
        pack.emulate_media(media="print")
        pdf = pack.pdf(format="A4") if hasattr(pack, "pdf") else b""
        assert pdf[:4] == b"%PDF"
    finally:
        offline.close()


def test_selecting_a_matrix_row_opens_that_measure(server, page):
    if not (Path(__file__).resolve().parents[2] / "pages" / "measures.py").exists():
        pytest.skip("the Measures page is not built yet")
    page.goto(f"{server}/?directorate=Medicine")
    wait_for_app_run(page)
    grid = page.get_by_test_id("stDataFrame").first
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    # the row-selection checkbox column is the first column; the first data row is below
    # the header (35 px rows)
    page.mouse.click(box["x"] + 15, box["y"] + 35 + 17)
    expect(page).to_have_url(re.compile(r"measure="), timeout=20000)
    wait_for_app_run(page)
    assert "directorate=Medicine" in page.url
    # coming back to the Overview does not bounce straight to the measure again
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Overview").click()
    expect(page.get_by_text("Summary of measures")).to_have_count(1, timeout=20000)
    wait_for_app_run(page)
    page.wait_for_timeout(1000)
    assert "measure=" not in page.url
