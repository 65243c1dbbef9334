"""The data-quality report's duplicate-period check against the demo data."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from qinet import models as m
from qinet.domain import ChartType, Frequency
from qinet.queries import dataquality

pytestmark = pytest.mark.db


def test_two_values_in_one_month_are_listed_but_events_are_not(demo_engine):
    with Session(demo_engine) as s:
        events = s.scalar(
            sa.select(sa.func.count())
            .select_from(m.Measure)
            .where(m.Measure.chart_type.in_([ChartType.T, ChartType.G]))
        )
        assert events  # the demo has t and g measures, several events in a month
        assert dataquality.duplicate_periods(s).empty
        measure = s.scalars(
            sa.select(m.Measure)
            .where(m.Measure.chart_type == ChartType.XMR, m.Measure.frequency == Frequency.MONTHLY)
            .order_by(m.Measure.id)
        ).first()
        last = s.scalar(
            sa.select(sa.func.max(m.Observation.period_start)).where(
                m.Observation.measure_id == measure.id
            )
        )
        s.add(m.Observation(measure_id=measure.id, period_start=last + timedelta(days=9), value=1))
        s.flush()
        name = measure.name
        found = dataquality.duplicate_periods(s)
        s.rollback()  # the shared demo file is left as it was
    assert found[["Measure", "Observations"]].values.tolist() == [[name, 2]]
