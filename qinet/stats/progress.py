"""Project progress: IHI score labels, project-level measure counts, stale scores, portfolio.

Pure pandas. One project-level computation (:func:`project_measure_counts`) feeds the
Projects register, the stale-score rules and the Overview's headline tiles, so a
project counted as "improving" is the same project everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

IHI_LABELS: dict[float, str] = {
    0.5: "Intent to participate",
    1.0: "Forming team",
    1.5: "Planning for the project has begun",
    2.0: "Activity, but no changes",
    2.5: "Changes tested, but no improvement",
    3.0: "Modest improvement",
    3.5: "Improvement",
    4.0: "Significant improvement",
    4.5: "Sustainable improvement",
    5.0: "Outstanding sustainable results",
}
"""The IHI Project Progress Scale (Institute for Healthcare Improvement), 0.5 to 5.0."""

HIGH_SCORE = 3.5
"""From this score the scale claims improvement, which a measure should show."""

INACTIVE_STATUSES = ("complete", "stopped")
IMPROVING_STATES = ("improvement_high", "improvement_low")
SIGNAL_STATES = ("improvement_high", "improvement_low", "concern_high", "concern_low",
                 "neutral_high", "neutral_low")  # fmt: skip


def score_label(score: object) -> str:
    """``3.5 · Improvement``, or "Not scored" when there is no score yet."""
    if score is None or pd.isna(score):
        return "Not scored"
    value = round(float(score) * 2) / 2
    return f"{value:.1f} · {IHI_LABELS.get(value, 'off the IHI scale')}"


def project_measure_counts(measures: pd.DataFrame, matrix: pd.DataFrame) -> pd.DataFrame:
    """Per project: measures, measures improving and the latest signal, from the summary matrix.

    Args:
        measures: Measures in the filter (``measure_id``, ``project_id``), as the Overview loads.
        matrix: :func:`qinet.stats.portfolio.summary_matrix` rows for the same measures
            (``measure_id``, ``variation``, ``latest_signal_date``).

    Returns:
        Indexed by ``project_id``: ``measures``, ``improving`` (latest point special-cause
        improvement), ``signalling`` (latest point special cause of any kind) and
        ``latest_signal_date`` (the most recent signal of any of its measures, or NaT).
    """
    cols = ["measures", "improving", "signalling", "latest_signal_date"]
    if measures.empty:
        return pd.DataFrame(columns=cols, index=pd.Index([], name="project_id"))
    # Vectorised (factorize + bincount): the Overview calls this on every rerun.
    mids = measures["measure_id"].to_numpy()
    if matrix.empty:
        variation = np.full(len(mids), "", dtype=object)
        signal = pd.Series(pd.NaT, index=range(len(mids)), dtype="datetime64[ns]")
    else:
        by_id = matrix.drop_duplicates("measure_id").set_index("measure_id")
        variation = by_id["variation"].reindex(mids).to_numpy(dtype=object)
        signal = pd.to_datetime(by_id["latest_signal_date"]).reindex(mids).reset_index(drop=True)
    codes, projects = pd.factorize(measures["project_id"].to_numpy())
    n = len(projects)
    return pd.DataFrame(
        {
            "measures": np.bincount(codes, minlength=n).astype(int),
            "improving": np.bincount(codes, weights=np.isin(variation, IMPROVING_STATES),
                                     minlength=n).astype(int),
            "signalling": np.bincount(codes, weights=np.isin(variation, SIGNAL_STATES),
                                      minlength=n).astype(int),
            "latest_signal_date": signal.groupby(codes).max().reindex(range(n)).to_numpy(),
        },
        index=pd.Index(projects, name="project_id"),
    )  # fmt: skip


@dataclass(frozen=True)
class ProjectCounts:
    """Counts of one population of projects (the projects in the filter), for tiles and captions.

    Attributes:
        projects: Projects in the filter, any status.
        active: Of those, not complete or stopped.
        with_measures: Of those, with at least one measure.
        improving: Projects with at least one measure at special-cause improvement.
        measures: Measures of those projects.
        improving_measures: Measures at special-cause improvement (the matrix's count).
    """

    projects: int
    active: int
    with_measures: int
    improving: int
    measures: int
    improving_measures: int


def project_counts(register: pd.DataFrame) -> ProjectCounts:
    """Counts over a register with ``status``, ``measures`` and ``improving`` per project."""
    if register.empty:
        return ProjectCounts(0, 0, 0, 0, 0, 0)
    status = register["status"].astype(str)
    return ProjectCounts(
        projects=len(register),
        active=int((~status.isin(INACTIVE_STATUSES)).sum()),
        with_measures=int((register["measures"] > 0).sum()),
        improving=int((register["improving"] > 0).sum()),
        measures=int(register["measures"].sum()),
        improving_measures=int(register["improving"].sum()),
    )


def _date(value: object) -> str:
    ts = pd.Timestamp(value)
    return f"{ts.day} {ts.strftime('%b %Y')}"


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def stale_reason(row: pd.Series | dict, today: date, stale_days: int) -> str:
    """Why a project's progress score may be stale, in words ("" when it is not flagged).

    Two rules, either or both:

    * **Not updated while the data moved**: an active project whose score is at least
      ``stale_days`` old while one of its measures has signalled since the score was set.
    * **A claim the measures do not show**: a score of :data:`HIGH_SCORE` or more
      ("Improvement" and above) with no measure at special-cause improvement
      (projects that were stopped are left out: their score is history).

    Args:
        row: ``status``, ``score``, ``scored_on``, ``measures``, ``improving``,
            ``latest_signal_date``.
        today: The data's today.
        stale_days: ``QINET_STALE_SCORE_DAYS``.

    Returns:
        One or two sentences, or "".
    """
    reasons = []
    status = str(row["status"])
    score, scored_on = row["score"], row["scored_on"]
    if score is None or pd.isna(score):
        return ""
    scored = pd.Timestamp(scored_on)
    age = (pd.Timestamp(today) - scored).days
    signal = row["latest_signal_date"]
    if (status not in INACTIVE_STATUSES and age >= stale_days and signal is not None
            and not pd.isna(signal) and pd.Timestamp(signal) > scored):  # fmt: skip
        reasons.append(
            f"Score not updated for {age:,} days (since {_date(scored)}) although a measure "
            f"has signalled since (latest signal {_date(signal)})."
        )
    if status != "stopped" and float(score) >= HIGH_SCORE and int(row["improving"]) == 0:
        n = int(row["measures"])
        which = (
            "it has no measures"
            if n == 0
            else f"none of its {_plural(n, 'measure')} shows improvement"
            if n > 1
            else "its one measure does not show improvement"
        )
        reasons.append(f"Score {float(score):.1f} ({IHI_LABELS[round(float(score) * 2) / 2]}) "
                       f"but {which} at the latest point.")  # fmt: skip
    return " ".join(reasons)


def stale_reasons(register: pd.DataFrame, today: date, stale_days: int) -> pd.Series:
    """:func:`stale_reason` for every row of a register ("" where not flagged)."""
    if register.empty:
        return pd.Series([], dtype=object, index=register.index)
    cols = ["status", "score", "scored_on", "measures", "improving", "latest_signal_date"]
    rows = register[cols].to_dict("records")  # plain dicts: far cheaper than iterrows
    return pd.Series([stale_reason(r, today, stale_days) for r in rows], index=register.index,
                     dtype=object)  # fmt: skip


def month_ends(first: date, last: date) -> list[date]:
    """Last day of every month from ``first``'s month to ``last``'s (``last`` itself at the end)."""
    if first > last:
        return []
    ends = pd.date_range(pd.Timestamp(first), pd.Timestamp(last), freq="ME")
    out = [d.date() for d in ends]
    if not out or out[-1] != last:
        out.append(last)
    return out


def scores_by_month(history: pd.DataFrame, months: list[date]) -> pd.DataFrame:
    """Projects at each score at the end of each month, from every project's score history.

    A project counts at a month end from its first score on, at its latest score on or
    before that day (a score carries forward until the next one).

    Args:
        history: ``project_id``, ``scored_on``, ``score`` (one row per score).
        months: Month-end dates (:func:`month_ends`).

    Returns:
        Wide frame indexed by ``month`` (dates), one column per IHI score (0.5 … 5.0)
        holding the number of projects, plus ``projects`` (total) and ``median``
        (median score, NaN with no scored project).
    """
    scores = list(IHI_LABELS)
    rows = []
    if history.empty or not months:
        return pd.DataFrame(columns=[*scores, "projects", "median"],
                            index=pd.Index(months, name="month"))  # fmt: skip
    h = history.assign(scored_on=pd.to_datetime(history["scored_on"])).sort_values(
        ["scored_on", "project_id"]
    )
    days = h["scored_on"].to_numpy()
    for m in months:
        upto = h[days <= np.datetime64(pd.Timestamp(m))]
        latest = upto.drop_duplicates("project_id", keep="last")["score"]
        counts = latest.round(1).value_counts()
        row = {s: int(counts.get(s, 0)) for s in scores}
        row["projects"] = len(latest)
        row["median"] = float(latest.median()) if len(latest) else float("nan")
        rows.append(row)
    return pd.DataFrame(rows, index=pd.Index(months, name="month"))
