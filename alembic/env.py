"""Alembic environment for qinet.

Two ways in:

* from the app and tests, ``qinet.db.create_schema(engine)`` passes a live engine in
  ``config.attributes["engine"]``; logging is then left alone (the app owns it);
* from the command line (``alembic upgrade head``), the engine is built from the
  ``QINET_DATABASE_URL`` environment variable (default ``sqlite:///data/qinet.db``)
  with ``qinet.db.make_engine``, and ``alembic.ini``'s logging applies.

``render_as_batch`` lets ALTER-style migrations run on SQLite; ``compare_type``
makes autogenerate notice column type changes.
"""

from __future__ import annotations

import os
from logging.config import fileConfig

from alembic import context
from qinet.config import SETTINGS
from qinet.db import URL_SETTING, make_engine
from qinet.models import Base

config = context.config
target_metadata = Base.metadata


def _default_url() -> str:
    return next(s.default for s in SETTINGS if s.name == URL_SETTING)


def _configure_and_run(connection) -> None:  # noqa: ANN001
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_offline() -> None:
    """Emit SQL to stdout (``alembic upgrade head --sql``) without a connection."""
    url = os.environ.get(URL_SETTING, _default_url())
    context.configure(
        url=url,
        target_metadata=target_metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def _run_atomically(engine) -> None:  # noqa: ANN001
    """Every pending migration in one transaction: all of them are applied, or none.

    PostgreSQL's DDL is transactional as it is. SQLite's is too, but Python's sqlite3
    (before 3.12) opens a transaction only before INSERT/UPDATE/DELETE, so a CREATE or a
    batch rebuild would commit on its own and a failure half-way would leave a database
    that neither the old nor the new code can open: the transaction is begun explicitly.
    SQLite's batch mode rebuilds a table (copy, drop, rename), and dropping a table that
    other rows point at fails while foreign keys are enforced, so they are switched off
    for the run (a pragma that only works outside a transaction) and every key is checked
    before the commit.
    """
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            connection.exec_driver_sql("PRAGMA foreign_keys = OFF")
            connection.exec_driver_sql("BEGIN")
        try:
            _configure_and_run(connection)
            if sqlite:
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise RuntimeError(f"foreign keys broken by the migration: {broken[:3]}")
            connection.commit()
        except BaseException:
            connection.rollback()
            raise
        finally:
            if sqlite:
                connection.exec_driver_sql("PRAGMA foreign_keys = ON")
                connection.commit()


def run_migrations_online() -> None:
    """Run migrations on the engine passed in, or on the one named by QINET_DATABASE_URL."""
    engine = config.attributes.get("engine")
    if engine is not None:
        _run_atomically(engine)
        return
    if config.config_file_name is not None:
        fileConfig(config.config_file_name, disable_existing_loggers=False)
    engine = make_engine(os.environ.get(URL_SETTING, _default_url()))
    try:
        _run_atomically(engine)
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
