"""Projects page view model: the register, the portfolio of progress scores, one project's story.

Pure (no Streamlit). The register's measure counts come from the Overview's summary
matrix (:func:`qinet.stats.progress.project_measure_counts` over
:func:`qinet.stats.portfolio.summary_matrix`), passed in by the page, so "improving"
means the same here, on the Overview tiles and in the matrix. The board pack reuses
:func:`sections` unchanged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import pandas as pd
import plotly.graph_objects as go

from qinet import db
from qinet.charts import projects as charts
from qinet.queries import projects as q
from qinet.stats import plan, progress
from qinet.views.base import Extract, Section, ViewContext

PORTFOLIO_MONTHS = 24  # the portfolio view's window, ending at the data's today
_KIND = {"pdsa": "PDSA cycle", "change_idea": "Change idea", "note": "Note"}
_PREDICTED = re.compile(r"(?:^|\s)(?:predicted|prediction)\s*:\s*", re.IGNORECASE)
_LEARNED = re.compile(r"(?:^|\s)(?:learned|learnt|learning)\s*:\s*", re.IGNORECASE)


def status_words(status: object) -> str:
    """``implementing`` → ``Implementing`` (no underscores, no literal None)."""
    if status is None or pd.isna(status) or not str(status):
        return ""
    return str(status).replace("_", " ").capitalize()


def day_text(value: object) -> str:
    """A date as on screen (``28 Apr 2025``); "" for none."""
    if value is None or pd.isna(value):
        return ""
    ts = pd.Timestamp(value)
    return f"{ts.day} {ts.strftime('%b %Y')}"


def _iso(series: pd.Series) -> pd.Series:
    return pd.to_datetime(series).dt.strftime("%Y-%m-%d").fillna("")


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n:,} {word if n == 1 else plural or word + 's'}"


# --- the register and the portfolio ---------------------------------------------------------


@dataclass(frozen=True)
class RegisterView:
    """Everything the register tab and the portfolio tab show, built once per filter.

    Attributes:
        register: One row per project (raw columns for filtering and sorting, see
            :func:`register_frame`).
        counts: Project counts of the same population (the Overview tiles use them too).
        stale: The flagged projects with their reason (``code``, ``title``, ``reason``).
        by_month: Projects at each score by month and the median (portfolio view).
        heatmap: Projects at each score by month (figure).
        median: The median score over time (figure).
        portfolio_alt: Both charts in words.
        sentences: The register and portfolio in plain English.
        extract: The register CSV.
        portfolio_extract: The portfolio counts CSV.
    """

    register: pd.DataFrame
    counts: progress.ProjectCounts
    stale: pd.DataFrame
    by_month: pd.DataFrame
    heatmap: go.Figure
    median: go.Figure
    portfolio_alt: str
    sentences: tuple[str, ...]
    extract: Extract
    portfolio_extract: Extract


def register_frame(raw: pd.DataFrame, measure_counts: pd.DataFrame, today: date,
                   stale_days: int) -> pd.DataFrame:  # fmt: skip
    """The register: SQL rows joined to the project-level measure counts, flags added.

    Args:
        raw: :func:`qinet.queries.projects.register` rows.
        measure_counts: :func:`qinet.stats.progress.project_measure_counts` output.
        today: The data's today.
        stale_days: ``QINET_STALE_SCORE_DAYS``.

    Returns:
        ``raw`` plus ``improving``, ``latest_signal_date``, ``score_label``, ``status_label``,
        ``hard_to_reach`` ("Yes"/""), ``stale`` (the reason, "" when not flagged).
    """
    if raw.empty:
        cols = [*raw.columns, "improving", "latest_signal_date", "score_label", "status_label",
                "hard_to_reach", "stale"]  # fmt: skip
        return pd.DataFrame(columns=cols)
    mc = measure_counts[["improving", "latest_signal_date"]]
    out = raw.merge(mc, left_on="project_id", right_index=True, how="left")
    out["improving"] = out["improving"].fillna(0).astype(int)
    out["measures"] = out["measures"].astype(int)
    out["latest_signal_date"] = pd.to_datetime(out["latest_signal_date"])
    out["score"] = pd.to_numeric(out["score"], errors="coerce")
    out["scored_on"] = pd.to_datetime(out["scored_on"]).dt.date
    out["started_on"] = pd.to_datetime(out["started_on"]).dt.date
    out["score_label"] = out["score"].map(progress.score_label)
    out["status_label"] = out["status"].map(status_words)
    out["hard_to_reach"] = out["lead_hard_to_reach"].map({True: "Yes", False: ""})
    out["stale"] = progress.stale_reasons(out, today, stale_days)
    for col in ("programme", "cohort", "lead_staff_group"):
        out[col] = out[col].fillna("")
    return out.reset_index(drop=True)


REGISTER_CSV = {
    "code": "Project code", "title": "Project", "programme": "Programme", "cohort": "Cohort",
    "directorate": "Directorate", "lead_staff_group": "Lead's staff group",
    "hard_to_reach": "Lead in a hard-to-reach group", "status_label": "Status",
    "score": "Progress score", "score_label": "Progress score (IHI)",
    "scored_on": "Score last updated", "measures": "Measures",
    "improving": "Measures showing improvement", "stale": "Stale score flag",
    "started_on": "Started",
}  # fmt: skip


def register_extract_frame(register: pd.DataFrame) -> pd.DataFrame:
    """The register as its CSV holds it: human column labels, ISO dates."""
    out = register[list(REGISTER_CSV)].copy()
    for col in ("scored_on", "started_on"):
        out[col] = _iso(out[col])
    return out.rename(columns=REGISTER_CSV)


def portfolio_months(today: date, history: pd.DataFrame) -> list[date]:
    """Month ends of the portfolio window: the last :data:`PORTFOLIO_MONTHS` months with scores."""
    start = (pd.Timestamp(today) - pd.DateOffset(months=PORTFOLIO_MONTHS - 1)).date()
    if len(history):
        start = max(start, pd.to_datetime(history["scored_on"]).min().date())
    return progress.month_ends(start.replace(day=1), today)


def portfolio_extract_frame(by_month: pd.DataFrame) -> pd.DataFrame:
    """Projects at each score by month, ISO month ends, one column per score."""
    if by_month.empty:
        return pd.DataFrame(columns=["Month end", "Projects scored", "Median score"])
    out = by_month.copy()
    out.columns = [f"At {c:.1f}" if isinstance(c, float) else c for c in out.columns]
    out = out.rename(columns={"projects": "Projects scored", "median": "Median score"})
    out.insert(0, "Month end", [pd.Timestamp(m).strftime("%Y-%m-%d") for m in by_month.index])
    return out.reset_index(drop=True)


def register_sentences(counts: progress.ProjectCounts, stale: int) -> tuple[str, ...]:
    """The register in words (the same counts as the Overview tiles)."""
    if counts.projects == 0:
        return ("No projects match these filters.",)
    return (
        f"{_plural(counts.projects, 'project')} in this view, {counts.active:,} of them active "
        "(not complete or stopped).",
        f"{counts.improving:,} of the {_plural(counts.projects, 'project')} have at least one "
        f"measure showing improvement at the latest point ({counts.improving_measures:,} of "
        f"{_plural(counts.measures, 'measure')}).",
        f"{_plural(stale, 'progress score')} flagged as possibly stale."
        if stale else "No progress score is flagged as stale.",
    )  # fmt: skip


def build(vc: ViewContext, measures: pd.DataFrame, matrix: pd.DataFrame,
          stale_days: int) -> RegisterView:  # fmt: skip
    """The register and portfolio for the viewer and filters.

    Args:
        vc: Request context (scope applied in every query).
        measures: The Overview's measures in the filter (``measure_id``, ``project_id``).
        matrix: The Overview's summary matrix for the same filter (current window).
        stale_days: ``QINET_STALE_SCORE_DAYS``.
    """
    with db.session_scope(vc.engine) as s:
        raw = q.register(s, vc.viewer, vc.filters)
        history = q.score_history(s, vc.viewer, vc.filters)
    reg = register_frame(raw, progress.project_measure_counts(measures, matrix), vc.today,
                         stale_days)  # fmt: skip
    counts = progress.project_counts(reg)
    flagged = reg[reg["stale"] != ""] if len(reg) else reg
    stale = flagged[["code", "title", "score_label", "scored_on", "stale"]].rename(
        columns={"stale": "reason"}
    ).reset_index(drop=True)
    by_month = progress.scores_by_month(history, portfolio_months(vc.today, history))
    return RegisterView(
        register=reg,
        counts=counts,
        stale=stale,
        by_month=by_month,
        heatmap=charts.portfolio_heatmap(by_month),
        median=charts.median_figure(by_month),
        portfolio_alt=charts.portfolio_alt(by_month),
        sentences=register_sentences(counts, len(stale)),
        extract=Extract("project-register", register_extract_frame(reg), "Register CSV"),
        portfolio_extract=Extract("progress-scores-by-month", portfolio_extract_frame(by_month),
                                  "Portfolio CSV"),  # fmt: skip
    )


def sections(view: RegisterView) -> list[Section]:
    """The board pack's portfolio section, from this view unchanged."""
    latest = view.by_month.iloc[-1] if len(view.by_month) else None
    table = None
    if latest is not None:
        table = pd.DataFrame({
            # (the pack capitalises only a header's first letter: no acronyms in headers)
            "Progress score": [progress.score_label(s) for s in progress.IHI_LABELS],
            "Projects": [int(latest[s]) for s in progress.IHI_LABELS],
        })  # fmt: skip
    stale_table = view.stale.assign(scored_on=view.stale["scored_on"].map(day_text)).rename(
        columns={"code": "Code", "title": "Project", "score_label": "Score",
                 "scored_on": "Last updated", "reason": "Why flagged"})  # fmt: skip
    return [
        # the chart's alt text is printed under it, so the sentences do not repeat it
        Section("Project progress scores", sentences=view.sentences[:-1] or view.sentences,
                table=table, figure=view.heatmap, alt_text=view.portfolio_alt,
                extract=view.portfolio_extract),  # fmt: skip
        Section("Progress scores that may be stale", sentences=(view.sentences[-1],),
                table=stale_table, extract=view.extract),  # fmt: skip
    ]


