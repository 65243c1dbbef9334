"""Monthly data entry: scope, validation, audit and undo (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from qinet import db
from qinet.access import Viewer
from qinet.domain import Role
from qinet.errors import NotFoundError, NotPermittedError
from qinet.imports.problems import ImportRejected
from qinet.models import Directorate, ImportLog, Measure, Observation
from qinet.queries import entry
from qinet.queries.version import data_version
from tests.imports.helpers import load_examples

pytestmark = pytest.mark.db


def _ids(engine):
    with engine.connect() as c:
        mid = c.scalar(sa.select(Measure.id))
        did = c.scalar(sa.select(Directorate.id))
    return mid, did


def test_lead_enters_corrects_and_undoes(engine):
    load_examples(engine, upto="observations")
    mid, did = _ids(engine)
    lead = Viewer("lead@x", Role.DIRECTORATE_LEAD, directorate_ids=frozenset({did}))
    with db.session_scope(engine) as s:
        done = entry.enter(
            s, lead, mid, date(2024, 9, 17), numerator="5", denominator="2000", note="<i>new</i>"
        )
    assert done.added and done.period_start == date(2024, 9, 1)
    with db.session_scope(engine) as s:
        fixed = entry.enter(s, lead, mid, date(2024, 9, 2), numerator="6", denominator="2000")
    assert not fixed.added
    with engine.connect() as c:
        assert (
            c.scalar(
                sa.select(Observation.numerator).where(Observation.period_start == date(2024, 9, 1))
            )
            == 6
        )
        assert (
            c.scalar(
                sa.select(sa.func.count()).select_from(ImportLog).where(ImportLog.kind == "entry")
            )
            == 2
        )
        version = data_version(c)
    with db.session_scope(engine) as s:
        entry.undo_last(s, lead)
    with engine.connect() as c:
        assert (
            c.scalar(
                sa.select(Observation.numerator).where(Observation.period_start == date(2024, 9, 1))
            )
            == 5
        )
        assert data_version(c) == version + 1
    with db.session_scope(engine) as s:
        entry.undo_last(s, lead)
    with engine.connect() as c:
        assert c.scalar(sa.select(sa.func.count()).select_from(Observation)) == 1  # template row
    with db.session_scope(engine) as s, pytest.raises(NotFoundError):
        entry.undo_last(s, lead)


def test_same_validation_and_scope(engine):
    load_examples(engine, upto="observations")
    mid, did = _ids(engine)
    lead = Viewer("lead@x", Role.DIRECTORATE_LEAD, directorate_ids=frozenset({did}))
    with db.session_scope(engine) as s, pytest.raises(ImportRejected) as caught:
        entry.enter(s, lead, mid, date(2024, 9, 1), numerator="many", denominator="0")
    reasons = " ".join(str(p) for p in caught.value.problems)
    assert "'many' is not a number" in reasons and "denominator must be above 0" in reasons
    other = Viewer("other@x", Role.DIRECTORATE_LEAD, directorate_ids=frozenset({did + 999}))
    with db.session_scope(engine) as s, pytest.raises(NotFoundError):
        entry.enter(s, other, mid, date(2024, 9, 1), numerator="1", denominator="10")
    viewer = Viewer("v@x", Role.VIEWER, directorate_ids=frozenset({did}))
    with db.session_scope(engine) as s, pytest.raises(NotPermittedError):
        entry.enter(s, viewer, mid, date(2024, 9, 1), numerator="1", denominator="10")
