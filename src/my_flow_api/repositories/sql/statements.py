"""The few ways the repositories run a Core statement, behind one small interface.

The repository logic (`messages.py`, `queries.context_name`) is written once against
`Statements`; it runs either on SQLAlchemy (`SaStatements`, any backend: PostgreSQL, and
SQLite outside the hot path) or straight on the SQLite driver (`sqlite_direct`), which
skips SQLAlchemy's per-execute machinery on the two transactions of every chat stream.
Both take the same statement constants and the same parameter dicts, so the SQL itself is
defined once, as SQLAlchemy Core.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.expression import Executable


class Statements(Protocol):
    """Runs statements inside one transaction (opened and ended by whoever made it)."""

    async def execute(self, statement: Executable, params: Mapping[str, Any]) -> int:
        """Run a statement that returns no rows; its row count."""
        ...

    async def execute_many(self, statement: Executable, rows: Sequence[Mapping[str, Any]]) -> None:
        """Run a statement once per parameter set (all with the same keys)."""
        ...

    async def scalar(self, statement: Executable, params: Mapping[str, Any]) -> Any:
        """The first column of the first row, or None when there is no row."""
        ...


class SaStatements:
    """`Statements` on an SQLAlchemy `AsyncConnection` (the portable path)."""

    __slots__ = ("_conn",)

    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def execute(self, statement: Executable, params: Mapping[str, Any]) -> int:
        """Run a statement that returns no rows; its row count."""
        result: CursorResult[Any] = await self._conn.execute(statement, params)
        return result.rowcount

    async def execute_many(self, statement: Executable, rows: Sequence[Mapping[str, Any]]) -> None:
        """Run a statement once per parameter set (all with the same keys)."""
        await self._conn.execute(statement, rows)

    async def scalar(self, statement: Executable, params: Mapping[str, Any]) -> Any:
        """The first column of the first row, or None when there is no row."""
        return (await self._conn.execute(statement, params)).scalar()
