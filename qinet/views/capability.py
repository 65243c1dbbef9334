"""Capability page view model: did skills, confidence, joy in work and safety change?

Built once per rerun from scoped queries (:mod:`qinet.queries.capability`, aggregation in
SQL) and pure statistics (:mod:`qinet.stats.surveys`, the run-chart engine of the
Measures page). No Streamlit. The page, the CSV extracts and the board-pack sections all
read the same frames, so what is shown, downloaded and printed agree.

Scoring: a reverse-scored answer v counts as ``min + max − v`` so that a high score is
always the better state; a domain score is the mean of a respondent's items in that
domain after reversal; "All items" is the mean of every item after reversal.

Suppression (threshold from settings, default 11):

* By wave: a wave (or month) with fewer respondents than the threshold is hidden for
  that score, in the chart, the table and the extract.
* Breakdowns (staff group, directorate, cohort × wave) and pulse months by directorate:
  a group below the threshold is hidden, and secondary suppression hides the next
  smallest group where one hidden group could be worked out from the published wave total
  (:func:`qinet.stats.suppression.suppress_counts`).
* Paired change: fewer pairs than the threshold hides the row; the improved / same /
  declined counts are suppressed as cells of a row whose total (the pairs) is published,
  with secondary suppression.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from qinet import db
from qinet.charts import capability as charts
from qinet.charts import runchart as runchart_chart
from qinet.domain import ChartType, ImprovementDirection, WaveKind
from qinet.queries import capability as q
from qinet.stats import surveys as stats
from qinet.stats.measure import analyse_measure
from qinet.stats.rules import ANHOEJ
from qinet.stats.suppression import primary_mask, suppress_counts
from qinet.views.base import Extract, Section, ViewContext

ALL_ITEMS = "All items (overall score)"
DOMAIN_PREFIX = "Domain: "
BREAKDOWNS = ("Staff group", "Directorate", "Cohort")
PULSE_VIEWS = ("All respondents", "By directorate")
COMPARISONS = (("Pre → post", WaveKind.PRE.value, WaveKind.POST.value),
               ("Pre → mid", WaveKind.PRE.value, WaveKind.MID.value))  # fmt: skip
WAVE_ORDER = {WaveKind.PRE.value: 0, WaveKind.MID.value: 1, WaveKind.POST.value: 2}
MIN_RUN_POINTS = 10  # a directorate's pulse run chart needs this many months shown
MAX_DIRECTORATE_CHARTS = 12  # the largest directorates first; the rest are listed
SCORING_NOTE = (
    "Scores: a reverse-scored item (worded so that agreeing is the worse state) is turned "
    "round before scoring, so a higher score is always better. A domain score is the mean "
    "of a person's answers to that domain's items after reversal; the overall score is "
    "the mean of all items after reversal."
)


def hidden_primary(threshold: int) -> str:
    """Why a group below the threshold is hidden."""
    return f"Hidden: fewer than {threshold} responses"


def hidden_secondary() -> str:
    """Why a group at or above the threshold is hidden too."""
    return "Hidden so a smaller group cannot be worked out from the total"


@dataclass(frozen=True)
class PulseChart:
    """One run chart of a pulse score (network-wide or one directorate)."""

    title: str
    figure: Any
    alt_text: str
    signal: str


@dataclass(frozen=True)
class CapabilityView:
    """Everything the Capability page shows for one survey and score.

    Attributes:
        survey_options: Survey names in scope.
        survey: The chosen survey's name ("" if none).
        kind: ``capability`` or ``pulse``.
        item_options: Scores and questions to choose from.
        item: The chosen one.
        breakdown: The chosen breakdown (staff group, directorate or cohort).
        threshold: Suppression threshold.
        pulse_view: Pulse run charts for everyone in view or by directorate.
        message: Why nothing is shown (no surveys, no responses, all suppressed), or "".
        notes: Sentences about the survey (scale, scoring, filters that do not apply).
        wave_figure: Diverging bars of the chosen item per wave.
        wave_alt: Its text alternative.
        wave_table: Mean score per wave for every score and question (display text).
        wave_sentences: What the wave chart shows.
        breakdown_table: Mean of the chosen score per group and wave (display text).
        paired_table: Paired change (display text); empty if the survey is not paired.
        paired_figure: Paired change with confidence intervals, or ``None``.
        paired_alt: Its text alternative.
        paired_sentences: The headline paired result in words.
        pulse_charts: Network-wide then per-directorate run charts (pulses only).
        pulse_notes: Which directorates are not charted and why.
        extracts: The CSV behind every table, keyed by table.
    """

    survey_options: tuple[str, ...]
    survey: str
    kind: str
    item_options: tuple[str, ...]
    item: str
    breakdown: str
    threshold: int
    pulse_view: str = PULSE_VIEWS[0]
    message: str = ""
    notes: tuple[str, ...] = ()
    wave_figure: Any = None
    wave_alt: str = ""
    wave_table: pd.DataFrame = field(default_factory=pd.DataFrame)
    wave_sentences: tuple[str, ...] = ()
    breakdown_table: pd.DataFrame = field(default_factory=pd.DataFrame)
    paired_table: pd.DataFrame = field(default_factory=pd.DataFrame)
    paired_figure: Any = None
    paired_alt: str = ""
    paired_sentences: tuple[str, ...] = ()
    pulse_charts: tuple[PulseChart, ...] = ()
    pulse_notes: tuple[str, ...] = ()
    extracts: dict[str, Extract] = field(default_factory=dict)


@dataclass(frozen=True)
class SurveyData:
    """The scoped rows one survey's view is built from."""

    survey: dict
    questions: pd.DataFrame
    waves: pd.DataFrame
    counts: pd.DataFrame
    scores: pd.DataFrame
    group_labels: dict[str, str]
    directorate_labels: dict[int, str]


