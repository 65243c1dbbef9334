"""Page benchmarks on the large synthetic data set: server time per rerun, via AppTest.

``python -m qinet bench pages`` builds ``data/bench_large.db`` (``qinet demo --scale
large``) the first time, then times reruns of the Overview, of the Measures
page opening and switching measures, and of the Engagement, Capability, Timeline and
Projects pages. AppTest runs the real scripts in-process, so a rerun's wall time is the
server's time to produce the page (no browser).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH_DB = ROOT / "data" / "bench_large.db"
BENCH_SEED = 20240401
CAPABILITY_SURVEY = "Joy in work pulse"


def _ensure_large_db() -> str:
    from qinet import db, demo

    url = os.environ.get("QINET_BENCH_DATABASE_URL", f"sqlite:///{BENCH_DB}")
    engine = db.make_engine(url)
    db.create_schema(engine)
    with db.session_scope(engine) as session:
        if db.is_empty(session):
            started = time.perf_counter()
            demo.build(session, seed=BENCH_SEED, scale="large")
            print(f"built the large demo data set in {time.perf_counter() - started:.1f} s")
    engine.dispose()
    return url


def _labels(url: str, n: int) -> tuple[list[str], list[str]]:
    """The first measure's label, and ``n`` project labels spread across the data set."""
    import sqlalchemy as sa

    from qinet import db
    from qinet.models import Measure, Project
    from qinet.queries.projects import measure_label

    engine = db.make_engine(url)
    with db.session_scope(engine) as s:
        rows = s.execute(
            sa.select(Project.code, Project.title, Measure.name)
            .join(Project, Measure.project_id == Project.id)
            .order_by(Project.code, Measure.name)
        ).all()
    engine.dispose()
    step = max(len(rows) // n, 1)
    projects = list(dict.fromkeys(f"{code} · {title}" for code, title, _ in rows[::step]))
    return [measure_label(rows[0][0], rows[0][2])], projects[:n]


def page_cases(repeats: int) -> list[tuple[str, str, float, Callable[[], object]]]:
    """Cases for ``qinet.bench.run``: each callable is one rerun of a warmed-up AppTest."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    url = _ensure_large_db()
    os.environ["QINET_DATABASE_URL"] = url
    app = str(ROOT / "app.py")

    overview = AppTest.from_file(app, default_timeout=120)
    overview.run()
    directorates = next(s for s in overview.sidebar.selectbox if s.key == "directorate").options
    by_directorate = AppTest.from_file(app, default_timeout=120)
    by_directorate.run()
    next_directorate = iter([d for d in directorates if d != "All"] * 10)

    def switch_directorate() -> None:
        # A new filter: the matrix is recomputed (the scoped observations stay cached).
        by_directorate.session_state["directorate"] = next(next_directorate)
        rerun(by_directorate)()

    first, projects = _labels(url, max(repeats + 2, 8))
    measures = AppTest.from_file(app, default_timeout=120)
    measures.query_params["measure"] = first[0]
    measures.run()
    measures.switch_page("pages/measures.py").run()
    cycle = iter(projects * 100)

    def switch_measure() -> None:
        # Choosing another project opens its first measure: a new, uncached measure.
        measures.selectbox(key="measure_project").set_value(next(cycle)).run()
        if measures.exception:
            raise RuntimeError(measures.exception[0].message)

    timeline = AppTest.from_file(app, default_timeout=120)
    timeline.run()
    timeline.switch_page("pages/timeline.py").run()

    def rerun(at: AppTest) -> Callable[[], None]:
        def _run() -> None:
            at.run()
            if at.exception:
                raise RuntimeError(at.exception[0].message)

        return _run

    def cold(at: AppTest) -> Callable[[], None]:
        def _run() -> None:
            st.cache_data.clear()  # as after a filter change or an import: nothing cached
            rerun(at)()

        return _run

    # Capability: the largest survey (the joy-in-work pulse, ~20k of the 38k responses).
    capability = AppTest.from_file(app, default_timeout=120)
    capability.run()
    capability.switch_page("pages/capability.py")
    capability.session_state["cap_survey"] = CAPABILITY_SURVEY
    capability.run()
    engagement = AppTest.from_file(app, default_timeout=120)
    engagement.run()
    engagement.switch_page("pages/engagement.py").run()
    register = AppTest.from_file(app, default_timeout=120)
    register.run()
    register.switch_page("pages/projects.py").run()
    project = AppTest.from_file(app, default_timeout=120)
    project.query_params["project"] = projects[len(projects) // 2].split(" · ")[0]
    project.run()
    project.switch_page("pages/projects.py").run()

    return [
        ("capability", "Capability, joy-in-work pulse (largest survey), rerun", 0.3,
         rerun(capability)),
        ("capability-cold", "Capability, joy-in-work pulse, data caches cleared", 1.5,
         cold(capability)),
        ("projects", "Projects register, whole network (1,500 projects), rerun", 0.3,
         rerun(register)),
        ("project", "Projects page, one project by deep link, rerun", 0.3, rerun(project)),
        ("overview", "Overview, whole network (~3,000 measures), rerun", 1.0, rerun(overview)),
        ("overview-filter", "Overview, switch to another directorate (new view)", 1.0,
         switch_directorate),
        ("overview-cold", "Overview, whole network, data caches cleared", 1.0, cold(overview)),
        ("measure", "Measures page, same measure, rerun", 0.3, rerun(measures)),
        ("switch", "Measures page, switch to another project's measure", 0.3, switch_measure),
        ("timeline", "Timeline, whole network, rerun", 0.3, rerun(timeline)),
        ("timeline-cold", "Timeline, whole network, data caches cleared", 1.0, cold(timeline)),
        ("engagement", "Engagement, whole network, rerun", 0.3, rerun(engagement)),
        ("engagement-cold", "Engagement, whole network, data caches cleared", 1.5,
         cold(engagement)),
    ]
