"""Keyboard only: tab through the sidebar's filters and a page's controls, and work them.

A person who cannot use a mouse must reach every filter in order, see where the focus is,
choose an option from a select box and press a button, all with the keyboard.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import wait_for_app_run

pytestmark = pytest.mark.e2e

FILTERS = ["Organisation", "Directorate", "Programme", "Cohort", "Staff group", "Period"]

# What has the focus: its widget's label (or its own name), its tag, and whether the focus
# is drawn (a visible outline, or a box shadow / border change on the widget's frame).
FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const widget = el.closest('[data-testid="stSelectbox"], [data-testid="stButton"],'
    + ' [data-testid="stDownloadButton"], [data-testid="stButtonGroup"], [data-testid="stPopover"],'
    + ' [data-testid="stSidebarNav"], [data-testid="stExpander"], [data-testid="stTabs"]');
  const label = widget && widget.querySelector('label');
  // a select box shows focus by recolouring the frame round its input (primary blue):
  // compare with the same frame of another, unfocused select box
  const isSelect = el.tagName === 'INPUT' && !!el.closest('[data-testid="stSelectbox"]');
  const frame = isSelect ? el.parentElement : el;
  const cs = getComputedStyle(el), fs = getComputedStyle(frame);
  const otherInput = [...document.querySelectorAll('[data-testid="stSelectbox"] input')]
    .find(i => i !== el);
  const other = otherInput && otherInput.parentElement;
  const drawn = (cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) > 0)
    || cs.boxShadow !== 'none' || fs.boxShadow !== 'none'
    || (frame !== el && other && fs.borderColor !== getComputedStyle(other).borderColor);
  return {
    name: (label && label.innerText.trim()) || el.getAttribute('aria-label')
          || (el.innerText || '').trim().slice(0, 60),
    tag: el.tagName.toLowerCase(),
    inSidebar: !!el.closest('[data-testid="stSidebar"]'),
    testid: widget ? widget.getAttribute('data-testid') : null,
    visible: el.matches(':focus-visible') && drawn,
  };
}"""


def _tab_to(page: Page, want, limit: int = 60) -> list[dict]:
    """Press Tab until ``want(focused)`` holds; return every stop on the way (inclusive)."""
    stops: list[dict] = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        now = page.evaluate(FOCUSED)
        if now is None:
            continue
        stops.append(now)
        if want(now):
            return stops
    raise AssertionError(f"never reached the control; the focus went: {stops}")


def test_sidebar_filters_and_page_controls_by_keyboard(server, page):
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(server)
    wait_for_app_run(page)

    # the sidebar's filters are reached in order, each showing where the focus is
    stops = _tab_to(page, lambda f: f["inSidebar"] and f["name"] == "Period")
    reached = [s["name"] for s in stops if s["inSidebar"] and s["testid"] == "stSelectbox"]
    assert [n for n in reached if n in FILTERS] == FILTERS, reached
    filters = [s for s in stops if s["name"] in FILTERS]
    assert all(s["visible"] for s in filters), filters
    # the page links come first, each a named link
    assert any(s["testid"] == "stSidebarNav" and s["name"].endswith("Engagement") for s in stops)

    # choose a directorate with the keyboard only: back to it, open, pick, confirm
    page.keyboard.press("Shift+Tab")
    while page.evaluate(FOCUSED)["name"] != "Directorate":
        page.keyboard.press("Shift+Tab")
    page.keyboard.press("ArrowDown")  # opens the list
    expect(page.get_by_role("option").first).to_be_visible()
    page.keyboard.type("Medicine")
    page.keyboard.press("Enter")
    wait_for_app_run(page)
    expect(page).to_have_url(re.compile(r"directorate=Medicine"))
    expect(page.get_by_test_id("stMain").get_by_text("Medicine").first).to_be_visible()

    # on into the page: past the help buttons and downloads to the "Group by" control
    stops = _tab_to(page, lambda f: not f["inSidebar"] and f["testid"] == "stButtonGroup")
    # (Streamlit's <main> takes the focus once, for scrolling by keyboard; it draws no ring)
    main_stops = [s for s in stops if not s["inSidebar"] and s["tag"] != "main"]
    assert any(s["testid"] == "stDownloadButton" for s in main_stops), main_stops
    assert all(s["visible"] for s in main_stops if s["tag"] == "button"), main_stops
    # a radio group (react-aria): the arrow keys move between its buttons, Space chooses
    assert page.evaluate("document.activeElement.innerText") == "Programme"
    page.keyboard.press("ArrowRight")
    assert page.evaluate("document.activeElement.innerText") == "Directorate"
    assert page.evaluate(FOCUSED)["visible"]
    page.keyboard.press("Space")
    wait_for_app_run(page)
    main = page.get_by_test_id("stMain")
    expect(main.get_by_role("radio", name="Directorate")).to_have_attribute("aria-checked", "true")

    # back to a button and press it with Enter: the board pack downloads
    for _ in range(10):
        page.keyboard.press("Shift+Tab")
        if "Board pack" in page.evaluate("document.activeElement.innerText"):
            break
    assert page.evaluate(FOCUSED)["visible"]
    with page.expect_download(timeout=60000) as info:
        page.keyboard.press("Enter")
    assert info.value.suggested_filename.startswith("qinet_board-pack_medicine")
