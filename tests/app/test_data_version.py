"""Cached results follow the data version: a write elsewhere shows on the next rerun.

The write here is made outside the app (as another replica or the command line would),
straight into the database. Until the version is bumped the page keeps its cached
figures (which shows the cache is really in use); after the bump the next rerun
recomputes them.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa

from qinet import db
from qinet.queries.version import bump_data_version

pytestmark = pytest.mark.app


@pytest.fixture
def db_copy(demo_sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A writable copy of the demo database, used by the app for this test."""
    dst = tmp_path / "qinet.db"
    shutil.copy(sa.make_url(demo_sqlite_url).database, dst)
    url = f"sqlite:///{dst}"
    monkeypatch.setenv("QINET_DATABASE_URL", url)
    return url


def _progress_score_rows(at) -> int:  # noqa: ANN001
    counts = next(df.value for df in at.dataframe if list(df.value.columns) == ["Table", "Rows"])
    return int(counts.set_index("Table").loc["progress_score", "Rows"])


def test_a_write_elsewhere_shows_after_the_version_bump(make_app, db_copy: str) -> None:
    at = make_app()
    at.switch_page("pages/data.py").run()
    assert not at.exception
    before = _progress_score_rows(at)

    engine = db.make_engine(db_copy)
    try:
        with db.session_scope(engine) as s:
            first = s.scalar(sa.text("SELECT min(id) FROM progress_score"))
            s.execute(sa.text("DELETE FROM progress_score WHERE id = :id"), {"id": first})
        at.run()
        assert _progress_score_rows(at) == before  # cached: nothing said the data changed

        with db.session_scope(engine) as s:
            bump_data_version(s)
        at.run()
        assert not at.exception
        assert _progress_score_rows(at) == before - 1
    finally:
        engine.dispose()


def test_the_version_is_checked_once_per_run(make_app, monkeypatch: pytest.MonkeyPatch) -> None:
    """Once through the router (the frame checks, the page does not), once on a page rerun.

    After its first run AppTest reruns only the page script, so the page's own context
    must check then, or a write elsewhere would never clear the cache in these tests.
    """
    from qinet.ui import cache

    calls: list[str] = []
    real = cache.follow_data_version

    def counted(url: str, eng: sa.Engine) -> None:
        calls.append(url)
        real(url, eng)

    monkeypatch.setattr(cache, "follow_data_version", counted)
    at = make_app(run=False)
    at.run()
    assert not at.exception
    assert len(calls) == 1  # app.py: frame() checked, the Overview page did not again
    at.switch_page("pages/measures.py").run()
    assert not at.exception
    assert len(calls) == 2
    at.run()
    assert len(calls) == 3
