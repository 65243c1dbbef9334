"""The Projects view model on the demo data: one computation for register, tiles and board pack."""

from datetime import date

import pandas as pd
import pytest

from qinet import db
from qinet.access import Viewer
from qinet.domain import Role
from qinet.filters import Filters
from qinet.queries import overview as oq
from qinet.queries.scope import frame
from qinet.stats import portfolio, progress
from qinet.stats.rules import ANHOEJ, MDC_2024
from qinet.views import projects as views
from qinet.views.base import ViewContext

pytestmark = pytest.mark.db

TODAY = date(2025, 9, 30)


@pytest.fixture(scope="module")
def view(demo_engine):
    viewer = Viewer("admin@x", Role.ADMIN)
    with db.session_scope(demo_engine) as s:
        measures = oq.portfolio_measures(s, viewer, Filters())
        obs = oq.portfolio_observations(s, viewer, Filters(), None, None)
        breaks = frame(s, oq.phase_breaks_stmt(viewer, Filters()))
    obs = obs.assign(period_start=pd.to_datetime(obs["period_start"]))
    matrix = portfolio.summary_matrix(measures, obs, breaks, spc_rules=MDC_2024, run_rules=ANHOEJ)
    vc = ViewContext(demo_engine, viewer, Filters(), TODAY, synthetic=True)
    return views.build(vc, measures, matrix, 90), measures, matrix


def test_register_agrees_with_the_overview_count(view):
    rv, measures, matrix = view
    assert rv.counts.improving == portfolio.projects_improving(matrix, measures)
    assert rv.counts.improving_measures == int(portfolio.is_improving(matrix["variation"]).sum())
    assert rv.counts.projects == len(rv.register) == rv.extract.frame.shape[0]


def test_extract_has_human_labels_and_iso_dates(view):
    rv, _, _ = view
    cols = list(rv.extract.frame.columns)
    assert "Project code" in cols and "project_code" not in cols and "code" not in cols
    assert rv.extract.frame["Score last updated"].str.match(r"^\d{4}-\d{2}-\d{2}$").all()
    assert rv.extract.name == "project-register"  # download_csv adds scope and "synthetic"


def test_board_pack_sections_come_from_the_view(view):
    rv, _, _ = view
    portfolio_section, stale_section = views.sections(rv)
    assert portfolio_section.heading == "Project progress scores"
    assert portfolio_section.figure is rv.heatmap and portfolio_section.alt_text
    assert int(portfolio_section.table["Projects"].sum()) == int(rv.by_month["projects"].iloc[-1])
    assert len(stale_section.table) == len(rv.stale)
    assert all(r for r in stale_section.table["Why flagged"])


def test_portfolio_counts_every_scored_project_each_month(view):
    rv, _, _ = view
    scores = list(progress.IHI_LABELS)
    assert (rv.by_month[scores].sum(axis=1) == rv.by_month["projects"]).all()
    assert rv.by_month["projects"].is_monotonic_increasing  # projects never lose their score


def test_the_board_pack_carries_the_progress_sections(view, demo_engine):
    """The Overview's pack renders the Projects view's sections unchanged (no second count)."""
    from qinet.io import boardpack as bp
    from qinet.views.overview import Portfolio
    from qinet.views.overview_pack import PACK_ICONS, projects_part

    rv, measures, matrix = view
    vc = ViewContext(demo_engine, Viewer("admin@x", Role.ADMIN), Filters(), TODAY,
                     synthetic=True)  # fmt: skip
    part, extracts = projects_part(vc, Portfolio(measures, matrix, matrix), 90)
    assert (part.key, part.title) == ("projects", "Project progress")
    assert [s.heading for s in part.sections] == ["Project progress scores",
                                                  "Progress scores that may be stale"]
    assert part.sections[0].chart is not None and part.sections[0].chart.alt
    assert set(extracts) == {"project register", "progress scores by month"}
    assert len(extracts["project register"]) == len(rv.register)
    pack = bp.BoardPack(filters="Whole network", description="Whole network", as_of=TODAY,
                        made_on=TODAY, synthetic=True, tiles=[], comparison="",
                        matrix=pd.DataFrame(), group_by="Programme", icons=PACK_ICONS,
                        extracts=extracts, parts=[part])  # fmt: skip
    html = bp.render_html(pack)
    assert '<section id="projects" class="break"><h2>Project progress</h2>' in html
    assert "<h3>Project progress scores</h3>" in html
    assert "<h3>Progress scores that may be stale</h3>" in html
    assert rv.sentences[1] in html  # the same words as the page
    assert html.index('id="projects"') < html.index('id="extracts"')
