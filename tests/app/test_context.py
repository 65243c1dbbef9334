"""The page context carries scope, the synthetic flag and the engine loaders use."""

from datetime import date

import pytest

from qinet.access import Viewer
from qinet.config import load_settings
from qinet.domain import Role
from qinet.filters import Filters
from qinet.ui import cache
from qinet.ui.context import PageContext

pytestmark = pytest.mark.app


def test_the_context_engine_is_the_one_loaders_read(demo_sqlite_url):
    s = load_settings({"QINET_DATABASE_URL": demo_sqlite_url})
    assert cache.open_engine(s) is cache.engine_for(demo_sqlite_url)


def test_view_and_describe_carry_scope_and_synthetic_flag(demo_sqlite_url):
    s = load_settings({"QINET_DATABASE_URL": demo_sqlite_url})
    lead = Viewer("m@x", Role.DIRECTORATE_LEAD, directorate_ids=frozenset({1}))
    ctx = PageContext(cache.engine_for(demo_sqlite_url), s, lead, Filters(), date(2025, 3, 31),
                      True, "Medicine")  # fmt: skip
    assert ctx.describe() == "Medicine · All time"
    assert ctx.view.describe() == ctx.describe() and ctx.view.synthetic
    assert ctx.view.engine is ctx.engine
    assert ctx.view.small_number_threshold == s.small_number_threshold
    unscoped = PageContext(ctx.engine, s, lead, Filters(), ctx.today, False)
    assert unscoped.describe() == "Whole network · All time"
