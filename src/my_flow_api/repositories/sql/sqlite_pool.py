"""Checking SQLite connections out of the engine's pool and back, without a greenlet if we can.

`AsyncEngine.raw_connection()` runs the pool in a new greenlet, because the pool may have to
await: open a connection, wait for one, close one. On Python 3.11 a new greenlet that runs
Python code costs far more than the pool work itself (measured on `bench/store_cost.py`: the
two check-outs and two returns of a stream were ~0.1 ms of CPU through greenlets, a
quarter of the direct path's cost). When the pool cannot need to await, the same public pool
calls are made directly:

- check-out: a queue pool with an idle connection, none of this engine's connections ever
  invalidated (so the idle one needs no reconnecting). Anything else (first connection,
  overflow, waiting for one, after an invalidation) takes the greenlet; so does a check-out
  that needed to await after all (`MissingGreenlet` is raised before any I/O, and the pool
  undoes the check-out as it does for any failed connect);
- return: a queue pool with room keeps the connection (the reset hook does nothing outside
  a transaction). A connection to close or to discard always goes through a greenlet.

This relies on `engine.make_engine` giving SQLite no `pool_pre_ping` and no `pool_recycle`:
either would make a check-out of an idle connection do I/O, which needs the greenlet.
"""

from __future__ import annotations

import sqlite3
from typing import Any, cast

from sqlalchemy import event
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import MissingGreenlet
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.pool import PoolProxiedConnection, QueuePool
from sqlalchemy.util import greenlet_spawn


def wrap_error(
    exc: Exception, sql: str | None, values: Any, dialect: Dialect
) -> sa_exc.StatementError:
    """`exc` as SQLAlchemy raises it from an execute.

    A driver error becomes its `DBAPIError` subclass (`OperationalError`…, a disconnect
    flagged), anything else (a failing bind processor) a `StatementError`.
    """
    invalidated = isinstance(exc, sqlite3.Error) and dialect.is_disconnect(
        cast(Any, exc), None, None
    )
    return sa_exc.DBAPIError.instance(
        sql, values, exc, sqlite3.Error, connection_invalidated=invalidated, dialect=dialect
    )


class PooledConnections:
    """Check-out and return of an engine's pooled connections (see the module docstring)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._never_invalidated = True

        def spoiled(*_args: Any) -> None:
            self._never_invalidated = False

        for name in ("invalidate", "soft_invalidate"):
            event.listen(engine.sync_engine, name, spoiled)

    @property
    def dialect(self) -> Dialect:
        """The engine's dialect."""
        return self._engine.dialect

    async def checkout(self) -> PoolProxiedConnection:
        """A pooled connection; driver errors wrapped as SQLAlchemy's (as `connect()` does)."""
        try:
            if self._never_invalidated and self._idle():
                try:
                    return self._engine.sync_engine.raw_connection()
                except MissingGreenlet:
                    pass  # it needed to await after all: the pool undid it; take the slow way
            return await self._engine.raw_connection()
        except sqlite3.Error as exc:
            raise wrap_error(exc, None, None, self.dialect) from exc

    async def release(self, pooled: PoolProxiedConnection, *, discard: bool) -> None:
        """Return `pooled` to the pool, or `discard` it (closed, replaced on a later check-out)."""
        if discard:
            await greenlet_spawn(pooled.invalidate)
        elif self._room():
            pooled.close()
        else:
            await greenlet_spawn(pooled.close)

    def _idle(self) -> bool:
        pool = self._engine.sync_engine.pool
        return isinstance(pool, QueuePool) and pool.checkedin() > 0

    def _room(self) -> bool:
        pool = self._engine.sync_engine.pool
        return isinstance(pool, QueuePool) and pool.checkedin() < pool.size()
