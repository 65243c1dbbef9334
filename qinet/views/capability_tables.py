"""The Capability view's tables: scores by wave, breakdowns and paired change.

Pure building blocks of :mod:`qinet.views.capability` (no Streamlit, no queries): each
takes one survey's scoped rows and returns a long frame with suppression applied, plus
its display text and CSV extract, so page, extract and board pack read the same numbers.

Scoring: a reverse-scored answer v counts as ``min + max − v`` so that a high score is
always the better state; a domain score is the mean of a respondent's items in that
domain after reversal; "All items" is the mean of every item after reversal.

Suppression (threshold from settings, default 11):

* By wave: a wave (or month) with fewer respondents than the threshold is hidden for
  that score, in the chart, the table and the extract.
* Breakdowns (staff group, directorate, cohort × wave) and pulse months by directorate:
  a group below the threshold is hidden, and secondary suppression hides the fewest
  further groups so that no hidden group can be worked out from the published totals
  (:func:`qinet.stats.suppression.suppress_counts`).
* Paired change: fewer pairs than the threshold hides the row; the improved / same /
  declined counts are suppressed as cells of a row whose total (the pairs) is published,
  with secondary suppression.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from qinet.domain import WaveKind
from qinet.queries import capability as q
from qinet.stats import surveys as stats
from qinet.stats.suppression import primary_mask, suppress_counts

ALL_ITEMS = "All items (overall score)"
DOMAIN_PREFIX = "Domain: "
BREAKDOWNS = ("Staff group", "Directorate", "Cohort")
COMPARISONS = (("Pre → post", WaveKind.PRE.value, WaveKind.POST.value),
               ("Pre → mid", WaveKind.PRE.value, WaveKind.MID.value))  # fmt: skip


def hidden_primary(threshold: int) -> str:
    """Why a group below the threshold is hidden."""
    return f"Hidden: fewer than {threshold} responses"


def hidden_secondary() -> str:
    """Why a group at or above the threshold is hidden too."""
    return "Hidden so a smaller group cannot be worked out from the total"


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
