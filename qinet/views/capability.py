"""Capability page view model: did skills, confidence, joy in work and safety change?

Built once per rerun from scoped queries (:mod:`qinet.queries.capability`, aggregation in
SQL), the tables of :mod:`qinet.views.capability_tables` (scoring and suppression are
described there) and pure statistics (:mod:`qinet.stats.surveys`, the run-chart engine of
the Measures page). No Streamlit. The page, the CSV extracts and the board-pack sections
all read the same frames, so what is shown, downloaded and printed agree.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import pandas as pd

from qinet import db
from qinet.charts import capability as charts
from qinet.charts import runchart as runchart_chart
from qinet.domain import ChartType, ImprovementDirection, WaveKind
from qinet.queries import capability as q
from qinet.stats.measure import analyse_measure
from qinet.stats.rules import ANHOEJ
from qinet.views.base import Extract, Section, ViewContext
from qinet.views.capability_tables import (
    ALL_ITEMS,
    BREAKDOWNS,
    DOMAIN_PREFIX,
    SurveyData,
    anchors_of,
    breakdown,
    breakdown_display,
    breakdown_extract,
    hidden_primary,
    item_options,
    paired,
    paired_display,
    paired_extract,
    paired_headline,
    wave_display,
    wave_extract,
    wave_summary,
)

PULSE_VIEWS = ("All respondents", "By directorate")
WAVE_ORDER = {WaveKind.PRE.value: 0, WaveKind.MID.value: 1, WaveKind.POST.value: 2}
MIN_RUN_POINTS = 10  # a directorate's pulse run chart needs this many months shown
MAX_DIRECTORATE_CHARTS = 12  # the largest directorates first; the rest are listed
SCORING_NOTE = (
    "Scores: a reverse-scored item (worded so that agreeing is the worse state) is turned "
    "round before scoring, so a higher score is always better. A domain score is the mean "
    "of a person's answers to that domain's items after reversal; the overall score is "
    "the mean of all items after reversal."
)


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
            # every comparison hidden (too few pairs): the sentences say so, no empty chart
            shown = bool((~pt["hidden"].astype(bool)).any())
            pfig = charts.paired_figure(pt, title="Paired change (same people)") if shown else None
            view = _replace(view, paired_table=paired_display(pt), paired_figure=pfig,
                            paired_alt=charts.paired_alt_text(pt) if shown else "",
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
    if len(view.paired_table):
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
