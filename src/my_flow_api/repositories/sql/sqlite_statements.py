"""The `Statements` executor on a raw SQLite connection: compiled plans, run inline.

One object per pooled connection (kept in the connection's `info`, made once). Statements
come from `sqlite_plans` (compiled once for the engine's dialect, bound with SQLAlchemy's
own bind processors); driver errors are raised as SQLAlchemy raises them (`wrap_error`),
so callers cannot tell this executor from `statements.SaStatements` by what it raises.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Mapping, Sequence
from functools import partial
from typing import Any, TypeVar

from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Dialect
from sqlalchemy.sql.expression import Executable

from my_flow_api.repositories.sql.sqlite_driver import BUSY_CODES, OneTripConnection
from my_flow_api.repositories.sql.sqlite_plans import Plan, Plans
from my_flow_api.repositories.sql.sqlite_pool import wrap_error

T = TypeVar("T")


Run = Callable[[sqlite3.Connection, str, Any], T]


def _busy(exc: sqlite3.OperationalError) -> bool:
    return exc.sqlite_errorcode & 0xFF in BUSY_CODES


def _rowcount(conn: sqlite3.Connection, sql: str, values: Sequence[Any]) -> int:
    cursor = conn.execute(sql, values)
    try:
        return cursor.rowcount
    finally:
        cursor.close()


def _many(conn: sqlite3.Connection, sql: str, rows: list[list[Any]]) -> None:
    conn.executemany(sql, rows).close()


def _first(conn: sqlite3.Connection, sql: str, values: Sequence[Any]) -> Any:
    cursor = conn.execute(sql, values)
    try:
        return cursor.fetchone()
    finally:
        cursor.close()


class SqliteStatements:
    """`statements.Statements` on one SQLite connection (inside `DirectSqlite.transaction`).

    Each statement runs at once on the `sqlite3` connection; only a database locked by
    another connection awaits (the driver's non-blocking retry, up to its busy timeout).
    """

    __slots__ = ("_conn", "_dialect", "_driver", "_plans", "broken")

    def __init__(self, driver: OneTripConnection, plans: Plans, dialect: Dialect) -> None:
        self._driver = driver
        self._conn = driver.sqlite
        self._plans = plans
        self._dialect = dialect
        self.broken = False
        """Set when a driver error means the connection is gone (it is then discarded)."""

    async def execute(self, statement: Executable, params: Mapping[str, Any]) -> int:
        """Run a statement that returns no rows; its row count."""
        plan = self._plans.get(statement, params, many=False)
        return await self.call(_rowcount, plan.sql, self._bind(plan, params))

    async def execute_many(self, statement: Executable, rows: Sequence[Mapping[str, Any]]) -> None:
        """Run a statement once per parameter set (all with the same keys)."""
        if not rows:
            return
        plan = self._plans.get(statement, rows[0], many=True)
        await self.call(_many, plan.sql, [self._bind(plan, row) for row in rows])

    async def scalar(self, statement: Executable, params: Mapping[str, Any]) -> Any:
        """The first column of the first row, or None when there is no row."""
        plan = self._plans.get(statement, params, many=False)
        row = await self.call(_first, plan.sql, self._bind(plan, params))
        if row is None:
            return None
        return row[0] if plan.result is None else plan.result(row[0])

    async def call(self, run: Run[T], sql: str, values: Any) -> T:
        """`run(connection, sql, values)`; driver errors are raised wrapped as SQLAlchemy's."""
        try:
            return run(self._conn, sql, values)
        except sqlite3.Error as exc:
            return await self._recover(exc, run, sql, values)

    async def _recover(self, exc: sqlite3.Error, run: Run[T], sql: str, values: Any) -> T:
        # A database locked by another connection is retried by the driver, without
        # blocking the loop, up to its busy timeout; any other error is final.
        try:
            if not isinstance(exc, sqlite3.OperationalError) or not _busy(exc):
                raise exc
            return await self._driver.inline(partial(run, self._conn, sql, values))
        except sqlite3.Error as final:
            wrapped = wrap_error(final, sql, values, self._dialect)
            if isinstance(wrapped, sa_exc.DBAPIError) and wrapped.connection_invalidated:
                self.broken = True
            raise wrapped from final

    def _bind(self, plan: Plan, params: Mapping[str, Any]) -> list[Any]:
        try:
            return plan.bind(params)
        except Exception as exc:  # a value its bind processor rejects, as SQLAlchemy reports it
            raise wrap_error(exc, plan.sql, params, self._dialect) from exc

    @property
    def in_transaction(self) -> bool:
        """True while the connection is inside a transaction."""
        return self._conn.in_transaction

    def roll_back(self) -> None:
        """Roll back, synchronously (so it happens even while the task is being cancelled).

        A failed rollback marks the connection broken: `DirectSqlite` then discards it.
        """
        if self._conn.in_transaction:
            try:
                self._conn.rollback()
            except sqlite3.Error:
                self.broken = True


def run_sql(conn: sqlite3.Connection, sql: str, _values: Any) -> None:
    """A `Run` for a statement without parameters or rows (BEGIN, COMMIT)."""
    conn.execute(sql).close()
