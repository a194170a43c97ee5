"""An aiosqlite connection whose statements each take one trip to its thread.

SQLAlchemy's aiosqlite adapter makes a cursor, executes, fetches and closes it: four trips
to the connection's worker thread per SELECT, three per INSERT or UPDATE, each one a thread
wake-up on both sides. Here `cursor()` makes a local object whose `execute` does all of
that in the worker thread at once and keeps the rows, so fetching and closing are free.
Plugged in with `create_async_engine(async_creator=...)`; nothing else changes.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Awaitable, Callable, Iterable, Sequence
from functools import partial
from typing import Any

import aiosqlite
from sqlalchemy.engine import make_url

_Outcome = tuple[Any, int, int | None, list[Any]]


def _run(conn: sqlite3.Connection, sql: str, parameters: Any, many: bool) -> _Outcome:
    """Execute, fetch every row and close, all in the connection's thread."""
    cursor = conn.executemany(sql, parameters) if many else conn.execute(sql, parameters)
    try:
        description = cursor.description
        rows = cursor.fetchall() if description else []
        return description, cursor.rowcount, cursor.lastrowid, rows
    finally:
        cursor.close()


class OneTripCursor:
    """The part of aiosqlite's `Cursor` that SQLAlchemy's adapter uses, in one trip each."""

    arraysize = 1

    def __init__(self, connection: OneTripConnection) -> None:
        self._connection = connection
        self.description: Any = None
        self.rowcount = -1
        self.lastrowid: int | None = None
        self._rows: list[Any] = []

    async def __aenter__(self) -> OneTripCursor:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.close()

    async def execute(self, sql: str, parameters: Any = ()) -> OneTripCursor:
        """Run one statement and keep its rows."""
        return await self._run(sql, parameters, many=False)

    async def executemany(self, sql: str, parameters: Iterable[Any]) -> OneTripCursor:
        """Run one statement for each parameter set."""
        return await self._run(sql, list(parameters), many=True)

    async def fetchone(self) -> Any:
        """The next row, or None."""
        return self._rows.pop(0) if self._rows else None

    async def fetchmany(self, size: int | None = None) -> Sequence[Any]:
        """Up to `size` more rows."""
        count = self.arraysize if size is None else size
        taken, self._rows = self._rows[:count], self._rows[count:]
        return taken

    async def fetchall(self) -> Sequence[Any]:
        """Every remaining row."""
        taken, self._rows = self._rows, []
        return taken

    async def close(self) -> None:
        """Drop the kept rows (the driver's cursor is already closed)."""
        self._rows = []

    async def _run(self, sql: str, parameters: Any, *, many: bool) -> OneTripCursor:
        conn = self._connection
        run = partial(_run, conn._conn, sql, parameters, many)
        outcome: _Outcome = await conn._execute(run)  # type: ignore[no-untyped-call]
        self.description, self.rowcount, self.lastrowid, self._rows = outcome
        return self


class OneTripConnection(aiosqlite.Connection):
    """An aiosqlite connection whose cursors are `OneTripCursor`s."""

    def cursor(self) -> OneTripCursor:  # type: ignore[override]
        """A cursor; making it takes no trip to the worker thread."""
        return OneTripCursor(self)


def async_creator(url: str, **connect_args: Any) -> Callable[[], Awaitable[OneTripConnection]]:
    """What `create_async_engine(async_creator=...)` calls for a new connection to `url`."""
    parsed = make_url(url)
    args, options = parsed.get_dialect()().create_connect_args(parsed)
    connector = partial(sqlite3.connect, *args, **{**options, **connect_args})

    async def create() -> OneTripConnection:
        connection = OneTripConnection(connector, iter_chunk_size=64)
        connection._thread.daemon = True  # as SQLAlchemy's own aiosqlite adapter does
        await connection  # starts its thread and connects
        return connection

    return create
