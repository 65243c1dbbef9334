"""Engine creation, session lifecycle, schema migration and first-start demo data.

Only this module opens and closes sessions (``session_scope``); queries take a
``Session`` and never manage its lifecycle.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from qinet.errors import DatabaseUnavailableError

URL_SETTING = "QINET_DATABASE_URL"
PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _sqlite_path(url: sa.URL) -> Path | None:
    """The file behind a SQLite URL (relative paths resolve against the project root)."""
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    path = Path(url.database)
    return path if path.is_absolute() else PROJECT_ROOT / path


def make_engine(url: str) -> Engine:
    """Create an engine for ``url`` and check that it answers.

    A relative SQLite path is resolved against the project root, and its folder
    is created, so ``sqlite:///data/qinet.db`` works from any working directory.

    Args:
        url: A SQLAlchemy URL (``sqlite:///…`` or ``postgresql+psycopg://…``).

    Returns:
        A connected, pinged ``Engine``.

    Raises:
        DatabaseUnavailableError: The URL is malformed, the folder is not
            writable or the server cannot be reached; the message names the setting.
    """
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise DatabaseUnavailableError(
            URL_SETTING, f"cannot parse {url!r} as a database URL"
        ) from None
    path = _sqlite_path(parsed)
    kwargs: dict = {"pool_pre_ping": True}
    if path is not None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise DatabaseUnavailableError(
                URL_SETTING, f"cannot create folder {path.parent} ({exc.strerror})"
            ) from None
        if path.exists() and not _writable(path):
            raise DatabaseUnavailableError(
                URL_SETTING, f"database file {path} is not writable"
            )
        if not path.exists() and not _writable(path.parent):
            raise DatabaseUnavailableError(URL_SETTING, f"folder {path.parent} is not writable")
        parsed = parsed.set(database=str(path))
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
    try:
        engine = sa.create_engine(parsed, **kwargs)
    except (ArgumentError, ModuleNotFoundError) as exc:
        raise DatabaseUnavailableError(URL_SETTING, f"unsupported database URL ({exc})") from None
    if path is not None:
        sa.event.listen(engine, "connect", _sqlite_pragmas)
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
    except SQLAlchemyError as exc:
        engine.dispose()
        reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
        where = parsed.render_as_string(hide_password=True)
        raise DatabaseUnavailableError(
            URL_SETTING, f"cannot connect to {where}: {reason}"
        ) from None
    return engine


def _writable(path: Path) -> bool:
    import os

    return os.access(path, os.W_OK)


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # noqa: ANN001
    """Enforce foreign keys in SQLite (off by default) and allow concurrent readers."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any exception.

    Args:
        engine: The engine to bind.

    Yields:
        A ``Session`` with ``expire_on_commit=False`` so loaded values outlive it.
    """
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def alembic_config(engine: Engine):  # noqa: ANN201 - alembic.config.Config
    """An Alembic ``Config`` for this project's migrations, bound to ``engine``."""
    from alembic.config import Config

    cfg = Config(str(PROJECT_ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(PROJECT_ROOT / "alembic"))
    cfg.attributes["engine"] = engine
    return cfg


def create_schema(engine: Engine) -> None:
    """Bring the schema to the latest migration (``alembic upgrade head``).

    Args:
        engine: The database to migrate.

    Raises:
        DatabaseUnavailableError: The migration could not be applied.
    """
    from alembic import command

    try:
        command.upgrade(alembic_config(engine), "head")
    except OperationalError as exc:
        reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
        raise DatabaseUnavailableError(URL_SETTING, f"cannot create the schema: {reason}") from None
    if engine.dialect.name == "sqlite" and engine.url.database not in (None, "", ":memory:"):
        # Migrations run with SQLite's foreign keys off (alembic/env.py turns them back on
        # afterwards); fresh connections get every pragma from the connect hook regardless.
        engine.dispose()


def is_empty(session: Session) -> bool:
    """True when no organisation has been loaded yet (a brand-new database)."""
    from qinet.models import Organisation

    return session.scalar(sa.select(sa.func.count()).select_from(Organisation)) == 0


def ensure_demo_data(engine: Engine, seed: int) -> bool:
    """Create the schema and, if the database is empty, the synthetic demo data.

    Args:
        engine: Target database.
        seed: Seed for ``qinet.demo`` (same seed, same data).

    Returns:
        True when demo data was created by this call.
    """
    from qinet import demo

    create_schema(engine)
    with session_scope(engine) as session:
        if not is_empty(session):
            return False
        demo.build(session, seed=seed, scale="small")
    return True


def is_synthetic(session: Session) -> bool:
    """True when the database holds qinet's synthetic demo data."""
    from qinet.models import DatasetInfo

    value = session.get(DatasetInfo, "synthetic")
    return value is not None and value.value == "true"
