"""Engagement view on a small hand-made network (SQLite and PostgreSQL).

Pins the representation ratio, the under-represented flag and the funnel conversions,
with a staff group that has no workforce rows (Students), a directorate with no
participants (Surgery), an organisation-level baseline (Partner B) and a participant who
withdrew from one cohort and re-enrolled in the next.
"""

from datetime import date

import pytest
import sqlalchemy as sa

from qinet import db
from qinet import models as m
from qinet.access import Viewer
from qinet.domain import EnrolmentStatus, OrganisationType, ProgrammeKind, Role, StaffGroup
from qinet.filters import Filters
from qinet.io.export import to_csv_bytes
from qinet.views import engagement as ev
from qinet.views.base import ViewContext

pytestmark = pytest.mark.db

TODAY = date(2025, 6, 30)
ADMIN = Viewer("admin", Role.ADMIN)
RULES = ev.ReachRules(hard_to_reach=("estates_ancillary",), ratio=0.5)
SG = StaffGroup


def _network(s) -> None:
    s.add_all([
        m.Organisation(id=1, code="A", name="Trust A", kind=OrganisationType.ACUTE_TRUST),
        m.Organisation(id=2, code="B", name="Partner B", kind=OrganisationType.VOLUNTARY),
    ])  # fmt: skip
    s.add_all([m.Directorate(id=10, organisation_id=1, code="MED", name="Medicine"),
               m.Directorate(id=11, organisation_id=1, code="SUR", name="Surgery")])
    for order, g in enumerate((SG.NURSING_MIDWIFERY, SG.ESTATES_ANCILLARY, SG.STUDENTS,
                               SG.PATIENT_CARER), start=1):  # fmt: skip
        s.add(m.StaffGroupRef(code=g.value, label=g.label, is_staff=g.is_staff,
                              hard_to_reach=g.hard_to_reach, sort_order=order))
    s.flush()
    rows = [  # org, directorate, group, date, headcount
        (1, 10, SG.NURSING_MIDWIFERY, date(2024, 3, 31), 80),  # older: not used
        (1, 10, SG.NURSING_MIDWIFERY, date(2025, 3, 31), 100),
        (1, 10, SG.NURSING_MIDWIFERY, date(2026, 3, 31), 999),  # after the period: not used
        (1, 10, SG.ESTATES_ANCILLARY, date(2025, 3, 31), 100),
        (1, 11, SG.NURSING_MIDWIFERY, date(2025, 3, 31), 100),
        (1, 11, SG.ESTATES_ANCILLARY, date(2025, 3, 31), 100),
        (2, None, SG.NURSING_MIDWIFERY, date(2025, 3, 31), 200),  # organisation level
    ]
    for i, (org, d, g, at, h) in enumerate(rows, start=1):
        s.add(m.WorkforceBaseline(id=i, organisation_id=org, directorate_id=d,
                                  staff_group_code=g.value, as_at=at, headcount=h))
    s.add(m.Programme(id=1, code="P1", name="Programme One", kind=ProgrammeKind.COHORT_PROGRAMME,
                      starts_on=date(2023, 1, 1)))  # fmt: skip
    s.add_all([
        m.Cohort(id=1, programme_id=1, name="C1", starts_on=date(2024, 1, 1),
                 ends_on=date(2024, 6, 30), planned_places=10),
        m.Cohort(id=2, programme_id=1, name="C2", starts_on=date(2024, 9, 1),
                 ends_on=date(2025, 6, 30), planned_places=40),
    ])  # fmt: skip
    s.flush()
    people = ([(1, 10, SG.NURSING_MIDWIFERY)] * 20 + [(1, 10, SG.ESTATES_ANCILLARY)] * 2
              + [(2, None, SG.NURSING_MIDWIFERY)] * 10 + [(1, 10, SG.STUDENTS)] * 3
              + [(1, None, SG.PATIENT_CARER)] * 4)  # fmt: skip
    for pid, (org, d, g) in enumerate(people, start=1):
        s.add(m.Participant(id=pid, reference=f"P-{pid:04d}", organisation_id=org,
                            directorate_id=d, staff_group_code=g.value))
        s.flush()
        done = pid <= 10  # the first ten Medicine nurses completed
        s.add(m.Enrolment(id=pid, participant_id=pid, cohort_id=2,
                          status=EnrolmentStatus.COMPLETED if done else EnrolmentStatus.ENROLLED,
                          applied_on=date(2024, 8, 1), enrolled_on=date(2024, 9, 1),
                          completed_on=date(2025, 3, 1) if done else None))  # fmt: skip
    # Participant 1 first withdrew from C1, then re-enrolled in C2 (and completed there).
    s.add(m.Enrolment(id=100, participant_id=1, cohort_id=1, status=EnrolmentStatus.WITHDRAWN,
                      applied_on=date(2023, 12, 1), enrolled_on=date(2024, 1, 1),
                      withdrawn_on=date(2024, 2, 1)))  # fmt: skip
    # A Surgery nurse withdrew before starting; a Surgery porter's application is pending.
    s.add_all([
        m.Participant(id=90, reference="P-0090", organisation_id=1, directorate_id=11,
                      staff_group_code=SG.NURSING_MIDWIFERY.value),
        m.Participant(id=91, reference="P-0091", organisation_id=1, directorate_id=11,
                      staff_group_code=SG.ESTATES_ANCILLARY.value),
    ])  # fmt: skip
    s.flush()
    s.add_all([
        m.Enrolment(id=101, participant_id=90, cohort_id=2, status=EnrolmentStatus.WITHDRAWN,
                    applied_on=date(2024, 8, 1), withdrawn_on=date(2024, 8, 20)),
        m.Enrolment(id=102, participant_id=91, cohort_id=2, status=EnrolmentStatus.APPLIED,
                    applied_on=date(2024, 8, 1)),
    ])  # fmt: skip
    s.commit()


