"""Conversations and their messages in SQL."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, insert, select, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection

from my_flow_api.models.common import Page, PageParams, new_id, utcnow
from my_flow_api.models.conversation import (
    Conversation,
    ConversationOutcome,
    ConversationStatus,
    ConversationSummary,
    Message,
    MessageRole,
    StoredMessage,
    Usage,
)
from my_flow_api.repositories.sql.engine import Database
from my_flow_api.repositories.sql.queries import fetch_page, require_context
from my_flow_api.repositories.sql.tables import conversations, messages


def _summary_fields(row: RowMapping) -> dict[str, Any]:
    fields = dict(row)
    fields["usage"] = Usage(
        input_tokens=fields.pop("input_tokens"), output_tokens=fields.pop("output_tokens")
    )
    return fields


def _summary(row: RowMapping) -> ConversationSummary:
    return ConversationSummary.model_validate(_summary_fields(row))


class SqlConversationRepository:
    """`ConversationRepository` on SQLAlchemy; every statement is scoped by `user_id`."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def create(
        self,
        user_id: str,
        context_id: str,
        messages: Sequence[Message],
        *,
        provider: str | None = None,
        model: str | None = None,
    ) -> Conversation:
        """Record a new conversation (status streaming); NotFoundError for a foreign context."""
        now = utcnow()
        conversation_id = new_id()
        row = {
            "id": conversation_id,
            "user_id": user_id,
            "context_id": context_id,
            "status": ConversationStatus.STREAMING.value,
            "provider": provider,
            "model": model,
            "created_at": now,
            "updated_at": now,
        }
        async with self._db.write() as conn:
            await require_context(conn, user_id, context_id, lock="share")
            await conn.execute(insert(conversations).values(row))
            stored = await _insert(conn, user_id, conversation_id, 0, _pairs(messages), now)
        return Conversation.model_validate({**row, "messages": stored})

    async def append_messages(
        self, conversation_id: str, user_id: str, messages: Sequence[Message]
    ) -> Conversation | None:
        """Add messages to the end and mark the conversation streaming again."""
        now = utcnow()
        async with self._db.write() as conn:
            if not await _lock(conn, conversation_id, user_id):
                return None
            start = await _next_seq(conn, conversation_id)
            await _insert(conn, user_id, conversation_id, start, _pairs(messages), now)
            streaming = ConversationStatus.STREAMING.value
            await _set(conn, conversation_id, user_id, status=streaming, updated_at=now)
            return await _load(conn, conversation_id, user_id)

    async def finish(
        self, conversation_id: str, user_id: str, outcome: ConversationOutcome
    ) -> Conversation | None:
        """Record how a turn ended; a non-empty answer is stored as an assistant message."""
        now = utcnow()
        async with self._db.write() as conn:
            if not await _lock(conn, conversation_id, user_id):
                return None
            if outcome.answer:
                answer = [(MessageRole.ASSISTANT, outcome.answer)]
                start = await _next_seq(conn, conversation_id)
                await _insert(conn, user_id, conversation_id, start, answer, now)
            await _set(conn, conversation_id, user_id, **_outcome_values(outcome), updated_at=now)
            return await _load(conn, conversation_id, user_id)

    async def get_by_id(self, conversation_id: str, user_id: str) -> Conversation | None:
        """The conversation with its messages in order, if it is the user's."""
        async with self._db.read() as conn:
            return await _load(conn, conversation_id, user_id)

    async def list_by_context(
        self, user_id: str, context_id: str, page: PageParams
    ) -> Page[ConversationSummary]:
        """Conversations of a context, newest first; NotFoundError for a foreign context."""
        where = [conversations.c.user_id == user_id, conversations.c.context_id == context_id]
        async with self._db.read() as conn:
            await require_context(conn, user_id, context_id)
            return await fetch_page(conn, conversations, where, page, _summary)


def _outcome_values(outcome: ConversationOutcome) -> dict[str, Any]:
    return {
        "status": outcome.status.value,
        "input_tokens": outcome.usage.input_tokens,
        "output_tokens": outcome.usage.output_tokens,
        "error_code": outcome.error_code,
        "first_token_ms": outcome.first_token_ms,
        "duration_ms": outcome.duration_ms,
    }


def _owned(conversation_id: str, user_id: str) -> Select[Any]:
    return select(conversations).where(
        conversations.c.id == conversation_id, conversations.c.user_id == user_id
    )


async def _lock(conn: AsyncConnection, conversation_id: str, user_id: str) -> bool:
    query = _owned(conversation_id, user_id).with_for_update()
    return (await conn.execute(query)).first() is not None


async def _next_seq(conn: AsyncConnection, conversation_id: str) -> int:
    query = select(func.coalesce(func.max(messages.c.seq), -1)).where(
        messages.c.conversation_id == conversation_id
    )
    return int((await conn.execute(query)).scalar_one()) + 1


def _pairs(items: Sequence[Message]) -> list[tuple[MessageRole, str]]:
    return [(item.role, item.content) for item in items]


async def _insert(
    conn: AsyncConnection,
    user_id: str,
    conversation_id: str,
    start: int,
    items: Sequence[tuple[MessageRole, str]],
    now: datetime,
) -> list[dict[str, Any]]:
    """Insert messages numbered from `start`; returns the stored rows."""
    rows = [
        {
            "id": new_id(),
            "user_id": user_id,
            "conversation_id": conversation_id,
            "seq": start + offset,
            "role": role.value,
            "content": content,
            "created_at": now,
        }
        for offset, (role, content) in enumerate(items)
    ]
    if rows:
        await conn.execute(insert(messages), rows)
    return rows


async def _set(conn: AsyncConnection, conversation_id: str, user_id: str, **values: Any) -> None:
    await conn.execute(
        update(conversations)
        .where(conversations.c.id == conversation_id, conversations.c.user_id == user_id)
        .values(values)
    )


async def _load(conn: AsyncConnection, conversation_id: str, user_id: str) -> Conversation | None:
    row = (await conn.execute(_owned(conversation_id, user_id))).mappings().first()
    if row is None:
        return None
    stored = await conn.execute(
        select(messages)
        .where(messages.c.conversation_id == conversation_id, messages.c.user_id == user_id)
        .order_by(messages.c.seq)
    )
    items = [StoredMessage.model_validate(dict(m)) for m in stored.mappings()]
    return Conversation.model_validate({**_summary_fields(row), "messages": items})
