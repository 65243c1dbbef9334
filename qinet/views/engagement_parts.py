"""The Engagement page's funnel, trend, events and network tables (pure pieces of the view).

Each function turns the scoped, SQL-aggregated counts of :mod:`qinet.queries.engagement`
and :mod:`qinet.queries.network` into display frames (human labels, suppressed) and their
extracts; :func:`qinet.views.engagement.build` assembles them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from qinet.charts import runchart, spc
from qinet.domain import ChartType, ImprovementDirection
from qinet.formatting import fmt_date, measure_format
from qinet.stats import measure as sm
from qinet.stats.rules import SPC_PRESETS
from qinet.stats.suppression import suppress_counts, suppress_rows
from qinet.views.reach import ReachRules, count_text, pct, plural

ROLE_LABELS = {
    "mentor": "Mentors",
    "improvement_connector": "Improvement connectors",
    "q_member": "Q members",
    "patient_partner": "Patient partners",
    "coach": "Coaches",
}
EVENT_LABELS = {
    "learning_session": "Learning sessions",
    "training": "Training days",
    "world_cafe": "World cafés",
    "festival": "Festivals",
    "hack_day": "Hack days",
    "network_meeting": "Network meetings",
    "celebration": "Celebration events",
}
FUNNEL_LABELS = {
    "programme": "Programme", "cohort": "Cohort", "cohort_start": "Cohort starts",
    "staff_group": "Staff group", "applied": "Applied", "enrolled": "Enrolled",
    "completed": "Completed", "withdrawn_before_start": "Withdrew before starting",
    "withdrawn_after_start": "Withdrew after starting",
    "re_enrolled": "Withdrew, then re-enrolled",
    "enrolled_of_applied_pct": "Enrolled of applied", "completed_of_enrolled_pct":
    "Completed of enrolled",
}  # fmt: skip


def funnel_frames(
    df: pd.DataFrame, keys: list[str], labels: dict[str, str], groups: dict, threshold: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Funnel rows with conversions, suppressed per row and across each stage column."""
    if df.empty:
        return pd.DataFrame(), pd.DataFrame()
    d = df.copy()
    d["staff_group"] = [groups.get(c, c) for c in d["staff_group_code"]]
    stages = [c for c in ("applied", "enrolled", "completed", "withdrawn_before_start",
                          "withdrawn_after_start", "re_enrolled") if c in d]  # fmt: skip
    for c in stages:
        d[c] = pd.to_numeric(d[c]).astype(int)
    sup = suppress_counts(d[stages], threshold)
    counts = sup.counts
    with np.errstate(invalid="ignore", divide="ignore"):
        enrol_rate = counts["enrolled"] / counts["applied"]
        complete_rate = counts["completed"] / counts["enrolled"]
    extract = d[keys].copy()
    if "cohort_start" in extract:
        extract["cohort_start"] = pd.to_datetime(extract["cohort_start"]).dt.date.map(
            lambda x: x.isoformat()
        )
    extract["staff_group"] = d["staff_group"]
    for c in stages:
        extract[c] = counts[c]
    extract["enrolled_of_applied_pct"] = (enrol_rate * 100).round(1)
    extract["completed_of_enrolled_pct"] = (complete_rate * 100).round(1)
    extract = extract.rename(columns=labels)
    display = d[keys].copy()
    if "cohort_start" in display:
        display["cohort_start"] = display["cohort_start"].map(fmt_date)
    display["staff_group"] = d["staff_group"]
    for c in stages:
        display[c] = counts[c].map(count_text)
    display["enrolled_of_applied_pct"] = enrol_rate.map(pct)
    display["completed_of_enrolled_pct"] = complete_rate.map(pct)
    display = display.rename(columns=labels)
    return display, extract


HARD_BAND = "Hard-to-reach staff groups"
OTHER_BAND = "Other staff groups"
NON_STAFF_BAND = "Patients, carers, volunteers, partners"


def pooled_bands(f_prog: pd.DataFrame, groups: pd.DataFrame, rules: ReachRules) -> pd.DataFrame:
    """The programme funnel with staff groups pooled: hard to reach, other staff, non-staff.

    Pooling keeps the counts above the threshold where single groups would be suppressed,
    so a lead can still see where the hard-to-reach groups drop out.
    """
    if f_prog.empty:
        return f_prog
    staff = dict(zip(groups["staff_group_code"], groups["is_staff"].astype(bool), strict=True))
    band = [HARD_BAND if c in rules.hard_to_reach else OTHER_BAND if staff.get(c, True)
            else NON_STAFF_BAND for c in f_prog["staff_group_code"]]  # fmt: skip
    counts = [c for c in f_prog.columns if c not in ("programme", "staff_group_code")]
    out = f_prog.assign(staff_group_code=band).groupby(
        ["programme", "staff_group_code"], as_index=False)[counts].sum()
    order = {HARD_BAND: 0, OTHER_BAND: 1, NON_STAFF_BAND: 2}
    return out.assign(_o=out["staff_group_code"].map(order)).sort_values(
        ["programme", "_o"]).drop(columns="_o").reset_index(drop=True)