# --- one project ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ProjectView:
    """One project's page, display-ready.

    Attributes:
        header: ``project_id``, ``code``, ``title``, ``aim``, ``status``, ``directorate``,
            ``programme``, ``cohort``, ``lead_staff_group``, ``started_on``.
        facts: Short "label: value" lines for the header.
        score: Latest score (None when not scored), ``scored_on`` its date.
        stale: The stale-score reason, "" when not flagged.
        team: Reference, staff group, role.
        changes: Dated list of change ideas and PDSA cycles (with predicted/learned).
        milestones: The programme's milestones with their state in words.
        scores: Score history (``scored_on``, ``score``).
        score_figure: Step chart of the score history.
        score_alt: The step chart in words.
        updates: Recorded updates, newest first, display-ready.
        measures: The project's measures (``measure_id``, ``measure``, ``chart_type``).
        extracts: The project's data as CSVs.
    """

    header: dict
    facts: tuple[str, ...]
    score: float | None
    scored_on: date | None
    stale: str
    team: pd.DataFrame
    changes: pd.DataFrame
    milestones: pd.DataFrame
    scores: pd.DataFrame
    score_figure: go.Figure
    score_alt: str
    updates: pd.DataFrame
    measures: pd.DataFrame
    extracts: tuple[Extract, ...]


