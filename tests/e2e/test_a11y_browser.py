"""Every page in a real browser at a laptop (1280×800) and a phone (390×844) size.

For each page and size: axe-core (bundled by ``axe-playwright-python``; no network) runs
with the WCAG 2.2 AA rule tags and any *serious* or *critical* violation fails the test,
except the few in :data:`STREAMLIT_ALLOWED` that come from Streamlit's own widgets (each
with its reason). A full-page screenshot goes to ``tests/artifacts/`` for a person to look
at, and the page is checked for content wider than the window (a table must scroll inside
itself rather than push the page sideways).
"""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import ARTIFACTS, screenshot, wait_for_app_run

pytestmark = pytest.mark.e2e

axe_playwright = pytest.importorskip("axe_playwright_python.sync_playwright")

SIZES = {"laptop": (1280, 800), "phone": (390, 844)}
# (url path, a heading that shows the page has drawn)
PAGES = {
    "overview": ("", "Summary of measures"),
    "measures": ("measures", None),
    "engagement": ("engagement", None),
    "capability": ("capability", None),
    "timeline": ("timeline", None),
    "projects": ("projects", None),
    "data": ("data", None),
}
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
BLOCKING = {"serious", "critical"}

# Serious/critical findings that come from Streamlit's own widgets, which qinet's pages
# cannot change (no parameter reaches the markup). Keyed by (axe rule id, the data-testid of
# the Streamlit component the failing node sits in); a node is allowed only if it is inside
# that component. Keep this minimal: every entry says which element and why it is not qinet's.
STREAMLIT_ALLOWED: dict[tuple[str, str], str] = {
    # st.navigation with sections (PAGE_TABLE's Steering / Improvement / Admin) renders
    # <ul data-testid="stSidebarNavItems"> whose children are section <div>s holding the <li>
    # links (Streamlit 1.67, frontend SidebarNav). The page links themselves have names and
    # work by keyboard; only the list structure is wrong, and no st.navigation argument
    # changes it other than dropping the sections.
    ("list", "stSidebarNav"): "Streamlit's sectioned page list: <ul> with <div> children",
    ("listitem", "stSidebarNav"): "Streamlit's sectioned page list: <li> inside a <div>",
}


def _allowed(page: Page, rule: str, target: list) -> bool:
    testids = [t for (r, t) in STREAMLIT_ALLOWED if r == rule]
    if not testids or len(target) != 1:  # a target inside an iframe/shadow root: never
        return False
    return page.evaluate(
        "([sel, ids]) => { const el = document.querySelector(sel);"
        " return !!el && ids.some(id => el.closest(`[data-testid='${id}']`)); }",
        [target[0], testids],
    )


def _blocking(page: Page, results: dict) -> list[dict]:
    out = []
    for v in results["violations"]:
        if v.get("impact") not in BLOCKING:
            continue
        nodes = [n for n in v["nodes"] if not _allowed(page, v["id"], n["target"])]
        if nodes:
            out.append({"id": v["id"], "impact": v["impact"], "help": v["help"],
                        "nodes": [{"target": n["target"], "html": n["html"][:200],
                                   "summary": n.get("failureSummary", "")[:300]}
                                  for n in nodes[:6]]})  # fmt: skip
    return out


def whole_page_screenshot(page: Page, name: str) -> None:
    """Screenshot the whole page, not just the window.

    Streamlit scrolls inside ``stMain``, so Playwright's ``full_page`` sees one window's
    height; the window is stretched to the content's height for the picture, then restored.
    """
    size = page.viewport_size
    height = page.evaluate(
        "Math.max(...[...document.querySelectorAll(\"[data-testid='stMain'], "
        "[data-testid='stSidebarContent']\")].map(e => e.scrollHeight), window.innerHeight)"
    )
    page.set_viewport_size({"width": size["width"], "height": min(int(height) + 40, 12000)})
    page.wait_for_timeout(600)  # let Plotly and the grids redraw at the new height
    screenshot(page, name)
    page.set_viewport_size(size)


@pytest.fixture(scope="module")
def axe(server, browser):  # noqa: ANN001, ANN201
    """The axe-core runner (axe.min.js shipped inside the PyPI package).

    Loads the router once first: until a session has run app.py's ``st.navigation``,
    Streamlit serves ``/measures`` etc. as legacy ``pages/`` pages without the sidebar.
    """
    context = browser.new_context()
    page = context.new_page()
    page.goto(server)
    wait_for_app_run(page)
    context.close()
    return axe_playwright.Axe()


@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("name", list(PAGES))
def test_page_is_accessible_and_fits(server, browser, axe, name: str, size: str) -> None:
    width, height = SIZES[size]
    context = browser.new_context(viewport={"width": width, "height": height})
    page: Page = context.new_page()
    try:
        path, _heading = PAGES[name]
        page.goto(f"{server}/{path}")
        wait_for_app_run(page)
        expect(page.get_by_test_id("stException")).to_have_count(0)
        if size == "phone":
            # the sidebar starts collapsed on a phone, leaving the page its full width
            expect(page.get_by_test_id("stSidebar")).to_have_attribute(
                "data-collapsed", "true"
            )
        # nothing wider than the window: wide tables scroll inside their own frame
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 1, f"{name} at {size} is {overflow}px wider than the window"

        results = axe.run(page, options={
            "runOnly": {"type": "tag", "values": WCAG_22_AA},
            "resultTypes": ["violations"],
        }).response  # fmt: skip
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        (ARTIFACTS / f"axe_{name}_{size}.json").write_text(
            json.dumps(results["violations"], indent=1), encoding="utf-8"
        )
        blocking = _blocking(page, results)
        whole_page_screenshot(page, f"{name}_{size}")
        assert blocking == [], json.dumps(blocking, indent=1)
    finally:
        context.close()