def trend_chart(
    monthly: pd.DataFrame, rules: ReachRules, threshold: int
) -> tuple[go.Figure | None, str, tuple[str, ...], bool, object, pd.DataFrame]:
    """The hard-to-reach share of enrolments by month through the measures' engine."""
    cols = ["Month", "Staff enrolments", "From hard-to-reach groups", "Share (%)"]
    if monthly.empty:
        return None, "", ("No staff enrolments in this period.",), False, None, \
            pd.DataFrame(columns=cols)  # fmt: skip
    m = monthly.copy()
    m["period_start"] = pd.to_datetime(
        {"year": m["year"].astype(int), "month": m["month"].astype(int), "day": 1}
    )
    # Months with no enrolment are gaps, not zeros.
    full = pd.date_range(m["period_start"].min(), m["period_start"].max(), freq="MS")
    m = m.set_index("period_start").reindex(full).rename_axis("period_start").reset_index()
    obs = pd.DataFrame({"period_start": m["period_start"], "numerator": m["from_groups"],
                        "denominator": m["enrolments"]})  # fmt: skip
    few = int(((obs["denominator"] > 0) & (obs["denominator"] < threshold)).sum())
    # Months with fewer staff enrolments than the threshold are left out: a percentage of
    # two or three people would disclose them, and is noise rather than signal.
    obs = obs[obs["denominator"] >= threshold].reset_index(drop=True)
    if obs.empty:
        return None, "", (f"Every month has fewer than {threshold} staff enrolments, too few "
                          "to show.",), False, None, pd.DataFrame(columns=cols)  # fmt: skip
    analysis = sm.analyse_measure(
        obs, chart=ChartType.P, direction=ImprovementDirection.INCREASE,
        preset=SPC_PRESETS.get(rules.spc_preset, SPC_PRESETS["MDC_2024"]),
    )  # fmt: skip
    title = "Enrolments from hard-to-reach staff groups"
    result = analysis.result.drop(columns=["numerator", "denominator"], errors="ignore")
    maker = spc if analysis.is_spc else runchart
    subtitle = ("p chart (proportion) · " if analysis.is_spc else "Run chart · ") + \
        analysis.preset.describe()  # fmt: skip
    fmt = measure_format(ChartType.P)  # the one formatter, as for a project's p-chart measure
    fig = maker.figure(result, title=title, subtitle=subtitle, fmt=fmt)
    alt = maker.alt_text(result, title=title, fmt=fmt)
    sentences = list(analysis.notes)
    if few:
        sentences.append(
            f"{plural(few, 'month')} with fewer than {threshold} staff enrolments "
            f"{'is' if few == 1 else 'are'} left out (too few to show)."
        )
    sentences.append(
        "Share of each month's staff enrolments from the hard-to-reach groups ("
        + ", ".join(rules.hard_to_reach_labels()) + "); higher is better."
    )
    # Within a shown month the hard-to-reach count or the rest may still be small: hide
    # that month's counts (its percentage stays, as on the chart).
    rest = obs["denominator"] - obs["numerator"]
    small = ((obs["numerator"] > 0) & (obs["numerator"] < threshold)) | (
        (rest > 0) & (rest < threshold))
    hidden = small.to_numpy(bool)
    extract = pd.DataFrame({
        "Month": obs["period_start"].dt.strftime("%Y-%m").to_numpy(),
        "Staff enrolments": np.where(hidden, np.nan, obs["denominator"].to_numpy(float)),
        "From hard-to-reach groups": np.where(hidden, np.nan, obs["numerator"].to_numpy(float)),
        "Share (%)": (obs["numerator"] / obs["denominator"] * 100).round(1).to_numpy(),
    })  # fmt: skip
    variation = analysis.summary.variation if analysis.is_spc else None
    return fig, alt, tuple(sentences), analysis.is_spc, variation, extract


