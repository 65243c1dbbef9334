"""The Overview as a view model: portfolio, headline tiles, summary matrix, reach, plan.

Pure (no Streamlit). ``qinet.ui.overview`` caches and lays these out; the board pack
(``qinet.views.overview_pack``) reuses the same frames and sentences, so the page,
its CSVs and the pack always agree.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
from sqlalchemy.engine import Engine

from qinet import db
from qinet.access import Viewer
from qinet.charts import engagement as engagement_charts
from qinet.charts import icons
from qinet.domain import AssuranceState, VariationState
from qinet.filters import Filters
from qinet.formatting import fmt_date, measure_format
from qinet.queries import overview as q
from qinet.queries import projects
from qinet.queries.scope import frame
from qinet.stats import portfolio, progress
from qinet.stats.rules import ANHOEJ, SPC_PRESETS
from qinet.views import reach as rc

MAX_PACK_CHARTS = 12  # charts of signalling measures in the board pack (most recent first)
ICON_PX = 28


@dataclass(frozen=True)
class Portfolio:
    """The measures in scope and their summary matrix now and in the comparison window."""

    measures: pd.DataFrame
    now: pd.DataFrame
    before: pd.DataFrame


def _data_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


VARIATION_URI = {s.value: _data_uri(icons.variation_svg(s, size=ICON_PX)) for s in VariationState}
ASSURANCE_URI = {s.value: _data_uri(icons.assurance_svg(s, size=ICON_PX)) for s in AssuranceState}
VARIATION_ORDER = {
    s.value: i
    for i, s in enumerate(
        (VariationState.CONCERN_HIGH, VariationState.CONCERN_LOW, VariationState.IMPROVEMENT_HIGH,
         VariationState.IMPROVEMENT_LOW, VariationState.NEUTRAL_HIGH, VariationState.NEUTRAL_LOW,
         VariationState.NON_RANDOM, VariationState.COMMON_CAUSE, VariationState.NOT_ENOUGH_DATA)
    )
}  # fmt: skip


def fmt_number(value: float, chart: str, unit: str, multiplier: object = 1) -> str:
    """A value as shown in the matrix: the measure's one format (``qinet.formatting``)."""
    if value is None or pd.isna(value):
        return ""
    return measure_format(chart, unit, multiplier).text(value)


def matrix_frame(p: Portfolio, group_by: str) -> pd.DataFrame:
    """The summary matrix as displayed: one row per measure, grouped, with icons and words.

    Args:
        p: The portfolio.
        group_by: ``"Programme"`` or ``"Directorate"``.

    Returns:
        Display columns (icons as data URIs) plus ``measure_label`` for the link.
    """
    m = p.measures.merge(p.now, on="measure_id", how="inner", suffixes=("", "_m"))
    if m.empty:
        return pd.DataFrame()
    group_col = group_by.lower()
    group = m[group_col].fillna("No programme" if group_col == "programme" else "—")
    mult = m["multiplier"] if "multiplier" in m else pd.Series(1, index=m.index)
    formats = [measure_format(c, u, k) for c, u, k in zip(m["chart_type"], m["unit"], mult,
                                                          strict=True)]  # fmt: skip
    latest = [f.text(v) if pd.notna(v) else "" for f, v in zip(formats, m["last_value"],
                                                                 strict=True)]  # fmt: skip
    target = [f.text(v) if pd.notna(v) else "" for f, v in zip(formats, m["target"],
                                                                 strict=True)]  # fmt: skip
    out = pd.DataFrame(
        {
            "group": group,
            "project_code": m["project_code"],
            "project": m["project"],
            "measure": m["measure"],
            "latest": latest,
            "latest_date": pd.to_datetime(m["last_date"]).dt.date,
            "target": target,
            "latest_value": [f.round_values(v) for f, v in zip(formats, m["last_value"],
                                                                 strict=True)],  # fmt: skip
            "target_value": [f.round_values(v) for f, v in zip(formats, m["target"],
                                                                 strict=True)],  # fmt: skip
            "variation_icon": m["variation"].map(VARIATION_URI),
            "variation": m["variation"].map(icons.variation_label),
            "assurance_icon": m["assurance"].map(ASSURANCE_URI),
            "assurance": m["assurance"].map(icons.assurance_label),
            "latest_signal": m["latest_signal_reason"].fillna(""),
            "signal_date": pd.to_datetime(m["latest_signal_date"]).dt.date,
            "signal_when": [fmt_date(d) for d in m["latest_signal_date"]],  # "" when none
            "state": [state_words(v, a) for v, a in zip(m["variation"], m["assurance"],
                                                        strict=True)],  # fmt: skip
            "chart": m["drawn_as"],
            "directorate": m["directorate"],
            "programme": m["programme"],
            "measure_id": m["measure_id"],
            "variation_state": m["variation"],
            "assurance_state": m["assurance"],
            "measure_label": [
                projects.measure_label(c, n)
                for c, n in zip(m["project_code"], m["measure"], strict=True)
            ],
        }
    )
    order = out["variation_state"].map(VARIATION_ORDER)
    out = out.assign(_o=order).sort_values(["group", "_o", "project_code", "measure"])
    out = out.drop(columns="_o").reset_index(drop=True)
    for col in ("variation_icon", "assurance_icon", "variation", "assurance", "group", "chart"):
        out[col] = out[col].astype("category")  # few distinct values: small Arrow payload
    return out


