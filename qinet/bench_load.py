"""``python -m qinet bench load``: N concurrent browser sessions through nginx, fixed duration.

Starts, on loopback only, two replicas on one database and Debian's nginx running
``deploy/nginx.conf`` (``qinet.scaleout``), then N headless Chromium sessions (one browser,
N contexts, so N cookies spread over the replicas). Each session repeatedly opens a new
Streamlit session on the Overview, then a measure on the Measures page, and times each
page-ready (navigation until the script has finished and no skeleton remains). It stops by
itself after ``duration`` seconds and stops everything it started.

Database: ``QINET_BENCH_LOAD_URL`` if set (demo data added when empty; use PostgreSQL as
deployed), else a fresh SQLite file with the small demo data in a temporary folder.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from qinet import scaleout

P95_TARGET_S = 3.0
TIMEOUT_MS = 60_000


@dataclass
class Tally:
    """Page-ready times (seconds) per page, and errors with what they were."""

    ready: dict[str, list[float]] = field(default_factory=lambda: {"Overview": [], "Measure": []})
    errors: list[str] = field(default_factory=list)
    elapsed: float = 0.0


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def _timed(page, url: str, title: str) -> float:  # noqa: ANN001 - playwright Page
    started = time.perf_counter()
    await page.goto(url, wait_until="commit", timeout=TIMEOUT_MS)
    await page.wait_for_function(scaleout.READY_JS, arg=title, timeout=TIMEOUT_MS, polling=50)
    elapsed = time.perf_counter() - started
    if await page.get_by_test_id("stException").count():
        raise RuntimeError(f"{title}: the page shows an exception")
    return elapsed


async def _session(  # noqa: ANN001
    browser, base: str, measure: str, until: float, tally: Tally, once: bool = False
) -> None:
    """One user: new session on the Overview, then a measure; again until time is up."""
    while once or time.monotonic() < until:
        once = False
        context = await browser.new_context(viewport={"width": 1300, "height": 900})
        try:
            page = await context.new_page()
            tally.ready["Overview"].append(await _timed(page, f"{base}/", "Overview"))
            url = f"{base}/measures?measure={quote(measure)}"
            tally.ready["Measure"].append(await _timed(page, url, "Measures"))
        except Exception as exc:  # noqa: BLE001 - every failure is a counted error
            tally.errors.append(f"{type(exc).__name__}: {str(exc).splitlines()[0][:160]}")
        finally:
            await context.close()


async def _drive(
    base: str, measure: str, sessions: int, duration: float, warm: list[str]
) -> Tally:
    from playwright.async_api import async_playwright

    tally = Tally()
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=_chromium(), args=scaleout.CHROMIUM_ARGS)
        try:
            # One untimed visit straight to each replica: first imports and query caches
            # are a restart's cost, not a steady load's.
            await asyncio.gather(*(_session(browser, r, measure, 0.0, Tally(), once=True)
                                   for r in warm))  # fmt: skip
            started = time.monotonic()
            until = started + duration
            await asyncio.gather(
                *(_session(browser, base, measure, until, tally) for _ in range(sessions))
            )
            tally.elapsed = time.monotonic() - started
        finally:
            await browser.close()
    return tally


def _chromium() -> str:
    import shutil

    return shutil.which("chromium") or "/usr/bin/chromium"


def _prepare_database(workdir: Path) -> str:
    from qinet import db

    url = os.environ.get("QINET_BENCH_LOAD_URL") or f"sqlite:///{workdir / 'qinet.db'}"
    engine = db.make_engine(url)
    try:
        db.ensure_demo_data(engine, seed=20240401)
    finally:
        engine.dispose()
    return url


def _a_measure(url: str) -> str:
    import sqlalchemy as sa

    from qinet import db
    from qinet.models import Measure, Project
    from qinet.queries.projects import measure_label

    engine = db.make_engine(url)
    try:
        with engine.connect() as conn:
            code, name = conn.execute(
                sa.select(Project.code, Measure.name)
                .join(Project, Measure.project_id == Project.id)
                .order_by(Project.code, Measure.name)
                .limit(1)
            ).one()
    finally:
        engine.dispose()
    return measure_label(code, name)


def run(sessions: int = 10, duration: float = 60.0) -> int:
    """Run the load test and print page-ready p50/p95 per page, errors and replica memory.

    Returns:
        0 with no errors and p95 under the target, else 1.
    """
    with tempfile.TemporaryDirectory(prefix="qinet-load-") as tmp:
        workdir = Path(tmp)
        url = _prepare_database(workdir)
        measure = _a_measure(url)
        backend = url.split(":", 1)[0]
        print(f"qinet bench load: {sessions} browser sessions for {duration:.0f} s through nginx "
              f"over 2 replicas ({backend}); loopback only", flush=True)  # fmt: skip
        with (
            scaleout.replicas(url, secrets.token_urlsafe(32), workdir, n=2) as reps,
            scaleout.nginx([r.address for r in reps], workdir) as proxy,
        ):
            warm = [f"http://{r.address}" for r in reps]
            cpu_before = sum(scaleout.cpu_seconds(r.proc.pid) for r in reps)
            tally = asyncio.run(_drive(proxy.base, measure, sessions, duration, warm))
            server_cpu = sum(scaleout.cpu_seconds(r.proc.pid) for r in reps) - cpu_before
            rss = [scaleout.peak_rss_mb(r.proc.pid) for r in reps]
            served = proxy.sessions_per_upstream()
            per_replica = [served.get(r.address, 0) for r in reps]
    ok = not tally.errors
    for name, times in tally.ready.items():
        p50, p95 = _percentile(times, 0.5), _percentile(times, 0.95)
        ok &= p95 < P95_TARGET_S
        print(f"{name:<9} page-ready n={len(times):>4}  p50 {p50 * 1000:6.0f} ms  "
              f"p95 {p95 * 1000:6.0f} ms  max {max(times, default=float('nan')) * 1000:6.0f} ms")
    total = sum(len(t) for t in tally.ready.values())
    print(f"{total} page loads in {tally.elapsed:.0f} s ({total / tally.elapsed:.1f}/s); "
          f"Streamlit sessions per replica {per_replica}; "
          f"replica peak RSS {', '.join(f'{m:.0f}' for m in rss)} MiB")
    print(f"server CPU (both replicas, warm-up included): {server_cpu:.1f} s, "
          f"{server_cpu / max(total, 1) * 1000:.0f} ms per page load; "
          f"load average now {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print(f"errors: {len(tally.errors)}")
    for e in sorted(set(tally.errors))[:10]:
        print(f"  {e}")
    print(f"{'targets met' if ok else 'targets MISSED'}: no errors, p95 < {P95_TARGET_S:.0f} s")
    return 0 if ok else 1