def split_detail(detail: object) -> tuple[str, str, str]:
    """A change's note split into (what was predicted, what was learned, anything else).

    Recorded as ``Predicted: … Learned: …`` (or ``Prediction:`` / ``Learning:``) in the
    annotation's detail; text without those markers stays in the third part.
    """
    text = "" if detail is None or pd.isna(detail) else str(detail).strip()
    parts = {"other": "", "predicted": "", "learned": ""}
    marks = sorted(
        [(m.start(), m.end(), "predicted") for m in _PREDICTED.finditer(text)]
        + [(m.start(), m.end(), "learned") for m in _LEARNED.finditer(text)]
    )
    if not marks:
        return "", "", text
    parts["other"] = text[: marks[0][0]].strip()
    for i, (_, end, key) in enumerate(marks):
        stop = marks[i + 1][0] if i + 1 < len(marks) else len(text)
        parts[key] = (parts[key] + " " + text[end:stop].strip()).strip()
    return parts["predicted"], parts["learned"], parts["other"]


def _sentence_case(text: str) -> str:
    return text[:1].upper() + text[1:]


def changes_frame(raw: pd.DataFrame) -> pd.DataFrame:
    """Change ideas and PDSA cycles as a dated list (date, kind, title, measure, predicted…)."""
    cols = ["on_date", "kind", "title", "measure", "predicted", "learned", "notes"]
    if raw.empty:
        return pd.DataFrame(columns=cols)
    split = [split_detail(d) for d in raw["detail"]]
    return pd.DataFrame({
        "on_date": pd.to_datetime(raw["on_date"]).dt.date,
        "kind": raw["kind"].map(_KIND).fillna(raw["kind"]),
        "title": [_sentence_case(re.sub(r"(?i)^change idea:\s*", "", str(t)))
                  for t in raw["title"]],
        "measure": raw["measure"],
        "predicted": [p for p, _, _ in split],
        "learned": [ll for _, ll, _ in split],
        "notes": [o for _, _, o in split],
    })[cols]  # fmt: skip


