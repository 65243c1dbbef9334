"""The "This month" rules on hand-made view models: each rule fires only when it should."""

import math
from datetime import date

import pandas as pd
import pytest

from qinet.stats import plan
from qinet.views import narrative as nv

pytestmark = pytest.mark.unit

MEASURES = pd.DataFrame({"measure_id": [1, 2, 3, 4],
                         "measure_label": ["QI-1 · Falls", "QI-2 · Waits", "QI-3 · Beds",
                                           "QI-4 · Meals"]})  # fmt: skip


def _matrix(variation, assurance=None, reason=None):
    n = len(variation)
    return pd.DataFrame({"measure_id": list(range(1, n + 1)), "variation": variation,
                         "assurance": assurance or ["no_target"] * n,
                         "latest_signal_reason": reason or [""] * n})  # fmt: skip


def _inputs(**kw):
    return nv.NarrativeInputs(period="vs Apr 2025 – Jun 2025", measures=MEASURES, **kw)


def test_a_signal_that_started_names_the_rule_and_links_to_the_measure():
    n = _inputs(now=_matrix(["concern_high", "common_cause", "common_cause", "common_cause"],
                            reason=["10 points in a row above the mean", "", "", ""]),
                before=_matrix(["common_cause"] * 4))  # fmt: skip
    out = nv.sentences(n)
    assert [s.text for s in out] == [
        "QI-1 · Falls: a signal of concern started this period "
        "(10 points in a row above the mean)."]
    assert out[0].page == "measures" and out[0].href == "measures?measure=QI-1+%C2%B7+Falls"
    assert out[0].pack_text.endswith("(Chart: Measures showing signals)")


def test_a_signal_that_ended_says_what_the_latest_point_shows_now():
    n = _inputs(now=_matrix(["common_cause"] * 4),
                before=_matrix(["common_cause", "improvement_low", "common_cause",
                                "common_cause"], reason=["", "Below the lower limit", "", ""]))
    (s,) = nv.sentences(n)
    assert s.text == ("QI-2 · Waits: the signal of improvement ended (it had fired on Below the "
                      "lower limit); the latest point now shows common-cause variation.")


def test_an_unchanged_measure_produces_no_sentence():
    same = _matrix(["improvement_high", "common_cause", "concern_low", "not_enough_data"],
                   ["pass", "fail", "inconsistent", "no_target"])  # fmt: skip
    n = _inputs(now=same, before=same)
    for rule in nv.RULES:
        assert rule(n) == []
    (only,) = nv.sentences(n)
    assert only.text.startswith("No significant change vs Apr 2025 – Jun 2025")


def test_assurance_changed_to_consistently_missing():
    n = _inputs(now=_matrix(["common_cause"] * 4, ["fail", "pass", "no_target", "no_target"]),
                before=_matrix(["common_cause"] * 4,
                               ["inconsistent", "pass", "no_target", "no_target"]))
    (s,) = nv.sentences(n)
    assert s.text == "QI-1 · Falls now consistently misses its target (assurance icon)."


def _ms(forecast):
    return pd.DataFrame({"milestone_id": [1], "programme": ["Home for lunch"],
                         "title": ["Launch event"], "baseline_date": [date(2025, 7, 1)],
                         "forecast_date": [forecast], "actual_date": [None],
                         "status": ["on_track"]})  # fmt: skip


def test_a_slip_is_stated_with_its_days():
    before = plan.assess(_ms(date(2025, 9, 1)), date(2025, 6, 30))
    now = plan.assess(_ms(date(2025, 10, 15)), date(2025, 6, 30))
    (s,) = nv.sentences(_inputs(plan_now=now, plan_before=before))
    assert s.text == ("1 milestone slipped this period (its forecast moved later): Home for "
                      "lunch · Launch event (by 44 days).")
    assert s.page == "timeline" and s.section == "Plan"


def test_time_passing_is_not_a_slip():
    """An open milestone past its forecast is late (the tiles say so), not slipped again."""
    ms = _ms(date(2025, 7, 15))
    before = plan.assess(ms, date(2025, 6, 30)).assign(forecast_on=ms["forecast_date"])
    now = plan.assess(ms, date(2025, 9, 30)).assign(forecast_on=ms["forecast_date"])
    assert nv.milestone_sentences(_inputs(plan_now=now, plan_before=before)) == []