# --- loading --------------------------------------------------------------------------------


def survey_list(vc: ViewContext) -> pd.DataFrame:
    """Surveys the viewer may see under the filters."""
    with db.session_scope(vc.engine) as s:
        return q.surveys(s, vc.viewer, vc.filters)


def load(vc: ViewContext, survey: dict) -> SurveyData:
    """Read one survey's scoped, filtered rows (aggregated in SQL)."""
    sid = int(survey["survey_id"])
    with db.session_scope(vc.engine) as s:
        questions = q.questions(s, sid)
        waves = q.waves(s, vc.filters, sid, vc.today)
        counts = q.answer_counts(s, vc.viewer, vc.filters, sid, vc.today)
        scores = q.scores(s, vc.viewer, vc.filters, sid, vc.today)
        groups, dirs = q.labels(s)
    return SurveyData(survey, questions, _label_waves(waves, survey["kind"]), counts, scores,
                      groups, dirs)  # fmt: skip


def _label_waves(waves: pd.DataFrame, kind: str) -> pd.DataFrame:
    """Give each wave the label it is reported under: Pre/Mid/Post, or the pulse's month."""
    w = waves.copy()
    if w.empty:
        return w.assign(label=pd.Series(dtype=object), order=pd.Series(dtype=float))
    if kind == "capability":
        w["label"] = w["wave_kind"].str.capitalize()
        w["order"] = w["wave_kind"].map(WAVE_ORDER).fillna(3).astype(float)
    else:
        w["label"] = w["opens_on"].dt.strftime("%b %Y")
        w["order"] = w["opens_on"].astype("int64").astype(float)
    return w


# --- pure building blocks ---------------------------------------------------------------------


def item_options(questions: pd.DataFrame) -> list[str]:
    """The overall score, each domain (when there are several), then every question."""
    domains = list(dict.fromkeys(questions["domain"]))
    out = [ALL_ITEMS]
    if len(domains) > 1:
        out += [DOMAIN_PREFIX + d for d in domains]
    out += [f"{c} · {t}" for c, t in zip(questions["code"], questions["text"], strict=True)]
    return out


def anchors_of(survey: dict) -> list[str]:
    """The survey's answer labels low → high (numbers where none are stored)."""
    lo, hi = int(survey["scale_min"]), int(survey["scale_max"])
    stored = str(survey.get("scale_anchors") or "").split("|")
    if len(stored) == hi - lo + 1 and all(stored):
        return stored
    return [str(v) for v in range(lo, hi + 1)]


def scored_counts(counts: pd.DataFrame, questions: pd.DataFrame, lo: int, hi: int) -> pd.DataFrame:
    """Answer counts with reverse-scored answers turned round (column ``scored``)."""
    c = counts.merge(questions[["question_id", "domain", "reverse_scored", "code"]],
                     on="question_id")  # fmt: skip
    return c.assign(scored=stats.reverse_score(c["value"], lo, hi, c["reverse_scored"]).astype(int))


