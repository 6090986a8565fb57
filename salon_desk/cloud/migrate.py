"""Runs the cloud's Alembic history (`migrations/cloud`) from code: `salon-cloud migrate`, tests, the demo."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from salon_desk.config import resource_path

from .db import make_engine


def alembic_config() -> Config:
    config = Config()  # no ini file: the location is known and the URL comes from code
    config.set_main_option("script_location", str(resource_path("migrations", "cloud")))
    config.set_main_option("path_separator", "os")
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    engine = make_engine(database_url)
    try:
        upgrade_engine(engine, revision)
    finally:
        engine.dispose()


def upgrade_engine(engine: Engine, revision: str = "head") -> None:
    config = alembic_config()
    with engine.begin() as connection:  # one transaction: a failed upgrade leaves nothing half-done
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()