REGISTER_LABELS = {"code": "Code", "title": "Project", "status": "Status",
                   "directorate": "Directorate", "programme": "Programme",
                   "started_on": "Started"}  # fmt: skip


def register_display(register: pd.DataFrame) -> pd.DataFrame:
    """The "Projects in this view" table as people read it: human labels, 28 Apr 2025."""
    out = register[list(REGISTER_LABELS)].copy()
    out["status"] = out["status"].map(lambda v: str(v).replace("_", " ").capitalize())
    out["started_on"] = out["started_on"].map(fmt_date)
    out["programme"] = out["programme"].fillna("No programme")
    return out.rename(columns=REGISTER_LABELS)


MATRIX_SHOWN = ["variation_icon", "assurance_icon", "group", "measure", "latest", "target",
                "state", "signal_when", "latest_signal", "project", "directorate",
                "programme"]  # fmt: skip
"""Icons first and short columns, so the key columns fit a 1366 px laptop; the long words
(latest signal, project) follow for whoever scrolls, and are in the CSV and board pack."""

VARIATION_SHORT = {
    VariationState.IMPROVEMENT_HIGH.value: "Improving (high)",
    VariationState.IMPROVEMENT_LOW.value: "Improving (low)",
    VariationState.CONCERN_HIGH.value: "Concern (high)",
    VariationState.CONCERN_LOW.value: "Concern (low)",
    VariationState.NEUTRAL_HIGH.value: "High",
    VariationState.NEUTRAL_LOW.value: "Low",
    VariationState.NON_RANDOM.value: "Non-random",
    VariationState.COMMON_CAUSE.value: "Common cause",
    VariationState.NOT_ENOUGH_DATA.value: "Run chart",
}
ASSURANCE_SHORT = {
    AssuranceState.PASS.value: "pass",
    AssuranceState.FAIL.value: "fail",
    AssuranceState.INCONSISTENT.value: "hit/miss",
    AssuranceState.NO_TARGET.value: "",
}


def state_words(variation: str, assurance: str) -> str:
    """The icons' meaning in two or three words (colour is never the only carrier)."""
    target = ASSURANCE_SHORT.get(str(assurance), "")
    words = VARIATION_SHORT.get(str(variation), "")
    return f"{words} · {target}" if target else words


def matrix_extract(display: pd.DataFrame, group_by: str) -> pd.DataFrame:
    """The matrix's CSV: what is on screen, icons as their words, values as numbers.

    Latest value and target are the raw numbers (a proportion as 0–1), not the
    formatted text, so a spreadsheet can compute with them and negative values
    stay numeric.
    """
    if display.empty:
        return display
    cols = ["group", "project_code", "project", "measure", "latest_value", "latest_date",
            "target_value", "variation", "assurance", "latest_signal", "signal_date", "chart",
            "directorate", "programme", "measure_id"]  # fmt: skip
    out = display[cols].copy()
    for c in out.columns:
        if isinstance(out[c].dtype, pd.CategoricalDtype):
            out[c] = out[c].astype(object)
    return out.rename(columns={"group": group_by.lower() + "_group"})


