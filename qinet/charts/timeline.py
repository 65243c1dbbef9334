"""The programme plan as a Gantt-style timeline: planned, forecast and actual dates, by status.

One row per milestone, stacked by programme; each programme's header row carries its
cohorts as bars, on the same date axis. A milestone shows its planned (baseline)
date as an open grey circle, a line to where it is now expected (forecast, or actual
when done) and a marker there whose colour **and** shape give the status (NHS
programme RAG: done, on track, at risk, late, not started); the row label repeats the
status in words. Today is a dashed vertical line. A chart never queries: it takes the
``qinet.stats.plan.assess`` frame and the cohorts.
"""

from __future__ import annotations

import html
from datetime import date

import pandas as pd
import plotly.graph_objects as go

from qinet.stats import plan

STATE_COLOUR = {  # NHS identity colours (nhsuk-frontend _colours.scss)
    plan.DONE: "#005eb8",  # blue: delivered
    plan.ON_TRACK: "#007f3b",  # green
    plan.AT_RISK: "#ed8b00",  # orange (amber)
    plan.LATE: "#d5281b",  # red
    plan.NOT_STARTED: "#4c6272",  # grey-1
    plan.CANCELLED: "#aeb7bd",  # grey-3
}
PLANNED_COLOUR = "#768692"
COHORT_COLOUR = "#d8dde0"
COHORT_TEXT = "#212b32"
TODAY_COLOUR = "#330072"
ROW_PX = 40  # a label line above each row's markers (labels are not on the y-axis)
LABEL_CHARS = 32


def _short(text: str, n: int = LABEL_CHARS) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def _esc(values: pd.Series) -> pd.Series:
    """Data-derived text made safe for Plotly's HTML-like labels."""
    return values.astype(str).map(html.escape)


def _days(values: pd.Series) -> pd.Series:
    """Dates as ``28 Apr 2025`` (vectorised; "—" where missing)."""
    return pd.to_datetime(values, errors="coerce").dt.strftime("%-d %b %Y").fillna("—")


def rows(assessed: pd.DataFrame, cohorts: pd.DataFrame) -> pd.DataFrame:
    """The y positions: per programme a header row (its cohorts), then its milestones.

    Args:
        assessed: ``plan.assess`` rows with ``programme`` and ``title``.
        cohorts: ``programme``, ``cohort``, ``starts_on``, ``ends_on``.

    Returns:
        ``y``, ``kind`` (``programme`` or ``milestone``), ``programme``, ``label`` and,
        for milestones, the ``assessed`` index as ``row``.
    """
    cols = ["y", "kind", "programme", "label", "row"]
    progs = sorted(set(assessed.get("programme", pd.Series(dtype=object)))
                   | set(cohorts.get("programme", pd.Series(dtype=object))))  # fmt: skip
    heads = pd.DataFrame({"programme": progs, "kind": "programme", "row": None,
                          "label": [f"<b>{html.escape(_short(p, LABEL_CHARS + 4))}</b>"
                                    for p in progs],
                          "order": 0, "when": pd.NaT})  # fmt: skip
    if len(assessed):
        a = assessed
        icon = a["state"].map(plan.STATE_ICON)
        items = pd.DataFrame({
            "programme": a["programme"], "kind": "milestone", "row": a.index,
            "label": _esc(a["title"].astype(str).map(_short)) + "  " + icon + " "
            + a["state_label"],
            "order": 1, "when": pd.to_datetime(a["baseline_date"]),
        })  # fmt: skip
        heads = pd.concat([heads, items], ignore_index=True)
    out = heads.sort_values(["programme", "order", "when"], kind="stable").reset_index(drop=True)
    out["y"] = range(len(out))
    return out[cols]


