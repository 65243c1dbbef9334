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
ROW_PX = 26
LABEL_CHARS = 32


def _short(text: str, n: int = LABEL_CHARS) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def _day(value: object) -> str:
    ts = pd.to_datetime(value, errors="coerce")
    return "—" if pd.isna(ts) else f"{ts:%-d %b %Y}"


def rows(assessed: pd.DataFrame, cohorts: pd.DataFrame) -> pd.DataFrame:
    """The y positions: per programme a header row (its cohorts), then its milestones.

    Args:
        assessed: ``plan.assess`` rows with ``programme`` and ``title``.
        cohorts: ``programme``, ``cohort``, ``starts_on``, ``ends_on``.

    Returns:
        ``y``, ``kind`` (``programme`` or ``milestone``), ``programme``, ``label`` and,
        for milestones, the ``assessed`` index as ``row``.
    """
    out: list[dict[str, object]] = []
    progs = sorted(set(assessed.get("programme", pd.Series(dtype=object)))
                   | set(cohorts.get("programme", pd.Series(dtype=object))))  # fmt: skip
    y = 0
    for prog in progs:
        out.append({"y": y, "kind": "programme", "programme": prog,
                    "label": f"<b>{_short(prog, LABEL_CHARS + 4)}</b>", "row": None})  # fmt: skip
        y += 1
        ms = assessed[assessed["programme"] == prog] if len(assessed) else assessed
        order = pd.to_datetime(ms["baseline_date"]).sort_values(kind="stable").index
        for i in order:
            r = ms.loc[i]
            icon = plan.STATE_ICON[r["state"]]
            label = f"{_short(str(r['title']))}  {icon} {r['state_label']}"
            out.append({"y": y, "kind": "milestone", "programme": prog, "label": label,
                        "row": i})  # fmt: skip
            y += 1
    return pd.DataFrame(out, columns=["y", "kind", "programme", "label", "row"])


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
            text=c["cohort"], textposition="inside", insidetextanchor="middle",
            textfont={"color": COHORT_TEXT, "size": 11}, width=0.7,
            customdata=list(zip(c["cohort"], start.map(_day), end.map(_day), strict=True)),
            hovertemplate="%{customdata[0]}<br>%{customdata[1]} to %{customdata[2]}"
                          "<extra>Cohort</extra>",
        ))  # fmt: skip

    if len(assessed):
        a = assessed.assign(y=pd.Series(y_of))
        base = pd.to_datetime(a["baseline_date"])
        exp = pd.to_datetime(a["expected_date"])
        # The slip line from planned to expected, one trace (gaps between rows).
        xs: list[object] = []
        ys: list[object] = []
        for b, e, yy in zip(base, exp, a["y"], strict=True):
            xs += [b, e, None]
            ys += [yy, yy, None]
        fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", line={"color": PLANNED_COLOUR,
                                 "width": 2}, hoverinfo="skip", showlegend=False))  # fmt: skip
        fig.add_trace(go.Scatter(
            x=base, y=a["y"], mode="markers", name="Planned date (baseline)",
            marker={"symbol": "circle-open", "size": 10, "color": PLANNED_COLOUR,
                    "line": {"width": 2}},
            customdata=a["title"], hovertemplate="%{customdata}<br>Planned %{x|%-d %b %Y}"
                                                 "<extra></extra>",
        ))  # fmt: skip
        for state in plan.STATES:
            s = a[a["state"] == state]
            if s.empty:
                continue
            custom = list(zip(
                s["title"], s["programme"], s["owner"], s["state_label"],
                pd.to_datetime(s["baseline_date"]).map(_day),
                pd.to_datetime(s["forecast_date"]).map(_day),
                pd.to_datetime(s["actual_date"]).map(_day),
                s["slip_days"].map(plan.slip_sentence), strict=True,
            ))  # fmt: skip
            fig.add_trace(go.Scatter(
                x=pd.to_datetime(s["expected_date"]), y=s["y"], mode="markers",
                name=f"{plan.STATE_ICON[state]} {plan.STATE_LABEL[state]}",
                marker={"symbol": plan.STATE_SYMBOL[state], "size": 13,
                        "color": STATE_COLOUR[state], "line": {"width": 1.5,
                                                                "color": STATE_COLOUR[state]}},
                customdata=custom,
                hovertemplate="<b>%{customdata[0]}</b> (%{customdata[1]})<br>"
                              "Status: %{customdata[3]} · owner %{customdata[2]}<br>"
                              "Planned %{customdata[4]} · forecast %{customdata[5]} · "
                              "actual %{customdata[6]}<br>%{customdata[7]}<extra></extra>",
            ))  # fmt: skip

    n = max(len(layout), 1)
    fig.add_vline(x=pd.Timestamp(today).timestamp() * 1000, line={"color": TODAY_COLOUR,
                  "dash": "dash", "width": 2})  # fmt: skip
    fig.add_annotation(x=pd.Timestamp(today), y=1, yref="paper", yanchor="bottom",
                       text=f"Today {today:%-d %b %Y}", showarrow=False,
                       font={"color": TODAY_COLOUR, "size": 12})  # fmt: skip
    fig.update_yaxes(tickvals=layout["y"].tolist(), ticktext=layout["label"].tolist(),
                     autorange="reversed", range=None, showgrid=True, gridcolor="#f0f4f5",
                     tickfont={"size": 12}, automargin=True)  # fmt: skip
    fig.update_xaxes(type="date", tickformat="%b %Y", showgrid=True, gridcolor="#d8dde0")
    fig.update_layout(
        height=120 + ROW_PX * n, margin={"l": 10, "r": 10, "t": 50, "b": 40},
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
