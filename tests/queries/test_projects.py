"""Projects queries on both backends: the register's SQL counts, scoped reads, scoped writes."""

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from qinet import models as m
from qinet.access import Viewer
from qinet.domain import (
    ChartType,
    Frequency,
    ImprovementDirection,
    MeasureType,
    OrganisationType,
    ProgrammeKind,
    ProjectStatus,
    Role,
)
from qinet.errors import InvalidUpdateError, NotFoundError, NotPermittedError
from qinet.filters import Filters
from qinet.queries import projects as q

pytestmark = pytest.mark.db

START = date(2024, 1, 1)
ADMIN = Viewer("admin@x", Role.ADMIN)
AT = datetime(2025, 9, 30, 9, tzinfo=UTC)


@pytest.fixture
def world(session):
    """Two directorates with a project each; QI-1 has two scores and two measures."""
    org = m.Organisation(code="ORG", name="Trust", kind=OrganisationType.ACUTE_TRUST)
    session.add(org)
    session.flush()
    med = m.Directorate(organisation_id=org.id, code="MED", name="Medicine")
    sur = m.Directorate(organisation_id=org.id, code="SUR", name="Surgery")
    prog = m.Programme(code="PRG", name="Flow", kind=ProgrammeKind.COLLABORATIVE, starts_on=START)
    session.add_all([m.StaffGroupRef(code="estates_ancillary", label="Estates & Ancillary",
                                     is_staff=True, hard_to_reach=True, sort_order=1),
                     med, sur, prog])  # fmt: skip
    session.flush()
    lead = m.Participant(reference="P-1", organisation_id=org.id, directorate_id=med.id,
                         staff_group_code="estates_ancillary")  # fmt: skip
    session.add(lead)
    session.flush()
    ids = {"med": med.id, "sur": sur.id, "prog": prog.id}
    for code, d in (("QI-1", med), ("QI-2", sur)):
        p = m.Project(code=code, title=f"Project {code}", directorate_id=d.id,
                      programme_id=prog.id, status=ProjectStatus.TESTING, started_on=START,
                      lead_participant_id=lead.id if code == "QI-1" else None)  # fmt: skip
        session.add(p)
        session.flush()
        ids[code] = p.id
    for name in ("Waits", "Falls"):
        session.add(m.Measure(project_id=ids["QI-1"], name=name, measure_type=MeasureType.OUTCOME,
                              unit="", frequency=Frequency.MONTHLY, chart_type=ChartType.XMR,
                              improvement_direction=ImprovementDirection.DECREASE))  # fmt: skip
    session.add_all([
        m.ProgressScore(project_id=ids["QI-1"], scored_on=date(2025, 1, 1), score=1.5),
        m.ProgressScore(project_id=ids["QI-1"], scored_on=date(2025, 4, 1), score=2.5),
        m.ProjectMember(project_id=ids["QI-1"], participant_id=lead.id, team_role="lead"),
    ])  # fmt: skip
    session.commit()
    return ids


def test_register_counts_in_sql_and_names_the_leads_group(session, world):
    reg = q.register(session, ADMIN, Filters()).set_index("code")
    assert reg.loc["QI-1", "score"] == 2.5
    assert str(reg.loc["QI-1", "scored_on"]) == "2025-04-01"
    assert reg.loc["QI-1", "measures"] == 2 and reg.loc["QI-2", "measures"] == 0
    assert reg.loc["QI-1", "lead_staff_group"] == "Estates & Ancillary"
    assert bool(reg.loc["QI-1", "lead_hard_to_reach"]) is True
    assert pd_isna(reg.loc["QI-2", "score"])
    assert q.project_count(session, ADMIN, Filters()) == 2


def pd_isna(value) -> bool:
    import pandas as pd

    return bool(pd.isna(value))


