"""``python -m qinet bench app``: every registered page through the entrypoint, cold and warm.

Pages come from ``PAGE_TABLE`` in ``qinet.ui.shell``, so a page added there is benchmarked
without touching this file. Each page runs through ``app.py`` with Streamlit's ``AppTest``
(the real scripts, in process, no browser): one cold run (every data cache cleared, as
after an import or a restart) and repeated warm reruns, for the whole network, for one
directorate, and as the demo data's directorate and programme leads ("View as"). Runs on
the ``--scale large`` data set on SQLite and, when ``QINET_BENCH_PG_URL`` names a
PostgreSQL database, there too (built on first use).
Prints median and worst server time per page, the database size and the process's peak
RSS; the last line names the worst page.
"""

from __future__ import annotations

import os
import resource
import statistics
import time
from dataclasses import dataclass
from pathlib import Path

from qinet.bench_pages import BENCH_DB, BENCH_SEED

ROOT = Path(__file__).resolve().parents[1]
PG_SETTING = "QINET_BENCH_PG_URL"
WARM_TARGET_S = 0.3
OVERVIEW_WARM_TARGET_S = 0.5
COLD_TARGET_S = 1.5
RSS_TARGET_MB = 1024


@dataclass
class PageFigures:
    """One page under one database and filter: cold time and warm rerun times (seconds)."""

    backend: str
    page: str
    case: str
    cold: float
    warm: list[float]

    @property
    def warm_median(self) -> float:
        """Median warm rerun."""
        return statistics.median(self.warm)

    @property
    def warm_target(self) -> float:
        """The issue's warm target for this page."""
        return OVERVIEW_WARM_TARGET_S if self.page == "Overview" else WARM_TARGET_S

    @property
    def met(self) -> bool:
        """Both targets met."""
        return self.warm_median < self.warm_target and self.cold < COLD_TARGET_S


def registered_pages() -> list[tuple[str, str]]:
    """``(file, title)`` of every page in the router's table, admin pages included."""
    return [(file, title) for file, title, _admin in _page_table()]


def _page_table() -> list[tuple[str, str, bool]]:
    from qinet.ui.shell import PAGE_TABLE

    return [(file, title, admin) for _section, file, title, _icon, admin in PAGE_TABLE]


def ensure_large(url: str) -> None:
    """Build the large demo data set at ``url`` unless it already holds data."""
    from qinet import db, demo

    engine = db.make_engine(url)
    built = False
    try:
        db.create_schema(engine)
        with db.session_scope(engine) as session:
            if db.is_empty(session):
                started = time.perf_counter()
                demo.build(session, seed=BENCH_SEED, scale="large")
                print(f"built the large demo data set in {time.perf_counter() - started:.1f} s")
                built = True
        if built and engine.dialect.name == "postgresql":
            # Fresh bulk-loaded tables have no planner statistics or visibility map until
            # autovacuum gets to them: the first cold Overview straight after a build
            # measured 9.8 s, and 1.0 s once autovacuum had run. Do it now instead.
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("VACUUM ANALYZE")
    finally:
        engine.dispose()


def database_size(url: str) -> int:
    """Bytes on disk: the SQLite file, or ``pg_database_size`` on PostgreSQL."""
    import sqlalchemy as sa

    parsed = sa.make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return Path(parsed.database).stat().st_size
    engine = sa.create_engine(parsed)
    try:
        with engine.connect() as conn:
            size = conn.execute(sa.text("SELECT pg_database_size(current_database())"))
            return int(size.scalar())
    finally:
        engine.dispose()


def _a_directorate(url: str) -> str:
    import sqlalchemy as sa

    from qinet import db
    from qinet.models import Directorate, Project

    engine = db.make_engine(url)
    try:
        with engine.connect() as conn:
            # The directorate with the most projects: the heaviest one-directorate view.
            return conn.execute(
                sa.select(Directorate.name)
                .join(Project, Project.directorate_id == Directorate.id)
                .group_by(Directorate.name)
                .order_by(sa.func.count().desc(), Directorate.name)
                .limit(1)
            ).scalar_one()
    finally:
        engine.dispose()


def _demo_people(url: str) -> list[str]:
    from qinet import db
    from qinet.queries import reference

    engine = db.make_engine(url)
    try:
        with db.session_scope(engine) as s:
            return list(reference.demo_people(s))
    finally:
        engine.dispose()


