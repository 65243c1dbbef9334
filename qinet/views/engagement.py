"""Engagement view model: who takes part, against the workforce, and whether reach improves.

Pure (no Streamlit). :func:`build` runs the scoped, SQL-aggregated queries of
:mod:`qinet.queries.engagement` once and turns the counts into display frames, figures,
sentences and suppressed extracts; :func:`sections` hands the same parts to the board pack.
The Overview's reach uses :func:`staff_group_raw` and :func:`reach_table` (one computation).

Definitions (stated on the page):

* **Participant**: a person with an enrolment in a programme in scope, enrolled on or before
  the end of the period (as the Overview counts them).
* **Hard to reach**: a fixed list of staff groups (setting ``QINET_HARD_TO_REACH``).
* **Under-represented**: a measured comparison: the group's share of participants is below
  ``QINET_UNDER_REPRESENTED_RATIO`` × its share of the workforce (its representation ratio).
  A group whose count is suppressed is flagged only when even ``threshold − 1`` people would
  be too few.
* A programme aimed at named staff groups (``programme_target_group``) is measured against
  those groups' workforce only.
* **Funnel**: per cohort every enrolment counts as it is; per programme a person counts once
  at their furthest stage, so withdrawing and re-enrolling (in a later cohort) is
  "re-enrolled", not a loss.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from qinet import db
from qinet.access import Viewer
from qinet.charts import engagement as charts
from qinet.charts import runchart, spc
from qinet.domain import ChartType, ImprovementDirection, StaffGroup
from qinet.filters import Filters
from qinet.queries import engagement as q
from qinet.stats import measure as sm
from qinet.stats.rules import SPC_PRESETS
from qinet.stats.suppression import suppress_rows
from qinet.views.base import Extract, Section, ViewContext

SUPPRESSED = "suppressed"
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


@dataclass(frozen=True)
class ReachRules:
    """The two definitions the page states: hard to reach (a list) and under-represented.

    Attributes:
        hard_to_reach: Staff-group codes (``QINET_HARD_TO_REACH``).
        ratio: Flag a group whose representation ratio is below this
            (``QINET_UNDER_REPRESENTED_RATIO``).
        spc_preset: Rule set for the reach p-chart (``QINET_SPC_PRESET``).
    """

    hard_to_reach: tuple[str, ...] = tuple(g.value for g in StaffGroup if g.hard_to_reach)
    ratio: float = 0.5
    spc_preset: str = "MDC_2024"

    def hard_to_reach_labels(self) -> list[str]:
        """The hard-to-reach groups' labels, in the setting's order."""
        return [StaffGroup(c).label for c in self.hard_to_reach]

    def rule_text(self) -> str:
        """The under-represented rule in words."""
        return (
            "Under-represented: a staff group's share of participants is below "
            f"{self.ratio:g} × its share of the workforce (representation ratio below "
            f"{self.ratio:g})."
        )


# --- reach: pure ---------------------------------------------------------------------------


def reach_table(
    raw: pd.DataFrame, key: str, threshold: int, ratio: float
) -> tuple[pd.DataFrame, float]:
    """Participation per row against the workforce, suppressed, with the flag.

    Args:
        raw: One row per group: ``key`` (its label), ``engaged``, ``headcount`` (0 when
            unknown) and optionally ``in_denominator`` (False for a staff group outside a
            programme's targets) and ``hard_to_reach``.
        key: The label column (``staff_group``, ``directorate`` or ``organisation``).
        threshold: Smallest count that may be shown.
        ratio: Representation ratio below which a row is under-represented.

    Returns:
        ``(table, overall_rate)``; the table keeps the input columns and adds ``rate``,
        ``per_1000``, ``share_participants``, ``share_workforce``, ``representation``,
        ``suppressed``, ``under_represented`` and ``engaged_text``. Counts and the values
        derived from them are NaN where suppressed (primary and secondary).
    """
    df = raw.copy()
    if "in_denominator" not in df:
        df["in_denominator"] = True
    if "hard_to_reach" not in df:
        df["hard_to_reach"] = False
    extra = ["rate", "per_1000", "share_participants", "share_workforce", "representation",
             "suppressed", "under_represented", "engaged_text"]  # fmt: skip
    if df.empty:
        return pd.DataFrame(columns=[*df.columns, *extra]), float("nan")
    df["engaged"] = df["engaged"].astype(int)
    df["headcount"] = df["headcount"].astype(int)
    base = df["in_denominator"].astype(bool) & (df["headcount"] > 0)
    total_h = float(df.loc[base, "headcount"].sum())
    total_e = float(df.loc[base, "engaged"].sum())
    overall = total_e / total_h if total_h else float("nan")
    h = df["headcount"].where(base).astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        df["rate"] = df["engaged"] / h
        df["per_1000"] = df["rate"] * 1000
        df["share_participants"] = np.where(base, df["engaged"] / total_e, np.nan) if total_e \
            else np.nan  # fmt: skip
        df["share_workforce"] = h / total_h if total_h else np.nan
        df["representation"] = df["rate"] / overall if overall else np.nan
    cols = ["rate", "per_1000", "share_participants", "representation"]
    out = suppress_rows(df, "engaged", cols, threshold)
    hidden = out["suppressed"].to_numpy(dtype=bool)
    raw_e = df["engaged"].to_numpy(dtype=float)
    primary = hidden & (raw_e > 0) & (raw_e < threshold)
    with np.errstate(invalid="ignore", divide="ignore"):
        best = ((threshold - 1) / h.to_numpy(float)) / overall if overall else np.nan
        rep = out["representation"].to_numpy(float)
        flag = np.where(primary, best < ratio, ~hidden & (rep < ratio))
    out["under_represented"] = base.to_numpy() & flag & np.isfinite(overall)
    out["engaged_text"] = np.where(
        hidden, SUPPRESSED, [f"{int(v):,}" if not pd.isna(v) else "" for v in out["engaged"]]
    )
    return out.reset_index(drop=True), overall


def _label_codes(labels: pd.DataFrame, code_col: str, name: str) -> dict:
    return dict(zip(labels[code_col], labels[name], strict=True))


def _staff_raw(
    people: pd.DataFrame, workforce: pd.DataFrame, groups: pd.DataFrame,
    rules: ReachRules, targets: tuple[str, ...], staff_group: str | None,
) -> pd.DataFrame:  # fmt: skip
    """Staff groups with participants and headcount (Overview-compatible columns)."""
    g = groups.copy()
    if staff_group is not None:
        g = g[g["staff_group"] == staff_group]
    e = people.groupby("staff_group_code", as_index=False)["participants"].sum()
    w = workforce.groupby("staff_group_code", as_index=False)["headcount"].sum()
    out = g.merge(e, on="staff_group_code", how="left").merge(w, on="staff_group_code",
                                                                 how="left")  # fmt: skip
    out["engaged"] = pd.to_numeric(out["participants"]).fillna(0).astype(int)
    out["is_staff"] = out["is_staff"].astype(bool)
    out["headcount"] = pd.to_numeric(out["headcount"]).fillna(0).astype(int).where(
        out["is_staff"], 0
    )
    out["hard_to_reach"] = out["staff_group_code"].isin(rules.hard_to_reach)
    out["target"] = out["staff_group_code"].isin(targets) if targets else out["is_staff"]
    out["in_denominator"] = out["target"]
    if targets:
        # The Overview's tile and chart read ``headcount``: outside the targets it is not
        # part of this programme's reach.
        out.loc[~out["target"], "headcount"] = 0
    return out.drop(columns="participants").reset_index(drop=True)


def staff_group_raw(
    engine: Engine, viewer: Viewer, f: Filters, as_of: date, rules: ReachRules
) -> pd.DataFrame:
    """Participants and headcount per staff group at ``as_of`` (the Overview's reach input).

    Args:
        engine: Database engine.
        viewer: Who is looking (scope applied in every query).
        f: Filters.
        as_of: Participants enrolled by, and the baseline at or before, this date.
        rules: Hard-to-reach list (fills ``hard_to_reach``).

    Returns:
        ``staff_group_code``, ``staff_group``, ``is_staff``, ``sort_order``, ``engaged``,
        ``headcount`` (0 outside the denominator), ``hard_to_reach``, ``target``,
        ``in_denominator``. Raw counts: pass through :func:`reach_table`.
    """
    with db.session_scope(engine) as s:
        people = q.participants_by_cell(s, viewer, f, as_of)
        workforce = _workforce_for(q.workforce_cells(s, viewer, f, as_of), s, f)
        groups = q.staff_groups(s)
        _, targets = q.target_groups(s, viewer, f)
    return _staff_raw(people, workforce, groups, rules, targets, f.staff_group)


def _workforce_for(cells: pd.DataFrame, s: Session, f: Filters) -> pd.DataFrame:
    """Baseline cells of the staff-group filter's group only (all when no filter)."""
    if f.staff_group is None or cells.empty:
        return cells
    groups = q.staff_groups(s)
    codes = set(groups.loc[groups["staff_group"] == f.staff_group, "staff_group_code"])
    return cells[cells["staff_group_code"].isin(codes)]


def _place_raw(
    people: pd.DataFrame, workforce: pd.DataFrame, staff_codes: set[str], key_id: str,
    names: pd.DataFrame, key: str, hard: set[str],
) -> pd.DataFrame:  # fmt: skip
    """Participants (staff in the denominator groups) and headcount per directorate/organisation."""
    p = people[people["staff_group_code"].isin(staff_codes) & people[key_id].notna()]
    w = workforce[workforce["staff_group_code"].isin(staff_codes) & workforce[key_id].notna()]
    e = p.groupby(key_id, as_index=False)["participants"].sum()
    h = w.groupby(key_id, as_index=False)["headcount"].sum()
    ids = names[[key_id, key]]
    ids = ids[ids[key_id].isin(set(h[key_id]) | set(e[key_id]))]
    out = ids.merge(e, on=key_id, how="left").merge(h, on=key_id, how="left")
    out["engaged"] = pd.to_numeric(out["participants"]).fillna(0).astype(int)
    out["headcount"] = pd.to_numeric(out["headcount"]).fillna(0).astype(int)
    hard_e = p[p["staff_group_code"].isin(hard)].groupby(key_id)["participants"].sum()
    out["hard_to_reach_engaged"] = out[key_id].map(hard_e).fillna(0).astype(int)
    out["in_denominator"] = True
    return out.drop(columns="participants").sort_values(key).reset_index(drop=True)


# --- display helpers -----------------------------------------------------------------------


def fmt_date(value: object) -> str:
    """One on-screen date style: ``28 Apr 2025``."""
    if value is None or pd.isna(value):
        return ""
    ts = pd.Timestamp(value)
    return f"{ts.day} {ts.strftime('%b %Y')}"


def _pct(v: float, digits: int = 1) -> str:
    return "" if v is None or pd.isna(v) else f"{v:.{digits}%}"


def _num(v: float, digits: int = 1) -> str:
    return "" if v is None or pd.isna(v) else f"{v:,.{digits}f}"


def plural(n: int, one: str, many: str | None = None) -> str:
    """``1 person``, ``2 people``: a count with the right noun."""
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


def _reach_frames(table: pd.DataFrame, key: str, label: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(display, extract) for a reach table."""
    shown = table
    display = pd.DataFrame({
        label: shown[key].astype(str),
        "Participants": shown["engaged_text"],
        "Headcount": [f"{int(h):,}" if h > 0 else "—" for h in shown["headcount"]],
        "Per 1,000 headcount": shown["per_1000"].map(_num),
        "Share of participants": shown["share_participants"].map(_pct),
        "Share of workforce": shown["share_workforce"].map(_pct),
        "Representation ratio": shown["representation"].map(lambda v: _num(v, 2)),
        "Under-represented": np.where(shown["under_represented"], "⚠ Yes", ""),
    })  # fmt: skip
    if "hard_to_reach" in shown and key == "staff_group":
        display.insert(1, "Hard to reach", np.where(shown["hard_to_reach"], "Yes", ""))
    extract = pd.DataFrame({
        label: shown[key].astype(str),
        "Participants": shown["engaged"],
        "Suppressed": np.where(shown["suppressed"], "yes", ""),
        "Headcount": shown["headcount"].where(shown["headcount"] > 0),
        "Participants per 1,000 headcount": shown["per_1000"].round(1),
        "Share of participants (%)": (shown["share_participants"] * 100).round(1),
        "Share of workforce (%)": (shown["share_workforce"] * 100).round(1),
        "Representation ratio": shown["representation"].round(2),
        "Under-represented": np.where(shown["under_represented"], "yes", ""),
    })  # fmt: skip
    if key == "staff_group":
        extract.insert(1, "Hard to reach", np.where(shown["hard_to_reach"], "yes", ""))
    return display, extract


def _suppress_counts(df: pd.DataFrame, count: str, threshold: int,
                     derived: list[str] | None = None) -> pd.DataFrame:  # fmt: skip
    if df.empty:
        return df.assign(suppressed=pd.Series(dtype=bool))
    return suppress_rows(df.reset_index(drop=True), count, derived or [], threshold)


def _count_text(v: float) -> str:
    return SUPPRESSED if pd.isna(v) else f"{int(v):,}"


# --- the view ------------------------------------------------------------------------------


@dataclass(frozen=True)
class EngagementView:
    """Everything the Engagement page shows, built once per rerun.

    Attributes hold display frames (human labels), figures with their alt texts, the
    sentences under them and one :class:`Extract` per table.
    """

    as_of: date
    baseline_text: str
    rules_text: tuple[str, ...]
    programme_focus: str
    targets: tuple[str, ...]
    overall_rate: float
    staff_table: pd.DataFrame
    staff_display: pd.DataFrame
    reach_figure: go.Figure | None
    reach_alt: str
    reach_sentences: tuple[str, ...]
    directorate_display: pd.DataFrame
    organisation_display: pd.DataFrame
    non_staff_display: pd.DataFrame
    funnel_bands: pd.DataFrame
    funnel_programme: pd.DataFrame
    funnel_cohort: pd.DataFrame
    funnel_sentences: tuple[str, ...]
    trend_figure: go.Figure | None
    trend_alt: str
    trend_sentences: tuple[str, ...]
    trend_is_spc: bool
    trend_variation: object
    attendance_figure: go.Figure | None
    attendance_alt: str
    attendance_display: pd.DataFrame
    attendance_groups: pd.DataFrame
    repeat_display: pd.DataFrame
    attendance_sentences: tuple[str, ...]
    roles_org: pd.DataFrame
    roles_programme: pd.DataFrame
    mentor_display: pd.DataFrame
    mentor_sentences: tuple[str, ...]
    extracts: dict[str, Extract]


def _funnel_frames(
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
    from qinet.stats.suppression import suppress_counts

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
        display[c] = counts[c].map(_count_text)
    display["enrolled_of_applied_pct"] = enrol_rate.map(_pct)
    display["completed_of_enrolled_pct"] = complete_rate.map(_pct)
    display = display.rename(columns=labels)
    return display, extract


_FUNNEL_LABELS = {
    "programme": "Programme", "cohort": "Cohort", "cohort_start": "Cohort starts",
    "staff_group": "Staff group", "applied": "Applied", "enrolled": "Enrolled",
    "completed": "Completed", "withdrawn_before_start": "Withdrew before starting",
    "withdrawn_after_start": "Withdrew after starting",
    "re_enrolled": "Withdrew, then re-enrolled",
    "enrolled_of_applied_pct": "Enrolled of applied", "completed_of_enrolled_pct":
    "Completed of enrolled",
}  # fmt: skip


HARD_BAND = "Hard-to-reach staff groups"
OTHER_BAND = "Other staff groups"
NON_STAFF_BAND = "Patients, carers, volunteers, partners"


def _bands(f_prog: pd.DataFrame, groups: pd.DataFrame, rules: ReachRules) -> pd.DataFrame:
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


def _trend(
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
    fig = maker.figure(result, title=title, subtitle=subtitle, percent=True)
    alt = maker.alt_text(result, title=title, percent=True)
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


def _attendance_figure(by_month: pd.DataFrame) -> tuple[go.Figure | None, str]:
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


def build(vc: ViewContext, rules: ReachRules) -> EngagementView:
    """The Engagement page for this viewer and these filters.

    Args:
        vc: The request (engine, viewer, filters, the data's today, threshold).
        rules: Hard-to-reach list, the under-represented ratio and the SPC preset.

    Returns:
        The :class:`EngagementView`.
    """
    f, viewer, threshold = vc.filters, vc.viewer, vc.small_number_threshold
    period = f.period_range(vc.today)
    start, end = (period.start, period.end) if period else (None, None)
    as_of = end or vc.today
    with db.session_scope(vc.engine) as s:
        people = q.participants_by_cell(s, viewer, f, as_of)
        workforce = _workforce_for(q.workforce_cells(s, viewer, f, as_of), s, f)
        groups = q.staff_groups(s)
        focus, targets = q.target_groups(s, viewer, f)
        orgs, dirs = q.places(s, viewer)
        f_prog = q.funnel_by_programme(s, viewer, f, start, end)
        f_cohort = q.funnel_by_cohort(s, viewer, f, start, end)
        monthly = q.monthly_enrolments(s, viewer, f, start, end, rules.hard_to_reach)
        att_month = q.attendance_by_month(s, viewer, f, start, end)
        att_groups = q.attendance_by_staff_group(s, viewer, f, start, end)
        repeat = q.repeat_attendance(s, viewer, f, start, end)
        roles_org = q.roles_by(s, viewer, f, "organisation")
        roles_prog = q.roles_by(s, viewer, f, "programme")
        mentors = q.mentor_cover(s, viewer, f)
    label_of = _label_codes(groups, "staff_group_code", "staff_group")
    extracts: dict[str, Extract] = {}

    # 1. Reach by staff group, directorate, organisation; non-staff separately.
    raw = _staff_raw(people, workforce, groups, rules, targets, f.staff_group)
    staff_raw = raw[raw["is_staff"]]
    table, overall = reach_table(staff_raw, "staff_group", threshold, rules.ratio)
    if targets:
        table.loc[~table["target"].astype(bool), ["share_participants", "representation"]] = np.nan
    staff_display, staff_extract = _reach_frames(table, "staff_group", "Staff group")
    if targets:
        staff_display.insert(1, "Target group", np.where(table["target"], "Yes", "not a target"))
        staff_extract.insert(1, "Target group", np.where(table["target"], "yes", "no"))
    extracts["staff"] = Extract("engagement-reach-staff-group", staff_extract, "Reach CSV")
    # Directorates and organisations compare the staff groups that have a denominator.
    denom_codes = set(staff_raw.loc[staff_raw["in_denominator"] & (staff_raw["headcount"] > 0),
                                    "staff_group_code"])  # fmt: skip
    dir_names = dirs.merge(orgs, on="organisation_id", how="left")
    dir_names["directorate"] = dir_names["directorate"] + " (" + dir_names["organisation"] + ")"
    hard = set(rules.hard_to_reach)
    dir_raw = _place_raw(people, workforce, denom_codes, "directorate_id", dir_names,
                         "directorate", hard)  # fmt: skip
    dir_table, _ = reach_table(dir_raw, "directorate", threshold, rules.ratio)
    directorate_display, dir_extract = _reach_frames(dir_table, "directorate", "Directorate")
    extracts["directorate"] = Extract("engagement-reach-directorate", dir_extract,
                                      "Directorates CSV")  # fmt: skip
    org_raw = _place_raw(people, workforce, denom_codes, "organisation_id", orgs,
                         "organisation", hard)  # fmt: skip
    org_table, _ = reach_table(org_raw, "organisation", threshold, rules.ratio)
    organisation_display, org_extract = _reach_frames(org_table, "organisation", "Organisation")
    extracts["organisation"] = Extract("engagement-reach-organisation", org_extract,
                                       "Organisations CSV")  # fmt: skip
    non_staff = raw[~raw["is_staff"]][["staff_group", "engaged"]]
    ns = _suppress_counts(non_staff, "engaged", threshold)
    non_staff_display = pd.DataFrame({"Group": ns["staff_group"] if len(ns) else [],
                                      "Participants": ns["engaged"].map(_count_text)
                                      if len(ns) else []})  # fmt: skip
    extracts["non_staff"] = Extract(
        "engagement-non-staff",
        pd.DataFrame({"Group": ns["staff_group"] if len(ns) else [],
                      "Participants": ns["engaged"] if len(ns) else []}),
        "Partners CSV",
    )  # fmt: skip

    dates = sorted(set(workforce["as_at"])) if len(workforce) else []
    if not dates:
        baseline_text = "No workforce baseline for this selection."
    elif len(dates) == 1:
        baseline_text = f"Workforce baseline as at {fmt_date(dates[0])}"
    else:
        baseline_text = f"Workforce baselines dated {fmt_date(dates[0])} to {fmt_date(dates[-1])}"
    if dates:
        baseline_text += f" (the latest at or before {fmt_date(as_of)})."
        if bool(workforce["after_period"].any()):
            baseline_text += (" Some areas have no baseline that early, so their earliest "
                              "baseline is used.")  # fmt: skip
    rules_text = (
        "Hard to reach (a fixed list, setting QINET_HARD_TO_REACH): "
        + ", ".join(rules.hard_to_reach_labels()) + ".",
        rules.rule_text(),
        f"Participants: people enrolled in a programme in scope on or before {fmt_date(as_of)}. "
        "Patients, carers, volunteers and partner-organisation members have no workforce "
        "denominator and are counted separately.",
    )
    if targets:
        rules_text += (
            f"{focus} is aimed at " + ", ".join(label_of.get(c, c) for c in targets)
            + ": its reach is measured against those groups' workforce only.",
        )
    staff = table[table["headcount"] > 0]
    fig = charts.reach_figure(staff, overall, threshold=threshold) if len(staff) else None
    alt = charts.reach_alt_text(staff, overall) if len(staff) else ""
    under = staff.loc[staff["under_represented"].astype(bool), "staff_group"].tolist()
    reach_sentences = [
        f"{_pct(overall)} of the workforce in scope take part."
        if np.isfinite(overall) else "No workforce figures for this selection."
    ]
    reach_sentences.append(
        "Under-represented: " + ", ".join(map(str, under)) + "." if under
        else "No staff group is under-represented by this rule."
    )

    # 2. Funnel.
    funnel_programme, fp_extract = _funnel_frames(f_prog, ["programme"], _FUNNEL_LABELS,
                                                  label_of, threshold)  # fmt: skip
    bands = _bands(f_prog, groups, rules)
    funnel_bands, fb_extract = _funnel_frames(bands, ["programme"], _FUNNEL_LABELS, {},
                                              threshold)  # fmt: skip
    extracts["funnel_bands"] = Extract("engagement-funnel-hard-to-reach", fb_extract,
                                       "Hard-to-reach funnel CSV")  # fmt: skip
    funnel_cohort, fc_extract = _funnel_frames(f_cohort, ["programme", "cohort", "cohort_start"],
                                               _FUNNEL_LABELS, label_of, threshold)  # fmt: skip
    extracts["funnel_programme"] = Extract("engagement-funnel-programme", fp_extract,
                                           "Programme funnel CSV")  # fmt: skip
    extracts["funnel_cohort"] = Extract("engagement-funnel-cohort", fc_extract,
                                        "Cohort funnel CSV")  # fmt: skip
    funnel_sentences = (
        "Per programme a person counts once, at their furthest stage: someone who withdrew "
        "and enrolled again (in a later cohort) is counted as enrolled and listed under "
        "'Withdrew, then re-enrolled', not as a loss. Per cohort every enrolment counts "
        "where it happened.",
        "Applications made in the period. 'Completed of enrolled' counts people still in a "
        "running cohort as not yet completed.",
    )

    # 3. Reach over time.
    trend_fig, trend_alt, trend_sentences, is_spc, variation, trend_extract = _trend(
        monthly, rules, threshold
    )
    extracts["trend"] = Extract("engagement-hard-to-reach-by-month", trend_extract,
                                "Monthly reach CSV")  # fmt: skip

    # 4. Events.
    att_fig, att_alt = _attendance_figure(att_month)
    am = att_month.copy()
    if len(am):
        am["Month"] = [f"{int(y):04d}-{int(mo):02d}" for y, mo in zip(am["year"], am["month"],
                                                                     strict=True)]  # fmt: skip
        am["Event type"] = am["kind"].map(lambda k: EVENT_LABELS.get(k, k))
        am["attendances"] = am["named"] + am["counted"]
        am = am.sort_values(["Month", "Event type"])
    sup_am = _suppress_counts(am[["Month", "Event type", "attendances"]] if len(am)
                              else pd.DataFrame(columns=["Month", "Event type", "attendances"]),
                              "attendances", threshold)  # fmt: skip
    attendance_display = sup_am.assign(
        Attendances=sup_am["attendances"].map(_count_text) if len(sup_am) else [],
        Month=pd.to_datetime(sup_am["Month"], format="%Y-%m").dt.strftime("%b %Y")
        if len(sup_am) else [],
    )[["Month", "Event type", "Attendances"]] if len(sup_am) else pd.DataFrame(
        columns=["Month", "Event type", "Attendances"])  # fmt: skip
    extracts["attendance"] = Extract(
        "engagement-attendance-by-month",
        sup_am.rename(columns={"attendances": "Attendances"}).drop(columns="suppressed"),
        "Attendance CSV",
    )
    ag = att_groups.copy()
    ag["Staff group"] = ag["staff_group_code"].map(label_of)
    ag = ag.assign(total=ag["named"] + ag["counted"])
    from qinet.stats.suppression import suppress_counts

    if len(ag):
        sc = suppress_counts(ag[["named", "counted"]], threshold).counts
        sp = suppress_rows(ag[["people"]], "people", [], threshold)["people"]
    else:
        sc = pd.DataFrame(columns=["named", "counted"])
        sp = pd.Series(dtype=float)
    ag_extract = pd.DataFrame({"Staff group": ag["Staff group"],
                               "Named attendances": sc["named"],
                               "Distinct named attendees": sp.to_numpy(),
                               "Head-counted at open events": sc["counted"]})  # fmt: skip
    attendance_groups = ag_extract.copy()
    for c in ("Named attendances", "Distinct named attendees", "Head-counted at open events"):
        attendance_groups[c] = attendance_groups[c].map(_count_text)
    extracts["attendance_groups"] = Extract("engagement-attendance-by-staff-group", ag_extract,
                                            "Attendance by staff group CSV")  # fmt: skip
    order = {"1": 0, "2": 1, "3–4": 2, "5 or more": 3}
    rp = repeat.assign(o=repeat["events_attended"].map(order)).sort_values("o") if len(repeat) \
        else repeat  # fmt: skip
    rps = _suppress_counts(rp[["events_attended", "people"]] if len(rp) else
                           pd.DataFrame(columns=["events_attended", "people"]), "people",
                           threshold)  # fmt: skip
    repeat_display = pd.DataFrame({"Events attended": rps["events_attended"] if len(rps) else [],
                                   "People": rps["people"].map(_count_text) if len(rps) else []})
    extracts["repeat"] = Extract(
        "engagement-repeat-attendance",
        pd.DataFrame({"Events attended": rps["events_attended"] if len(rps) else [],
                      "People": rps["people"] if len(rps) else []}),
        "Repeat attendance CSV",
    )  # fmt: skip
    attendance_sentences = [
        "Attendances: named participants at sessions plus the head-counts by staff group "
        "recorded at open events (world cafés, festivals, hack days)."
    ]
    if viewer.directorate_ids is not None or f.directorate is not None or f.organisation:
        attendance_sentences.append(
            "Open-event head-counts are not recorded by directorate or organisation, so only "
            "named attendance is shown for this scope."
        )

    # 5. The network's people.
    roles_org_d, roles_org_x = _roles(roles_org, "organisation", "Organisation", threshold)
    roles_prog_d, roles_prog_x = _roles(roles_prog, "programme", "Programme", threshold)
    extracts["roles_org"] = Extract("engagement-roles-by-organisation", roles_org_x,
                                    "Roles by organisation CSV")  # fmt: skip
    extracts["roles_programme"] = Extract("engagement-roles-by-programme", roles_prog_x,
                                          "Roles by programme CSV")  # fmt: skip
    mentor_display, mentor_extract, mentor_sentences = _mentors(mentors, threshold)
    extracts["mentors"] = Extract("engagement-mentor-cover", mentor_extract, "Mentor cover CSV")

    return EngagementView(
        as_of=as_of, baseline_text=baseline_text, rules_text=rules_text,
        programme_focus=focus, targets=targets, overall_rate=overall, staff_table=table,
        staff_display=staff_display, reach_figure=fig, reach_alt=alt,
        reach_sentences=tuple(reach_sentences), directorate_display=directorate_display,
        organisation_display=organisation_display, non_staff_display=non_staff_display,
        funnel_bands=funnel_bands, funnel_programme=funnel_programme,
        funnel_cohort=funnel_cohort,
        funnel_sentences=funnel_sentences, trend_figure=trend_fig, trend_alt=trend_alt,
        trend_sentences=trend_sentences, trend_is_spc=is_spc, trend_variation=variation,
        attendance_figure=att_fig, attendance_alt=att_alt,
        attendance_display=attendance_display, attendance_groups=attendance_groups,
        repeat_display=repeat_display, attendance_sentences=tuple(attendance_sentences),
        roles_org=roles_org_d, roles_programme=roles_prog_d, mentor_display=mentor_display,
        mentor_sentences=mentor_sentences, extracts=extracts,
    )  # fmt: skip


def _roles(df: pd.DataFrame, key: str, label: str, threshold: int
           ) -> tuple[pd.DataFrame, pd.DataFrame]:  # fmt: skip
    """Role × place counts, suppressed as a table (rows and columns)."""
    if df.empty:
        empty = pd.DataFrame(columns=[label])
        return empty, empty
    from qinet.stats.suppression import suppress_counts

    wide = df.pivot_table(index=key, columns="role", values="people", aggfunc="sum",
                          fill_value=0)  # fmt: skip
    wide = wide[[r for r in ROLE_LABELS if r in wide.columns]]
    sup = suppress_counts(wide, threshold)
    extract = sup.counts.rename(columns=ROLE_LABELS).reset_index().rename(columns={key: label})
    display = sup.counts.apply(lambda c: c.map(_count_text)).rename(columns=ROLE_LABELS)
    display = display.reset_index().rename(columns={key: label})
    return display, extract


def _mentors(df: pd.DataFrame, threshold: int
             ) -> tuple[pd.DataFrame, pd.DataFrame, tuple[str, ...]]:  # fmt: skip
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
    display["Participants"] = sp.map(_count_text)
    display["Mentors in the programme"] = ment.map(_count_text)
    display["A mentor for every participant"] = np.where(covered, "✔ Yes", "✖ No")
    n = int(covered.sum())
    sentences = (
        f"{plural(n, 'cohort')} of {len(d):,} {'has' if n == 1 else 'have'} at least as many "
        "mentors in the programme as participants.",
        "The data records who holds the mentor role, not who mentors whom: a cohort is "
        "covered when its programme's mentors are at least as many as its other participants.",
    )
    return display, extract, sentences


def sections(view: EngagementView) -> list[Section]:
    """The board pack's engagement sections, from the same view model (no recomputation)."""
    x = view.extracts
    return [
        Section("Reach by staff group", (*view.reach_sentences, view.baseline_text,
                                         *view.rules_text), view.staff_display,
                view.reach_figure, view.reach_alt, x["staff"]),  # fmt: skip
        Section("Reach by directorate", (), view.directorate_display, None, "", x["directorate"]),
        Section("Reach by organisation", (), view.organisation_display, None, "",
                x["organisation"]),  # fmt: skip
        Section("Patients, carers, volunteers and partners", (), view.non_staff_display, None,
                "", x["non_staff"]),  # fmt: skip
        Section("Funnel: hard-to-reach groups and others", view.funnel_sentences,
                view.funnel_bands, None, "", x["funnel_bands"]),  # fmt: skip
        Section("Funnel by programme", (), view.funnel_programme, None, "",
                x["funnel_programme"]),  # fmt: skip
        Section("Funnel by cohort", (), view.funnel_cohort, None, "", x["funnel_cohort"]),
        Section("Is reach improving?", view.trend_sentences, None, view.trend_figure,
                view.trend_alt, x["trend"]),  # fmt: skip
        Section("Events and attendance", view.attendance_sentences, view.attendance_display,
                view.attendance_figure, view.attendance_alt, x["attendance"]),  # fmt: skip
        Section("Attendance by staff group", (), view.attendance_groups, None, "",
                x["attendance_groups"]),  # fmt: skip
        Section("Repeat attendance", (), view.repeat_display, None, "", x["repeat"]),
        Section("Network roles by organisation", (), view.roles_org, None, "", x["roles_org"]),
        Section("Network roles by programme", (), view.roles_programme, None, "",
                x["roles_programme"]),  # fmt: skip
        Section("Mentor cover by cohort", view.mentor_sentences, view.mentor_display, None, "",
                x["mentors"]),  # fmt: skip
    ]
