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
        assert len(Base.metadata.tables) == 33  # 0009 adds pack_commentary
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


def _row(conn: sa.Connection, table: str, **values: object) -> None:
    """Insert with exactly these columns (the models' newer columns may not exist yet)."""
    conn.execute(sa.insert(sa.table(table, *map(sa.column, values))).values(**values))


def _org_directorate_group(c: sa.Connection, group: str = "nursing", *,
                           hard_to_reach: bool = False) -> None:
    """Organisation 1, its directorate 1 (Medicine) and one staff group."""
    _row(c, "organisation", id=1, code="O", name="Org", kind="acute_trust")
    _row(c, "directorate", id=1, organisation_id=1, code="D", name="Medicine")
    _row(c, "staff_group", code=group, label=group.replace("_", " ").capitalize(),
         is_staff=True, hard_to_reach=hard_to_reach, sort_order=1)  # fmt: skip


def test_0003_keeps_existing_measures_and_observations(db_url: str) -> None:
    """Upgrading a database with data: rows survive, foreign keys hold, rates default to 1."""
    from datetime import date

    engine = db.make_engine(db_url)
    try:
        command.upgrade(db.alembic_config(engine), "0001")
        with engine.begin() as c:
            _row(c, "organisation", id=1, code="O", name="Org", kind="acute_trust")
            _row(c, "directorate", id=1, organisation_id=1, code="D", name="Medicine")
            _row(c, "project", id=1, code="QI-1", title="Falls", aim="", directorate_id=1,
                 status="testing", started_on=date(2024, 1, 1))  # fmt: skip
            _row(c, "measure", id=1, project_id=1, name="Falls", definition="", unit="",
                 measure_type="outcome", frequency="monthly", chart_type="u",
                 improvement_direction="decrease")  # fmt: skip
            _row(c, "observation", id=1, measure_id=1, chart_type="u",
                 period_start=date(2024, 1, 1), numerator=3, denominator=2900)  # fmt: skip
        db.create_schema(engine)
        with engine.connect() as c:
            assert c.execute(sa.text("SELECT count(*) FROM observation")).scalar() == 1
            assert c.execute(sa.text("SELECT multiplier FROM measure")).scalar() == 1
            if engine.dialect.name == "sqlite":
                assert c.execute(sa.text("PRAGMA foreign_keys")).scalar() == 1
                assert c.execute(sa.text("PRAGMA foreign_key_check")).fetchall() == []
        with engine.begin() as c:  # the new chart types and the multiplier are accepted
            c.execute(sa.text("UPDATE measure SET multiplier = 1000"))
            _row(c, "measure", id=2, project_id=1, name="Days between", definition="",
                 unit="days", measure_type="outcome", frequency="monthly", chart_type="t",
                 improvement_direction="increase", multiplier=1)  # fmt: skip
        with pytest.raises(sa.exc.IntegrityError), engine.begin() as c:
            c.execute(sa.text("UPDATE measure SET multiplier = 1000 WHERE id = 2"))  # not a rate
        assert _diff(engine) == []
    finally:
        engine.dispose()


def test_0004_keeps_workforce_baselines_and_observations(db_url: str) -> None:
    """Upgrading a database with data: baselines and values survive; FTE and ghosts default."""
    from datetime import date

    engine = db.make_engine(db_url)
    try:
        command.upgrade(db.alembic_config(engine), "0003")
        with engine.begin() as c:
            _org_directorate_group(c)
            _row(c, "workforce_baseline", id=1, organisation_id=1, directorate_id=1,
                 staff_group_code="nursing", as_at=date(2024, 3, 31), headcount=420)  # fmt: skip
            _row(c, "project", id=1, code="QI-1", title="Falls", aim="", directorate_id=1,
                 status="testing", started_on=date(2024, 1, 1))  # fmt: skip
            _row(c, "measure", id=1, project_id=1, name="Falls", definition="", unit="",
                 measure_type="outcome", frequency="monthly", chart_type="c",
                 improvement_direction="decrease", multiplier=1)  # fmt: skip
            _row(c, "observation", id=1, measure_id=1, chart_type="c",
                 period_start=date(2024, 1, 1), value=4)  # fmt: skip
        db.create_schema(engine)
        with engine.connect() as c:
            base = c.execute(sa.text("SELECT headcount, fte FROM workforce_baseline")).one()
            assert tuple(base) == (420, None)
            assert not c.execute(sa.text("SELECT ghosted FROM observation")).scalar()
            assert c.execute(sa.text("SELECT version FROM data_version")).scalar() == 0
            if engine.dialect.name == "sqlite":
                assert c.execute(sa.text("PRAGMA foreign_key_check")).fetchall() == []
        with engine.begin() as c:  # an organisation-level, FTE-only baseline is accepted
            _row(c, "workforce_baseline", id=2, organisation_id=1, staff_group_code="nursing",
                 as_at=date(2025, 3, 31), fte=380.5)  # fmt: skip
        with pytest.raises(sa.exc.IntegrityError), engine.begin() as c:  # but not an empty one
            _row(c, "workforce_baseline", id=3, organisation_id=1, staff_group_code="nursing",
                 as_at=date(2025, 4, 30))  # fmt: skip
        assert _diff(engine) == []
    finally:
        engine.dispose()