def _run(at) -> float:  # noqa: ANN001 - AppTest
    started = time.perf_counter()
    at.run()
    elapsed = time.perf_counter() - started
    if at.exception:
        raise RuntimeError(at.exception[0].message)
    return elapsed


def measure_page(file: str, params: dict[str, str], repeats: int) -> tuple[float, list[float]]:
    """Cold run (caches cleared) and ``repeats`` warm reruns of one page, in seconds."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()  # the router registers the pages; this also warms imports
    if file != "overview.py":
        at.switch_page(f"pages/{file}")
    st.cache_data.clear()
    cold = _run(at)
    warm = [_run(at) for _ in range(repeats)]
    return cold, warm


def bench_backend(backend: str, url: str, repeats: int) -> list[PageFigures]:
    """Every page: whole network, one directorate and two roles, on the database at ``url``."""
    os.environ["QINET_DATABASE_URL"] = url
    os.environ["QINET_CREATE_DEMO"] = "0"
    directorate = _a_directorate(url)
    cases: list[tuple[str, dict[str, str]]] = [
        ("whole network", {}), (f"directorate {directorate}", {"directorate": directorate})
    ]
    # Roles: the demo data's "View as" people (a URL parameter; sign-in is off over it).
    for role in ("Directorate lead", "Programme lead"):
        who = next((p for p in _demo_people(url) if p.startswith(role)), None)
        if who:
            cases.append((role.lower() + " (view as)", {"view_as": who}))
    results = []
    for file, title, admin_only in _page_table():
        for case, params in cases:
            if admin_only and "view_as" in params:
                continue  # a lead cannot open an admin page (the router does not offer it)
            cold, warm = measure_page(file, params, repeats)
            results.append(PageFigures(backend, title, case, cold, warm))
            r = results[-1]
            print(f"{backend:<10} {title:<14} {case:<34} cold {cold * 1000:7.0f} ms   warm median "
                  f"{r.warm_median * 1000:6.0f} ms  worst {max(warm) * 1000:6.0f} ms  "
                  f"{'ok' if r.met else 'MISSED'}", flush=True)  # fmt: skip
    return results


def peak_rss_mb() -> float:
    """This process's peak resident set size in MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(repeats: int = 5) -> int:
    """Benchmark every page; print the table and a last line naming the worst page.

    Returns:
        0 when every target was met, else 1.
    """
    os.environ.setdefault("STREAMLIT_LOGGER_LEVEL", "error")  # AppTest's bare-mode warnings
    backends = [("sqlite", os.environ.get("QINET_BENCH_DATABASE_URL", f"sqlite:///{BENCH_DB}"))]
    if os.environ.get(PG_SETTING):
        backends.append(("postgresql", os.environ[PG_SETTING]))
    else:
        print(f"(PostgreSQL skipped: set {PG_SETTING} to a postgresql+psycopg:// URL)")
    print(f"qinet bench app: pages {', '.join(t for _f, t in registered_pages())}; "
          f"cold = caches cleared, warm = median of {repeats} reruns")  # fmt: skip
    results: list[PageFigures] = []
    sizes = {}
    for backend, url in backends:
        ensure_large(url)
        sizes[backend] = database_size(url)
        results += bench_backend(backend, url, repeats)
    for backend, size in sizes.items():
        print(f"database size ({backend}): {size / 2**20:.0f} MiB")
    rss = peak_rss_mb()
    print(f"peak RSS of this process: {rss:.0f} MiB (target < {RSS_TARGET_MB} MiB)")
    worst = max(results, key=lambda r: max(r.warm_median / r.warm_target, r.cold / COLD_TARGET_S))
    ok = all(r.met for r in results) and rss < RSS_TARGET_MB
    print(f"worst page: {worst.page} ({worst.backend}, {worst.case}): cold "
          f"{worst.cold * 1000:.0f} ms (target < {COLD_TARGET_S * 1000:.0f}), warm median "
          f"{worst.warm_median * 1000:.0f} ms (target < {worst.warm_target * 1000:.0f}) — "
          f"{'all targets met' if ok else 'targets MISSED'}")  # fmt: skip
    return 0 if ok else 1
