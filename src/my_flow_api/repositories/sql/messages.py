"""Statements on one conversation row and its messages, built once and reused.

Every statement is a module constant with bound parameters, so SQLAlchemy builds it and its
cache key once instead of on every call. Ownership is checked by the statement itself
(`user_id` in its WHERE) or earlier in the same transaction. Each function is one
statement: on SQLite every statement is several trips to the connection's worker thread,
so the writers of a chat stream do their checks inside the statements that write. They
take a sync `Connection`: the repository runs a whole transaction in one greenlet
(`Database.run_write`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, exists, false, func, insert, literal_column, select, update
from sqlalchemy.engine import Connection, RowMapping

from my_flow_api.models.common import new_id
from my_flow_api.models.conversation import (
    Conversation,
    ConversationOutcome,
    MessageRole,
    StoredMessage,
    Usage,
)
from my_flow_api.repositories.sql.tables import contexts, conversations, flows, messages

_NEW_COLUMNS = ("id", "user_id", "status", "provider", "model", "created_at", "updated_at")
# The conversation row, inserted only under a context of the user's (PostgreSQL: share-
# locked until commit, so it cannot be deleted meanwhile); it returns that context's name
# and whether the context has open flows (none: the turn's flow capture skips reading them).
_INSERT_UNDER_CONTEXT = (
    insert(conversations)
    .from_select(
        [*_NEW_COLUMNS, "context_id"],
        select(
            *(bindparam(name, type_=conversations.c[name].type) for name in _NEW_COLUMNS),
            contexts.c.id,
        )
        .where(contexts.c.id == bindparam("context_id"), contexts.c.user_id == bindparam("user_id"))
        .with_for_update(read=True),
    )
    .returning(
        # SQLAlchemy does not correlate a RETURNING subquery: name the inserted row's column.
        select(contexts.c.name)
        .where(contexts.c.id == literal_column("conversations.context_id"))
        .scalar_subquery(),
        exists()
        .where(
            flows.c.user_id == literal_column("conversations.user_id"),
            flows.c.context_id == literal_column("conversations.context_id"),
            flows.c.is_completed == false(),
        )
        .label("open_flows"),
    )
)
_INSERT_MESSAGES = insert(messages)
_NEXT_SEQ = func.coalesce(func.max(messages.c.seq), -1) + 1
_SELECT_NEXT_SEQ = select(_NEXT_SEQ).where(
    messages.c.conversation_id == bindparam("conversation_id")
)
# One message numbered after the last one, in one statement (the writer holds the
# conversation: SQLite's BEGIN IMMEDIATE, PostgreSQL's row lock from `_TOUCH`).
APPEND_ONE = insert(messages).from_select(
    ["id", "user_id", "conversation_id", "seq", "role", "content", "created_at"],
    select(
        *(bindparam(name, type_=messages.c[name].type) for name in ("id", "user_id")),
        bindparam("conversation_id", type_=messages.c.conversation_id.type),
        _NEXT_SEQ,
        *(bindparam(n, type_=messages.c[n].type) for n in ("role", "content", "created_at")),
    ).where(messages.c.conversation_id == bindparam("conversation_id")),
)
_OWNED = conversations.c.id == bindparam("b_id"), conversations.c.user_id == bindparam("b_user_id")
_TOUCH = update(conversations).where(*_OWNED)
_SELECT_OWNED = select(conversations).where(*_OWNED)
_SELECT_MESSAGES = (
    select(messages)
    .where(
        messages.c.conversation_id == bindparam("conversation_id"),
        messages.c.user_id == bindparam("user_id"),
    )
    .order_by(messages.c.seq)
)


def summary_fields(row: RowMapping) -> dict[str, Any]:
    """A conversation row as model fields (token counts folded into `usage`)."""
    fields = dict(row)
    fields["usage"] = Usage(
        input_tokens=fields.pop("input_tokens"), output_tokens=fields.pop("output_tokens")
    )
    return fields


def outcome_values(outcome: ConversationOutcome) -> dict[str, Any]:
    """The conversation columns that record how a turn ended."""
    return {
        "status": outcome.status.value,
        "input_tokens": outcome.usage.input_tokens,
        "output_tokens": outcome.usage.output_tokens,
        "error_code": outcome.error_code,
        "first_token_ms": outcome.first_token_ms,
        "duration_ms": outcome.duration_ms,
    }


def insert_conversation(conn: Connection, row: dict[str, Any]) -> tuple[str, bool] | None:
    """Insert a conversation row under the user's context; that context's name and whether
    it has open flows, or None (nothing inserted) when the context is missing or someone
    else's."""
    found = conn.execute(_INSERT_UNDER_CONTEXT, row).first()
    return None if found is None else (found[0], bool(found[1]))


def touch(conn: Connection, conversation_id: str, user_id: str, **values: Any) -> bool:
    """Set `values` on the user's conversation (PostgreSQL: locking its row); False if absent."""
    params = {**values, "b_id": conversation_id, "b_user_id": user_id}
    return bool(conn.execute(_TOUCH, params).rowcount)


def next_seq(conn: Connection, conversation_id: str) -> int:
    """The sequence number the next message of the conversation gets."""
    params = {"conversation_id": conversation_id}
    return int(conn.execute(_SELECT_NEXT_SEQ, params).scalar_one())


def append_one(
    conn: Connection,
    user_id: str,
    conversation_id: str,
    item: tuple[MessageRole, str],
    now: datetime,
) -> str:
    """Store one message after the conversation's last one; returns its id."""
    row = _message(user_id, conversation_id, 0, *item, now)
    del row["seq"]
    conn.execute(APPEND_ONE, row)
    return str(row["id"])


def _message(
    user_id: str, conversation_id: str, seq: int, role: MessageRole, content: str, now: datetime
) -> dict[str, Any]:
    return {
        "id": new_id(),
        "user_id": user_id,
        "conversation_id": conversation_id,
        "seq": seq,
        "role": role.value,
        "content": content,
        "created_at": now,
    }


def insert_messages(
    conn: Connection,
    user_id: str,
    conversation_id: str,
    start: int,
    items: Sequence[tuple[MessageRole, str]],
    now: datetime,
) -> list[dict[str, Any]]:
    """Insert messages numbered from `start` in one statement; returns the stored rows."""
    rows = [
        _message(user_id, conversation_id, start + offset, role, content, now)
        for offset, (role, content) in enumerate(items)
    ]
    if rows:
        conn.execute(_INSERT_MESSAGES, rows)
    return rows


def load(conn: Connection, conversation_id: str, user_id: str) -> Conversation | None:
    """The user's conversation with its messages in order, or None."""
    params = {"b_id": conversation_id, "b_user_id": user_id}
    row = conn.execute(_SELECT_OWNED, params).mappings().first()
    if row is None:
        return None
    params = {"conversation_id": conversation_id, "user_id": user_id}
    stored = conn.execute(_SELECT_MESSAGES, params)
    items = [StoredMessage.model_validate(dict(m)) for m in stored.mappings()]
    return Conversation.model_validate({**summary_fields(row), "messages": items})
