"""An aiosqlite connection whose statements run on the event loop's own thread.

SQLAlchemy's aiosqlite adapter sends every cursor call, BEGIN, COMMIT and ROLLBACK to the
connection's worker thread: a queue, a thread wake-up, a hand-back through the loop and
two GIL hand-offs each, which cost more CPU than the statements (WAL mode, no fsync at
commit: tens of microseconds) and made futex calls the commonest system call of a stream.
Here `cursor()` makes a local object whose `execute` runs the statement, fetches its rows
and closes the driver's cursor at once, inline, as do BEGIN, COMMIT and ROLLBACK.

The driver's own busy timeout is zero, so a statement never blocks the loop waiting for a
lock another process holds: it fails with SQLITE_BUSY at once and is retried every few
milliseconds, without blocking, until `busy_seconds` have passed. In-process writers are
already queued on an asyncio lock (`engine.Database.write`). The worker thread still opens
and closes the connection. Plugged in with `create_async_engine(async_creator=...)`.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Awaitable, Callable, Iterable, Sequence
from functools import partial
from typing import Any, TypeVar

import aiosqlite
from sqlalchemy.engine import make_url

_Outcome = tuple[Any, int, int | None, list[Any]]
T = TypeVar("T")
BUSY_CODES = frozenset({sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED})
FIRST_RETRY_SECONDS = 0.001
MAX_RETRY_SECONDS = 0.05


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
        outcome = await conn.inline(partial(_run, conn._conn, sql, parameters, many))
        self.description, self.rowcount, self.lastrowid, self._rows = outcome
        return self


class OneTripConnection(aiosqlite.Connection):
    """An aiosqlite connection whose statements run inline (see the module docstring)."""

    busy_seconds = 15.0

    @property
    def sqlite(self) -> sqlite3.Connection:
        """The `sqlite3` connection itself (for callers that run statements inline)."""
        return self._conn

    def cursor(self) -> OneTripCursor:  # type: ignore[override]
        """A cursor; making it takes no trip to the worker thread."""
        return OneTripCursor(self)

    async def commit(self) -> None:
        """Commit the current transaction."""
        await self.inline(self._conn.commit)

    async def rollback(self) -> None:
        """Roll back the current transaction."""
        await self.inline(self._conn.rollback)

    async def execute_fetchall(  # type: ignore[override]
        self, sql: str, parameters: Any = None
    ) -> list[Any]:
        """Run one statement and return all its rows."""
        run = partial(_run, self._conn, sql, () if parameters is None else parameters, False)
        return (await self.inline(run))[3]

    async def inline(self, call: Callable[[], T]) -> T:
        """`call()` on this thread; a busy database is retried without blocking the loop."""
        delay, waited = FIRST_RETRY_SECONDS, 0.0
        while True:
            try:
                return call()
            except sqlite3.OperationalError as exc:
                if exc.sqlite_errorcode & 0xFF not in BUSY_CODES or waited >= self.busy_seconds:
                    raise
            await asyncio.sleep(delay)
            waited += delay
            delay = min(delay * 2, MAX_RETRY_SECONDS)


def async_creator(url: str, busy_seconds: float) -> Callable[[], Awaitable[OneTripConnection]]:
    """What `create_async_engine(async_creator=...)` calls for a new connection to `url`."""
    parsed = make_url(url)
    args, options = parsed.get_dialect()().create_connect_args(parsed)
    # Opened in the worker thread, used on the loop's: hence `check_same_thread=False`.
    inline = {"timeout": 0.0, "check_same_thread": False}
    connector = partial(sqlite3.connect, *args, **{**options, **inline})

    async def create() -> OneTripConnection:
        connection = OneTripConnection(connector, iter_chunk_size=64)
        connection.busy_seconds = busy_seconds
        connection._thread.daemon = True  # as SQLAlchemy's own aiosqlite adapter does
        await connection  # starts its thread and connects
        return connection

    return create
