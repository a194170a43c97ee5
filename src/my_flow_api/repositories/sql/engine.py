"""Engines and short transactions for the SQL store.

SQLite gets foreign keys, WAL and a busy timeout on every connection, and its writing
transactions start with `BEGIN IMMEDIATE`, so a read-then-write (de-duplication, message
sequence numbers) cannot interleave with another writer. PostgreSQL gets connect and statement
timeouts and pre-ping, and its writers lock the parent row instead (`FOR UPDATE`).

SQLite connections are `sqlite_driver.OneTripConnection`s (statements run inline on the
event loop's thread, a busy database is retried without blocking), BEGIN goes straight to
the driver, and the pool rolls a returned connection
back only when it is still inside a transaction. `Database.statements()` runs the hot
writing transactions on SQLite without SQLAlchemy's per-execute cost (`sqlite_direct`).
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import ConnectionPoolEntry, NullPool, PoolResetState
from sqlalchemy.util import await_

from my_flow_api.repositories.sql.guard import guarded
from my_flow_api.repositories.sql.sqlite_direct import DirectSqlite
from my_flow_api.repositories.sql.sqlite_driver import async_creator
from my_flow_api.repositories.sql.statements import SaStatements, Statements

CONNECT_TIMEOUT_SECONDS = 5.0
STATEMENT_TIMEOUT_SECONDS = 30.0
SQLITE_BUSY_TIMEOUT_SECONDS = 15.0
_WRITE = "my_flow_write"


def is_sqlite(url: str) -> bool:
    """True for an SQLite URL."""
    return make_url(url).get_backend_name() == "sqlite"


def make_engine(url: str, *, pooled: bool = True) -> AsyncEngine:
    """An async engine for `url`, set up for this store (see the module docstring)."""
    options: dict[str, Any] = {} if pooled else {"poolclass": NullPool}
    if is_sqlite(url):
        engine = create_async_engine(
            url,
            async_creator=async_creator(url, busy_seconds=SQLITE_BUSY_TIMEOUT_SECONDS),
            pool_reset_on_return=None,  # see `_on_reset`
            **options,
        )
        _configure_sqlite(engine)
        return engine
    return create_async_engine(
        url,
        connect_args={
            "timeout": CONNECT_TIMEOUT_SECONDS,
            "command_timeout": STATEMENT_TIMEOUT_SECONDS,
        },
        pool_pre_ping=True,
        **options,
    )


def _configure_sqlite(engine: AsyncEngine) -> None:
    sync_engine = engine.sync_engine

    @event.listens_for(sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
        # Take over BEGIN from the driver, so that the "begin" hook below decides it.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for pragma in ("foreign_keys=ON", "journal_mode=WAL", "synchronous=NORMAL"):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    @event.listens_for(sync_engine, "begin")
    def _on_begin(conn: Connection) -> None:
        immediate = conn.get_execution_options().get(_WRITE, False)
        begin = "BEGIN IMMEDIATE" if immediate else "BEGIN"
        # Straight to the driver (inline) instead of through a cursor.
        driver: Any = conn.connection.driver_connection  # the aiosqlite connection
        try:
            await_(driver.execute_fetchall(begin))
        except sqlite3.Error as exc:  # wrapped as `exec_driver_sql` would (busy → unavailable)
            raise sa_exc.DBAPIError.instance(begin, (), exc, sqlite3.Error) from exc

    @event.listens_for(sync_engine, "reset")
    def _on_reset(dbapi_connection: Any, _record: Any, state: PoolResetState) -> None:
        # Instead of the pool's unconditional rollback on return (a statement after every
        # commit): roll back only a connection still in a transaction.
        if state.asyncio_safe and dbapi_connection.driver_connection.in_transaction:
            dbapi_connection.rollback()


class Database:
    """One engine and the two kinds of transaction the repositories use."""

    def __init__(self, engine: AsyncEngine, *, direct: bool | None = None) -> None:
        """`direct` (default: on SQLite) runs `statements()` without SQLAlchemy."""
        self.engine = engine
        self.is_sqlite = engine.dialect.name == "sqlite"
        if direct and not self.is_sqlite:
            raise ValueError("only SQLite statements can run directly")
        use_direct = self.is_sqlite if direct is None else direct
        self._direct = DirectSqlite(engine) if use_direct else None
        self._writer = engine.execution_options(**{_WRITE: True})
        # SQLite has one writer at a time: queue writers here, on the event loop, instead
        # of letting hundreds of threads spin on the file lock until the busy timeout.
        self._write_turn: AbstractAsyncContextManager[Any] = (
            asyncio.Lock() if self.is_sqlite else contextlib.nullcontext()
        )

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncConnection]:
        """A short read-only transaction; connection failures become StoreUnavailableError."""
        async with guarded(), self.engine.begin() as conn:
            yield conn

    @asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncConnection]:
        """A short writing transaction (SQLite: `BEGIN IMMEDIATE`), committed on success."""
        async with self._write_turn, guarded(), self._writer.begin() as conn:
            yield conn

    def statements(self) -> AbstractAsyncContextManager[Statements]:
        """A writing transaction like `write()`, for code written against `Statements`.

        On SQLite the statements run straight on the driver (see `sqlite_direct`: the same
        SQL, write turn, locking and error mapping at a fraction of SQLAlchemy's
        per-execute CPU); elsewhere they run on `write()`'s connection.
        """
        if self._direct is None:
            return self._sa_statements()
        return self._direct.transaction(self._write_turn)

    @asynccontextmanager
    async def _sa_statements(self) -> AsyncIterator[Statements]:
        async with self.write() as conn:
            yield SaStatements(conn)
