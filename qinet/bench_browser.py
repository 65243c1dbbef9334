"""``python -m qinet bench browser``: cold page-ready of every page in headless Chromium.

Each page registered in ``PAGE_TABLE`` (``qinet.ui.shell``) is opened in a fresh browser
context (nothing cached in the browser; one untimed visit first, so the server's query
caches are warm and the figure is the browser's and the protocol's share), from navigation
until Streamlit's script state is ``notRunning``, no ``stSkeleton`` remains and the page's
title is drawn. The floor is a one-line Streamlit page (``st.title``) served from the same
virtualenv in the same run: what every Streamlit app pays. Reported per page: median
page-ready, its ratio to the floor, when the script finished (``notRunning``) versus when
the last skeleton went, the bytes and requests the browser fetched, any request that left
the machine, the elements drawn and the WebSocket bytes the server sent.
"""

from __future__ import annotations

import contextlib
import shutil
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from qinet import scaleout
from qinet.bench_pages import BENCH_DB

FLOOR_APP = 'import streamlit as st\n\nst.title("Floor")\n'
TARGET_DEMO, TARGET_LARGE = 2.0, 3.0
COUNT_JS = """() => ({
  elements: document.querySelectorAll('[data-testid="stElementContainer"]').length,
  plotly: document.querySelectorAll('.js-plotly-plot').length,
  frames: document.querySelectorAll('[data-testid="stDataFrame"]').length,
})"""


@dataclass
class Visit:
    """One cold visit: seconds to script finished and to page-ready, and what it fetched."""

    script_done: float
    ready: float
    bytes_fetched: int
    requests: int
    external: list[str]
    ws_bytes: int
    counts: dict


def visit(browser, url: str, title: str) -> Visit:  # noqa: ANN001 - playwright Browser
    """Open ``url`` in a fresh context and time it until ``title`` is ready."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    responses, frames, external = [], [], []
    host = urlparse(url).netloc
    page.on("response", lambda r: responses.append(r))
    page.on("request", lambda r: external.append(r.url) if urlparse(r.url).netloc not in
            (host, "") and not r.url.startswith(("data:", "blob:")) else None)  # fmt: skip
    page.on("websocket", lambda ws: ws.on("framereceived", lambda f: frames.append(len(f))))
    try:
        started = time.perf_counter()
        page.goto(url, wait_until="commit", timeout=120_000)
        page.wait_for_function(
            """title => { const a = document.querySelector('[data-testid="stApp"]');
              return a && a.getAttribute('data-test-script-state') === 'notRunning' &&
                [...document.querySelectorAll('h1')].some(h => h.textContent.includes(title)); }""",
            arg=title, timeout=120_000, polling=20,
        )  # fmt: skip
        script_done = time.perf_counter() - started
        page.wait_for_function(scaleout.READY_JS, arg=title, timeout=120_000, polling=20)
        ready = time.perf_counter() - started
        counts = page.evaluate(COUNT_JS)
        fetched = 0
        for r in responses:
            with contextlib.suppress(Exception):  # a response without a body (101, 304)
                fetched += r.request.sizes()["responseBodySize"]
        return Visit(script_done, ready, fetched, len(responses), external, sum(frames), counts)
    finally:
        context.close()


def _path(file: str) -> str:
    return "" if file == "overview.py" else Path(file).stem


def bench(label: str, db_url: str, repeats: int, workdir: Path) -> list[tuple]:
    """Time the floor and every page against one database; print and return the rows."""
    from playwright.sync_api import sync_playwright

    from qinet.bench_app import registered_pages

    floor_dir = workdir / "floor"
    floor_dir.mkdir(exist_ok=True)
    (floor_dir / "app.py").write_text(FLOOR_APP)
    rows = []
    with (
        scaleout.replicas(db_url, "bench-browser-" + "x" * 24, workdir, n=1) as (app,),
        scaleout.streamlit_script(floor_dir / "app.py", workdir) as floor,
        sync_playwright() as p,
    ):
        browser = p.chromium.launch(
            executable_path=shutil.which("chromium") or "/usr/bin/chromium",
            args=scaleout.CHROMIUM_ARGS,
        )
        try:
            targets = [("Floor (st.title only)", floor, "Floor")] + [
                (title, f"http://{app.address}/{_path(file)}", title)
                for file, title in registered_pages()
            ]
            visit(browser, floor, "Floor")  # untimed: Chromium's own first start
            floor_median = None
            for name, url, title in targets:
                visit(browser, url, title)  # untimed: warms the server's caches
                runs = [visit(browser, url, title) for _ in range(repeats)]
                median = statistics.median(v.ready for v in runs)
                script = statistics.median(v.script_done for v in runs)
                floor_median = floor_median or median
                last = runs[-1]
                row = (label, name, median, median / floor_median, script, last)
                rows.append(row)
                ext = f"; EXTERNAL {last.external[:3]}" if last.external else ""
                print(f"{label:<5} {name:<22} ready {median * 1000:6.0f} ms  "
                      f"{median / floor_median:4.1f}× floor  script done {script * 1000:6.0f} ms  "
                      f"{last.bytes_fetched / 1024:6.0f} KiB in {last.requests:>3} requests  "
                      f"ws {last.ws_bytes / 1024:5.0f} KiB  elements {last.counts['elements']:>3} "
                      f"(plotly {last.counts['plotly']}, tables {last.counts['frames']}){ext}",
                      flush=True)  # fmt: skip
        finally:
            browser.close()
    return rows


def run(repeats: int = 5, large: bool = False) -> int:
    """Run on the demo data (and the large data set with ``large``); last line = worst ratio.

    Returns:
        0 when every page is within its target ratio of the floor, else 1.
    """
    from qinet import db

    with tempfile.TemporaryDirectory(prefix="qinet-browser-") as tmp:
        workdir = Path(tmp)
        demo_url = f"sqlite:///{workdir / 'demo.db'}"
        engine = db.make_engine(demo_url)
        try:
            db.ensure_demo_data(engine, seed=20240401)
        finally:
            engine.dispose()
        print(f"qinet bench browser: median of {repeats} cold visits (fresh browser context, "
              "server caches warm) per page")  # fmt: skip
        rows = bench("demo", demo_url, repeats, workdir)
        if large:
            from qinet.bench_app import ensure_large

            url = f"sqlite:///{BENCH_DB}"
            ensure_large(url)
            rows += bench("large", url, repeats, workdir)
    pages = [r for r in rows if not r[1].startswith("Floor")]
    worst = max(pages, key=lambda r: r[3] / (TARGET_LARGE if r[0] == "large" else TARGET_DEMO))
    ok = all(r[3] <= (TARGET_LARGE if r[0] == "large" else TARGET_DEMO) for r in pages)
    print(f"worst page: {worst[1]} ({worst[0]} data) {worst[3]:.1f}× the floor "
          f"(targets: {TARGET_DEMO:g}× demo, {TARGET_LARGE:g}× large) — "
          f"{'met' if ok else 'MISSED'}")  # fmt: skip
    return 0 if ok else 1
