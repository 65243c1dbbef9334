"""The Timeline page's view model: the plan, its slippage and history, due and late, extracts.

Built once per rerun from scoped queries and the one milestone rule
(``qinet.stats.plan.assess``); the page lays it out and :func:`sections` hands the same
tables and figure to the board pack. No Streamlit.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go

from qinet import db
from qinet.charts import timeline as chart
from qinet.queries import milestones as q
from qinet.stats import plan
from qinet.views.base import Extract, Section, ViewContext


@dataclass(frozen=True)
class TimelineView:
    """Everything the Timeline page shows.

    Attributes:
        assessed: ``plan.assess`` rows (raw dates) — the one computation behind the rest.
        figure: The Gantt-style timeline.
        alt_text: Its text alternative.
        sentences: The headline statements (counts by status, largest slip).
        slippage: One row per milestone, formatted for people.
        history: One row per revision, formatted for people (newest first).
        due: Due in the next 30 days (formatted).
        overdue: Late (formatted).
        done_late: Done after the planned date (formatted).
        editable: ``{milestone_id: "Programme · Milestone"}`` this viewer may update.
        programme_start: ``{milestone_id: programme start date}`` (form hints).
        extracts: CSVs: milestones and revisions (ISO dates, human labels).
    """

    assessed: pd.DataFrame
    figure: go.Figure
    alt_text: str
    sentences: tuple[str, ...]
    slippage: pd.DataFrame
    history: pd.DataFrame
    due: pd.DataFrame
    overdue: pd.DataFrame
    done_late: pd.DataFrame
    editable: dict[int, str]
    programme_start: dict[int, object]
    extracts: dict[str, Extract]


def _day(value: object) -> str:
    ts = pd.to_datetime(value, errors="coerce")
    return "" if pd.isna(ts) else f"{ts:%-d %b %Y}"


def _iso(value: object) -> str:
    ts = pd.to_datetime(value, errors="coerce")
    return "" if pd.isna(ts) else f"{ts:%Y-%m-%d}"


def _signed(days: int) -> str:
    return "0" if days == 0 else f"{days:+d}"


def _status(state: str) -> str:
    return f"{plan.STATE_ICON[state]} {plan.STATE_LABEL[state]}"


def _slippage(a: pd.DataFrame, moves: pd.Series) -> pd.DataFrame:
    if a.empty:
        return pd.DataFrame(columns=["Milestone", "Status", "Programme", "Owner", "Planned",
                                     "Forecast", "Actual", "Slip (days)", "Slip",
                                     "Times moved"])  # fmt: skip
    a = a.sort_values(["slip_days", "programme", "title"], ascending=[False, True, True])
    return pd.DataFrame({
        "Milestone": a["title"], "Status": a["state"].map(_status),
        "Programme": a["programme"], "Owner": a["owner"], "Planned": a["baseline_date"].map(_day),
        "Forecast": a["forecast_date"].map(_day), "Actual": a["actual_date"].map(_day),
        "Slip (days)": a["slip_days"].astype(int), "Slip": a["slip_days"].map(plan.slip_sentence),
        "Times moved": a["milestone_id"].map(moves).fillna(0).astype(int),
    }).reset_index(drop=True)  # fmt: skip


def _history(revs: pd.DataFrame, a: pd.DataFrame) -> pd.DataFrame:
    cols = ["Milestone", "Programme", "Recorded on", "Forecast", "Moved (days)", "Status",
            "Actual", "Recorded by", "Reason"]  # fmt: skip
    if revs.empty:
        return pd.DataFrame(columns=cols)
    names = a.set_index("milestone_id")[["programme", "title"]]
    r = revs.join(names, on="milestone_id").sort_values(
        ["revised_on", "revision_id"], ascending=False)
    labels = {"complete": "Done", **{k: v for k, v in plan.STATE_LABEL.items() if k != "done"}}
    return pd.DataFrame({
        "Milestone": r["title"], "Programme": r["programme"],
        "Recorded on": r["revised_on"].map(_day), "Forecast": r["forecast_date"].map(_day),
        "Moved (days)": r["moved_days"].map(_signed),
        "Status": r["status"].map(lambda s: labels.get(str(s), str(s))),
        "Actual": r["actual_date"].map(_day), "Recorded by": r["recorded_by"],
        "Reason": r["note"],
    }).reset_index(drop=True)  # fmt: skip


def _due_table(t: pd.DataFrame, extra: tuple[str, str] | None = None) -> pd.DataFrame:
    out = pd.DataFrame({
        "Milestone": t["title"], "Programme": t["programme"], "Owner": t["owner"],
        "Planned": t["baseline_date"].map(_day), "Forecast": t["forecast_date"].map(_day),
        "Actual": t["actual_date"].map(_day), "Status": t["status"],
        "Slip (days)": t["days_slipped"],
    })  # fmt: skip
    if extra:
        out[extra[1]] = t[extra[0]]
    return out.reset_index(drop=True)


def _milestone_extract(a: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        "Programme": a["programme"], "Milestone": a["title"], "Owner": a["owner"],
        "Status": a["state_label"], "Recorded status": a["status"].str.replace("_", " "),
        "Planned date": a["baseline_date"].map(_iso),
        "Forecast date": a["forecast_date"].map(_iso),
        "Actual date": a["actual_date"].map(_iso), "Slip (days)": a["slip_days"],
        "Done late": a["done_late"].map({True: "Yes", False: "No"}),
        "Due in the next 30 days": a["due_soon"].map({True: "Yes", False: "No"}),
        "Days overdue": a["days_overdue"],
    }).reset_index(drop=True) if len(a) else pd.DataFrame()  # fmt: skip


def _revision_extract(revs: pd.DataFrame, a: pd.DataFrame) -> pd.DataFrame:
    if revs.empty:
        return pd.DataFrame()
    names = a.set_index("milestone_id")[["programme", "title"]]
    r = revs.join(names, on="milestone_id")
    return pd.DataFrame({
        "Programme": r["programme"], "Milestone": r["title"],
        "Recorded on": r["revised_on"].map(_iso), "Forecast date": r["forecast_date"].map(_iso),
        "Forecast moved (days)": r["moved_days"], "Recorded status": r["status"].astype(str)
        .str.replace("_", " "), "Actual date": r["actual_date"].map(_iso),
        "Recorded by": r["recorded_by"], "Reason": r["note"],
    }).reset_index(drop=True)  # fmt: skip


def _sentences(a: pd.DataFrame) -> tuple[str, ...]:
    if a.empty:
        return ("No milestones in this view.",)
    c = plan.counts(a)
    n = len(a)
    parts = ", ".join(f"{c[s]} {plan.STATE_LABEL[s].lower()}" for s in plan.STATES if c[s])
    out = [f"{n} milestone{'s' if n != 1 else ''}: {parts}."]
    late_done = int(a["done_late"].sum())
    if c[plan.DONE]:
        out.append(f"Done after the planned date: {late_done} of {c[plan.DONE]}.")
    slipped = a[a["slip_days"] > 0]
    if len(slipped):
        worst = slipped.loc[slipped["slip_days"].idxmax()]
        out.append(
            f"{len(slipped)} milestone{'s have' if len(slipped) != 1 else ' has'} slipped; the "
            f"most is “{worst['title']}” ({worst['programme']}), "
            f"{plan.slip_sentence(int(worst['slip_days']))}."
        )
    out.append(
        f"Late: the planned or forecast date has passed and it is not done. At risk: marked "
        f"so, or forecast more than {plan.SLIP_TOLERANCE_DAYS} days past plan."
    )
    return tuple(out)


def build(vc: ViewContext) -> TimelineView:
    """The Timeline view for this viewer and these filters.

    Args:
        vc: Engine, viewer, filters and today.

    Returns:
        The ``TimelineView``.
    """
    with db.session_scope(vc.engine) as s:
        ms = q.milestones(s, vc.viewer, vc.filters)
        revs = q.revisions(s, vc.viewer, vc.filters)
        cohorts = q.cohorts(s, vc.viewer, vc.filters)
        editable_ids = set(s.execute(q.editable_stmt(vc.viewer)).scalars()) if len(ms) else set()
    a = plan.assess(ms, vc.today)
    revs = plan.forecast_moves(revs)
    moves = revs[revs["moved_days"] != 0].groupby("milestone_id").size() if len(revs) \
        else pd.Series(dtype=int)  # fmt: skip
    due, overdue, done_late = plan.due_and_late(a)
    editable: dict[int, str] = {}
    starts: dict[int, object] = {}
    for r in a.sort_values(["programme", "baseline_date"]).itertuples():
        if r.milestone_id in editable_ids:
            editable[int(r.milestone_id)] = f"{r.programme} · {r.title}"
            starts[int(r.milestone_id)] = r.programme_start
    return TimelineView(
        assessed=a,
        figure=chart.figure(a, cohorts, vc.today),
        alt_text=chart.alt_text(a, cohorts, vc.today),
        sentences=_sentences(a),
        slippage=_slippage(a, moves),
        history=_history(revs, a),
        due=_due_table(due),
        overdue=_due_table(overdue, ("days_late", "Days overdue")),
        done_late=_due_table(done_late),
        editable=editable,
        programme_start=starts,
        extracts={
            "milestones": Extract("timeline-milestones", _milestone_extract(a), "Milestones CSV"),
            "revisions": Extract("timeline-revisions", _revision_extract(revs, a),
                                 "Revision history CSV"),
        },
    )  # fmt: skip


def sections(view: TimelineView) -> list[Section]:
    """The board pack's timeline sections, from the same view (no second computation)."""
    return [
        Section("Programme timeline", sentences=view.sentences, figure=view.figure,
                alt_text=view.alt_text, table=view.slippage,
                extract=view.extracts.get("milestones")),
        Section(f"Due in the next {plan.DUE_SOON_DAYS} days", table=view.due),
        Section("Late", table=view.overdue),
        Section("Done late", table=view.done_late),
        Section("Forecast moves (slippage over time)",
                table=view.history[view.history["Moved (days)"] != "0"].reset_index(drop=True),
                extract=view.extracts.get("revisions")),
    ]  # fmt: skip
