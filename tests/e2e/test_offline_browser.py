"""Nothing is fetched from the internet: icons, fonts and the favicon are served by the app.

NHS networks often block Google's font servers; a page that reaches out would load slowly
or show icon names as words. Every request the browser makes must go to the app itself.
"""

from __future__ import annotations

from urllib.parse import urlparse

import pytest

from tests.e2e.conftest import screenshot, wait_for_app_run

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("path", ["/", "/measures", "/data"])
def test_every_request_stays_on_the_app(server, page, path):
    origin = urlparse(server).netloc
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(server + path)
    wait_for_app_run(page)
    page.wait_for_timeout(1500)  # late fetches (fonts, favicon)
    outside = sorted({u for u in requests
                      if urlparse(u).scheme in ("http", "https", "ws", "wss")
                      and urlparse(u).netloc != origin})  # fmt: skip
    assert not outside, outside
    assert any("qinet" in u and u.endswith(".png") or "/media/" in u for u in requests)
    icons = page.locator("[data-testid='stIconMaterial']")
    if icons.count():  # Material icons drawn from the bundled font, not as their names
        box = icons.first.bounding_box()
        assert box is not None and box["width"] < 40
    screenshot(page, f"offline-{path.strip('/') or 'home'}")