def test_reads_are_scoped(session, world):
    med = Viewer("med@x", Role.VIEWER, directorate_ids=frozenset({world["med"]}))
    assert set(q.register(session, med, Filters())["code"]) == {"QI-1"}
    assert q.project_by_code(session, med, "QI-2") is None
    assert q.project_by_code(session, med, "QI-1")["lead_staff_group"] == "Estates & Ancillary"
    assert q.team(session, med, world["QI-2"]).empty
    assert q.project_scores(session, med, world["QI-2"]).empty
    assert len(q.project_scores(session, med, world["QI-1"])) == 2
    assert q.project_count(session, med, Filters()) == 1


def test_lead_records_score_and_status_with_history(session, world):
    lead = Viewer("med@x", Role.DIRECTORATE_LEAD, directorate_ids=frozenset({world["med"]}))
    q.record_update(session, lead, world["QI-1"], score=3.0, status="implementing",
                    note="Two measures shifted", on=date(2025, 9, 30), at=AT)  # fmt: skip
    session.commit()
    scores = q.project_scores(session, lead, world["QI-1"])
    assert list(scores["score"]) == [1.5, 2.5, 3.0]  # history kept
    ups = q.project_updates(session, lead, world["QI-1"])
    row = ups.iloc[0]
    assert (row["score"], row["previous_score"], row["status"], row["previous_status"],
            row["recorded_by"]) == (3.0, 2.5, "implementing", "testing", "med@x")  # fmt: skip
    status = session.execute(sa.select(m.Project.status).where(m.Project.id == world["QI-1"]))
    assert status.scalar() is ProjectStatus.IMPLEMENTING
    # a second score the same day replaces that day's score; both updates are kept
    q.record_update(session, lead, world["QI-1"], score=3.5, status=None, note="Recounted",
                    on=date(2025, 9, 30), at=AT)  # fmt: skip
    session.commit()
    assert list(q.project_scores(session, lead, world["QI-1"])["score"]) == [1.5, 2.5, 3.5]
    assert len(q.project_updates(session, lead, world["QI-1"])) == 2


def test_writes_are_scoped_and_refused_for_viewers(session, world):
    viewer = Viewer("v@x", Role.VIEWER, directorate_ids=frozenset({world["med"]}))
    with pytest.raises(NotPermittedError):
        q.record_update(session, viewer, world["QI-1"], score=3.0, status=None, note="x",
                        on=date(2025, 9, 30), at=AT)  # fmt: skip
    lead = Viewer("med@x", Role.DIRECTORATE_LEAD, directorate_ids=frozenset({world["med"]}))
    with pytest.raises(NotFoundError):  # another directorate's project
        q.record_update(session, lead, world["QI-2"], score=3.0, status=None, note="x",
                        on=date(2025, 9, 30), at=AT)  # fmt: skip
    other_prog = Viewer("p@x", Role.PROGRAMME_LEAD, programme_ids=frozenset({world["prog"] + 99}))
    with pytest.raises(NotFoundError):
        q.record_update(session, other_prog, world["QI-1"], score=3.0, status=None, note="x",
                        on=date(2025, 9, 30), at=AT)  # fmt: skip
    with pytest.raises(InvalidUpdateError, match="note is required"):
        q.record_update(session, lead, world["QI-1"], score=3.0, status=None, note="  ",
                        on=date(2025, 9, 30), at=AT)  # fmt: skip
    with pytest.raises(InvalidUpdateError, match="not on the IHI scale"):
        q.record_update(session, lead, world["QI-1"], score=3.2, status=None, note="x",
                        on=date(2025, 9, 30), at=AT)  # fmt: skip
    with pytest.raises(InvalidUpdateError, match="Nothing to record"):
        q.record_update(session, lead, world["QI-1"], score=2.5, status="testing", note="x",
                        on=date(2025, 9, 30), at=AT)  # fmt: skip
    session.rollback()
    assert session.scalar(sa.select(sa.func.count()).select_from(m.ProjectUpdate)) == 0