def wave_summary(data: SurveyData, threshold: int) -> pd.DataFrame:
    """Respondents, mean score and answer shares per score and wave, suppression applied.

    Returns:
        One row per (score, wave): ``score``, ``domain``, ``reverse``, ``wave``, ``order``,
        ``opens_on``, ``respondents``, ``mean``, ``share_<point>`` per scored point,
        ``hidden`` and ``note``. Hidden rows have no numbers.
    """
    lo, hi = int(data.survey["scale_min"]), int(data.survey["scale_max"])
    points = list(range(lo, hi + 1))
    w = data.waves[["wave_id", "label", "order", "opens_on"]]
    wave_first = w.groupby("label").agg(order=("order", "min"), opens_on=("opens_on", "min"))
    c = scored_counts(data.counts, data.questions, lo, hi).merge(w, on="wave_id")
    s = data.scores.merge(w, on="wave_id")
    rows = []
    # questions: pooled over waves with the same label, shares of the scored answers
    if len(c):
        qdist = c.pivot_table(index=["question_id", "label"], columns="scored", values="n",
                              aggfunc="sum", fill_value=0)  # fmt: skip
        qdist = qdist.reindex(columns=points, fill_value=0)
        n = qdist.sum(axis=1)
        meta = data.questions.set_index("question_id")
        for (qid, label), row in qdist.iterrows():
            total = int(n.loc[(qid, label)])
            rows.append({"score": f"{meta.at[qid, 'code']} · {meta.at[qid, 'text']}",
                         "domain": meta.at[qid, "domain"], "reverse": bool(meta.at[qid,
                         "reverse_scored"]), "wave": label, "respondents": total,
                         "mean": float(np.dot(row.to_numpy(), points) / total),
                         **{f"share_{p}": row[p] / total for p in points}})  # fmt: skip
    # domains and the overall score: mean of respondents' scores; shares pooled over items
    domains = list(dict.fromkeys(data.questions["domain"]))
    targets = [(ALL_ITEMS, q.ALL_ITEMS, domains)]
    if len(domains) > 1:
        targets += [(DOMAIN_PREFIX + d, d, [d]) for d in domains]
    for name, key, doms in targets:
        sc = s[s["domain"] == key]
        if sc.empty:
            continue
        agg = sc.groupby("label")["score"].agg(["size", "mean"])
        pooled = c[c["domain"].isin(doms)].pivot_table(index="label", columns="scored",
                                                        values="n", aggfunc="sum",
                                                        fill_value=0)  # fmt: skip
        pooled = pooled.reindex(columns=points, fill_value=0)
        for label, a in agg.iterrows():
            row = pooled.loc[label] if label in pooled.index else pd.Series(0, index=points)
            tot = float(row.sum()) or 1.0
            rows.append({"score": name, "domain": key if key != q.ALL_ITEMS else "",
                         "reverse": False, "wave": label, "respondents": int(a["size"]),
                         "mean": float(a["mean"]),
                         **{f"share_{p}": row[p] / tot for p in points}})  # fmt: skip
    cols = ["score", "domain", "reverse", "wave", "respondents", "mean",
            *[f"share_{p}" for p in points]]  # fmt: skip
    out = pd.DataFrame(rows, columns=cols)
    out = out.merge(wave_first, left_on="wave", right_index=True, how="left")
    hidden = primary_mask(out[["respondents"]], threshold)["respondents"].to_numpy()
    out["hidden"] = hidden
    out["note"] = np.where(hidden, hidden_primary(threshold), "")
    value_cols = ["respondents", "mean", *[f"share_{p}" for p in points]]
    out[value_cols] = out[value_cols].astype(float).mask(out["hidden"], np.nan)
    order = {s: i for i, s in enumerate(item_options(data.questions))}
    out["_s"] = out["score"].map(order)
    return out.sort_values(["_s", "order"]).drop(columns="_s").reset_index(drop=True)


def wave_display(summary: pd.DataFrame) -> pd.DataFrame:
    """Mean per score (rows) and wave (columns) as text: ``3.42 (n 120)`` or why hidden."""
    if summary.empty:
        return pd.DataFrame()
    text = np.where(
        summary["hidden"],
        summary["note"],
        summary["mean"].map(lambda v: f"{v:.2f}")
        + " (n "
        + summary["respondents"].map(lambda v: "" if pd.isna(v) else f"{v:,.0f}")
        + ")",
    )
    t = summary.assign(text=text)
    waves = list(dict.fromkeys(t.sort_values("order")["wave"]))
    scores = list(dict.fromkeys(t["score"]))
    out = t.pivot(index="score", columns="wave", values="text").reindex(index=scores,
                                                                       columns=waves)  # fmt: skip
    out = out.fillna("No responses").reset_index().rename(columns={"score": "Score or question"})
    out.columns.name = None
    return out


def wave_extract(summary: pd.DataFrame, survey: str, anchors: list[str], lo: int) -> pd.DataFrame:
    """The by-wave CSV: one row per score and wave, shares per answer, hidden rows blank."""
    if summary.empty:
        return pd.DataFrame()
    out = pd.DataFrame({
        "Survey": survey,
        "Score or question": summary["score"],
        "Domain": summary["domain"],
        "Reverse-scored": summary["reverse"].map({True: "Yes", False: "No"}),
        "Wave": summary["wave"],
        "Wave opens": summary["opens_on"].dt.date.map(lambda d: d.isoformat()),
        "Respondents": summary["respondents"].astype("Int64"),
        "Mean score": summary["mean"].round(3),
    })  # fmt: skip
    for k, a in enumerate(anchors):
        out[f"Share {lo + k} ({a}), scored"] = summary[f"share_{lo + k}"].round(4)
    out["Note"] = summary["note"]
    return out


