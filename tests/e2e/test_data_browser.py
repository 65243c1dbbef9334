"""In a real browser: upload a file with a bad row, read the report, upload the corrected file,
confirm, and see the new value on the Measures page."""

from __future__ import annotations

import shutil
from pathlib import Path
from urllib.parse import quote

import pytest
import sqlalchemy as sa

from tests.e2e.conftest import _streamlit, screenshot, wait_for_app_run

pytestmark = pytest.mark.e2e

MEASURE = "QI-0001 · Length of stay (days)"
HEADER = "project_code,measure,period_start,value,note\n"


@pytest.fixture
def own_server(demo_sqlite_url, tmp_path):
    """A server on its own copy of the demo data (this test writes to it)."""
    dst = tmp_path / "qinet.db"
    shutil.copy(Path(sa.make_url(demo_sqlite_url).database), dst)
    with _streamlit(f"sqlite:///{dst}") as base:
        yield base


def _upload(page, path: Path) -> None:
    page.locator("input[type='file']").first.set_input_files(str(path))
    wait_for_app_run(page)


def test_upload_bad_then_corrected_file(own_server, page, tmp_path):
    page.set_viewport_size({"width": 1400, "height": 1400})
    bad = tmp_path / "los.csv"
    bad.write_text(
        HEADER + "QI-0001,Length of stay (days),2025-10-01,6.1,<b>ok</b>\n"
        "QI-0001,Length of stay (days),31/02/2025,6.0,\n"
        "QI-0001,Length of stay (days),2025-12-01,lots,\n",
        encoding="utf-8",
    )
    page.goto(own_server)
    wait_for_app_run(page)
    page.goto(f"{own_server}/data")
    wait_for_app_run(page)
    _upload(page, bad)
    main = page.get_by_test_id("stMain")
    main.get_by_text("was not imported: 2 problems").wait_for(timeout=20000)
    text = main.inner_text()
    assert "Row 3, column period_start: '31/02/2025' is not a date" in text
    assert "Row 4, column value: 'lots' is not a number" in text
    screenshot(page, "data_import_rejected")

    good = tmp_path / "los-fixed.csv"
    good.write_text(
        HEADER + "QI-0001,Length of stay (days),2025-10-01,6.1,<b>ok</b>\n"
        "QI-0001,Length of stay (days),2025-11-01,6.0,\n"
        "QI-0001,Length of stay (days),2025-12-01,9.7,\n",
        encoding="utf-8",
    )
    _upload(page, good)
    main.get_by_text("The file passed every check").wait_for(timeout=20000)
    screenshot(page, "data_import_preview")
    page.get_by_role("button", name="Import 3 rows").click()
    wait_for_app_run(page)
    main.get_by_text("3 added, 0 changed").wait_for(timeout=20000)

    page.goto(f"{own_server}/measures?measure={quote(MEASURE)}")
    wait_for_app_run(page)
    chart = page.get_by_test_id("stPlotlyChart").first
    chart.locator(".main-svg").first.wait_for(state="visible", timeout=20000)
    page.wait_for_timeout(800)
    html = page.content()
    assert "Latest value 9.7 " in html and "Dec 2025" in html
    chart.scroll_into_view_if_needed()
    screenshot(page, "data_import_measures")