def milestones_frame(raw: pd.DataFrame, today: date) -> pd.DataFrame:
    """The programme's milestones with their state from the one milestone rule."""
    cols = ["title", "owner", "baseline_date", "forecast_date", "actual_date", "state"]
    if raw.empty:
        return pd.DataFrame(columns=cols)
    states = plan.assess(raw, today)
    out = states[["title", "owner", "baseline_date", "forecast_date", "actual_date",
                  "state_label"]].rename(columns={"state_label": "state"})
    for col in ("baseline_date", "forecast_date", "actual_date"):
        out[col] = pd.to_datetime(out[col]).dt.date
    return out.reset_index(drop=True)


def updates_frame(raw: pd.DataFrame) -> pd.DataFrame:
    """Recorded updates in words: when, by whom, what changed, why."""
    cols = ["recorded_on", "recorded_by", "change", "note"]
    if raw.empty:
        return pd.DataFrame(columns=cols)
    changes = []
    for r in raw.itertuples():
        parts = []
        if r.score is not None and not pd.isna(r.score):
            before = "" if r.previous_score is None or pd.isna(r.previous_score) else \
                f" (was {r.previous_score:.1f})"  # fmt: skip
            parts.append(f"Score {progress.score_label(r.score)}{before}")
        if r.status:
            before = f" (was {status_words(r.previous_status)})" if r.previous_status else ""
            parts.append(f"Status {status_words(r.status)}{before}")
        changes.append("; ".join(parts))
    return pd.DataFrame({
        "recorded_on": pd.to_datetime(raw["recorded_on"]).dt.date,
        "recorded_by": raw["recorded_by"], "change": changes, "note": raw["note"],
    })[cols]  # fmt: skip


def project_facts(header: dict, score: float | None, scored_on: date | None,
                  improving: int, n_measures: int) -> tuple[str, ...]:  # fmt: skip
    """Short header lines: programme and cohort, directorate, lead, status, score, measures."""
    programme = header.get("programme") or "No programme"
    cohort = f" · {header['cohort']}" if header.get("cohort") else ""
    lead = header.get("lead_staff_group") or "not recorded"
    updated = f" (updated {day_text(scored_on)})" if scored_on else ""
    return (
        f"Programme: {programme}{cohort}",
        f"Directorate: {header['directorate']}",
        f"Lead's staff group: {lead}",
        f"Status: {status_words(header['status'])} · started {day_text(header['started_on'])}",
        f"Progress score: {progress.score_label(score)}{updated}",
        f"Measures: {_plural(n_measures, 'measure')}, {improving:,} showing improvement",
    )