def breakdown(data: SurveyData, score_key: str, by: str, threshold: int) -> pd.DataFrame:
    """Mean of one score per group × wave, with primary and secondary suppression.

    Args:
        data: The survey's rows.
        score_key: A domain name or ``q.ALL_ITEMS``.
        by: One of ``BREAKDOWNS``.
        threshold: Suppression threshold.

    Returns:
        Long rows: ``group``, ``wave``, ``order``, ``respondents``, ``mean``, ``hidden``,
        ``note``. Hidden rows have no numbers.
    """
    s = data.scores[data.scores["domain"] == score_key].merge(
        data.waves[["wave_id", "label", "order", "cohort"]], on="wave_id"
    )
    if s.empty:
        return pd.DataFrame(columns=["group", "wave", "order", "respondents", "mean", "hidden",
                                     "note"])  # fmt: skip
    if by == "Staff group":
        group = s["staff_group_code"].map(data.group_labels)
    elif by == "Directorate":
        group = s["directorate_id"].map(data.directorate_labels)
    else:
        group = s["cohort"]
    s = s.assign(group=group.fillna("Not recorded"))
    grouped = s.groupby(["group", "label"], sort=True)["score"]
    agg = pd.DataFrame({"respondents": grouped.size(), "mean": grouped.mean()})
    n = agg["respondents"].unstack("label", fill_value=0)
    sup = suppress_counts(n, threshold)
    mask = sup.mask.stack().rename("hidden")
    prim = sup.primary.stack().rename("primary")
    out = agg.join(mask).join(prim).reset_index().rename(columns={"label": "wave"})
    out["note"] = np.where(out["primary"], hidden_primary(threshold),
                           np.where(out["hidden"], hidden_secondary(), ""))  # fmt: skip
    out[["respondents", "mean"]] = out[["respondents", "mean"]].astype(float).mask(out["hidden"])
    order = data.waves.groupby("label")["order"].min()
    out["order"] = out["wave"].map(order)
    return out.drop(columns="primary").sort_values(["group", "order"]).reset_index(drop=True)


def breakdown_display(long: pd.DataFrame, by: str) -> pd.DataFrame:
    """Group rows × wave columns of text (mean and n, or why hidden)."""
    if long.empty:
        return pd.DataFrame()
    text = [
        ("Hidden: protects a smaller group" if "worked out" in note else note)
        if hid else f"{m:.2f} (n {r:,.0f})"
        for hid, note, m, r in zip(long["hidden"], long["note"], long["mean"],
                                   long["respondents"], strict=True)
    ]  # fmt: skip
    t = long.assign(text=text)
    waves = list(dict.fromkeys(t.sort_values("order")["wave"]))
    out = t.pivot(index="group", columns="wave", values="text").reindex(columns=waves)
    out = out.fillna("No responses").reset_index().rename(columns={"group": by})
    out.columns.name = None
    return out


def breakdown_extract(long: pd.DataFrame, by: str, survey: str, score: str) -> pd.DataFrame:
    """The breakdown's CSV: group, wave, respondents, mean; hidden rows blank with a note."""
    if long.empty:
        return pd.DataFrame()
    return pd.DataFrame({
        "Survey": survey, "Score": score, by: long["group"], "Wave": long["wave"],
        "Respondents": long["respondents"].astype("Int64"),
        "Mean score": long["mean"].round(3), "Note": long["note"],
    })  # fmt: skip


