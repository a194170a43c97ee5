"""PostgreSQL for tests: one fresh, migrated database per test session.

Fixtures (a pytest plugin, registered in tests/conftest.py):
- `postgres_url`: session-wide URL of a uniquely named database, created on the local
  server (127.0.0.1:5432, user `postgres`, maintenance database `test`), migrated with
  `upgrade_database`, dropped at the end.
- `postgres_db`: that URL for one test; every table is emptied afterwards.
- `postgres_store`: an `SqlStore` on `postgres_db`.
- `empty_postgres_url`: a brand-new database without any table, dropped after the test.

When the server cannot be reached the tests that need it are skipped with the reason,
except under `CI=true`, where that is a failure.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Coroutine, Iterator
from typing import Any, TypeVar

import asyncpg
import pytest

from my_flow_api.repositories.factory import upgrade_database
from my_flow_api.repositories.sql import SqlStore
from my_flow_api.repositories.sql.tables import ALL_TABLES
from tests.support.system import in_ci

HOST = "127.0.0.1"
PORT = 5432
USER = "postgres"
MAINTENANCE_DB = "test"
T = TypeVar("T")


def database_url(database: str) -> str:
    """The SQLAlchemy URL of `database` on the test server."""
    return f"postgresql+asyncpg://{USER}@{HOST}:{PORT}/{database}"


def run(coro: Coroutine[Any, Any, T]) -> T:
    """Run `coro` on a private event loop (session fixtures live outside the tests' loops)."""
    with asyncio.Runner(loop_factory=asyncio.new_event_loop) as runner:
        return runner.run(coro)


async def _admin() -> Any:
    return await asyncpg.connect(
        host=HOST, port=PORT, user=USER, database=MAINTENANCE_DB, timeout=5
    )


async def _reachable() -> str | None:
    try:
        conn = await _admin()
    except (OSError, TimeoutError, asyncpg.PostgresError) as exc:
        return f"{type(exc).__name__}: {exc}"
    await conn.close()
    return None


async def create_database() -> str:
    """Create a uniquely named empty database; returns its name."""
    name = f"my_flow_test_{uuid.uuid4().hex[:12]}"
    conn = await _admin()
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return name


async def drop_database(name: str) -> None:
    """Drop a test database, closing any session still attached to it."""
    conn = await _admin()
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


async def empty_tables(url: str) -> None:
    """Delete every row of every table of the store (the schema stays)."""
    conn = await asyncpg.connect(url.replace("postgresql+asyncpg", "postgresql"), timeout=5)
    try:
        await conn.execute("TRUNCATE " + ", ".join(t.name for t in ALL_TABLES))
    finally:
        await conn.close()


@pytest.fixture(scope="session")
def postgres_available() -> None:
    """Skip (or fail under CI=true) when the local PostgreSQL server is not reachable."""
    problem = run(_reachable())
    if problem is None:
        return
    reason = f"PostgreSQL is not reachable at {HOST}:{PORT} as {USER} ({problem})"
    if in_ci():
        pytest.fail(f"{reason}; CI=true requires it")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def postgres_url(postgres_available: None) -> Iterator[str]:
    """A migrated database for the whole session (see the module docstring)."""
    name = run(create_database())
    url = database_url(name)
    try:
        run(upgrade_database(url))
        yield url
    finally:
        run(drop_database(name))


@pytest.fixture
def postgres_db(postgres_url: str) -> Iterator[str]:
    """The session database for one test; emptied afterwards so tests stay independent."""
    yield postgres_url
    run(empty_tables(postgres_url))


@pytest.fixture
async def postgres_store(postgres_db: str) -> AsyncIterator[SqlStore]:
    """An `SqlStore` on the test database, closed after the test."""
    store = SqlStore.from_url(postgres_db)
    try:
        yield store
    finally:
        await store.close()


@pytest.fixture
def empty_postgres_url(postgres_available: None) -> Iterator[str]:
    """A brand-new database with no schema at all, dropped after the test."""
    name = run(create_database())
    try:
        yield database_url(name)
    finally:
        run(drop_database(name))
