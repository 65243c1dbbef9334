"""Scale-out on loopback: two replicas on one PostgreSQL behind deploy/nginx.conf.

One PostgreSQL (the suite's ``pg_server``), two ``streamlit run app.py`` replicas with the
same cookie secret, Debian's nginx running the deployed config, and browser sessions
through nginx. Shows that each session stays on its replica, that a change written by
the command line is seen through both replicas on their next run (and not before the
data version says so), that a phase break confirmed through one replica's page shows
through the other, and that stopping one replica leaves the other serving its sessions
without an error, while the stopped replica's sessions move over.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
import sqlalchemy as sa

from qinet import db, scaleout
from qinet.domain import AnnotationKind, ChartType
from qinet.models import Annotation, Measure, Observation, Project
from qinet.queries.projects import measure_label
from qinet.queries.version import bump_data_version
from tests.e2e.conftest import expect, wait_for_app_run

pytestmark = pytest.mark.e2e

UPSTREAM_HEADER = "x-qinet-upstream"


@pytest.fixture
def nginx_available() -> None:
    """Skip without Debian's nginx (fail under CI, like the other browser prerequisites)."""
    import os

    if not Path(scaleout.NGINX).exists():
        reason = f"needs Debian nginx ({scaleout.NGINX})"
        if os.environ.get("CI"):
            pytest.fail(f"CI is set but the scale-out test cannot run: {reason}", pytrace=False)
        pytest.skip(reason)


@pytest.fixture
def shared_db(pg_server) -> Iterator[str]:  # noqa: ANN001
    """A fresh PostgreSQL database with the small demo data (the replicas' one database)."""
    url = pg_server.create_database("qinet_scale")
    engine = db.make_engine(url)
    try:
        db.ensure_demo_data(engine, seed=20240401)
    finally:
        engine.dispose()
    try:
        yield url
    finally:
        pg_server.drop_database(url)


@pytest.fixture
def cluster(nginx_available, shared_db: str, tmp_path: Path):  # noqa: ANN001, ANN201
    """Two replicas and nginx; everything stopped at teardown."""
    with (
        scaleout.replicas(shared_db, secrets.token_urlsafe(32), tmp_path, n=2) as reps,
        scaleout.nginx([r.address for r in reps], tmp_path) as proxy,
    ):
        yield reps, proxy, shared_db