def test_a_completed_milestone():
    before = plan.assess(_ms(date(2025, 9, 1)), date(2025, 6, 30))
    done = _ms(date(2025, 9, 1)).assign(actual_date=[date(2025, 8, 30)], status=["complete"])
    (s,) = nv.sentences(_inputs(plan_now=plan.assess(done, date(2025, 9, 30)),
                                plan_before=before))
    assert s.text == "1 milestone completed this period: Home for lunch · Launch event."


def test_reach_up_without_a_signal_is_worded_as_such():
    n = _inputs(reach_now=0.064, reach_before=0.051, reach_is_spc=True,
                reach_variation="common_cause")
    (s,) = nv.sentences(n)
    assert s.text.startswith("Reach of the hard-to-reach staff groups rose from 5.1% to 6.4%, "
                             "but this is not a signal on its p-chart")
    assert "no significant change" in s.text
    assert s.page == "engagement"


def test_reach_up_with_a_signal_and_suppressed_reach():
    up = _inputs(reach_now=0.08, reach_before=0.05, reach_is_spc=True,
                 reach_variation="improvement_high")
    assert nv.reach_sentence(up)[0].text.endswith("and its p-chart shows a signal of "
                                                  "improvement.")
    hidden = _inputs(reach_now=math.nan, reach_before=0.05)
    assert nv.reach_sentence(hidden) == []  # suppressed: nothing claimed


def test_stale_scores_and_capability_reuse_the_views_words():
    n = _inputs(stale=pd.DataFrame({"code": ["QI-9"], "title": ["Hydration"],
                                    "reason": ["no score for 120 days"]}),
                capability=("Pre → post: the overall score rose by 0.50 points.",),
                survey="QI skills")
    texts = [s.text for s in nv.sentences(n)]
    assert texts == ["Capability, QI skills — Pre → post: the overall score rose by 0.50 "
                     "points.",
                     "1 project has a progress score that may be stale: QI-9 Hydration."]


def test_many_signals_are_capped_with_a_count():
    ids = list(range(1, 9))
    measures = pd.DataFrame({"measure_id": ids, "measure_label": [f"M{i}" for i in ids]})
    now = pd.DataFrame({"measure_id": ids, "variation": ["improvement_high"] * 8,
                        "assurance": ["no_target"] * 8, "latest_signal_reason": ["r"] * 8})
    before = now.assign(variation="common_cause")
    out = nv.sentences(nv.NarrativeInputs("p", measures, now, before))
    assert len(out) == nv.MAX_PER_RULE + 1
    assert out[-1].text == f"{8 - nv.MAX_PER_RULE} more measures started a signal of improvement."


def test_pack_signal_rows_empty_when_no_measure_signals():
    """No special cause anywhere: no signal rows (not one all-blank row per measure)."""
    from qinet.views.overview_pack import _signal_rows

    display = pd.DataFrame({"measure_id": [1, 2], "variation_state": ["common_cause",
                                                                       "not_enough_data"],
                            "signal_date": [None, None]})  # fmt: skip
    assert _signal_rows(display).empty


def test_the_first_lines_hold_every_page_and_nothing_is_dropped():
    """Ten measure sentences, then reach and plan: the first six show all three pages."""
    measures = [nv.Sentence(f"measure {i}", "measures", nv.SEC_SIGNALS) for i in range(10)]
    reach = nv.Sentence("reach rose", "engagement", nv.SEC_REACH)
    plan = nv.Sentence("a milestone slipped", "timeline", nv.SEC_PLAN)
    story = (*measures, reach, plan)
    first, rest = nv.headline_split(story, 6)
    assert [s.text for s in first] == ["measure 0", "measure 1", "measure 2", "measure 3",
                                       "reach rose", "a milestone slipped"]  # fmt: skip
    assert [s.text for s in rest] == [f"measure {i}" for i in range(4, 10)]
    assert sorted(first + rest, key=story.index) == list(story)
    # a short story is shown whole, in order
    assert nv.headline_split(story[:6], 6) == (story[:6], ())
    assert nv.headline_split(story[9:], 6) == (story[9:], ())