def paired(data: SurveyData, threshold: int) -> pd.DataFrame:
    """Paired change per score (overall, then domains), pre → post and pre → mid.

    Returns:
        One row per score × comparison with the :class:`PairedChange` fields, the
        shares improved / same / declined, ``hidden`` (too few pairs), ``note`` and
        ``counts_note``. Suppressed numbers are NaN.
    """
    s = data.scores.dropna(subset=["participant_id"]).merge(
        data.waves[["wave_id", "wave_kind", "cohort_id"]], on="wave_id"
    )
    domains = list(dict.fromkeys(data.questions["domain"]))
    keys = [(ALL_ITEMS, q.ALL_ITEMS)]
    if len(domains) > 1:
        keys += [(d, d) for d in domains]
    rows = []
    for name, key in keys:
        sk = s[s["domain"] == key]
        for label, before, after in COMPARISONS:
            pairs = stats.pair_scores(sk, before, after)
            if pairs.empty:
                continue
            pc = stats.paired_change(pairs["before"], pairs["after"])
            rows.append({"score": name, "comparison": label, "pairs": pc.n_pairs,
                         "mean_before": pc.mean_before, "mean_after": pc.mean_after,
                         "mean_change": pc.mean_change, "sd_change": pc.sd_change,
                         "ci_low": pc.ci_low, "ci_high": pc.ci_high, "d_z": pc.d_z,
                         "improved": pc.improved, "same": pc.same,
                         "declined": pc.declined})  # fmt: skip
    cols = ["score", "comparison", "pairs", "mean_before", "mean_after", "mean_change",
            "sd_change", "ci_low", "ci_high", "d_z", "improved", "same", "declined"]
    out = pd.DataFrame(rows, columns=cols)
    if out.empty:
        return out.assign(hidden=pd.Series(dtype=bool), note="", counts_note="")
    hidden = primary_mask(out[["pairs"]], threshold)["pairs"].to_numpy()
    out["hidden"] = hidden
    out["note"] = np.where(hidden, f"Hidden: fewer than {threshold} pairs", "")
    stat_cols = ["pairs", "mean_before", "mean_after", "mean_change", "sd_change", "ci_low",
                 "ci_high", "d_z", "improved", "same", "declined"]  # fmt: skip
    out[stat_cols] = out[stat_cols].astype(float).mask(out["hidden"])
    # improved / same / declined: cells of a row whose total (the pairs) is published
    outcome = ["improved", "same", "declined"]
    sup = suppress_counts(out.loc[~out["hidden"], outcome].fillna(0), threshold)
    out["counts_note"] = ""
    if len(sup.mask):
        for col in outcome:
            idx = sup.mask.index[sup.mask[col].to_numpy()]
            out.loc[idx, col] = np.nan
        any_hidden = sup.mask.any(axis=1)
        out.loc[any_hidden.index[any_hidden.to_numpy()], "counts_note"] = (
            f"Counts below {threshold} hidden, with one more where needed to protect them"
        )
    for col in outcome:
        out[f"share_{col}"] = out[col] / out["pairs"]
    return out


def _share(v: float) -> str:
    return "Hidden (small count)" if pd.isna(v) else f"{v:.0%}"


def paired_display(t: pd.DataFrame) -> pd.DataFrame:
    """The paired table as people read it."""
    if t.empty:
        return pd.DataFrame()
    rows = []
    for _, r in t.iterrows():
        if r["hidden"]:
            rows.append({"Score": r["score"], "Comparison": r["comparison"],
                         "Pairs": "Hidden", "Mean before → after": "",
                         "Mean change (95% CI)": r["note"], "SD of change": "",
                         "Effect size": "", "Improved": "", "Same": "", "Declined": ""})
            continue
        rows.append({
            "Score": r["score"], "Comparison": r["comparison"], "Pairs": f"{r['pairs']:,.0f}",
            "Mean before → after": f"{r['mean_before']:.2f} → {r['mean_after']:.2f}",
            "Mean change (95% CI)": f"{r['mean_change']:+.2f} ({r['ci_low']:+.2f} to "
                                    f"{r['ci_high']:+.2f})",
            "SD of change": f"{r['sd_change']:.2f}" if pd.notna(r["sd_change"]) else "",
            "Effect size": stats.effect_size_words(r["d_z"]),
            "Improved": _share(r["share_improved"]), "Same": _share(r["share_same"]),
            "Declined": _share(r["share_declined"]),
        })  # fmt: skip
    return pd.DataFrame(rows)


def paired_extract(t: pd.DataFrame, survey: str) -> pd.DataFrame:
    """The paired-change CSV: numbers as numbers, hidden cells blank with a note."""
    if t.empty:
        return pd.DataFrame()
    out = pd.DataFrame({
        "Survey": survey, "Score": t["score"], "Comparison": t["comparison"],
        "Pairs": t["pairs"].astype("Int64"), "Mean before": t["mean_before"].round(3),
        "Mean after": t["mean_after"].round(3), "Mean change": t["mean_change"].round(3),
        "CI 95% low": t["ci_low"].round(3), "CI 95% high": t["ci_high"].round(3),
        "SD of change": t["sd_change"].round(3), "Cohen's d_z": t["d_z"].round(3),
        "Improved": t["improved"].astype("Int64"), "Same": t["same"].astype("Int64"),
        "Declined": t["declined"].astype("Int64"),
    })  # fmt: skip
    out["Note"] = [" · ".join(x for x in (a, b) if x)
                   for a, b in zip(t["note"], t["counts_note"], strict=True)]  # fmt: skip
    return out


