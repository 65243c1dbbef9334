"""The "This month" narrative: what changed since the previous period, in plain sentences.

Rules over the view models (no language model). Each rule reads what a page already
computed — the Overview's portfolio for the period and the one before, its hard-to-reach
rate with the Engagement view's reach p-chart, the Capability view's paired result, the
Timeline's milestone rule on both dates, the Projects register's stale flags — and states
only what those statistics support. Each sentence names the chart behind it: a page link
(with the query string) on screen, the section's name in the board pack.

Pure (no Streamlit, no database): :func:`sentences` takes a :class:`NarrativeInputs`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from urllib.parse import urlencode

import pandas as pd

from qinet.domain import AssuranceState, VariationState

MAX_PER_RULE = 3  # a board member reads a short list; the rest is "and N more"

_IMPROVEMENT = {VariationState.IMPROVEMENT_HIGH.value, VariationState.IMPROVEMENT_LOW.value}
_CONCERN = {VariationState.CONCERN_HIGH.value, VariationState.CONCERN_LOW.value}
_SIGNAL = _IMPROVEMENT | _CONCERN
_NOW_WORDS = {VariationState.COMMON_CAUSE.value: "common-cause variation",
              VariationState.NOT_ENOUGH_DATA.value: "too few points for process limits",
              VariationState.NON_RANDOM.value: "a non-random pattern with no direction"}

# Pack section names (qinet.io.boardpack) the sentences refer to.
SEC_SIGNALS = "Measures showing signals"
SEC_MATRIX = "Summary of measures"
SEC_REACH = "Engagement, Is reach improving?"
SEC_CAPABILITY = "Capability, Paired change (same people before and after)"
SEC_PLAN = "Plan"
SEC_PROJECTS = "Project progress"


PAGE_TITLES = {"measures": "Measures", "engagement": "Engagement", "capability": "Capability",
               "timeline": "Timeline", "projects": "Projects"}  # fmt: skip


@dataclass(frozen=True)
class Sentence:
    """One statement, the page that shows the chart behind it and the pack section.

    Attributes:
        text: Plain English (data-derived words unescaped: escape where shown).
        page: Streamlit page url path, e.g. ``measures``.
        section: The board pack's section name, e.g. "Measures showing signals".
        query: Query string pairs for the page link (e.g. the measure).
    """

    text: str
    page: str
    section: str
    query: tuple[tuple[str, str], ...] = ()

    @property
    def href(self) -> str:
        """Relative link to the page, with its query string."""
        return self.page + (f"?{urlencode(self.query)}" if self.query else "")

    @property
    def link_text(self) -> str:
        """What the on-screen link says: the page that shows the chart."""
        return f"{PAGE_TITLES.get(self.page, self.page)} page"

    @property
    def pack_text(self) -> str:
        """The sentence as the pack prints it, naming the section behind it."""
        return f"{self.text} (Chart: {self.section})"


@dataclass(frozen=True)
class NarrativeInputs:
    """What the rules read, all already scoped, filtered and suppressed.

    Attributes:
        period: The comparison in words, e.g. "vs the previous 3 months".
        measures: ``measure_id``, ``measure_label`` (``CODE · name``).
        now: Summary matrix for the period (``measure_id``, ``variation``,
            ``assurance``, ``latest_signal_reason``).
        before: The same for the previous period.
        reach_now: Hard-to-reach rate at the end of the period (NaN when suppressed).
        reach_before: The same at the end of the previous period.
        reach_is_spc: The Engagement view's reach-over-time chart is a p-chart.
        reach_variation: Its latest point's variation state (``None`` when a run chart).
        capability: The Capability view's paired headline sentences (first is used).
        survey: The survey they describe.
        plan_now: ``qinet.stats.plan.as_of`` at the end of the period.
        plan_before: The same at the end of the previous period.
        stale: Projects register's stale flags (``code``, ``title``, ``reason``).
    """

    period: str
    measures: pd.DataFrame = field(default_factory=pd.DataFrame)
    now: pd.DataFrame = field(default_factory=pd.DataFrame)
    before: pd.DataFrame = field(default_factory=pd.DataFrame)
    reach_now: float = math.nan
    reach_before: float = math.nan
    reach_is_spc: bool = False
    reach_variation: object = None
    capability: tuple[str, ...] = ()
    survey: str = ""
    plan_now: pd.DataFrame = field(default_factory=pd.DataFrame)
    plan_before: pd.DataFrame = field(default_factory=pd.DataFrame)
    stale: pd.DataFrame = field(default_factory=pd.DataFrame)


def _names(items: list[str]) -> str:
    shown = items[:MAX_PER_RULE]
    more = len(items) - len(shown)
    text = "; ".join(shown)
    return text + (f"; and {more} more" if more else "")


def _joined(now: pd.DataFrame, before: pd.DataFrame, measures: pd.DataFrame) -> pd.DataFrame:
    if now.empty or measures.empty:
        return pd.DataFrame()
    cols = ["measure_id", "variation", "assurance", "latest_signal_reason"]
    b = before[cols] if not before.empty else pd.DataFrame(columns=cols)
    m = now[cols].merge(b, on="measure_id", how="left", suffixes=("", "_before"))
    m = m.merge(measures[["measure_id", "measure_label"]], on="measure_id")
    return m.fillna({"variation_before": VariationState.NOT_ENOUGH_DATA.value,
                     "assurance_before": AssuranceState.NO_TARGET.value,
                     "latest_signal_reason_before": ""})  # fmt: skip


def _measure_link(label: str, text: str, section: str) -> Sentence:
    return Sentence(text, "measures", section, (("measure", label),))


def measure_signal_sentences(n: NarrativeInputs) -> list[Sentence]:
    """Signals that started (improvement or concern, with the rule) or ended this period."""
    m = _joined(n.now, n.before, n.measures)
    if m.empty:
        return []
    out: list[Sentence] = []
    started = m[m["variation"].isin(_SIGNAL) & (m["variation"] != m["variation_before"])]
    ended = m[m["variation_before"].isin(_SIGNAL) & ~m["variation"].isin(_SIGNAL)]
    for kind, states in (("concern", _CONCERN), ("improvement", _IMPROVEMENT)):
        rows = started[started["variation"].isin(states)]
        for r in rows.head(MAX_PER_RULE).itertuples(index=False):
            rule = str(r.latest_signal_reason or "").strip() or "a special-cause rule"
            out.append(_measure_link(
                r.measure_label,
                f"{r.measure_label}: a signal of {kind} started this period ({rule}).",
                SEC_SIGNALS))  # fmt: skip
        if len(rows) > MAX_PER_RULE:
            out.append(Sentence(f"{len(rows) - MAX_PER_RULE} more measures started a signal "
                                f"of {kind}.", "measures", SEC_MATRIX))  # fmt: skip
    for r in ended.head(MAX_PER_RULE).itertuples(index=False):
        kind = "improvement" if r.variation_before in _IMPROVEMENT else "concern"
        rule = str(r.latest_signal_reason_before or "").strip()
        fired = f" (it had fired on {rule})" if rule else ""
        out.append(_measure_link(
            r.measure_label,
            f"{r.measure_label}: the signal of {kind} ended{fired}; the latest point now shows "
            f"{_NOW_WORDS.get(r.variation, 'no improvement or concern')}.",
            SEC_MATRIX))  # fmt: skip
    if len(ended) > MAX_PER_RULE:
        out.append(Sentence(f"{len(ended) - MAX_PER_RULE} more measures' signals ended.",
                            "measures", SEC_MATRIX))  # fmt: skip
    return out


def assurance_sentences(n: NarrativeInputs) -> list[Sentence]:
    """Targets now consistently met or missed (the assurance icon changed to pass/fail)."""
    m = _joined(n.now, n.before, n.measures)
    if m.empty:
        return []
    out: list[Sentence] = []
    for state, words in ((AssuranceState.FAIL.value, "now consistently misses its target"),
                         (AssuranceState.PASS.value, "now consistently meets its target")):
        rows = m[(m["assurance"] == state) & (m["assurance_before"] != state)]
        if rows.empty:
            continue
        if len(rows) == 1:
            label = rows["measure_label"].iloc[0]
            out.append(_measure_link(label, f"{label} {words} (assurance icon).", SEC_MATRIX))
        else:
            plural = words.replace("misses its", "miss their").replace(
                "meets its", "meet their")
            out.append(Sentence(f"{len(rows)} measures {plural} (assurance icon): "
                                f"{_names(rows['measure_label'].tolist())}.", "measures",
                                SEC_MATRIX))  # fmt: skip
    return out


def reach_sentence(n: NarrativeInputs) -> list[Sentence]:
    """Reach of the hard-to-reach groups up or down, and whether its p-chart shows a signal."""
    page, sec = "engagement", SEC_REACH
    if math.isnan(n.reach_now) or math.isnan(n.reach_before):
        return []
    diff = round((n.reach_now - n.reach_before) * 100, 1)
    base = (f"Reach of the hard-to-reach staff groups {{way}} from {n.reach_before:.1%} to "
            f"{n.reach_now:.1%}")
    v = str(getattr(n.reach_variation, "value", n.reach_variation or ""))
    if not diff:
        return [Sentence(f"Reach of the hard-to-reach staff groups is unchanged at "
                         f"{n.reach_now:.1%}.", page, sec)]  # fmt: skip
    way = "rose" if diff > 0 else "fell"
    if not n.reach_is_spc:
        tail = ", but there are too few months for a p-chart, so this is not shown to be a signal."
    elif v in _IMPROVEMENT:
        tail = ", and its p-chart shows a signal of improvement."
    elif v in _CONCERN:
        tail = ", and its p-chart shows a signal of concern."
    else:
        tail = (", but this is not a signal on its p-chart (no significant change: the "
                "monthly share shows common-cause variation).")
    return [Sentence(base.format(way=way) + tail, page, sec)]


def capability_sentence(n: NarrativeInputs) -> list[Sentence]:
    """The latest paired wave's result, as the Capability view words it (CI included)."""
    if not n.capability:
        return []
    survey = f"{n.survey} — " if n.survey else ""
    return [Sentence(f"Capability, {survey}{n.capability[0]}", "capability", SEC_CAPABILITY)]


