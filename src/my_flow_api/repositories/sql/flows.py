"""Flows in SQL, with race-safe de-duplication by normalised title."""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    ColumnElement,
    bindparam,
    delete,
    false,
    func,
    insert,
    literal,
    select,
    update,
)
from sqlalchemy.engine import Connection, RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection

from my_flow_api.models.common import Page, PageParams, new_id, utcnow
from my_flow_api.models.flow import Flow, FlowCreate, FlowUpdate, normalize_title
from my_flow_api.models.flow_change import FlowChange, TurnPlan, TurnWrite
from my_flow_api.repositories.sql import flow_changes as changes
from my_flow_api.repositories.sql.engine import Database
from my_flow_api.repositories.sql.queries import fetch_page, require_context, row_dict
from my_flow_api.repositories.sql.tables import UTCDateTime, flow_changes, flows

# Built once: SQLAlchemy compiles it once and reuses the compiled form.
_LIST_OPEN = (
    select(flows)
    .where(
        flows.c.user_id == bindparam("user_id"),
        flows.c.context_id == bindparam("context_id"),
        flows.c.is_completed == false(),
    )
    .order_by(flows.c.created_at.desc(), flows.c.id.desc())
    .limit(bindparam("limit"))
)


def _flow(row: RowMapping) -> Flow:
    return Flow.model_validate(row_dict(row))


def _new_row(user_id: str, context_id: str, data: FlowCreate) -> dict[str, Any]:
    now = utcnow()
    return {
        **data.model_dump(exclude={"context_id"}),
        "id": new_id(),
        "user_id": user_id,
        "context_id": context_id,
        "normalized_title": normalize_title(data.title),
        "is_completed": False,
        "completed_at": None,
        "created_at": now,
        "updated_at": now,
    }


def _changes(data: FlowUpdate) -> dict[str, Any]:
    now = utcnow()
    values: dict[str, Any] = {**data.model_dump(exclude_unset=True), "updated_at": now}
    if "title" in values:
        values["normalized_title"] = normalize_title(values["title"])
    if values.get("is_completed") is True:
        # Completing an already completed flow keeps its original completion time.
        values["completed_at"] = func.coalesce(flows.c.completed_at, literal(now, UTCDateTime()))
    elif values.get("is_completed") is False:
        values["completed_at"] = None
    return values


class SqlFlowRepository:
    """`FlowRepository` on SQLAlchemy; every statement is scoped by `user_id`."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def create(self, user_id: str, context_id: str, data: FlowCreate) -> Flow:
        """Create a flow; raises NotFoundError if the context is not the user's."""
        values = _new_row(user_id, context_id, data)
        async with self._db.write() as conn:
            await require_context(conn, user_id, context_id, lock="share")
            await conn.execute(insert(flows).values(values))
        return Flow.model_validate(values)

    async def create_unique(self, user_id: str, context_id: str, data: FlowCreate) -> Flow | None:
        """Create unless an open flow of the context has the same normalised title (None then).

        The context row is locked first, so concurrent calls for one context run one at a
        time and the second sees the first's flow.
        """
        values = _new_row(user_id, context_id, data)
        async with self._db.write() as conn:
            await require_context(conn, user_id, context_id, lock="update")
            if await _open_duplicate(conn, values):
                return None
            await conn.execute(insert(flows).values(values))
        return Flow.model_validate(values)

    async def get_by_id(self, flow_id: str, user_id: str) -> Flow | None:
        """The flow if it exists and belongs to the user, else None."""
        query = select(flows).where(flows.c.id == flow_id, flows.c.user_id == user_id)
        async with self._db.read() as conn:
            row = (await conn.execute(query)).mappings().first()
        return None if row is None else _flow(row)

    async def list_by_context(
        self, user_id: str, context_id: str, page: PageParams, completed: bool | None = None
    ) -> Page[Flow]:
        """Flows of a context, newest first; raises NotFoundError for a foreign context."""
        where = _filters(user_id, context_id, completed)
        async with self._db.read() as conn:
            await require_context(conn, user_id, context_id)
            return await fetch_page(conn, flows, where, page, _flow)

    async def list_open(self, user_id: str, context_id: str, limit: int) -> list[Flow]:
        """The newest open flows of the user's context, in one statement."""
        params = {"user_id": user_id, "context_id": context_id, "limit": limit}

        def read(conn: Connection) -> list[Flow]:
            return [_flow(row) for row in conn.execute(_LIST_OPEN, params).mappings()]

        return await self._db.run_read(read)

    async def update(self, flow_id: str, user_id: str, data: FlowUpdate) -> Flow | None:
        """Change the fields that were sent; completion sets or clears `completed_at`."""
        query = (
            update(flows)
            .where(flows.c.id == flow_id, flows.c.user_id == user_id)
            .values(_changes(data))
            .returning(*flows.c)
        )
        async with self._db.write() as conn:
            row = (await conn.execute(query)).mappings().first()
        return None if row is None else _flow(row)

    async def delete(self, flow_id: str, user_id: str) -> bool:
        """Delete the user's flow; False if it was not there."""
        query = delete(flows).where(flows.c.id == flow_id, flows.c.user_id == user_id)
        async with self._db.write() as conn:
            result = await conn.execute(query)
        return result.rowcount > 0

    async def apply_turn(self, user_id: str, context_id: str, plan: TurnPlan) -> TurnWrite:
        """A turn's edits and new flows in one transaction under the context's lock: an
        edit of anything but an open flow of this context is dropped, a new flow whose
        normalised title an open flow has is not created."""
        out = TurnWrite()
        async with self._db.write() as conn:
            await require_context(conn, user_id, context_id, lock="update")
            for edit in plan.edits:
                change = await changes.apply_edit(conn, user_id, context_id, edit)
                if change is not None:
                    out.changes.append(change)
            for data in plan.create:
                values = _new_row(user_id, context_id, data)
                if not await _open_duplicate(conn, values):
                    await conn.execute(insert(flows).values(values))
                    out.created.append(Flow.model_validate(values))
        return out

    async def list_changes(
        self, user_id: str, context_id: str, page: PageParams
    ) -> Page[FlowChange]:
        """The context's automatic changes, newest first; NotFoundError for a foreign context."""
        where = [flow_changes.c.user_id == user_id, flow_changes.c.context_id == context_id]
        async with self._db.read() as conn:
            await require_context(conn, user_id, context_id)
            return await fetch_page(conn, flow_changes, where, page, changes.to_change)

    async def undo_change(self, change_id: str, user_id: str) -> FlowChange | None:
        """Restore the flow as it was before the change; idempotent; None if unknown."""
        async with self._db.write() as conn:
            return await changes.undo(conn, change_id, user_id)


def _filters(user_id: str, context_id: str, completed: bool | None) -> list[ColumnElement[bool]]:
    where = [flows.c.user_id == user_id, flows.c.context_id == context_id]
    if completed is not None:
        where.append(flows.c.is_completed == completed)
    return where


async def _open_duplicate(conn: AsyncConnection, values: dict[str, Any]) -> bool:
    conditions: tuple[ColumnElement[bool], ...] = (
        flows.c.user_id == values["user_id"],
        flows.c.context_id == values["context_id"],
        flows.c.normalized_title == values["normalized_title"],
        flows.c.is_completed.is_(False),
    )
    query = select(flows.c.id).where(*conditions).limit(1)
    return (await conn.execute(query)).first() is not None