def paired_headline(t: pd.DataFrame, threshold: int) -> list[str]:
    """The overall pre → post (else pre → mid) result in words, honest about uncertainty."""
    out = []
    for label, _, _ in COMPARISONS:
        rows = t[(t["score"] == ALL_ITEMS) & (t["comparison"] == label)]
        if rows.empty:
            continue
        r = rows.iloc[0]
        if r["hidden"]:
            out.append(f"{label}: fewer than {threshold} people answered both, so the paired "
                       "change is not shown.")  # fmt: skip
            continue
        crosses = r["ci_low"] <= 0 <= r["ci_high"]
        way = "rose" if r["mean_change"] > 0 else "fell"
        text = (f"{label}: among {r['pairs']:,.0f} people who answered both, the overall score "
                f"{way} by {abs(r['mean_change']):.2f} points on average (95% CI "
                f"{r['ci_low']:+.2f} to {r['ci_high']:+.2f}, paired t) — "
                f"{stats.effect_size_words(r['d_z'])}.")  # fmt: skip
        if crosses:
            text += " The interval includes no change, so this could be chance."
        words = {"improved": "improved", "same": "stayed the same", "declined": "declined"}
        shown = [f"{r['share_' + k]:.0%} {w}" for k, w in words.items()
                 if pd.notna(r["share_" + k])]  # fmt: skip
        hidden = [w for k, w in words.items() if pd.isna(r["share_" + k])]
        if shown:
            text += " " + ", ".join(shown) + "."
        if hidden:
            text += (f" How many {' or '.join(hidden)} is hidden (fewer than {threshold}, or "
                     "hidden with them so they cannot be worked out).")
        out.append(text)
    return out


def pulse_series(summary: pd.DataFrame, item: str) -> pd.DataFrame:
    """Monthly mean of one score for the run chart (hidden months missing)."""
    s = summary[summary["score"] == item].sort_values("opens_on")
    return pd.DataFrame({"period_start": s["opens_on"].to_numpy(),
                         "value": s["mean"].to_numpy(dtype=float)})  # fmt: skip


def run_chart(series: pd.DataFrame, title: str, *, compact: bool = False) -> PulseChart:
    """A pulse score's run chart with the Anhøj rules (the Measures page's engine)."""
    a = analyse_measure(series, chart=ChartType.RUN, direction=ImprovementDirection.INCREASE,
                        preset=ANHOEJ)  # fmt: skip
    res = a.result
    fig = runchart_chart.figure(res, title=title, unit="mean score", compact=compact,
                                subtitle=ANHOEJ.describe(),
                                height=280 if compact else 400)  # fmt: skip
    reasons = [r for r in res["reason"].astype(str) if r]
    signal = reasons[-1] if reasons else "No signal: common-cause variation only."
    alt = runchart_chart.alt_text(res, title=title, unit="mean score")
    return PulseChart(title, fig, alt, signal)


def pulse_by_directorate(data: SurveyData, score_key: str, threshold: int) -> pd.DataFrame:
    """Monthly mean per directorate with primary and secondary suppression across a month."""
    return breakdown(data, score_key, "Directorate", threshold)


# --- the view ------------------------------------------------------------------------------


def _score_key(item: str, questions: pd.DataFrame) -> tuple[str, str]:
    """The domain score behind a choice: (key in scores, label); a question maps to its domain."""
    if item == ALL_ITEMS:
        return q.ALL_ITEMS, ALL_ITEMS
    if item.startswith(DOMAIN_PREFIX):
        d = item[len(DOMAIN_PREFIX):]
        return d, item
    code = item.split(" · ", 1)[0]
    domains = list(dict.fromkeys(questions["domain"]))
    if len(domains) <= 1:
        return q.ALL_ITEMS, ALL_ITEMS
    d = questions.loc[questions["code"] == code, "domain"]
    return (str(d.iloc[0]), DOMAIN_PREFIX + str(d.iloc[0])) if len(d) else (q.ALL_ITEMS,
                                                                             ALL_ITEMS)


