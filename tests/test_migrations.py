"""Alembic migrations: upgrade head matches the models exactly, and downgrade base undoes it."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from alembic import command
from qinet import db
from qinet.models import Base

pytestmark = pytest.mark.db


def _diff(engine: sa.Engine) -> list:
    with engine.connect() as conn:
        ctx = MigrationContext.configure(
            conn, opts={"compare_type": True, "target_metadata": Base.metadata}
        )
        return compare_metadata(ctx, Base.metadata)


def test_upgrade_head_matches_models(db_url: str) -> None:
    engine = db.make_engine(db_url)
    try:
        db.create_schema(engine)
        tables = set(sa.inspect(engine).get_table_names())
        assert tables == set(Base.metadata.tables) | {"alembic_version"}
        assert len(Base.metadata.tables) == 30
        assert _diff(engine) == []
    finally:
        engine.dispose()


def test_upgrade_is_idempotent_and_records_head(db_url: str) -> None:
    engine = db.make_engine(db_url)
    try:
        db.create_schema(engine)
        db.create_schema(engine)
        with engine.connect() as conn:
            version = conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
        assert version == ScriptDirectory.from_config(db.alembic_config(engine)).get_current_head()
    finally:
        engine.dispose()


def test_indexes_and_constraints_are_created(db_url: str) -> None:
    engine = db.make_engine(db_url)
    try:
        db.create_schema(engine)
        insp = sa.inspect(engine)
        for table in Base.metadata.sorted_tables:
            want_ix = {ix.name for ix in table.indexes}
            have_ix = {ix["name"] for ix in insp.get_indexes(table.name)}
            assert want_ix <= have_ix, table.name
            want_fk = len(table.foreign_key_constraints)
            assert len(insp.get_foreign_keys(table.name)) == want_fk, table.name
        checks = {c["name"] for c in insp.get_check_constraints("observation")}
        assert "ck_observation_proportion_within_denominator" in checks
    finally:
        engine.dispose()


def test_downgrade_base_removes_everything(db_url: str) -> None:
    engine = db.make_engine(db_url)
    try:
        db.create_schema(engine)
        command.downgrade(db.alembic_config(engine), "base")
        assert set(sa.inspect(engine).get_table_names()) <= {"alembic_version"}
        db.create_schema(engine)  # and back up again
        assert _diff(engine) == []
    finally:
        engine.dispose()
