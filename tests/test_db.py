"""Engine creation errors, session scope and first-start demo data (qinet.db)."""

from __future__ import annotations

import socket

import pytest
import sqlalchemy as sa

from qinet import db
from qinet.errors import DatabaseUnavailableError
from qinet.models import Base, DatasetInfo

pytestmark = pytest.mark.db


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize(
    "url",
    [
        "definitely not a url",
        "nosuchdialect://x/y",
    ],
)
def test_malformed_url_names_the_setting(url: str) -> None:
    with pytest.raises(DatabaseUnavailableError, match="QINET_DATABASE_URL"):
        db.make_engine(url)


def test_unreachable_postgresql_names_the_setting() -> None:
    url = f"postgresql+psycopg://postgres@127.0.0.1:{_free_port()}/qinet"
    with pytest.raises(DatabaseUnavailableError, match="QINET_DATABASE_URL") as info:
        db.make_engine(url)
    assert "cannot connect" in str(info.value)


def test_unwritable_folder_names_the_setting(tmp_path) -> None:
    # Tests run as root, where chmod does not stop writes: put the database under a file.
    blocker = tmp_path / "afile"
    blocker.write_text("not a folder")
    with pytest.raises(DatabaseUnavailableError, match="QINET_DATABASE_URL"):
        db.make_engine(f"sqlite:///{blocker / 'x.db'}")


def test_unwritable_proc_path_names_the_setting() -> None:
    with pytest.raises(DatabaseUnavailableError, match="QINET_DATABASE_URL"):
        db.make_engine("sqlite:////proc/qinet-test/x.db")


def test_session_scope_commits(engine) -> None:
    with db.session_scope(engine) as s:
        s.add(DatasetInfo(key="k", value="v"))
    with db.session_scope(engine) as s:
        assert s.get(DatasetInfo, "k").value == "v"


def test_session_scope_rolls_back_on_error(engine) -> None:
    with pytest.raises(RuntimeError), db.session_scope(engine) as s:
        s.add(DatasetInfo(key="k", value="v"))
        s.flush()
        raise RuntimeError("boom")
    with db.session_scope(engine) as s:
        assert s.get(DatasetInfo, "k") is None


def _counts(engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            t.name: conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one()
            for t in Base.metadata.sorted_tables
        }


def test_ensure_demo_data_is_idempotent(db_url: str) -> None:
    engine = db.make_engine(db_url)
    try:
        assert db.ensure_demo_data(engine, seed=7) is True
        first = _counts(engine)
        assert db.ensure_demo_data(engine, seed=7) is False
        assert _counts(engine) == first
        with db.session_scope(engine) as s:
            assert db.is_synthetic(s)
            assert not db.is_empty(s)
    finally:
        engine.dispose()


def test_empty_database_is_not_synthetic(session) -> None:
    assert db.is_empty(session)
    assert not db.is_synthetic(session)