def build(vc: ViewContext, *, survey: str | None = None, item: str | None = None,
          breakdown_by: str = BREAKDOWNS[0],
          pulse_view: str = PULSE_VIEWS[0]) -> CapabilityView:  # fmt: skip
    """The Capability view for the viewer, filters and choices.

    Args:
        vc: Request context (viewer scope, filters, threshold).
        survey: Survey name; the first in scope when ``None`` or not in scope.
        item: Score or question; the overall score when ``None`` or unknown.
        breakdown_by: One of ``BREAKDOWNS``.
        pulse_view: One of ``PULSE_VIEWS``: a pulse's run chart for everyone in view, or
            one run chart per directorate where numbers allow (asked for, as it costs a
            run-chart analysis per directorate).

    Returns:
        The view (``message`` says why when there is nothing to show).
    """
    threshold = vc.small_number_threshold
    listing = survey_list(vc)
    names = tuple(listing["name"]) if len(listing) else ()
    by = breakdown_by if breakdown_by in BREAKDOWNS else BREAKDOWNS[0]
    if not names:
        return CapabilityView((), "", "", (), "", by, threshold,
                              message="No surveys match these filters.")  # fmt: skip
    name = survey if survey in names else names[0]
    meta = listing[listing["name"] == name].iloc[0].to_dict()
    data = load(vc, meta)
    kind = str(meta["kind"])
    options = tuple(item_options(data.questions))
    chosen = item if item in options else ALL_ITEMS
    base = CapabilityView(names, name, kind, options, chosen, by, threshold,
                          pulse_view=pulse_view if pulse_view in PULSE_VIEWS else PULSE_VIEWS[0])
    lo, hi = int(meta["scale_min"]), int(meta["scale_max"])
    anchors = anchors_of(meta)
    notes = [f"{hi - lo + 1}-point scale, from {lo} ({anchors[0]}) to {hi} ({anchors[-1]}).",
             SCORING_NOTE]  # fmt: skip
    if kind == "capability" and vc.filters.period:
        notes.append("The period filter applies to pulse surveys only: a self-assessment's "
                     "pre, mid and post waves are kept together so they can be paired.")
    if kind == "pulse" and vc.filters.cohort:
        notes.append("Pulses are not tied to a cohort, so the cohort filter leaves none.")
    if data.scores.empty:
        return _replace(base, message="No responses to this survey match these filters.",
                        notes=tuple(notes))  # fmt: skip
    summary = wave_summary(data, threshold)
    if summary["hidden"].all():
        return _replace(base, notes=tuple(notes), message=(
            f"Every wave in this selection has fewer than {threshold} responses, so nothing "
            "is shown, to protect the people who answered. Widen the filters (for example "
            "clear the staff group or directorate) to see results."))  # fmt: skip

    extracts: dict[str, Extract] = {}
    # 1. by wave: the chosen item's distribution and every score's mean
    sel = summary[summary["score"] == chosen].sort_values("order")
    shown = sel[~sel["hidden"]]
    hidden_waves = list(sel.loc[sel["hidden"], "wave"])
    share_cols = [f"share_{p}" for p in range(lo, hi + 1)]
    bar_labels = [f"{w} (n {n:,.0f})" for w, n in zip(shown["wave"], shown["respondents"],
                                                        strict=True)]  # fmt: skip
    shares = shown[share_cols].set_axis(bar_labels, axis=0)
    shares.columns = list(range(lo, hi + 1))
    reverse = bool(sel["reverse"].any())
    is_question = chosen not in (ALL_ITEMS,) and not chosen.startswith(DOMAIN_PREFIX)
    has_reverse = bool(data.questions["reverse_scored"].any())
    if (is_question and not reverse) or not has_reverse:
        seg_labels = anchors
        note = ""
    else:  # scored values mix answers as given and turned round: name the ends, not anchors
        seg_labels = [f"{lo} least favourable", *map(str, range(lo + 1, hi)),
                      f"{hi} most favourable"]  # fmt: skip
        note = ("reverse-scored: drawn as scored (disagreeing counts as favourable)" if reverse
                else "reverse-scored items are counted as scored")  # fmt: skip
    fig = charts.diverging_figure(shares, anchors=seg_labels, title=chosen, hidden=hidden_waves,
                                  hidden_text=hidden_primary(threshold),
                                  reverse_note=note)  # fmt: skip
    means = pd.Series(shown["mean"].to_numpy(), index=bar_labels)
    fav = (hi - lo + 1) // 2
    alt = charts.diverging_alt_text(shares, means, title=chosen, favourable=fav,
                                    hidden=hidden_waves)  # fmt: skip
    wave_sentences = []
    if len(shown) >= 2:
        first, last = shown.iloc[0], shown.iloc[-1]
        wave_sentences.append(
            f"Mean {chosen.lower() if chosen == ALL_ITEMS else 'score'}: {first['mean']:.2f} "
            f"at {first['wave']} (n {first['respondents']:,.0f}) and {last['mean']:.2f} at "
            f"{last['wave']} (n {last['respondents']:,.0f}). These are all responses in each "
            "wave (unpaired): different people may have answered each time."
        )  # fmt: skip
    wave_tab = wave_display(summary)
    extracts["by_wave"] = Extract("capability-by-wave",
                                  wave_extract(summary, name, anchors, lo), "Scores by wave CSV")

    # 2. breakdown of the chosen score (a question reports its domain)
    key, key_label = _score_key(chosen, data.questions)
    long = breakdown(data, key, by, threshold)
    extracts["breakdown"] = Extract(f"capability-by-{by.lower().replace(' ', '-')}",
                                    breakdown_extract(long, by, name, key_label),
                                    f"{by} breakdown CSV")  # fmt: skip

    view = _replace(base, notes=tuple(notes), wave_figure=fig, wave_alt=alt, wave_table=wave_tab,
                    wave_sentences=tuple(wave_sentences),
                    breakdown_table=breakdown_display(long, by))  # fmt: skip

    # 3. paired change (linked, non-anonymous surveys)
    if kind == "capability" and not bool(meta["anonymous"]):
        pt = paired(data, threshold)
        if len(pt):
            pfig = charts.paired_figure(pt, title="Paired change (same people)")
            view = _replace(view, paired_table=paired_display(pt), paired_figure=pfig,
                            paired_alt=charts.paired_alt_text(pt),
                            paired_sentences=tuple(paired_headline(pt, threshold)))  # fmt: skip
            extracts["paired"] = Extract("capability-paired-change", paired_extract(pt, name),
                                         "Paired change CSV")  # fmt: skip

    # 4. pulses over time: the network run chart, then directorates where numbers allow
    if kind == "pulse":
        view = _replace(view, **_pulses(data, summary, chosen, key, key_label, threshold,
                                        extracts, name,
                                        by_directorate=pulse_view == PULSE_VIEWS[1],
                                        by_dir=long if by == "Directorate" else None))
    return _replace(view, extracts=extracts)