def _a_measure(url: str) -> tuple[int, str, str]:
    """An XmR measure with 40+ points and no phase break: id, label, a mid period's label."""
    engine = db.make_engine(url)
    try:
        with engine.connect() as conn:
            with_breaks = sa.select(Annotation.measure_id).where(
                Annotation.kind == AnnotationKind.PHASE_BREAK
            )
            mid, code, name = conn.execute(
                sa.select(Measure.id, Project.code, Measure.name)
                .join(Project, Measure.project_id == Project.id)
                .join(Observation, Observation.measure_id == Measure.id)
                .where(Measure.chart_type == ChartType.XMR, Measure.id.not_in(with_breaks))
                .group_by(Measure.id, Project.code, Measure.name)
                .having(sa.func.count(Observation.id) >= 40)
                .order_by(Project.code, Measure.name)
                .limit(1)
            ).one()
            periods = conn.execute(
                sa.select(Observation.period_start)
                .where(Observation.measure_id == mid)
                .order_by(Observation.period_start)
            ).scalars().all()
    finally:
        engine.dispose()
    when = periods[len(periods) // 2]
    return mid, measure_label(code, name), f"{when.day} {when:%b %Y}"


def _confirm_phase_break(page, when: str, reason: str) -> None:  # noqa: ANN001
    """Confirm a phase break through the page, as a programme lead would."""
    box = page.get_by_test_id("stSelectbox").filter(has_text="First period of the new phase")
    box.locator("input").click()
    box.locator("input").fill(when)
    page.keyboard.press("Enter")
    page.get_by_label("Reason (required)").fill(reason)
    page.get_by_role("button", name="Confirm phase break").click()
    wait_for_app_run(page)
    expect(page.get_by_text("confirmed; limits recalculated")).to_be_visible()


def _set_definition(url: str, measure_id: int, text: str, *, bump: bool) -> None:
    """Write as the command line would: straight to the database, in one transaction."""
    engine = db.make_engine(url)
    try:
        with db.session_scope(engine) as s:
            s.execute(sa.update(Measure).where(Measure.id == measure_id).values(definition=text))
            if bump:
                bump_data_version(s)
    finally:
        engine.dispose()


def _upstream(context, base: str) -> str:  # noqa: ANN001
    """Which replica this browser context's cookie routes to (nginx's response header).

    After a failed attempt nginx lists every upstream it tried; the last one answered.
    """
    tried = context.request.get(f"{base}/_stcore/health").headers[UPSTREAM_HEADER]
    return tried.split(", ")[-1]


def _no_error(page) -> None:  # noqa: ANN001
    expect(page.get_by_test_id("stException")).to_have_count(0)
    expect(page.get_by_text("Connection error")).to_have_count(0)


def test_sticky_sessions_shared_writes_and_a_replica_stopping(cluster, browser) -> None:  # noqa: ANN001
    started = time.monotonic()
    reps, proxy, db_url = cluster
    by_address = {r.address: r for r in reps}
    measure_id, label, mid_period = _a_measure(db_url)
    target = f"{proxy.base}/measures?measure={quote(label)}"

    # The suite's one Chromium (a second sync Playwright in this thread is refused).
    try:
        # Open fresh browsers (contexts) until one session sits on each replica.
        sessions: dict[str, tuple] = {}
        for _ in range(16):
            context = browser.new_context(viewport={"width": 1300, "height": 900})
            page = context.new_page()
            response = page.goto(target)
            where = response.headers[UPSTREAM_HEADER].split(", ")[-1]
            if where in sessions:
                context.close()
                continue
            wait_for_app_run(page)
            sessions[where] = (context, page)
            if len(sessions) == len(reps):
                break
        assert set(sessions) == set(by_address), f"sessions only reached {set(sessions)}"

        # Sticky: every later request of a session goes to the replica it started on.
        for where, (context, _page) in sessions.items():
            for _ in range(3):
                assert _upstream(context, proxy.base) == where

        a_addr, b_addr = sorted(sessions)
        (ctx_a, page_a), (ctx_b, page_b) = sessions[a_addr], sessions[b_addr]

        # A write by the command line without a version bump: both replicas keep
        # serving their cached copy (so the cache really is in the way) ...
        _set_definition(db_url, measure_id, "Scale-out check, first text",
                        bump=False)  # fmt: skip
        page_b.reload()
        wait_for_app_run(page_b)
        expect(page_b.get_by_text("Scale-out check, first text")).to_have_count(0)

        # ... and with the bump every replica shows it on its next run.
        _set_definition(db_url, measure_id, "Scale-out check, second text",
                        bump=True)  # fmt: skip
        for where, (context, page) in sessions.items():
            page.reload()
            wait_for_app_run(page)
            expect(page.get_by_text("Scale-out check, second text")).to_be_visible()
            assert _upstream(context, proxy.base) == where  # still on its replica

        # A write through replica A's page (a phase break, bumping the version in
        # its transaction) shows through replica B on B's next run.
        reason = "Scale-out check: new rota through replica A"
        _confirm_phase_break(page_a, mid_period, reason)
        page_b.reload()
        wait_for_app_run(page_b)
        # The reason shows in the chart's badge text and in the dated list under it.
        expect(page_b.locator("p").filter(has_text=reason)).to_be_visible()
        assert _upstream(ctx_b, proxy.base) == b_addr

        # Stop replica A. B's session keeps working, with no error, on B.
        by_address[a_addr].stop()
        page_b.reload()
        wait_for_app_run(page_b)
        expect(page_b.get_by_text("Scale-out check, second text")).to_be_visible()
        _no_error(page_b)
        assert _upstream(ctx_b, proxy.base) == b_addr

        # A's browser is moved to B by the hash and carries on there.
        page_a.reload()
        wait_for_app_run(page_a)
        expect(page_a.get_by_text("Scale-out check, second text")).to_be_visible()
        _no_error(page_a)
        assert _upstream(ctx_a, proxy.base) == b_addr
        for context, _page in sessions.values():
            context.close()
    finally:
        for context in list(browser.contexts):
            context.close()

    # The proxy's own log agrees: each browser's WebSocket sessions went to one replica
    # until its replica was stopped (A's browser: A, then B).
    routes = proxy.routes()
    assert routes, "nginx logged no WebSocket sessions"
    moved = [ups for ups in routes.values() if len(ups) > 1]
    assert moved in ([], [{a_addr, b_addr}]), routes
    assert any(ups == {b_addr} for ups in routes.values())
    assert time.monotonic() - started < 120
