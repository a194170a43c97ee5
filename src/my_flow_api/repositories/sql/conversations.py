"""Conversations and their messages in SQL.

`start` and `finish` are the writes of every chat stream: two statements each (see
`messages` for how the ownership checks ride on them), each transaction run in one
greenlet (`Database.run_write`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Connection, RowMapping

from my_flow_api.errors import ConversationBusyError, HistoryConflictError
from my_flow_api.models.common import Page, PageParams, new_id, utcnow
from my_flow_api.models.conversation import (
    CheckpointWrite,
    Conversation,
    ConversationOutcome,
    ConversationStatus,
    ConversationSummary,
    Message,
    MessageRole,
    StartedConversation,
)
from my_flow_api.repositories.sql.answers import (
    checkpoint_many,
    checkpoint_one,
    interrupt_stale,
    rewrite,
    touch_streaming,
)
from my_flow_api.repositories.sql.engine import Database
from my_flow_api.repositories.sql.messages import (
    append_one,
    insert_conversation,
    insert_messages,
    load,
    next_seq,
    outcome_values,
    summary_fields,
    touch,
)
from my_flow_api.repositories.sql.queries import fetch_page, require_context
from my_flow_api.repositories.sql.tables import conversations

BUSY = "A turn of this conversation is still being generated"
HISTORY_CONFLICT = "The conversation gained messages since the history was read"


def _summary(row: RowMapping) -> ConversationSummary:
    return ConversationSummary.model_validate(summary_fields(row))


def _new_row(
    user_id: str, context_id: str, provider: str | None, model: str | None, now: datetime
) -> dict[str, Any]:
    return {
        "id": new_id(),
        "user_id": user_id,
        "context_id": context_id,
        "status": ConversationStatus.STREAMING.value,
        "provider": provider,
        "model": model,
        "created_at": now,
        "updated_at": now,
    }


def _pairs(items: Sequence[Message]) -> list[tuple[MessageRole, str]]:
    return [(item.role, item.content) for item in items]


class SqlConversationRepository:
    """`ConversationRepository` on SQLAlchemy; every statement is scoped by `user_id`."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def start(
        self,
        user_id: str,
        context_id: str,
        messages: Sequence[Message],
        *,
        provider: str | None = None,
        model: str | None = None,
    ) -> StartedConversation | None:
        """Like `create` with the context's name, or None (nothing stored) for a foreign one."""
        now = utcnow()
        row = _new_row(user_id, context_id, provider, model, now)
        pairs = _pairs(messages)

        def write(conn: Connection) -> tuple[str, bool] | None:
            context = insert_conversation(conn, row)
            if context is not None:
                insert_messages(conn, user_id, row["id"], 0, pairs, now)
            return context

        context = await self._db.run_write(write)
        if context is None:
            return None
        return StartedConversation(id=row["id"], context_name=context[0], open_flows=context[1])

    async def append_messages(
        self,
        conversation_id: str,
        user_id: str,
        messages: Sequence[Message],
        *,
        after: int | None = None,
    ) -> Conversation | None:
        """Add messages to the end and mark the conversation streaming again; raises
        ConversationBusyError while it is streaming already, HistoryConflictError when it
        does not hold `after` messages (nothing stored either way)."""
        now = utcnow()
        streaming = ConversationStatus.STREAMING.value
        pairs = _pairs(messages)

        def write(conn: Connection) -> Conversation | None:
            if not touch(conn, conversation_id, user_id, updated_at=now):
                return None
            # the row is this transaction's now (SQLite: BEGIN IMMEDIATE, PostgreSQL: its lock)
            if touch_streaming(conn, conversation_id, user_id, now):
                raise ConversationBusyError(BUSY)
            start = next_seq(conn, conversation_id)  # seq numbers run 0, 1, 2, ...
            if after is not None and start != after:
                raise HistoryConflictError(HISTORY_CONFLICT)
            touch(conn, conversation_id, user_id, status=streaming)
            insert_messages(conn, user_id, conversation_id, start, pairs, now)
            return load(conn, conversation_id, user_id)

        return await self._db.run_write(write)

    async def finish(
        self, conversation_id: str, user_id: str, outcome: ConversationOutcome
    ) -> bool:
        """Record how a turn ended; a non-empty answer is stored as an assistant message."""
        now = utcnow()
        values = outcome_values(outcome)

        def write(conn: Connection) -> bool:
            if not touch(conn, conversation_id, user_id, **values, updated_at=now):
                return False
            checkpointed = outcome.answer_message_id
            if outcome.answer and checkpointed:
                rewrite(conn, checkpointed, user_id, outcome.answer)
            elif outcome.answer:
                answer = (MessageRole.ASSISTANT, outcome.answer)
                append_one(conn, user_id, conversation_id, answer, now)
            return True

        return await self._db.run_write(write)

    async def checkpoint(
        self, conversation_id: str, user_id: str, answer: str, message_id: str | None
    ) -> str | None:
        """Store the answer so far as the turn's assistant message (a new one when
        `message_id` is None, else that one rewritten) while the conversation is still
        streaming; returns the message's id, None when the turn has already ended."""
        write = CheckpointWrite(conversation_id, user_id, answer, message_id)
        now = utcnow()
        return await self._db.run_write(lambda conn: checkpoint_one(conn, write, now))

    async def checkpoint_many(self, writes: Sequence[CheckpointWrite]) -> list[str | None]:
        """`checkpoint` for several turns in one transaction (a failure stores none);
        per write its message's id, None for a turn that has already ended."""
        if not writes:
            return []
        now = utcnow()
        return await self._db.run_write(lambda conn: checkpoint_many(conn, writes, now))

    async def interrupt_stale(self, before: datetime, code: str) -> int:
        """Record every conversation (any user's) streaming unchanged since before `before`
        as interrupted with `code`, keeping what its checkpoints stored; returns how many."""
        return await self._db.run_write(lambda conn: interrupt_stale(conn, before, code, utcnow()))

    async def get_by_id(self, conversation_id: str, user_id: str) -> Conversation | None:
        """The conversation with its messages in order, if it is the user's."""
        return await self._db.run_read(lambda conn: load(conn, conversation_id, user_id))

    async def list_by_context(
        self, user_id: str, context_id: str, page: PageParams
    ) -> Page[ConversationSummary]:
        """Conversations of a context, newest first; NotFoundError for a foreign context."""
        where = [conversations.c.user_id == user_id, conversations.c.context_id == context_id]
        async with self._db.read() as conn:
            await require_context(conn, user_id, context_id)
            return await fetch_page(conn, conversations, where, page, _summary)