def build_project(vc: ViewContext, code: str, measure_counts: pd.DataFrame,
                  stale_days: int) -> ProjectView | None:  # fmt: skip
    """One project's page, or None when the code is not a project this viewer may see.

    Args:
        vc: Request context (scope applied in every query).
        code: The project code from the link (matched exactly, bound as a parameter).
        measure_counts: Project-level counts from the summary matrix
            (:func:`qinet.stats.progress.project_measure_counts`).
        stale_days: ``QINET_STALE_SCORE_DAYS``.
    """
    with db.session_scope(vc.engine) as s:
        header = q.project_by_code(s, vc.viewer, code)
        if header is None:
            return None
        pid = int(header["project_id"])
        team = q.team(s, vc.viewer, pid)
        changes = q.changes(s, vc.viewer, pid)
        plan_rows = q.project_milestones(s, vc.viewer, pid)
        scores = q.project_scores(s, vc.viewer, pid)
        updates = q.project_updates(s, vc.viewer, pid)
        measures = q.project_measures(s, vc.viewer, pid)
    scores = scores.assign(scored_on=pd.to_datetime(scores["scored_on"]).dt.date,
                           score=scores["score"].astype(float))  # fmt: skip
    score = float(scores["score"].iloc[-1]) if len(scores) else None
    scored_on = scores["scored_on"].iloc[-1] if len(scores) else None
    row = measure_counts.loc[pid] if pid in measure_counts.index else None
    improving = int(row["improving"]) if row is not None else 0
    signal = row["latest_signal_date"] if row is not None else pd.NaT
    stale = progress.stale_reason(
        {"status": header["status"], "score": score, "scored_on": scored_on,
         "measures": len(measures), "improving": improving, "latest_signal_date": signal},
        vc.today, stale_days,
    ) if score is not None else ""  # fmt: skip
    title = f"{header['code']} {header['title']}"
    changes_df = changes_frame(changes)
    ms_df = milestones_frame(plan_rows, vc.today)
    updates_df = updates_frame(updates)
    stem = f"project {header['code']}"  # download_csv adds the scope and "synthetic"
    score_csv = scores.assign(scored_on=_iso(scores["scored_on"]),
                              label=scores["score"].map(progress.score_label)).rename(
        columns={"scored_on": "Scored on", "score": "Progress score",
                 "label": "Progress score (IHI)"})  # fmt: skip
    changes_csv = changes_df.assign(on_date=_iso(changes_df["on_date"])).rename(columns={
        "on_date": "Date", "kind": "Kind", "title": "Change", "measure": "Measure",
        "predicted": "Predicted", "learned": "Learned", "notes": "Notes"})  # fmt: skip
    updates_csv = updates_df.assign(recorded_on=_iso(updates_df["recorded_on"])).rename(columns={
        "recorded_on": "Recorded on", "recorded_by": "Recorded by", "change": "Change",
        "note": "Note"})  # fmt: skip
    return ProjectView(
        header=header,
        facts=project_facts(header, score, scored_on, improving, len(measures)),
        score=score,
        scored_on=scored_on,
        stale=stale,
        team=team,
        changes=changes_df,
        milestones=ms_df,
        scores=scores,
        score_figure=charts.score_history_figure(scores, vc.today),
        score_alt=charts.score_history_alt(scores, title),
        updates=updates_df,
        measures=measures,
        extracts=(
            Extract(f"{stem} progress scores", score_csv, "Score history CSV"),
            Extract(f"{stem} changes", changes_csv, "Changes CSV"),
            Extract(f"{stem} updates", updates_csv, "Updates CSV"),
            Extract(f"{stem} team", team.rename(columns={
                "reference": "Person (pseudonymous reference)", "staff_group": "Staff group",
                "team_role": "Role on the team"}), "Team CSV"),
            Extract(f"{stem} milestones", ms_df.assign(**{
                c: _iso(ms_df[c]) for c in ("baseline_date", "forecast_date", "actual_date")
            }).rename(columns={"title": "Milestone", "owner": "Owner", "baseline_date": "Planned",
                               "forecast_date": "Forecast", "actual_date": "Done",
                               "state": "Status"}), "Milestones CSV"),
        ),
    )