@pytest.fixture
def network(engine):
    with db.session_scope(engine) as s:
        _network(s)
    return engine


def _view(engine, viewer=ADMIN, f=None, threshold=1):
    vc = ViewContext(engine, viewer, f or Filters(), TODAY, small_number_threshold=threshold)
    return ev.build(vc, RULES)


def _row(table, key, value):
    return table[table[key] == value].iloc[0]


def test_representation_ratio_and_flag_by_staff_group(network):
    v = _view(network)
    t = v.staff_table
    # workforce 600 (Medicine 200, Surgery 200, Partner B's organisation-level 200);
    # 32 participants in groups with a headcount (students have none)
    assert v.overall_rate == pytest.approx(32 / 600)
    nurse = _row(t, "staff_group", SG.NURSING_MIDWIFERY.label)
    assert nurse["engaged"] == 30 and nurse["headcount"] == 400
    assert nurse["per_1000"] == pytest.approx(75.0)
    assert nurse["share_participants"] == pytest.approx(30 / 32)
    assert nurse["share_workforce"] == pytest.approx(400 / 600)
    assert nurse["representation"] == pytest.approx((30 / 32) / (400 / 600))
    assert not nurse["under_represented"]
    estates = _row(t, "staff_group", SG.ESTATES_ANCILLARY.label)
    assert estates["representation"] == pytest.approx((2 / 32) / (200 / 600))  # 0.1875
    assert estates["under_represented"] and estates["hard_to_reach"]
    students = _row(t, "staff_group", SG.STUDENTS.label)
    assert students["engaged"] == 3 and students["headcount"] == 0
    assert not students["under_represented"]
    assert v.baseline_text.startswith("Workforce baseline as at 31 Mar 2025")
    # patients are counted separately, with no denominator
    assert list(v.extracts["non_staff"].frame["Participants"]) == [4]


def test_directorate_without_participants_and_organisation_level_baseline(network):
    v = _view(network)
    d = v.extracts["directorate"].frame.set_index("Directorate")
    assert d.loc["Medicine (Trust A)", "Participants"] == 22
    assert d.loc["Surgery (Trust A)", "Participants"] == 0
    assert d.loc["Surgery (Trust A)", "Under-represented"] == "yes"
    assert d.loc["Medicine (Trust A)", "Representation ratio"] == pytest.approx(2.0)
    o = v.extracts["organisation"].frame.set_index("Organisation")
    assert o.loc["Partner B", "Headcount"] == 200 and o.loc["Partner B", "Participants"] == 10
    assert o.loc["Trust A", "Headcount"] == 400