def _forecast(t: pd.DataFrame) -> pd.Series:
    """The forecast believed then (``as_of``'s ``forecast_on``), else the plan's forecast."""
    col = "forecast_on" if "forecast_on" in t else "forecast_date"
    return pd.to_datetime(t[col], errors="coerce").fillna(
        pd.to_datetime(t["baseline_date"], errors="coerce"))


def milestone_sentences(n: NarrativeInputs) -> list[Sentence]:
    """Milestones whose forecast moved later this period, and those completed in it.

    A slip is the forecast believed at the end of this period against the one believed at
    the end of the previous period (the Timeline's revisions), so time passing alone is
    not a slip; late milestones are the Timeline's and the tiles' business.
    """
    now, before = n.plan_now, n.plan_before
    if now.empty or "milestone_id" not in now:
        return []
    b = before.assign(fc_=_forecast(before)).set_index("milestone_id") if len(before) \
        else pd.DataFrame(columns=["state", "fc_"])  # fmt: skip
    now = now.assign(fc_=_forecast(now))
    slipped, done = [], []
    for r in now.itertuples(index=False):
        prev = b.loc[r.milestone_id] if r.milestone_id in b.index else None
        name = f"{r.programme} · {r.title}" if getattr(r, "programme", None) else str(r.title)
        if r.state == "done":
            if prev is None or prev["state"] != "done":
                done.append(name)
            continue
        if r.state == "cancelled" or prev is None or prev["state"] in ("not_planned", "done"):
            continue
        moved = (r.fc_ - prev["fc_"]).days if pd.notna(r.fc_) and pd.notna(prev["fc_"]) else 0
        if moved > 0:
            slipped.append((moved, f"{name} (by {moved} day{'s' if moved != 1 else ''})"))
    out: list[Sentence] = []
    if slipped:
        slipped.sort(key=lambda t: -t[0])
        names = [t[1] for t in slipped]
        one = len(names) == 1
        out.append(Sentence(f"{len(names)} milestone{'' if one else 's'} slipped this period "
                            f"({'its forecast' if one else 'their forecasts'} moved later): "
                            f"{_names(names)}.", "timeline", SEC_PLAN))  # fmt: skip
    if done:
        one = len(done) == 1
        out.append(Sentence(f"{len(done)} milestone{'' if one else 's'} completed this period: "
                            f"{_names(done)}.", "timeline", SEC_PLAN))  # fmt: skip
    return out


