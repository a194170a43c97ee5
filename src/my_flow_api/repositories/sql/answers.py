"""The statements behind a streaming answer's checkpoints and the sweep of lost turns.

A checkpoint stores the answer so far as the turn's assistant message while the
conversation is still `streaming`; later checkpoints, and the turn's end, rewrite that one
message by its id. The sweep records turns whose process died as `interrupted`: what the
last checkpoint stored stays as their answer.

A process writes its streams' checkpoints together (`checkpoint_many`): one transaction a
tick whatever the number of streams, each kind of statement once with many parameter
sets, so a tick costs a few statements' trips to the driver rather than a transaction of
four or five per stream.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import bindparam, exists, tuple_, update
from sqlalchemy.engine import Connection

from my_flow_api.models.common import new_id
from my_flow_api.models.conversation import CheckpointWrite, ConversationStatus, MessageRole
from my_flow_api.repositories.sql.messages import APPEND_ONE
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
# Which of the given (id, user) pairs still stream, touched in one statement: executemany
# would only say how many rows matched in all, not which.
_TOUCH_ALL_STREAMING = (
    update(conversations)
    .where(
        tuple_(conversations.c.id, conversations.c.user_id).in_(
            bindparam("b_keys", expanding=True)
        ),
        conversations.c.status == STREAMING,
    )
    .values(updated_at=bindparam("b_now"))
    .returning(conversations.c.id, conversations.c.user_id)
)
_REWRITE = (
    update(messages)
    .where(
        messages.c.id == bindparam("b_id"),
        messages.c.user_id == bindparam("b_user_id"),
    )
    .values(content=bindparam("b_content"))
)
# A later checkpoint of a lone stream in one statement: the answer's message rewritten
# while its conversation still streams. The conversation is not touched: the sweep takes
# a turn for lost only once it is older than a turn can last (`recovery.py`), which the
# start's time stamp already says, and the turn's end is written after its last
# checkpoint (`Checkpoints.stop`), so there is no writer to lock out.
_REWRITE_STREAMING = (
    update(messages)
    .where(
        messages.c.id == bindparam("b_id"),
        messages.c.user_id == bindparam("b_user_id"),
        messages.c.conversation_id == bindparam("b_conversation_id"),
        exists().where(
            conversations.c.id == messages.c.conversation_id,
            conversations.c.status == STREAMING,
        ),
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


def checkpoint_many(
    conn: Connection, writes: Sequence[CheckpointWrite], now: datetime
) -> list[str | None]:
    """Store each still-streaming turn's answer so far (see the module docstring): its
    message's id per write, None for a turn that is not streaming (nothing stored)."""
    if len(writes) == 1:  # a lone stream: its rowcount says it all, no IN list to render
        return [checkpoint_one(conn, writes[0], now)]
    if conn.dialect.supports_sane_multi_rowcount and all(w.message_id for w in writes):
        return _rewrite_streaming(conn, writes, now)
    alive = _still_streaming(conn, writes, now)
    ids: list[str | None] = []
    rewrites: list[dict[str, str]] = []
    inserts: list[dict[str, object]] = []
    for write in writes:
        if alive is not None and (write.conversation_id, write.user_id) not in alive:
            ids.append(None)
        elif write.message_id is not None:
            ids.append(write.message_id)
            rewrites.append(
                {"b_id": write.message_id, "b_user_id": write.user_id, "b_content": write.answer}
            )
        else:
            ids.append(new_id())
            inserts.append(_assistant_row(write, str(ids[-1]), now))
    if rewrites:
        conn.execute(_REWRITE, rewrites)
    if inserts:
        conn.execute(APPEND_ONE, inserts)
    return ids


def _rewrite_streaming(
    conn: Connection, writes: Sequence[CheckpointWrite], now: datetime
) -> list[str | None]:
    """Later saves only, where the driver counts an executemany's rows (SQLite): one
    executemany of `_REWRITE_STREAMING`, whose count says whether every turn still
    streams (the usual case); only when some do not, the touch says which (the
    transaction holds the write lock, so no status changed in between)."""
    params = [
        {
            "b_id": w.message_id,
            "b_user_id": w.user_id,
            "b_conversation_id": w.conversation_id,
            "b_content": w.answer,
        }
        for w in writes
    ]
    ids = [w.message_id for w in writes]
    if conn.execute(_REWRITE_STREAMING, params).rowcount == len(writes):
        return ids
    alive = _still_streaming(conn, writes, now)
    if alive is None:
        return ids
    return [w.message_id if (w.conversation_id, w.user_id) in alive else None for w in writes]


def _still_streaming(
    conn: Connection, writes: Sequence[CheckpointWrite], now: datetime
) -> set[tuple[str, str]] | None:
    """Touch the writes' conversations that still stream; which ones they are, or None
    for all of them. Where the driver counts an executemany's rows (SQLite), the touch is
    one executemany, and its count says whether all still stream (the rule: a turn's end
    is written after its last checkpoint); only when some do not, the RETURNING statement
    says which. Its expanding IN, re-rendered at each execution, and its fetch made a
    tick ~1.5x a lone stream's transaction (bench/checkpoint_tick_cost.py)."""
    if conn.dialect.supports_sane_multi_rowcount:
        params = [{"b_id": w.conversation_id, "b_user_id": w.user_id, "b_now": now} for w in writes]
        if conn.execute(_TOUCH_STREAMING, params).rowcount == len(writes):
            return None
    keys = [(w.conversation_id, w.user_id) for w in writes]
    touched = conn.execute(_TOUCH_ALL_STREAMING, {"b_keys": keys, "b_now": now})
    return {(row.id, row.user_id) for row in touched}


def checkpoint_one(conn: Connection, write: CheckpointWrite, now: datetime) -> str | None:
    """`checkpoint_many` of one write, in single-row statements: a rewrite is one
    statement (`_REWRITE_STREAMING`), the first save a touch (which locks the
    conversation for the message's number) and the insert."""
    if write.message_id is not None:
        params = {
            "b_id": write.message_id,
            "b_user_id": write.user_id,
            "b_conversation_id": write.conversation_id,
            "b_content": write.answer,
        }
        return write.message_id if conn.execute(_REWRITE_STREAMING, params).rowcount else None
    if not touch_streaming(conn, write.conversation_id, write.user_id, now):
        return None
    row = _assistant_row(write, new_id(), now)
    conn.execute(APPEND_ONE, row)
    return str(row["id"])


def _assistant_row(write: CheckpointWrite, message_id: str, now: datetime) -> dict[str, object]:
    return {
        "id": message_id,
        "user_id": write.user_id,
        "conversation_id": write.conversation_id,
        "role": MessageRole.ASSISTANT.value,
        "content": write.answer,
        "created_at": now,
    }


def interrupt_stale(conn: Connection, before: datetime, code: str, now: datetime) -> int:
    """Record every conversation streaming since before `before` as interrupted."""
    params = {"b_before": before, "b_code": code, "b_now": now}
    return int(conn.execute(_INTERRUPT_STALE, params).rowcount)