def _delta(now: float, before: float, fmt: str = "{:+,}") -> str | None:
    if now is None or before is None or pd.isna(now) or pd.isna(before):
        return None
    diff = now - before
    return fmt.format(diff) if diff else "no change"


TILE_LABEL_CHARS = 16


@dataclass(frozen=True)
class Headline:
    """One tile: the figure, its change and where it is explained.

    Labels stay within ``TILE_LABEL_CHARS`` so five tiles fit a laptop without "…"; the
    full wording is in ``help`` (the tile's tooltip).
    """

    label: str
    value: str
    delta: str | None
    help: str
    delta_color: str = "normal"


def headlines(
    p: Portfolio, counts: dict[str, int], reach_now: pd.DataFrame, reach_before: pd.DataFrame,
    states_now: dict[str, int], states_before: dict[str, int], threshold: int,
) -> list[Headline]:  # fmt: skip
    """The five headline tiles from the loaded data (pure).

    Returns:
        Tiles in display order: active projects, projects improving, participants
        trained, hard-to-reach reach, milestones on track / late.
    """
    # One population for both project tiles and the matrix caption: the projects in the view
    # (any status); "improving" is the Projects register's project-level count.
    now_counts = progress.project_measure_counts(p.measures, p.now)
    improving = int((now_counts["improving"] > 0).sum())
    improving_measures = int(now_counts["improving"].sum())
    improving_before = int((progress.project_measure_counts(p.measures, p.before)["improving"]
                            > 0).sum())  # fmt: skip
    total = counts.get("projects", 0)
    rate, engaged = portfolio.hard_to_reach_rate(reach_now, threshold)
    rate_before, _ = portfolio.hard_to_reach_rate(reach_before, threshold)
    if engaged is None:
        reach_value = f"<{threshold} people"
    elif np.isnan(rate):
        reach_value = "—"
    else:
        reach_value = f"{rate:.1%}"
    reach_delta = None
    if not (np.isnan(rate) or np.isnan(rate_before)):
        diff = (rate - rate_before) * 100
        reach_delta = f"{diff:+.1f} points" if round(diff, 1) else "no change"
    late_delta = states_now["late"] - states_before["late"]
    # A count of people: below the threshold it is not shown, and no change is given
    # when either end is small (the change would give the small count away).
    trained, trained_before = counts["completed"], counts["completed_before"]
    small = [0 < n < threshold for n in (trained, trained_before)]
    trained_value = f"<{threshold} people" if small[0] else f"{trained:,}"
    trained_delta = None if any(small) else _delta(trained, trained_before)
    return [
        Headline("Active projects", f"{counts['active']:,} of {total:,}",
                 _delta(counts["active"], counts["active_before"]),
                 f"Projects not complete or stopped and started by the end of the period, of "
                 f"the {total:,} projects in this view (any status)."),
        Headline("Improving", f"{improving:,} of {total:,}",
                 _delta(improving, improving_before),
                 f"Projects improving: projects in this view (any status, {total:,} in all) "
                 "with at least one measure whose latest point is special-cause improvement "
                 f"(Making Data Count variation icon): {improving_measures:,} measures in "
                 f"{improving:,} projects, as in the summary of measures below."),
        Headline("Trained", trained_value, trained_delta,
                 "Participants trained: people who completed a programme in the period."),
        Headline("Hard to reach", reach_value, reach_delta,
                 "Reach of the hard-to-reach staff groups: the share of their workforce (the "
                 "fixed list under Reach by staff group) who have enrolled."),
        Headline("On track / late",
                 f"{states_now['on_track'] + states_now['not_started']} / {states_now['late']}",
                 (f"{late_delta:+d} late" if late_delta else "no change in late"),
                 "Plan milestones on track (or not started), and those late (planned or "
                 "forecast date passed, or marked late) — the Timeline page's rule.",
                 delta_color="inverse"),
    ]  # fmt: skip


