"""Engagement view model: who takes part, against the workforce, and whether reach improves.

Pure (no Streamlit). :func:`build` runs the scoped, SQL-aggregated queries of
:mod:`qinet.queries.engagement` and :mod:`qinet.queries.network` once and turns the counts
into display frames, figures, sentences and suppressed extracts; :func:`sections` hands the
same parts to the board pack. Reach against the workforce (hard to reach, target groups,
the under-represented flag) is :mod:`qinet.views.reach`, shared with the Overview; the
funnel, trend, events and network tables are :mod:`qinet.views.engagement_parts`.

Definitions (stated on the page):

* **Participant**: a person with an enrolment in a programme in scope, enrolled on or before
  the end of the period (as the Overview counts them).
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

from qinet import db
from qinet.charts import engagement as charts
from qinet.formatting import fmt_date
from qinet.queries import engagement as q
from qinet.queries import network
from qinet.stats.suppression import suppress_counts, suppress_rows
from qinet.views.base import Extract, Section, ViewContext
from qinet.views.engagement_parts import (
    EVENT_LABELS,
    FUNNEL_LABELS,
    attendance_figure,
    funnel_frames,
    mentor_frames,
    pooled_bands,
    role_frames,
    trend_chart,
)
from qinet.views.reach import (
    ReachRules,
    count_text,
    label_codes,
    pct,
    place_rows,
    reach_frames,
    reach_table,
    staff_rows,
    suppress_small,
    workforce_for,
)

__all__ = ["EngagementView", "ReachRules", "build", "sections"]


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
        workforce = workforce_for(q.workforce_cells(s, viewer, f, as_of), s, f)
        groups = q.staff_groups(s)
        focus, targets = q.target_groups(s, viewer, f)
        orgs, dirs = q.places(s, viewer)
        f_prog = q.funnel_by_programme(s, viewer, f, start, end)
        f_cohort = q.funnel_by_cohort(s, viewer, f, start, end)
        monthly = q.monthly_enrolments(s, viewer, f, start, end, rules.hard_to_reach)
        att_month = network.attendance_by_month(s, viewer, f, start, end)
        att_groups = network.attendance_by_staff_group(s, viewer, f, start, end)
        repeat = network.repeat_attendance(s, viewer, f, start, end)
        roles_org = network.roles_by(s, viewer, f, "organisation")
        roles_prog = network.roles_by(s, viewer, f, "programme")
        mentors = network.mentor_cover(s, viewer, f)
    label_of = label_codes(groups, "staff_group_code", "staff_group")
    extracts: dict[str, Extract] = {}

    # 1. Reach by staff group, directorate, organisation; non-staff separately.
    raw = staff_rows(people, workforce, groups, rules, targets, f.staff_group)
    staff_raw = raw[raw["is_staff"]]
    table, overall = reach_table(staff_raw, "staff_group", threshold, rules.ratio)
    if targets:
        table.loc[~table["target"].astype(bool), ["share_participants", "representation"]] = np.nan
    staff_display, staff_extract = reach_frames(table, "staff_group", "Staff group")
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
    dir_raw = place_rows(people, workforce, denom_codes, "directorate_id", dir_names,
                         "directorate", hard)  # fmt: skip
    dir_table, _ = reach_table(dir_raw, "directorate", threshold, rules.ratio)
    directorate_display, dir_extract = reach_frames(dir_table, "directorate", "Directorate")
    extracts["directorate"] = Extract("engagement-reach-directorate", dir_extract,
                                      "Directorates CSV")  # fmt: skip
    org_raw = place_rows(people, workforce, denom_codes, "organisation_id", orgs,
                         "organisation", hard)  # fmt: skip
    org_table, _ = reach_table(org_raw, "organisation", threshold, rules.ratio)
    organisation_display, org_extract = reach_frames(org_table, "organisation", "Organisation")
    extracts["organisation"] = Extract("engagement-reach-organisation", org_extract,
                                       "Organisations CSV")  # fmt: skip
    non_staff = raw[~raw["is_staff"]][["staff_group", "engaged"]]
    ns = suppress_small(non_staff, "engaged", threshold)
    non_staff_display = pd.DataFrame({"Group": ns["staff_group"] if len(ns) else [],
                                      "Participants": ns["engaged"].map(count_text)
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
        f"{pct(overall)} of the workforce in scope take part."
        if np.isfinite(overall) else "No workforce figures for this selection."
    ]
    reach_sentences.append(
        "Under-represented: " + ", ".join(map(str, under)) + "." if under
        else "No staff group is under-represented by this rule."
    )

    # 2. Funnel.
    funnel_programme, fp_extract = funnel_frames(f_prog, ["programme"], FUNNEL_LABELS,
                                                  label_of, threshold)  # fmt: skip
    bands = pooled_bands(f_prog, groups, rules)
    funnel_bands, fb_extract = funnel_frames(bands, ["programme"], FUNNEL_LABELS, {},
                                              threshold)  # fmt: skip
    extracts["funnel_bands"] = Extract("engagement-funnel-hard-to-reach", fb_extract,
                                       "Hard-to-reach funnel CSV")  # fmt: skip
    funnel_cohort, fc_extract = funnel_frames(f_cohort, ["programme", "cohort", "cohort_start"],
                                               FUNNEL_LABELS, label_of, threshold)  # fmt: skip
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
    trend_fig, trend_alt, trend_sentences, is_spc, variation, trend_extract = trend_chart(
        monthly, rules, threshold
    )
    extracts["trend"] = Extract("engagement-hard-to-reach-by-month", trend_extract,
                                "Monthly reach CSV")  # fmt: skip

    # 4. Events.
    att_fig, att_alt = attendance_figure(att_month)
    am = att_month.copy()
    if len(am):
        am["Month"] = [f"{int(y):04d}-{int(mo):02d}" for y, mo in zip(am["year"], am["month"],
                                                                     strict=True)]  # fmt: skip
        am["Event type"] = am["kind"].map(lambda k: EVENT_LABELS.get(k, k))
        am["attendances"] = am["named"] + am["counted"]
        am = am.sort_values(["Month", "Event type"])
    sup_am = suppress_small(am[["Month", "Event type", "attendances"]] if len(am)
                              else pd.DataFrame(columns=["Month", "Event type", "attendances"]),
                              "attendances", threshold)  # fmt: skip
    attendance_display = sup_am.assign(
        Attendances=sup_am["attendances"].map(count_text) if len(sup_am) else [],
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
        attendance_groups[c] = attendance_groups[c].map(count_text)
    extracts["attendance_groups"] = Extract("engagement-attendance-by-staff-group", ag_extract,
                                            "Attendance by staff group CSV")  # fmt: skip
    order = {"1": 0, "2": 1, "3–4": 2, "5 or more": 3}
    rp = repeat.assign(o=repeat["events_attended"].map(order)).sort_values("o") if len(repeat) \
        else repeat  # fmt: skip
    rps = suppress_small(rp[["events_attended", "people"]] if len(rp) else
                           pd.DataFrame(columns=["events_attended", "people"]), "people",
                           threshold)  # fmt: skip
    repeat_display = pd.DataFrame({"Events attended": rps["events_attended"] if len(rps) else [],
                                   "People": rps["people"].map(count_text) if len(rps) else []})
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
    roles_org_d, roles_org_x = role_frames(roles_org, "organisation", "Organisation", threshold)
    roles_prog_d, roles_prog_x = role_frames(roles_prog, "programme", "Programme", threshold)
    extracts["roles_org"] = Extract("engagement-roles-by-organisation", roles_org_x,
                                    "Roles by organisation CSV")  # fmt: skip
    extracts["roles_programme"] = Extract("engagement-roles-by-programme", roles_prog_x,
                                          "Roles by programme CSV")  # fmt: skip
    mentor_display, mentor_extract, mentor_sentences = mentor_frames(mentors, threshold)
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