def figure(assessed: pd.DataFrame, cohorts: pd.DataFrame, today: date) -> go.Figure:
    """The timeline figure (see the module docstring).

    Args:
        assessed: ``plan.assess`` rows with ``programme``, ``title``, ``owner``.
        cohorts: Cohorts of the same programmes.
        today: The data's "today" (the dashed line).

    Returns:
        A Plotly figure; one legend entry per status (the key), plus planned date,
        cohort and today.
    """
    layout = rows(assessed, cohorts)
    fig = go.Figure()
    y_of = {int(r.row): r.y for r in layout.itertuples() if r.kind == "milestone"}
    head = {r.programme: r.y for r in layout.itertuples() if r.kind == "programme"}

    if len(cohorts):
        c = cohorts.assign(y=cohorts["programme"].map(head))
        start = pd.to_datetime(c["starts_on"])
        end = pd.to_datetime(c["ends_on"])
        fig.add_trace(go.Bar(
            base=start, x=(end - start).dt.days * 86_400_000, y=c["y"], orientation="h",
            name="Cohort (start to end)", marker={"color": COHORT_COLOUR,
                                                   "line": {"color": "#4c6272", "width": 1}},
            text=_esc(c["cohort"]).tolist(), textposition="inside", insidetextanchor="middle",
            textfont={"color": COHORT_TEXT, "size": 11}, width=0.5,
            hovertext=(_esc(c["cohort"]) + "<br>" + _days(start) + " to "
                       + _days(end)).tolist(), hovertemplate="%{hovertext}<extra>Cohort</extra>",
        ))  # fmt: skip

    if len(assessed):
        a = assessed.assign(y=pd.Series(y_of))
        base = pd.to_datetime(a["baseline_date"])
        exp = pd.to_datetime(a["expected_date"])
        # The slip line from planned to expected, one trace (gaps between rows).
        xs = pd.DataFrame({"b": base, "e": exp, "gap": None}, dtype=object).to_numpy().ravel()
        ys = pd.DataFrame({"b": a["y"], "e": a["y"], "gap": None}).to_numpy().ravel()
        fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", line={"color": PLANNED_COLOUR,
                                 "width": 2}, hoverinfo="skip", showlegend=False))  # fmt: skip
        fig.add_trace(go.Scatter(
            x=base, y=a["y"], mode="markers", name="Planned date (baseline)",
            marker={"symbol": "circle-open", "size": 10, "color": PLANNED_COLOUR,
                    "line": {"width": 2}},
            hovertext=_esc(a["title"]).tolist(),
            hovertemplate="%{hovertext}<br>Planned %{x|%-d %b %Y}<extra></extra>",
        ))  # fmt: skip
        for state in plan.STATES:
            s = a[a["state"] == state]
            if s.empty:
                continue
            hover = ("<b>" + _esc(s["title"]) + "</b> (" + _esc(s["programme"])
                     + ")<br>Status: " + s["state_label"] + " · owner " + _esc(s["owner"])
                     + "<br>Planned " + _days(s["baseline_date"]) + " · forecast "
                     + _days(s["forecast_date"]) + " · actual " + _days(s["actual_date"])
                     + "<br>" + s["slip_days"].map(plan.slip_sentence))  # fmt: skip
            fig.add_trace(go.Scatter(
                x=pd.to_datetime(s["expected_date"]), y=s["y"], mode="markers",
                name=f"{plan.STATE_ICON[state]} {plan.STATE_LABEL[state]}",
                marker={"symbol": plan.STATE_SYMBOL[state], "size": 13,
                        "color": STATE_COLOUR[state], "line": {"width": 1.5,
                                                                "color": STATE_COLOUR[state]}},
                hovertext=hover.tolist(), hovertemplate="%{hovertext}<extra></extra>",
            ))  # fmt: skip

    n = max(len(layout), 1)
    fig.add_vline(x=pd.Timestamp(today).timestamp() * 1000, line={"color": TODAY_COLOUR,
                  "dash": "dash", "width": 2})  # fmt: skip
    fig.add_annotation(x=pd.Timestamp(today), y=1, yref="paper", yanchor="bottom",
                       text=f"Today {today:%-d %b %Y}", showarrow=False,
                       font={"color": TODAY_COLOUR, "size": 12})  # fmt: skip
    # Each row's label sits ABOVE its markers, inside the plot (not as a y tick label), so
    # the dates use the full width on a phone; a white backing keeps it readable where
    # the today line or a slip line passes behind it.
    for r in layout.itertuples():
        fig.add_annotation(x=0, xref="paper", xanchor="left", y=r.y, yref="y",
                           yanchor="bottom", yshift=11 if r.kind == "programme" else 7,
                           text=r.label, showarrow=False, align="left",
                           bgcolor="rgba(255,255,255,0.85)", borderpad=0,
                           font={"size": 12 if r.kind == "programme" else 11})  # fmt: skip
    fig.update_yaxes(tickvals=layout["y"].tolist(), ticktext=layout["label"].tolist(),
                     showticklabels=False, range=[n - 0.5, -1.1], showgrid=True,
                     gridcolor="#f0f4f5", automargin=True)  # fmt: skip
    fig.update_xaxes(type="date", tickformat="%b %Y", tickangle=0, nticks=6, showgrid=True,
                     gridcolor="#d8dde0")  # fmt: skip
    fig.update_layout(
        height=120 + ROW_PX * n + ROW_PX // 2, margin={"l": 10, "r": 10, "t": 50, "b": 40},
        plot_bgcolor="#ffffff", paper_bgcolor="#ffffff", barmode="overlay",
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.04, "x": 0,
                "title": {"text": "Key: "}},
        font={"color": "#212b32"}, hovermode="closest",
    )  # fmt: skip
    return fig


def alt_text(assessed: pd.DataFrame, cohorts: pd.DataFrame, today: date) -> str:
    """One sentence saying what the timeline shows, for screen readers and the pack."""
    n = len(assessed)
    if not n:
        return "Timeline: no milestones in this view."
    c = plan.counts(assessed)
    parts = [f"{c[s]} {plan.STATE_LABEL[s].lower()}" for s in plan.STATES if c[s]]
    progs = assessed["programme"].nunique()
    worst = assessed.loc[assessed["slip_days"].idxmax()]
    return (
        f"Timeline of {n} milestone{'s' if n != 1 else ''} in {progs} programme"
        f"{'s' if progs != 1 else ''} and {len(cohorts)} cohort{'s' if len(cohorts) != 1 else ''}"
        f" up to today ({today:%-d %b %Y}): {', '.join(parts)}. The largest slip is "
        f"“{worst['title']}” ({worst['programme']}), {plan.slip_sentence(worst['slip_days'])}."
    )