def test_funnel_conversions_and_re_enrolment(network):
    v = _view(network)
    p = v.extracts["funnel_programme"].frame
    nurse = _row(p, "Staff group", SG.NURSING_MIDWIFERY.label)
    assert (nurse["Applied"], nurse["Enrolled"], nurse["Completed"]) == (31, 30, 10)
    assert nurse["Withdrew before starting"] == 1 and nurse["Withdrew after starting"] == 0
    assert nurse["Withdrew, then re-enrolled"] == 1
    assert nurse["Enrolled of applied"] == pytest.approx(round(100 * 30 / 31, 1))
    assert nurse["Completed of enrolled"] == pytest.approx(round(100 * 10 / 30, 1))
    c = v.extracts["funnel_cohort"].frame
    c1 = c[(c["Cohort"] == "C1") & (c["Staff group"] == SG.NURSING_MIDWIFERY.label)].iloc[0]
    assert (c1["Applied"], c1["Enrolled"], c1["Withdrew after starting"]) == (1, 1, 1)
    c2 = c[(c["Cohort"] == "C2") & (c["Staff group"] == SG.NURSING_MIDWIFERY.label)].iloc[0]
    assert (c2["Applied"], c2["Enrolled"], c2["Completed"]) == (31, 30, 10)
    porter = _row(p, "Staff group", SG.ESTATES_ANCILLARY.label)
    assert (porter["Applied"], porter["Enrolled"]) == (3, 2)


def test_directorate_viewer_sees_their_directorate_only(network):
    lead = Viewer("lead", Role.DIRECTORATE_LEAD, directorate_ids=frozenset({10}))
    v = _view(network, viewer=lead)
    assert v.overall_rate == pytest.approx(22 / 200)  # no organisation-level rows
    for x in v.extracts.values():
        text = to_csv_bytes(x.frame).decode("utf-8")
        assert "Surgery" not in text and "Partner B" not in text, x.name
    estates = _row(v.staff_table, "staff_group", SG.ESTATES_ANCILLARY.label)
    assert estates["representation"] == pytest.approx((2 / 22) / (100 / 200))


def test_small_numbers_suppressed_in_the_csv(network):
    v = _view(network, threshold=11)
    staff = v.extracts["staff"].frame.set_index("Staff group")
    assert staff["Participants"].isna()[SG.ESTATES_ANCILLARY.label]
    assert staff["Participants"].isna()[SG.STUDENTS.label]
    assert staff.loc[SG.NURSING_MIDWIFERY.label, "Participants"] == 30
    text = to_csv_bytes(v.extracts["funnel_cohort"].frame).decode("utf-8")
    assert ",1," not in text  # the single C1 withdrawal is hidden


def test_target_groups_narrow_the_denominator(network):
    with db.session_scope(network) as s:
        s.add(m.ProgrammeTargetGroup(programme_id=1, staff_group_code="estates_ancillary"))
        s.commit()
    v = _view(network, f=Filters(programme="Programme One"))
    assert v.targets == ("estates_ancillary",)
    assert v.overall_rate == pytest.approx(2 / 200)
    nurse = _row(v.staff_table, "staff_group", SG.NURSING_MIDWIFERY.label)
    assert not nurse["under_represented"]
    with db.session_scope(network) as s:
        assert s.scalar(sa.select(sa.func.count()).select_from(m.ProgrammeTargetGroup)) == 1


def test_medicine_lead_csv_bytes_hold_medicine_only(demo_sqlite_url):
    """On the demo network: every extract's bytes name no other directorate, and the counts
    add up to Medicine's own participants (nothing from elsewhere)."""
    engine = db.make_engine(demo_sqlite_url)
    try:
        with db.session_scope(engine) as s:
            med = s.execute(sa.select(m.Directorate.id).where(m.Directorate.name == "Medicine")
                            ).scalar_one()  # fmt: skip
            others = s.execute(sa.select(m.Directorate.name).where(m.Directorate.id != med)
                               ).scalars().all()  # fmt: skip
            staff_codes = [g.value for g in SG if g.is_staff]
            in_med = s.execute(
                sa.select(sa.func.count(sa.distinct(m.Participant.id)))
                .join(m.Enrolment, m.Enrolment.participant_id == m.Participant.id)
                .where(m.Participant.directorate_id == med, m.Enrolment.enrolled_on <= TODAY,
                       m.Participant.staff_group_code.in_(staff_codes))
            ).scalar_one()  # fmt: skip
        lead = Viewer("medicine.lead", Role.DIRECTORATE_LEAD, directorate_ids=frozenset({med}))
        v = _view(engine, viewer=lead, threshold=11)
        for x in v.extracts.values():
            text = to_csv_bytes(x.frame).decode("utf-8-sig")
            for name in others:
                assert f"{name} (" not in text and f",{name}," not in text, (x.name, name)
        staff = v.extracts["staff"].frame
        assert staff["Participants"].sum() <= in_med
        d = v.extracts["directorate"].frame
        assert list(d["Directorate"].str.split(" (", regex=False).str[0]) == ["Medicine"]
    finally:
        engine.dispose()
