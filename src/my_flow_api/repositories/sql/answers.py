"""The statements behind a streaming answer's checkpoints and the sweep of lost turns.

A checkpoint stores the answer so far as the turn's assistant message while the
conversation is still `streaming`; later checkpoints, and the turn's end, rewrite that one
message by its id. The sweep records turns whose process died as `interrupted`: what the
last checkpoint stored stays as their answer.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, update
from sqlalchemy.engine import Connection

from my_flow_api.models.conversation import ConversationStatus
from my_flow_api.repositories.sql.tables import conversations, messages

STREAMING = ConversationStatus.STREAMING.value

_TOUCH_STREAMING = (
    update(conversations)
    .where(
        conversations.c.id == bindparam("b_id"),
        conversations.c.user_id == bindparam("b_user_id"),
        conversations.c.status == STREAMING,
    )
    .values(updated_at=bindparam("b_now"))
)
_REWRITE = (
    update(messages)
    .where(
        messages.c.id == bindparam("b_id"),
        messages.c.user_id == bindparam("b_user_id"),
    )
    .values(content=bindparam("b_content"))
)
_INTERRUPT_STALE = (
    update(conversations)
    .where(conversations.c.status == STREAMING, conversations.c.updated_at < bindparam("b_before"))
    .values(
        status=ConversationStatus.INTERRUPTED.value,
        error_code=bindparam("b_code"),
        updated_at=bindparam("b_now"),
    )
)


def touch_streaming(conn: Connection, conversation_id: str, user_id: str, now: datetime) -> bool:
    """Mark the user's conversation as alive if it is still streaming (locking its row)."""
    params = {"b_id": conversation_id, "b_user_id": user_id, "b_now": now}
    return bool(conn.execute(_TOUCH_STREAMING, params).rowcount)


def rewrite(conn: Connection, message_id: str, user_id: str, content: str) -> bool:
    """Replace the text of one of the user's messages; False if it is not there."""
    params = {"b_id": message_id, "b_user_id": user_id, "b_content": content}
    return bool(conn.execute(_REWRITE, params).rowcount)


def interrupt_stale(conn: Connection, before: datetime, code: str, now: datetime) -> int:
    """Record every conversation streaming since before `before` as interrupted."""
    params = {"b_before": before, "b_code": code, "b_now": now}
    return int(conn.execute(_INTERRUPT_STALE, params).rowcount)