def stale_sentence(n: NarrativeInputs) -> list[Sentence]:
    """Progress scores flagged as possibly stale on the Projects register."""
    s = n.stale
    if s.empty:
        return []
    names = [f"{c} {t}" for c, t in zip(s["code"], s["title"], strict=True)]
    one = len(names) == 1
    return [Sentence(f"{len(names)} project{'' if one else 's'} {'has' if one else 'have'} a "
                     f"progress score that may be stale: {_names(names)}.", "projects",
                     SEC_PROJECTS)]  # fmt: skip


RULES = (measure_signal_sentences, assurance_sentences, reach_sentence, capability_sentence,
         milestone_sentences, stale_sentence)  # fmt: skip


ON_SCREEN = 6  # the Overview's first lines; the rest wait in "N more changes"


def headline_split(story: tuple[Sentence, ...], limit: int = ON_SCREEN
                   ) -> tuple[tuple[Sentence, ...], tuple[Sentence, ...]]:  # fmt: skip
    """(first lines, the rest): every page's first sentence, then the others in order.

    A busy month can make a dozen measure sentences; shown in full they push reach,
    capability and the plan out of sight. The first lines therefore take each page's
    first sentence (in the rules' order), then fill up to ``limit`` in the story's order;
    the rest keep their order. Nothing is dropped: the pack prints the whole story.
    """
    if len(story) <= limit:
        return story, ()
    first_of_page: dict[str, int] = {}
    for i, s in enumerate(story):
        first_of_page.setdefault(s.page, i)
    chosen = set(list(first_of_page.values())[:limit])
    for i in range(len(story)):
        if len(chosen) >= limit:
            break
        chosen.add(i)
    return (tuple(s for i, s in enumerate(story) if i in chosen),
            tuple(s for i, s in enumerate(story) if i not in chosen))  # fmt: skip


def sentences(n: NarrativeInputs) -> tuple[Sentence, ...]:
    """Every rule's sentences in order; one "no significant change" line when none fire."""
    out = [s for rule in RULES for s in rule(n)]
    if not out:
        out.append(Sentence(f"No significant change {n.period}: no measure started or ended "
                            "a signal, and nothing else changed that the statistics support.",
                            "measures", SEC_MATRIX))  # fmt: skip
    return tuple(out)
