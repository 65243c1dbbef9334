"""Event attendance queries: the staff-group filter keeps exactly that group's rows."""

import pytest

from qinet import db
from qinet.access import Viewer
from qinet.domain import Role
from qinet.filters import Filters
from qinet.queries import network as q
from qinet.queries.engagement import staff_groups

pytestmark = pytest.mark.db

ADMIN = Viewer("admin", Role.ADMIN)


def test_staff_group_filter_keeps_only_that_groups_attendance(demo_engine):
    with db.session_scope(demo_engine) as s:
        every = q.attendance_by_staff_group(s, ADMIN, Filters(), None, None)
        busiest = every.sort_values("named", ascending=False).iloc[0]
        label = staff_groups(s).set_index("staff_group_code").loc[busiest["staff_group_code"], "staff_group"]
        only = q.attendance_by_staff_group(s, ADMIN, Filters(staff_group=label), None, None)
    assert len(every) > 1 and busiest["named"] + busiest["counted"] > 0
    assert only["staff_group_code"].tolist() == [busiest["staff_group_code"]]
    assert only[["named", "people", "counted"]].iloc[0].tolist() == \
        busiest[["named", "people", "counted"]].tolist()  # fmt: skip