def reach_display(table: pd.DataFrame) -> pd.DataFrame:
    """Reach rows as shown and exported: rates as percentages, flags in words."""
    out = table[["staff_group", "hard_to_reach", "engaged_text", "headcount", "rate",
                 "under_represented"]].rename(columns={"engaged_text": "engaged"})  # fmt: skip
    out["rate"] = out["rate"].map(lambda r: "" if pd.isna(r) else f"{r:.1%}")
    out["hard_to_reach"] = out["hard_to_reach"].map({True: "Yes", False: ""})
    out["under_represented"] = out["under_represented"].map({True: "Yes", False: ""})
    out["headcount"] = out["headcount"].map(lambda h: f"{h:,}" if h else "—")
    return out


def plan_display(df: pd.DataFrame) -> pd.DataFrame:
    """Milestone rows as shown: statuses in words (``on_track`` → ``On track``)."""
    if df.empty:
        return df
    return df.assign(status=df["status"].astype(str).str.replace("_", " ").str.capitalize())


def portfolio_for(engine: Engine, viewer: Viewer, f: Filters, today: date, preset: str,
                  every: pd.DataFrame) -> Portfolio:  # fmt: skip
    """Measures in scope and the summary matrix now and in the comparison window.

    Args:
        engine: Database engine.
        viewer: Who is looking (scope).
        f: Filters.
        today: The data's "today".
        preset: SPC preset key (run charts use the Anhøj rules).
        every: Every observation the viewer may see, ``period_start`` parsed (filtered here
            in memory, so a filter change re-runs the statistics, not the read).
    """
    cmp = q.comparison(f, today)
    rules = SPC_PRESETS[preset]
    with db.session_scope(engine) as s:
        measures = q.portfolio_measures(s, viewer, f)
        breaks = frame(s, q.phase_breaks_stmt(viewer, f))
    obs = every[every["measure_id"].isin(measures["measure_id"])]
    day = obs["period_start"]
    now_mask = day <= pd.Timestamp(cmp.end)
    if cmp.start is not None:
        now_mask &= day >= pd.Timestamp(cmp.start)
    before_mask = day <= pd.Timestamp(cmp.previous_end)
    if cmp.previous_start is not None:
        before_mask &= day >= pd.Timestamp(cmp.previous_start)
    now = portfolio.summary_matrix(measures, obs[now_mask], breaks, spc_rules=rules,
                                   run_rules=ANHOEJ)  # fmt: skip
    before = portfolio.summary_matrix(measures, obs[before_mask], breaks, spc_rules=rules,
                                      run_rules=ANHOEJ)  # fmt: skip
    return Portfolio(measures, now, before)


@dataclass(frozen=True)
class ReachView:
    """Reach by staff group, suppressed, with its chart and sentences (page and pack)."""

    table: pd.DataFrame
    overall: float
    staff: pd.DataFrame
    under_represented: list[str]
    figure: object
    alt_text: str
    suppression_note: str
    display: pd.DataFrame
    rules: rc.ReachRules = rc.ReachRules()

    @property
    def hard_to_reach_text(self) -> str:
        """The hard-to-reach definition as shown under the chart (a fixed list)."""
        return ("Hard to reach (a fixed list, the same on every page): "
                + ", ".join(self.rules.hard_to_reach_labels()) + ".")  # fmt: skip


def reach_view(raw: pd.DataFrame, threshold: int, rules: rc.ReachRules | None = None) -> ReachView:
    """Suppress the raw counts and build the reach chart and its sentences once.

    The table is the Engagement view's (:func:`qinet.views.engagement.reach_table`):
    one definition of hard to reach, of a programme's target groups and of the
    under-represented flag (``rules.ratio``) on both pages and in the pack.
    """
    rules = rules or rc.ReachRules()
    table, overall = rc.reach_table(raw, "staff_group", threshold, rules.ratio)
    staff = table[table["headcount"] > 0]
    under = (staff.loc[staff["under_represented"].astype(bool), "staff_group"].tolist()
             if len(staff) else [])  # fmt: skip
    fig = alt = None
    if not staff.empty:
        fig = engagement_charts.reach_figure(staff, overall, threshold=threshold)
        alt = engagement_charts.reach_alt_text(staff, overall)
    note = (f"Counts below {threshold} are suppressed, with one more group hidden where needed "
            "so a hidden number cannot be worked out from the total.")  # fmt: skip
    display = reach_display(table) if not table.empty else pd.DataFrame()
    return ReachView(table, overall, staff, under, fig, alt or "", note, display, rules)
