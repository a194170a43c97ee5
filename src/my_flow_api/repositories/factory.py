"""Opening the store and keeping its SQL schema current.

- `create_store(settings)`: the store the app runs on. MongoDB when `MONGODB_URI` is set;
  otherwise the SQL store on `settings.database_url`. The embedded SQLite default is
  migrated automatically (its folder is created too); PostgreSQL is never migrated here:
  a schema behind the code is a `ConfigError` telling the operator to run
  `my-flow db upgrade`.
- `upgrade_database(url)`: apply every pending Alembic migration (the CLI's `db upgrade`).
- `alembic_config(url)`: the Alembic configuration, built in code (no alembic.ini).
"""

from __future__ import annotations

import sys
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection, make_url

from my_flow_api import migrations
from my_flow_api.config import ConfigError, Settings
from my_flow_api.repositories.protocols import Store
from my_flow_api.repositories.sql.engine import Database, is_sqlite, make_engine
from my_flow_api.repositories.sql.store import SqlStore

MIGRATIONS_DIR = Path(migrations.__file__).resolve().parent
SCHEMA_BEHIND = (
    "DATABASE_URL: database schema is not at the latest revision; run `my-flow db upgrade`"
)
SCHEMA_UNKNOWN = (
    "DATABASE_URL: database schema is at a revision this version does not know "
    "(written by a newer release?); upgrade the service"
)
# Serialises concurrent `upgrade_database` runs against one PostgreSQL database.
_MIGRATION_LOCK_KEY = 7_346_129_001


def alembic_config(url: str) -> Config:
    """Alembic settings for the packaged migrations against `url`.

    The URL travels in `config.attributes["url"]` (not the ini options, whose `%`
    interpolation would mangle escaped passwords).
    """
    config = Config(stdout=sys.stdout)  # the current stdout, not the one at import time
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("file_template", "%%(rev)s_%%(slug)s")
    config.attributes["url"] = url
    return config


async def upgrade_database(url: str) -> None:
    """Apply every pending migration to the database at `url`, in one transaction.

    For SQLite the folder of the database file is created if needed. Raises
    `StoreUnavailableError` when the server cannot be reached.
    """
    if is_sqlite(url):
        _ensure_sqlite_folder(url)
    engine = make_engine(url, pooled=False)
    try:
        async with Database(engine).write() as conn:
            await conn.run_sync(_upgrade, alembic_config(url))
    finally:
        await engine.dispose()


def _upgrade(connection: Connection, config: Config) -> None:
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_MIGRATION_LOCK_KEY})")
    config.attributes["connection"] = connection
    command.upgrade(config, "head")


async def check_schema(url: str) -> None:
    """Raise `ConfigError` unless the database at `url` is at the latest revision."""
    config = alembic_config(url)
    expected = set(ScriptDirectory.from_config(config).get_heads())
    engine = make_engine(url, pooled=False)
    try:
        async with Database(engine).read() as conn:
            current = set(await conn.run_sync(_current_heads))
    finally:
        await engine.dispose()
    if current == expected:
        return
    script = ScriptDirectory.from_config(config)
    known = all(_is_known(script, revision) for revision in current)
    raise ConfigError(SCHEMA_BEHIND if known else SCHEMA_UNKNOWN)


def _current_heads(connection: Connection) -> tuple[str, ...]:
    return tuple(MigrationContext.configure(connection).get_current_heads())


def _is_known(script: ScriptDirectory, revision: str) -> bool:
    try:
        return script.get_revision(revision) is not None
    except Exception:  # alembic raises several error types for an unknown revision id
        return False


async def create_store(settings: Settings) -> Store:
    """Open the configured store, ready to use (see the module docstring).

    Raises `ConfigError` for a PostgreSQL schema that is not current and
    `StoreUnavailableError` when the database cannot be reached.
    """
    if settings.MONGODB_URI is not None:
        from my_flow_api.repositories.mongo.store import MongoStore

        return await MongoStore.connect(settings)
    url = settings.database_url
    if settings.uses_embedded_database:
        await upgrade_database(url)
    else:
        await check_schema(url)
    return SqlStore.from_url(url)


def _ensure_sqlite_folder(url: str) -> None:
    database = make_url(url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
