"""Short SQLite writing transactions run straight on the pooled `sqlite3` connection.

Why: every chat stream runs two writing transactions (`start`, `finish`). Through
SQLAlchemy they cost about 1.0-1.4 ms of CPU per stream, nearly all of it per-execute
machinery (async adapter and greenlet, execution context, compiled-cache lookup, result
objects), while the same statements run on `sqlite3` itself cost about 0.18 ms. Here the
same Core statements, compiled once (`sqlite_plans`), run on the connection SQLAlchemy's
pool hands out, synchronously on the event loop's thread, as the project's driver already
runs them (`sqlite_driver.OneTripConnection`).

What stays as on the SQLAlchemy path (`engine.Database.write`): writers take the same
write turn; the connection comes from (and goes back to) the engine's pool; `BEGIN
IMMEDIATE`, each statement and `COMMIT` retry a busy database without blocking the loop, up
to the driver's busy timeout; any exception (cancellation included) rolls back; driver
errors are wrapped as SQLAlchemy wraps them, then mapped as `guard.guarded` maps them: a
busy or broken database becomes `StoreUnavailableError`, every other error goes through.
The transaction is a plain class, not generator-based context managers nested three deep
as on the SQLAlchemy path: on this path their cost shows.
"""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from types import TracebackType
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.pool import PoolProxiedConnection

from my_flow_api.repositories.sql.guard import translated
from my_flow_api.repositories.sql.sqlite_driver import OneTripConnection
from my_flow_api.repositories.sql.sqlite_plans import Plans
from my_flow_api.repositories.sql.sqlite_pool import PooledConnections
from my_flow_api.repositories.sql.sqlite_statements import SqliteStatements, run_sql

_STATEMENTS = "my_flow_direct_statements"


class DirectSqlite:
    """Writing transactions on an SQLite engine's pooled connections, without SQLAlchemy."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._pool = PooledConnections(engine)
        self._plans = Plans(engine.dialect)

    def transaction(self, turn: AbstractAsyncContextManager[Any]) -> DirectTransaction:
        """`BEGIN IMMEDIATE` … `COMMIT` on a pooled connection, holding the write `turn`."""
        return DirectTransaction(self, turn)

    async def checkout(self) -> tuple[PoolProxiedConnection, SqliteStatements]:
        """A pooled connection and its executor (made once per connection, kept in `info`)."""
        pooled = await self._pool.checkout()
        run: SqliteStatements | None = pooled.info.get(_STATEMENTS)
        if run is None:
            driver = pooled.driver_connection
            if not isinstance(driver, OneTripConnection):
                await self._pool.release(pooled, discard=False)
                raise TypeError("the engine's connections are not sqlite_driver's")
            run = SqliteStatements(driver, self._plans, self._pool.dialect)
            pooled.info[_STATEMENTS] = run
        run.broken = False
        return pooled, run

    async def release(self, pooled: PoolProxiedConnection, run: SqliteStatements) -> None:
        """Return the connection to the pool, or discard it if it is broken or still open."""
        await self._pool.release(pooled, discard=run.broken or run.in_transaction)


class DirectTransaction:
    """`async with` one writing transaction (see `DirectSqlite.transaction`)."""

    __slots__ = ("_direct", "_pooled", "_run", "_turn")

    def __init__(self, direct: DirectSqlite, turn: AbstractAsyncContextManager[Any]) -> None:
        self._direct = direct
        self._turn = turn
        self._pooled: PoolProxiedConnection | None = None
        self._run: SqliteStatements | None = None

    async def __aenter__(self) -> SqliteStatements:
        await self._turn.__aenter__()
        try:
            self._pooled, run = await self._direct.checkout()
            self._run = run
            await run.call(run_sql, "BEGIN IMMEDIATE", ())
        except BaseException as exc:
            await self._end(exc)
            raise
        return run

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if exc is None:
            run = self._run
            assert run is not None  # set by __aenter__
            try:
                await run.call(run_sql, "COMMIT", ())
            except BaseException as failure:
                await self._end(failure)
                raise
        await self._end(exc)  # None: `exc` (if any) propagates

    async def _end(self, exc: BaseException | None) -> None:
        """Roll back after `exc`, return the connection, give up the turn; map `exc`.

        Raises the `StoreUnavailableError` that `exc` means, if any (as `guard.guarded`);
        otherwise returns, and the caller lets `exc` itself propagate.
        """
        try:
            if self._run is not None and self._pooled is not None:
                if exc is not None:
                    self._run.roll_back()
                await self._direct.release(self._pooled, self._run)
        except Exception as failure:  # returning the connection failed
            if (mapped := translated(failure)) is failure:
                raise
            raise mapped from None
        finally:
            await self._turn.__aexit__(None, None, None)
        if isinstance(exc, Exception) and (mapped := translated(exc)) is not exc:
            raise mapped from None
