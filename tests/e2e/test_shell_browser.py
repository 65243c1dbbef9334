"""In a real browser: URL-bound filters survive page switches and copied links; safe CSV."""

import csv
import io

import pytest

from tests.e2e.conftest import HOSTILE_TITLE, screenshot, wait_for_app_run

pytestmark = pytest.mark.e2e


def _choose(page, label: str, option: str) -> None:
    box = page.get_by_test_id("stSelectbox").filter(has_text=label)
    box.click()
    page.get_by_role("option", name=option, exact=True).click()
    wait_for_app_run(page)


def test_filter_survives_page_switch_and_copied_link(server, page, browser):
    page.goto(server)
    wait_for_app_run(page)
    _choose(page, "Directorate", "Medicine")
    assert "directorate=Medicine" in page.url
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Data").click()
    wait_for_app_run(page)
    assert "directorate=Medicine" in page.url
    copied = page.url
    other = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    other.goto(copied)
    wait_for_app_run(other)
    main_caption = other.get_by_test_id("stMain").get_by_test_id("stCaptionContainer").first
    assert "Medicine" in main_caption.inner_text()
    screenshot(other, "shell_copied_link_data_page")
    box = other.get_by_test_id("stSelectbox").filter(has_text="Directorate")
    assert "Medicine" in box.inner_html()
    other.context.close()


def test_csv_download_is_filtered_and_neutralises_formulas(server, page):
    page.goto(f"{server}/?directorate=Medicine")
    wait_for_app_run(page)
    screenshot(page, "shell_overview_medicine")
    button = page.get_by_test_id("stDownloadButton").first
    with page.expect_download() as info:
        button.get_by_role("button").click()
    download = info.value
    assert "medicine" in download.suggested_filename
    with open(download.path(), "rb") as fh:
        raw = fh.read()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows and {r["directorate"] for r in rows} == {"Medicine"}
    titles = {r["title"] for r in rows}
    assert "'" + HOSTILE_TITLE in titles
    assert HOSTILE_TITLE not in titles


def test_choosing_a_programme_narrows_the_cohort_list(server, page):
    page.goto(server)
    wait_for_app_run(page)
    cohort_box = page.get_by_test_id("stSelectbox").filter(has_text="Cohort")
    cohort_box.click()
    all_cohorts = page.get_by_role("option").all_inner_texts()
    page.keyboard.press("Escape")
    _choose(page, "Programme", "Aspiring Improvers")
    assert any(f"programme=Aspiring{sep}Improvers" in page.url for sep in ("+", "%20"))
    cohort_box.click()
    narrowed = page.get_by_role("option").all_inner_texts()
    page.keyboard.press("Escape")
    assert 1 < len(narrowed) < len(all_cohorts)
    assert set(narrowed) < set(all_cohorts)


def test_deep_link_first_thing_after_a_restart_gets_the_full_frame(fresh_server, page):
    # Until some session runs app.py, Streamlit serves /data from the pages/ folder; the
    # page must still draw the shared filters, the role-based menu and honour the link.
    page.goto(f"{fresh_server}/data?directorate=Medicine")
    wait_for_app_run(page)
    screenshot(page, "shell_deep_link_after_restart")
    nav = page.get_by_test_id("stSidebarNav")
    assert nav.get_by_role("link", name="Overview").count() == 1
    assert nav.get_by_role("link", name="app").count() == 0
    box = page.get_by_test_id("stSelectbox").filter(has_text="Directorate")
    assert "Medicine" in box.inner_html()
    main_caption = page.get_by_test_id("stMain").get_by_test_id("stCaptionContainer").first
    assert "Medicine" in main_caption.inner_text()
