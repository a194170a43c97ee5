"""The SQL backend itself: migrations, the schema check, SQLite settings, an absent server.

SQLite's transactions (threads, locking, rollback) are in `test_sqlite_engine.py`."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

from my_flow_api.config import ConfigError, Settings, load_settings
from my_flow_api.errors import StoreUnavailableError
from my_flow_api.migrations.__main__ import main as migrations_cli
from my_flow_api.models.common import PageParams
from my_flow_api.models.context import ContextCreate
from my_flow_api.models.conversation import (
    ConversationOutcome,
    ConversationStatus,
    Message,
    MessageRole,
)
from my_flow_api.models.flow import FlowCreate
from my_flow_api.repositories.factory import check_schema, create_store, upgrade_database
from my_flow_api.repositories.sql import SqlStore
from my_flow_api.repositories.sql.tables import metadata

pytestmark = pytest.mark.integration

TABLES = {"alembic_version", "contexts", "flows", "conversations", "messages", "flow_changes"}
SECRET = "hunter2-secret"


def settings_for(url: str, tmp_path: Path) -> Settings:
    return load_settings(DATA_DIR=tmp_path, DATABASE_URL=url, MONGODB_URI=None, _env_file=None)


@pytest.fixture(
    params=[
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
    ]
)
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of a database without any schema, on each SQL backend."""
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path}/not/yet/there/db.sqlite"
    url: str = request.getfixturevalue("empty_postgres_url")
    return url


@pytest.fixture
def closed_port() -> int:
    """A local TCP port nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def _schema(connection: Connection) -> dict[str, Any]:
    diffs = compare_metadata(MigrationContext.configure(connection), metadata)
    return {"tables": set(inspect(connection).get_table_names()), "diffs": diffs}


async def test_upgrade_from_empty_builds_the_schema_of_the_tables(empty_url: str) -> None:
    await upgrade_database(empty_url)
    await upgrade_database(empty_url)  # a second run has nothing to do
    await check_schema(empty_url)
    store = SqlStore.from_url(empty_url)
    try:
        async with store.engine.connect() as conn:
            schema = await conn.run_sync(_schema)
    finally:
        await store.close()
    assert schema["tables"] == TABLES
    assert schema["diffs"] == []


async def test_postgres_behind_is_a_config_error_until_upgraded(
    empty_postgres_url: str, tmp_path: Path
) -> None:
    settings = settings_for(empty_postgres_url, tmp_path)
    with pytest.raises(ConfigError, match=r"not at the latest revision; run `my-flow db upgrade`"):
        await create_store(settings)
    await upgrade_database(empty_postgres_url)
    store = await create_store(settings)
    try:
        assert await store.ping() is True
    finally:
        await store.close()


async def test_postgres_at_an_unknown_revision_is_a_config_error(empty_postgres_url: str) -> None:
    await upgrade_database(empty_postgres_url)
    store = SqlStore.from_url(empty_postgres_url)
    try:
        async with store.engine.begin() as conn:
            await conn.execute(text("UPDATE alembic_version SET version_num = 'ffffffff'"))
    finally:
        await store.close()
    with pytest.raises(ConfigError, match="does not know"):
        await check_schema(empty_postgres_url)


async def test_the_embedded_default_is_created_and_migrated(tmp_path: Path) -> None:
    data_dir = tmp_path / "a" / "b"
    settings = load_settings(DATA_DIR=data_dir, DATABASE_URL=None, MONGODB_URI=None, _env_file=None)
    store = await create_store(settings)
    assert isinstance(store, SqlStore)
    try:
        assert (data_dir / "my_flow.db").is_file()
        async with store.engine.connect() as conn:
            assert (await conn.execute(text("PRAGMA foreign_keys"))).scalar() == 1
            assert (await conn.execute(text("PRAGMA journal_mode"))).scalar() == "wal"
        assert await store.ping() is True
    finally:
        await store.close()


async def test_an_unreachable_server_is_unavailable(closed_port: int, tmp_path: Path) -> None:
    url = f"postgresql+asyncpg://postgres:{SECRET}@127.0.0.1:{closed_port}/my_flow"
    store = SqlStore.from_url(url)
    calls = [
        store.contexts.create("u", ContextCreate(name="x")),
        store.contexts.list("u", PageParams()),
        store.flows.create("u", "c", FlowCreate(title="x")),
        store.flows.get_by_id("f", "u"),
        store.conversations.finish("c", "u", ConversationOutcome(status=ConversationStatus.FAILED)),
        upgrade_database(url),
        create_store(settings_for(url, tmp_path)),
    ]
    try:
        for call in calls:
            with pytest.raises(StoreUnavailableError) as caught:
                await call
            assert SECRET not in str(caught.value)
            assert str(closed_port) not in str(caught.value)
            assert caught.value.__cause__ is None
        assert await store.ping() is False
    finally:
        await store.close()


def test_the_migrations_command_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("MONGODB_URI", raising=False)
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path}/cli.db")
    migrations_cli(["upgrade", "head", "--sql"])
    assert "CREATE TABLE contexts" in capsys.readouterr().out
    migrations_cli(["upgrade", "head"])
    migrations_cli(["current"])
    assert "0002 (head)" in capsys.readouterr().out


async def test_an_in_memory_database_can_be_migrated() -> None:
    await upgrade_database("sqlite+aiosqlite:///:memory:")


@pytest.mark.postgres
async def test_other_database_errors_are_not_reported_as_unavailable(
    postgres_store: SqlStore,
) -> None:
    ctx = await postgres_store.contexts.create("u", ContextCreate(name="x"))
    too_long = FlowCreate.model_construct(title="x" * 300, context_id=None)
    with pytest.raises(DBAPIError):
        await postgres_store.flows.create("u", ctx.id, too_long)
    assert await postgres_store.ping() is True


@pytest.mark.postgres
async def test_a_stream_started_while_its_context_is_deleted_stores_nothing(
    postgres_store: SqlStore, postgres_db: str
) -> None:
    ctx = await postgres_store.contexts.create("u", ContextCreate(name="x"))
    deleter = await asyncpg.connect(postgres_db.replace("postgresql+asyncpg", "postgresql"))
    try:
        deleting = deleter.transaction()
        await deleting.start()
        await deleter.execute("DELETE FROM contexts WHERE id = $1", ctx.id)
        message = Message(role=MessageRole.USER, content="hi")
        start = asyncio.create_task(postgres_store.conversations.start("u", ctx.id, [message]))
        await asyncio.sleep(0.3)
        assert not start.done()  # waiting for the context's row lock
        await deleting.commit()
        assert await start is None
    finally:
        await deleter.close()
    async with postgres_store.engine.connect() as conn:
        assert (await conn.execute(text("SELECT count(*) FROM conversations"))).scalar() == 0