def test_0008_keeps_workforce_baselines_and_allows_organisation_level(db_url: str) -> None:
    """Upgrading a database with baselines: rows survive; directorate may then be empty."""
    from datetime import date

    engine = db.make_engine(db_url)
    try:
        command.upgrade(db.alembic_config(engine), "0003")
        with engine.begin() as c:
            _org_directorate_group(c, "admin_clerical", hard_to_reach=True)
            _row(c, "workforce_baseline", id=1, organisation_id=1, directorate_id=1,
                 staff_group_code="admin_clerical", as_at=date(2025, 3, 31), headcount=120)
        db.create_schema(engine)
        with engine.begin() as c:
            assert c.execute(sa.text("SELECT headcount FROM workforce_baseline")).scalar() == 120
            _row(c, "workforce_baseline", id=2, organisation_id=1, directorate_id=None,
                 staff_group_code="admin_clerical", as_at=date(2025, 3, 31), headcount=40)
            if engine.dialect.name == "sqlite":
                assert c.execute(sa.text("PRAGMA foreign_key_check")).fetchall() == []
        assert _diff(engine) == []
    finally:
        engine.dispose()


def _survey_with_an_answer(c: sa.Connection) -> None:
    """One survey, wave, question, response and answer (the columns of revision 0004)."""
    from datetime import date

    _org_directorate_group(c)
    _row(c, "survey", id=1, name="QI skills", kind="capability", anonymous=False,
         scale_min=1, scale_max=5)  # fmt: skip
    _row(c, "survey_question", id=1, survey_id=1, code="Q1", text="I can draw a run chart",
         position=1, reverse_scored=False)  # fmt: skip
    _row(c, "survey_wave", id=1, survey_id=1, kind="pre", name="Pre", opens_on=date(2025, 1, 6))
    _row(c, "survey_response", id=1, wave_id=1, staff_group_code="nursing", directorate_id=1,
         submitted_on=date(2025, 1, 7))  # fmt: skip
    _row(c, "survey_answer", response_id=1, question_id=1, value=4)


def test_0010_keeps_survey_responses_that_answers_point_at(db_url: str) -> None:
    """0010 rebuilds survey_response on SQLite while survey_answer rows point at it.

    With SQLite's foreign keys enforced, the rebuild's DROP TABLE failed half-way through
    the upgrade (found on a demo-sized database upgraded from 0004).
    """
    engine = db.make_engine(db_url)
    try:
        command.upgrade(db.alembic_config(engine), "0004")
        engine.dispose()  # a later start: fresh connections, foreign keys enforced
        with engine.begin() as c:
            _survey_with_an_answer(c)
            if engine.dialect.name == "sqlite":
                assert c.execute(sa.text("PRAGMA foreign_keys")).scalar() == 1
        db.create_schema(engine)
        with engine.connect() as c:
            assert c.execute(sa.text("SELECT count(*) FROM survey_answer")).scalar() == 1
            assert c.execute(sa.text("SELECT reference FROM survey_response")).scalar() is None
            if engine.dialect.name == "sqlite":
                assert c.execute(sa.text("PRAGMA foreign_keys")).scalar() == 1
                assert c.execute(sa.text("PRAGMA foreign_key_check")).fetchall() == []
        assert _diff(engine) == []
    finally:
        engine.dispose()


def test_a_failed_upgrade_leaves_the_database_as_it_was(db_url: str) -> None:
    """All pending migrations or none: 0009 succeeds, then the run fails, 0009 is undone too.

    The database then still opens with the code of its own revision and can be upgraded
    once the cause is removed (before, SQLite kept 0009's table under revision 0004, and
    every later upgrade stopped on "table pack_commentary already exists").
    """
    engine = db.make_engine(db_url)
    sqlite = engine.dialect.name == "sqlite"
    try:
        command.upgrade(db.alembic_config(engine), "0004")
        with engine.begin() as c:
            _survey_with_an_answer(c)
        if sqlite:  # an answer to a response that is not there: caught before the commit
            raw = engine.raw_connection()
            try:
                raw.execute("PRAGMA foreign_keys = OFF")
                raw.execute("INSERT INTO survey_answer VALUES (99, 1, 3)")
                raw.commit()
            finally:
                raw.close()
        else:  # what 0010 adds is already there: PostgreSQL stops at its ALTER
            with engine.begin() as c:
                c.execute(sa.text("ALTER TABLE survey_response ADD COLUMN reference VARCHAR(60)"))
        with pytest.raises(Exception, match="foreign keys broken" if sqlite else "reference"):
            db.create_schema(engine)
        with engine.connect() as c:
            assert c.execute(sa.text("SELECT version_num FROM alembic_version")).scalar() == "0004"
            assert "pack_commentary" not in sa.inspect(c).get_table_names()
            assert c.execute(sa.text("SELECT count(*) FROM survey_response")).scalar() == 1
        with engine.begin() as c:  # the cause removed, the same upgrade goes through
            if sqlite:
                c.execute(sa.text("DELETE FROM survey_answer WHERE response_id = 99"))
            else:
                c.execute(sa.text("ALTER TABLE survey_response DROP COLUMN reference"))
        db.create_schema(engine)
        assert _diff(engine) == []
    finally:
        engine.dispose()