def _pulses(data: SurveyData, summary: pd.DataFrame, chosen: str, key: str, key_label: str,
            threshold: int, extracts: dict[str, Extract], name: str, *, by_directorate: bool,
            by_dir: pd.DataFrame | None) -> dict:  # fmt: skip
    charts_out = []
    series = pulse_series(summary, chosen)
    if series["value"].notna().sum() >= 1:
        net = run_chart(series, f"{chosen} — all respondents in view")
        charts_out.append(net)
    notes: list[str] = []
    if not by_directorate:
        return {"pulse_charts": tuple(charts_out), "pulse_notes": ()}
    if by_dir is None:
        by_dir = pulse_by_directorate(data, key, threshold)
    if len(by_dir):
        shown_n = by_dir.groupby("group")["mean"].apply(lambda s: int(s.notna().sum()))
        size = by_dir.groupby("group")["respondents"].sum()
        eligible = [g for g in size.sort_values(ascending=False).index
                    if shown_n.get(g, 0) >= MIN_RUN_POINTS]  # fmt: skip
        too_few = sorted(set(shown_n.index) - set(eligible))
        for g in eligible[:MAX_DIRECTORATE_CHARTS]:
            d = by_dir[by_dir["group"] == g]
            opens = data.waves.groupby("label")["opens_on"].min()
            s = pd.DataFrame({"period_start": d["wave"].map(opens).to_numpy(),
                              "value": d["mean"].to_numpy(dtype=float)}).sort_values(
                                  "period_start")  # fmt: skip
            charts_out.append(run_chart(s, f"{g}: {key_label}", compact=True))
        if len(eligible) > MAX_DIRECTORATE_CHARTS:
            notes.append(f"The {MAX_DIRECTORATE_CHARTS} directorates with most responses are "
                         f"charted; {len(eligible) - MAX_DIRECTORATE_CHARTS} more have enough "
                         "data (see the CSV).")  # fmt: skip
        if too_few:
            notes.append(f"Not charted by directorate (fewer than {MIN_RUN_POINTS} months with "
                         f"at least {threshold} responses): {', '.join(map(str, too_few))}.")
        extract = pd.DataFrame({
            "Survey": name, "Score": key_label, "Directorate": by_dir["group"],
            "Month": by_dir["wave"], "Respondents": by_dir["respondents"].astype("Int64"),
            "Mean score": by_dir["mean"].round(3), "Note": by_dir["note"],
        })  # fmt: skip
        extracts["pulse_directorates"] = Extract("capability-pulse-by-directorate", extract,
                                                 "Pulse by directorate CSV")  # fmt: skip
    return {"pulse_charts": tuple(charts_out), "pulse_notes": tuple(notes)}


def _replace(view: CapabilityView, **changes: Any) -> CapabilityView:
    return replace(view, **changes)


def sections(view: CapabilityView) -> list[Section]:
    """Board-pack sections from the same view (nothing recomputed)."""
    if view.message or not view.survey:
        return [Section(heading="Capability", sentences=(view.message or "No surveys.",))]
    out = [
        Section(heading=f"Capability — {view.survey}: scores by wave",
                sentences=(*view.wave_sentences, *view.notes), table=view.wave_table,
                figure=view.wave_figure, alt_text=view.wave_alt,
                extract=view.extracts.get("by_wave")),
        Section(heading=f"{view.breakdown} breakdown", table=view.breakdown_table,
                extract=view.extracts.get("breakdown")),
    ]  # fmt: skip
    if view.paired_figure is not None:
        out.append(Section(heading="Paired change (same people before and after)",
                           sentences=view.paired_sentences, table=view.paired_table,
                           figure=view.paired_figure, alt_text=view.paired_alt,
                           extract=view.extracts.get("paired")))  # fmt: skip
    for c in view.pulse_charts[:1]:
        out.append(Section(heading=f"Pulse over time: {c.title}", sentences=(c.signal,),
                           figure=c.figure, alt_text=c.alt_text,
                           extract=view.extracts.get("pulse_directorates"),
                           notes=view.pulse_notes))  # fmt: skip
    return out
