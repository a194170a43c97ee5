"""Query helpers shared by the SQL repositories: ownership checks and pages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal, TypeVar

from sqlalchemy import ColumnElement, Select, Table, bindparam, func, select
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection

from my_flow_api.errors import CONTEXT_NOT_FOUND, NotFoundError
from my_flow_api.models.common import Page, PageParams
from my_flow_api.repositories.sql.tables import contexts

T = TypeVar("T")
Lock = Literal["share", "update"] | None


_OWNED_CONTEXT = select(contexts.c.id).where(
    contexts.c.id == bindparam("context_id"), contexts.c.user_id == bindparam("user_id")
)
_CONTEXT_QUERIES: dict[Lock, Select[Any]] = {
    None: _OWNED_CONTEXT,
    "share": _OWNED_CONTEXT.with_for_update(read=True),
    "update": _OWNED_CONTEXT.with_for_update(),
}


async def require_context(
    conn: AsyncConnection, user_id: str, context_id: str, *, lock: Lock = None
) -> None:
    """Raise NotFoundError unless the context exists and is the user's.

    `lock="share"` keeps the context from being deleted until the transaction ends (so a
    child row can be inserted under it); `lock="update"` also makes concurrent writers of
    that context wait their turn, which makes check-then-insert sequences atomic. Both are
    PostgreSQL row locks; SQLite's `BEGIN IMMEDIATE` already serialises writers.
    """
    params = {"context_id": context_id, "user_id": user_id}
    if (await conn.execute(_CONTEXT_QUERIES[lock], params)).first() is None:
        raise NotFoundError(CONTEXT_NOT_FOUND)


async def fetch_page(
    conn: AsyncConnection,
    table: Table,
    where: list[ColumnElement[bool]],
    page: PageParams,
    convert: Callable[[RowMapping], T],
) -> Page[T]:
    """One page of `table` rows matching `where`, newest first, with the total count."""
    count: Select[Any] = select(func.count()).select_from(table).where(*where)
    total = int((await conn.execute(count)).scalar_one())
    rows = await conn.execute(
        select(table)
        .where(*where)
        .order_by(table.c.created_at.desc(), table.c.id.desc())
        .limit(page.limit)
        .offset(page.offset)
    )
    items = [convert(row) for row in rows.mappings()]
    return Page[T](items=items, total=total, limit=page.limit, offset=page.offset)


def row_dict(row: RowMapping) -> dict[str, Any]:
    """A result row as a plain dict, ready for `Model.model_validate`."""
    return dict(row)
