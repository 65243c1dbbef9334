"""Gather the narrative's inputs from the pages' own view models (no second computation).

The Overview page and the board pack both call :func:`gather`; the pack passes the view
models it has already built so nothing is computed twice.
"""

from __future__ import annotations

import math

import pandas as pd

from qinet import db
from qinet.queries import engagement as engagement_q
from qinet.queries import milestones as milestone_q
from qinet.queries import overview as q
from qinet.queries.projects import measure_label
from qinet.stats import plan, portfolio
from qinet.views import capability as cap
from qinet.views import engagement as ev
from qinet.views import projects as project_views
from qinet.views import reach as rc
from qinet.views.base import ViewContext
from qinet.views.engagement_parts import trend_chart
from qinet.views.narrative import NarrativeInputs
from qinet.views.overview import Portfolio


def _rate(raw: pd.DataFrame, threshold: int) -> float:
    """The hard-to-reach share of the Overview's reach rows (NaN when suppressed)."""
    rate, engaged = portfolio.hard_to_reach_rate(raw, threshold)
    return math.nan if engaged is None else float(rate)


def reach_trend(view: ViewContext, rules: rc.ReachRules) -> tuple[bool, object]:
    """The Engagement view's reach-over-time chart result (p-chart or not, latest variation).

    The same query and function (``engagement_parts.trend_chart``) as the Engagement page's
    "Is reach improving?" section, without building the rest of that page.
    """
    period = view.filters.period_range(view.today)
    start, end = (period.start, period.end) if period else (None, None)
    with db.session_scope(view.engine) as s:
        monthly = engagement_q.monthly_enrolments(s, view.viewer, view.filters, start, end,
                                                  rules.hard_to_reach)  # fmt: skip
    _, _, _, is_spc, variation, _ = trend_chart(monthly, rules, view.small_number_threshold)
    return bool(is_spc), variation


def gather(view: ViewContext, p: Portfolio, rules: rc.ReachRules, stale_days: int, *,
           engagement: ev.EngagementView | None = None,
           capability: cap.CapabilityView | None = None,
           register: project_views.RegisterView | None = None,
           reach_rows: tuple[pd.DataFrame, pd.DataFrame] | None = None,
           plan_rows: tuple[pd.DataFrame, pd.DataFrame] | None = None,
           ) -> NarrativeInputs:  # fmt: skip
    """The narrative's inputs for the viewer, filters and period (scoped and suppressed).

    Args:
        view: The request.
        p: The Overview's portfolio (this period and the one before).
        rules: Reach rules (hard-to-reach list, ratio, SPC preset).
        stale_days: ``QINET_STALE_SCORE_DAYS``.
        engagement: The Engagement view model if already built (else only its reach-over-time
            chart is worked out, by the same function).
        capability: The Capability view model if already built.
        register: The Projects register view model if already built.
        reach_rows: The reach rows (``reach.staff_group_raw``) at the end of this period and
            of the one before, if the Overview has read them already.
        plan_rows: Milestones and their revisions, if already read.
    """
    cmp = q.comparison(view.filters, view.today)
    if engagement is not None:
        is_spc, variation = bool(engagement.trend_is_spc), engagement.trend_variation
    else:
        is_spc, variation = reach_trend(view, rules)
    capability = capability or cap.build(view)
    register = register or project_views.build(view, p.measures, p.now, stale_days)
    if reach_rows is None:
        reach_rows = tuple(rc.staff_group_raw(view.engine, view.viewer, view.filters, on, rules)
                           for on in (cmp.end, cmp.previous_end))  # fmt: skip
    if plan_rows is None:
        with db.session_scope(view.engine) as s:
            plan_rows = (milestone_q.milestones(s, view.viewer, view.filters),
                         milestone_q.revisions(s, view.viewer, view.filters))  # fmt: skip
    ms, revs = plan_rows
    return NarrativeInputs(
        period=cmp.label,
        measures=p.measures.assign(measure_label=[
            measure_label(c, m) for c, m in zip(p.measures["project_code"], p.measures["measure"],
                                          strict=True)]) if len(p.measures) else p.measures,
        now=p.now,
        before=p.before,
        reach_now=_rate(reach_rows[0], view.small_number_threshold),
        reach_before=_rate(reach_rows[1], view.small_number_threshold),
        reach_is_spc=is_spc,
        reach_variation=variation,
        capability=tuple(capability.paired_sentences),
        survey=capability.survey,
        plan_now=plan.as_of(ms, revs, cmp.end, view.today),
        plan_before=plan.as_of(ms, revs, cmp.previous_end, view.today),
        stale=register.stale,
    )  # fmt: skip
