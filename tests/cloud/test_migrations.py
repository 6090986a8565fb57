"""The Alembic history builds exactly the tables the code declares, with every constraint named."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from salon_desk.cloud.db import make_engine
from salon_desk.cloud.migrate import current_revision, head_revision, upgrade_engine
from salon_desk.cloud.rows import metadata


def test_the_migrated_schema_matches_the_rows(cloud_database_url):
    engine = make_engine(cloud_database_url)
    try:
        assert current_revision(engine) == head_revision()
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, metadata) == []
    finally:
        engine.dispose()


def test_every_constraint_has_a_name(cloud_database_url):
    engine = make_engine(cloud_database_url)
    try:
        schema = inspect(engine)
        unnamed = []
        for table in metadata.sorted_tables:
            found = [
                schema.get_pk_constraint(table.name),
                *schema.get_foreign_keys(table.name),
                *schema.get_unique_constraints(table.name),
                *schema.get_check_constraints(table.name),
                *schema.get_indexes(table.name),
            ]
            unnamed += [f"{table.name}: {item}" for item in found if not item.get("name")]
        assert unnamed == []
        assert {c["name"] for c in schema.get_check_constraints("device")} == {"ck_device_role"}
    finally:
        engine.dispose()


def test_downgrade_to_base_and_back(cloud_database_url):
    from alembic import command

    from salon_desk.cloud.migrate import alembic_config

    engine = make_engine(cloud_database_url)
    try:
        config = alembic_config()
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, "base")
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        upgrade_engine(engine)
        assert {t.name for t in metadata.sorted_tables} <= set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
