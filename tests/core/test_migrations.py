"""Alembic: one head, and an upgraded empty database is exactly the models' schema."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import upgrade

from participation import create_app
from participation.extensions import db
from participation.migration_hooks import compare_type, include_object_for
from tests.conftest import TEST_DATABASE_URL, _need, base_config, fresh_pg_database

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"


def test_there_is_a_single_head():
    config = Config(str(MIGRATIONS / "alembic.ini"))
    config.set_main_option("script_location", str(MIGRATIONS))
    assert len(ScriptDirectory.from_config(config).get_heads()) == 1


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_upgrading_an_empty_database_gives_the_models_schema(backend, tmp_path):
    if backend == "postgresql":
        if not TEST_DATABASE_URL:
            _need("PostgreSQL (TEST_DATABASE_URL)")
        url = fresh_pg_database("_migrations")
    else:
        url = f"sqlite:///{tmp_path}/migrated.sqlite"
    app = create_app(base_config(url))
    with app.app_context():
        upgrade(directory=str(MIGRATIONS))
        with db.engine.connect() as connection:
            context = MigrationContext.configure(
                connection,
                opts={
                    "include_object": include_object_for(connection.dialect.name),
                    "compare_type": compare_type,
                    "target_metadata": db.metadata,
                },
            )
            diff = compare_metadata(context, db.metadata)
        db.engine.dispose()
    assert diff == []
