"""Contexts in SQL."""

from __future__ import annotations

from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection

from my_flow_api.models.common import Page, PageParams, new_id, utcnow
from my_flow_api.models.context import Context, ContextCreate, ContextUpdate
from my_flow_api.repositories.sql.engine import Database
from my_flow_api.repositories.sql.queries import fetch_page, row_dict
from my_flow_api.repositories.sql.tables import contexts, conversations, flows, messages


def _context(row: RowMapping) -> Context:
    return Context.model_validate(row_dict(row))


class SqlContextRepository:
    """`ContextRepository` on SQLAlchemy; every statement is scoped by `user_id`."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def create(self, user_id: str, data: ContextCreate) -> Context:
        """Store a new context for the user."""
        now = utcnow()
        values = {
            **data.model_dump(),
            "id": new_id(),
            "user_id": user_id,
            "created_at": now,
            "updated_at": now,
        }
        async with self._db.write() as conn:
            await conn.execute(insert(contexts).values(values))
        return Context.model_validate(values)

    async def get_by_id(self, context_id: str, user_id: str) -> Context | None:
        """The context if it exists and belongs to the user, else None."""
        query = select(contexts).where(contexts.c.id == context_id, contexts.c.user_id == user_id)
        async with self._db.read() as conn:
            row = (await conn.execute(query)).mappings().first()
        return None if row is None else _context(row)

    async def list(self, user_id: str, page: PageParams) -> Page[Context]:
        """The user's contexts, newest first."""
        async with self._db.read() as conn:
            return await fetch_page(conn, contexts, [contexts.c.user_id == user_id], page, _context)

    async def update(self, context_id: str, user_id: str, data: ContextUpdate) -> Context | None:
        """Change the fields that were sent; None if the context is not the user's."""
        values = {**data.model_dump(exclude_unset=True), "updated_at": utcnow()}
        query = (
            update(contexts)
            .where(contexts.c.id == context_id, contexts.c.user_id == user_id)
            .values(values)
            .returning(*contexts.c)
        )
        async with self._db.write() as conn:
            row = (await conn.execute(query)).mappings().first()
        return None if row is None else _context(row)

    async def delete(self, context_id: str, user_id: str) -> bool:
        """Delete the context with its flows, conversations and messages, in one transaction."""
        async with self._db.write() as conn:
            owned = select(contexts.c.id).where(
                contexts.c.id == context_id, contexts.c.user_id == user_id
            )
            if (await conn.execute(owned.with_for_update())).first() is None:
                return False
            await _delete_children(conn, context_id, user_id)
            await conn.execute(
                delete(contexts).where(contexts.c.id == context_id, contexts.c.user_id == user_id)
            )
        return True


async def _delete_children(conn: AsyncConnection, context_id: str, user_id: str) -> None:
    owned_conversations = select(conversations.c.id).where(
        conversations.c.context_id == context_id, conversations.c.user_id == user_id
    )
    await conn.execute(
        delete(messages).where(
            messages.c.user_id == user_id, messages.c.conversation_id.in_(owned_conversations)
        )
    )
    await conn.execute(
        delete(conversations).where(
            conversations.c.context_id == context_id, conversations.c.user_id == user_id
        )
    )
    await conn.execute(
        delete(flows).where(flows.c.context_id == context_id, flows.c.user_id == user_id)
    )
