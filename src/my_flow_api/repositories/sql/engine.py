"""Engines and short transactions for the SQL store.

SQLite runs on aiosqlite as SQLAlchemy designs it: every statement, BEGIN, COMMIT and
checkpoint runs in the connection's worker thread, never on the event loop's. Each
connection gets foreign keys, WAL and a busy timeout (`timeout` in the URL's query wins).
The driver's own transaction handling is off and the engine's `begin` event emits BEGIN
(SQLAlchemy's recipe for SQLite transactions), so writing transactions start with
`BEGIN IMMEDIATE`: a read-then-write (de-duplication, message sequence numbers) cannot
interleave with another writer. PostgreSQL gets connect and statement timeouts and
pre-ping, and its writers lock the parent row instead (`FOR UPDATE`).

A connection given back to SQLite's pool is rolled back only when SQLite says a
transaction is still open on it (a request cancelled mid-transaction): after a commit
there is nothing to undo, and on aiosqlite every rollback is a trip to the connection's
thread (about a tenth of a chat stream's instructions went to these empty rollbacks).
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any, TypeVar

from sqlalchemy import event
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import ConnectionPoolEntry, NullPool, PoolResetState
from sqlalchemy.util import await_, greenlet_spawn

from my_flow_api.repositories.sql.guard import guarded

CONNECT_TIMEOUT_SECONDS = 5.0
STATEMENT_TIMEOUT_SECONDS = 30.0
SQLITE_BUSY_TIMEOUT_SECONDS = 15.0
_WRITE = "my_flow_write"
_PRAGMAS = ("foreign_keys=ON", "journal_mode=WAL", "synchronous=NORMAL")
T = TypeVar("T")


def is_sqlite(url: str) -> bool:
    """True for an SQLite URL."""
    return make_url(url).get_backend_name() == "sqlite"


def make_engine(url: str, *, pooled: bool = True) -> AsyncEngine:
    """An async engine for `url`, set up for this store (see the module docstring)."""
    options: dict[str, Any] = {} if pooled else {"poolclass": NullPool}
    if is_sqlite(url):
        if "timeout" not in make_url(url).query:
            options["connect_args"] = {"timeout": SQLITE_BUSY_TIMEOUT_SECONDS}
        # `_on_reset` rolls back what needs it
        engine = create_async_engine(url, pool_reset_on_return=None, **options)
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
        # The driver would BEGIN (deferred) by itself before a write: `_on_begin` decides.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for pragma in _PRAGMAS:
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    @event.listens_for(sync_engine, "reset")
    def _on_reset(dbapi_connection: Any, _record: Any, state: PoolResetState) -> None:
        # What the pool's rollback-on-return does, minus the rollback of a connection
        # without an open transaction. `in_transaction` is SQLite's own state, read
        # without a trip to the connection's thread.
        if not state.asyncio_safe or state.transaction_was_reset:
            return
        if dbapi_connection.driver_connection.in_transaction:
            dbapi_connection.rollback()

    @event.listens_for(sync_engine, "begin")
    def _on_begin(conn: Connection) -> None:
        immediate = conn.get_execution_options().get(_WRITE, False)
        statement = "BEGIN IMMEDIATE" if immediate else "BEGIN"
        # On the driver: one trip to the connection's thread. Through exec_driver_sql it
        # was three (cursor, execute, close) and SQLAlchemy's whole execution path, in
        # every transaction. A driver error is wrapped as SQLAlchemy wraps it (SQLITE_BUSY
        # past the busy timeout: OperationalError, which `guarded` reports as unavailable).
        driver: Any = conn.connection.driver_connection
        try:
            await_(driver.execute(statement))
        except sqlite3.Error as exc:
            raise sa_exc.DBAPIError.instance(
                statement, None, exc, sqlite3.Error, dialect=conn.dialect
            ) from exc
        except BaseException:
            # Cancelled while the BEGIN waits for the lock in the driver's thread: it may
            # still succeed there, after this connection went back to the pool. Drop the
            # connection, as SQLAlchemy does when a statement is cancelled.
            conn.invalidate()
            raise


class Database:
    """One engine and the two kinds of transaction the repositories use.

    `read`/`write` yield an `AsyncConnection`: SQLAlchemy's asyncio layer then starts a
    greenlet for the checkout, the BEGIN, every statement, the COMMIT and the checkin.
    `run_read`/`run_write` run a plain function with a sync `Connection` instead, the whole
    transaction in one greenlet: what every chat stream does goes this way (the driver's
    own awaits are the same; a 1-token stream saved about a tenth of its instructions).
    """

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._writer = engine.execution_options(**{_WRITE: True})
        # SQLite has one writer at a time: queue writers here, on the event loop, instead
        # of letting pooled connections' threads wait on the file lock in turn.
        self._write_turn: AbstractAsyncContextManager[Any] = (
            asyncio.Lock() if engine.dialect.name == "sqlite" else contextlib.nullcontext()
        )

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncConnection]:
        """A short read-only transaction; connection failures become StoreUnavailableError."""
        async with guarded(), self.engine.begin() as conn:
            yield conn

    @asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncConnection]:
        """A short writing transaction (SQLite: `BEGIN IMMEDIATE`), committed on success.

        Any exception, cancellation included, rolls it back.
        """
        async with self._write_turn, guarded(), self._writer.begin() as conn:
            yield conn

    async def run_read(self, fn: Callable[[Connection], T]) -> T:
        """`fn(conn)` in a short read-only transaction, in one greenlet (see the class)."""
        async with guarded():
            return await greenlet_spawn(_in_transaction, self.engine.sync_engine, fn)

    async def run_write(self, fn: Callable[[Connection], T]) -> T:
        """`fn(conn)` in a short writing transaction (SQLite: `BEGIN IMMEDIATE`), in one
        greenlet, committed when it returns; any exception, cancellation included, rolls
        it back."""
        async with self._write_turn, guarded():
            return await greenlet_spawn(_in_transaction, self._writer.sync_engine, fn)


def _in_transaction(engine: Engine, fn: Callable[[Connection], T]) -> T:
    with engine.begin() as conn:
        return fn(conn)