def attendance_figure(by_month: pd.DataFrame) -> tuple[go.Figure | None, str]:
    """Attendance by month stacked by event type, and its text alternative."""
    if by_month.empty:
        return None, ""
    d = by_month.copy()
    d["total"] = d["named"] + d["counted"]
    d["month"] = pd.to_datetime({"year": d["year"].astype(int), "month": d["month"].astype(int),
                                 "day": 1})  # fmt: skip
    fig = go.Figure()
    palette = ["#12436D", "#28A197", "#801650", "#F46A25", "#3D3D3D", "#A285D1", "#2073BC"]
    for i, (kind, part) in enumerate(sorted(d.groupby("kind"), key=lambda x: x[0])):
        name = EVENT_LABELS.get(kind, kind.replace("_", " ").capitalize())
        fig.add_bar(x=part["month"], y=part["total"], name=name,
                    marker={"color": palette[i % len(palette)]},
                    hovertemplate="%{x|%b %Y}: %{y:,} attendances<extra>" + name + "</extra>")
    fig.update_layout(
        barmode="stack", height=320, margin={"l": 10, "r": 10, "t": 30, "b": 40},
        xaxis={"tickformat": "%b %Y", "title": {"text": "Month"}},
        yaxis={"title": {"text": "Attendances"}, "gridcolor": "#e8edee", "rangemode": "tozero"},
        legend={"orientation": "h", "y": -0.25}, plot_bgcolor="#ffffff",
        paper_bgcolor="#ffffff", font={"family": "Arial, Helvetica, sans-serif", "size": 12},
    )  # fmt: skip
    totals = d.groupby("kind")["total"].sum().sort_values(ascending=False)
    parts = [f"{EVENT_LABELS.get(k, k)} {int(v):,}" for k, v in totals.items()]
    alt = (f"Event attendance by month and event type, {int(d['total'].sum()):,} attendances "
           f"in all: " + ", ".join(parts) + ".")  # fmt: skip
    return fig, alt


def role_frames(df: pd.DataFrame, key: str, label: str, threshold: int
           ) -> tuple[pd.DataFrame, pd.DataFrame]:  # fmt: skip
    """Role × place counts, suppressed as a table (rows and columns)."""
    if df.empty:
        empty = pd.DataFrame(columns=[label])
        return empty, empty
    wide = df.pivot_table(index=key, columns="role", values="people", aggfunc="sum",
                          fill_value=0)  # fmt: skip
    wide = wide[[r for r in ROLE_LABELS if r in wide.columns]]
    sup = suppress_counts(wide, threshold)
    extract = sup.counts.rename(columns=ROLE_LABELS).reset_index().rename(columns={key: label})
    display = sup.counts.apply(lambda c: c.map(count_text)).rename(columns=ROLE_LABELS)
    display = display.reset_index().rename(columns={key: label})
    return display, extract


def mentor_frames(df: pd.DataFrame, threshold: int
             ) -> tuple[pd.DataFrame, pd.DataFrame, tuple[str, ...]]:  # fmt: skip
    """Mentor cover per cohort: (display, extract, sentences), counts suppressed."""
    cols = ["Programme", "Cohort", "Cohort starts", "Participants", "Mentors in the programme",
            "A mentor for every participant"]  # fmt: skip
    if df.empty:
        return pd.DataFrame(columns=cols), pd.DataFrame(columns=cols), (
            "No enrolled participants in this selection.",)  # fmt: skip
    d = df.sort_values(["programme", "cohort_start"]).reset_index(drop=True)
    covered = d["mentors"] >= d["participants"]
    sp = suppress_rows(d[["participants"]], "participants", [], threshold)["participants"]
    # A programme's mentor pool repeats on each of its cohorts: hide small pools outright.
    ment = d["mentors"].astype(float).where((d["mentors"] == 0) | (d["mentors"] >= threshold))
    extract = pd.DataFrame({
        "Programme": d["programme"], "Cohort": d["cohort"],
        "Cohort starts": pd.to_datetime(d["cohort_start"]).dt.date.map(lambda x: x.isoformat()),
        "Participants": sp, "Mentors in the programme": ment,
        "A mentor for every participant": np.where(covered, "yes", "no"),
    })  # fmt: skip
    display = extract.copy()
    display["Cohort starts"] = d["cohort_start"].map(fmt_date)
    display["Participants"] = sp.map(count_text)
    display["Mentors in the programme"] = ment.map(count_text)
    display["A mentor for every participant"] = np.where(covered, "✔ Yes", "✖ No")
    n = int(covered.sum())
    sentences = (
        f"{plural(n, 'cohort')} of {len(d):,} {'has' if n == 1 else 'have'} at least as many "
        "mentors in the programme as participants.",
        "The data records who holds the mentor role, not who mentors whom: a cohort is "
        "covered when its programme's mentors are at least as many as its other participants.",
    )
    return display, extract, sentences
