"""The checkpoint statements on a real (in-memory) SQLite database: later saves are one
statement (one executemany for a tick's turns) that writes only a message of a
conversation still streaming."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, create_engine, event, insert, select
from sqlalchemy.engine import Connection

from my_flow_api.models.conversation import CheckpointWrite
from my_flow_api.repositories.sql.answers import checkpoint_many, checkpoint_one
from my_flow_api.repositories.sql.tables import contexts, conversations, messages, metadata

NOW = datetime(2026, 1, 2, tzinfo=UTC)


@pytest.fixture
def engine() -> Iterator[Engine]:
    engine = create_engine("sqlite://")
    metadata.create_all(engine)
    with engine.begin() as conn:
        for user, ctx, conv in (("alice", "ctx-a", "conv-a"), ("bob", "ctx-b", "conv-b")):
            conn.execute(insert(contexts), _context(user, ctx))
            conn.execute(insert(conversations), _conversation(user, ctx, conv))
    yield engine
    engine.dispose()


def _context(user: str, ctx: str) -> dict[str, object]:
    row = {"id": ctx, "user_id": user, "name": "Work", "color": "#000000", "icon": "x"}
    return row | {"created_at": NOW, "updated_at": NOW}


def _conversation(user: str, ctx: str, conv: str) -> dict[str, object]:
    row = {"id": conv, "user_id": user, "context_id": ctx, "status": "streaming"}
    return row | {"created_at": NOW, "updated_at": NOW}


def _answer(conn: Connection, message_id: str) -> str | None:
    return conn.execute(select(messages.c.content).where(messages.c.id == message_id)).scalar()


def _statements(engine: Engine) -> list[str]:
    seen: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *args: seen.append(args[2]))
    return seen


def test_a_later_save_is_one_statement_and_leaves_the_conversation_alone(engine: Engine) -> None:
    with engine.begin() as conn:
        first = checkpoint_one(conn, CheckpointWrite("conv-a", "alice", "Hel", None), NOW)
    assert first is not None
    seen = _statements(engine)
    later = datetime(2026, 1, 3, tzinfo=UTC)
    with engine.begin() as conn:
        assert checkpoint_one(conn, CheckpointWrite("conv-a", "alice", "Hello", first), later)
        assert _answer(conn, first) == "Hello"
        touched = select(conversations.c.updated_at).where(conversations.c.id == "conv-a")
        assert conn.execute(touched).scalar() == NOW
    assert sum(s.lstrip().upper().startswith("UPDATE") for s in seen) == 1


@pytest.mark.parametrize(
    ("conversation", "user", "status"),
    [
        ("conv-a", "alice", "complete"),  # the turn has ended: its end's text stays
        ("conv-a", "bob", "streaming"),  # another user's message
        ("conv-b", "alice", "streaming"),  # a message of another conversation
    ],
)
def test_a_later_save_writes_nothing_unless_its_own_turn_still_streams(
    engine: Engine, conversation: str, user: str, status: str
) -> None:
    with engine.begin() as conn:
        first = checkpoint_one(conn, CheckpointWrite("conv-a", "alice", "Hel", None), NOW)
        assert first is not None
        conn.execute(conversations.update().values(status=status))
        later = CheckpointWrite(conversation, user, "later", first)
        assert checkpoint_one(conn, later, NOW) is None
        assert _answer(conn, first) == "Hel"


def _first_saves(conn: Connection) -> list[str]:
    writes = [
        CheckpointWrite("conv-a", "alice", "A", None),
        CheckpointWrite("conv-b", "bob", "B", None),
    ]
    ids = checkpoint_many(conn, writes, NOW)
    assert None not in ids
    return [str(i) for i in ids]


def test_a_tick_of_later_saves_is_one_executemany(engine: Engine) -> None:
    with engine.begin() as conn:
        a, b = _first_saves(conn)
    seen = _statements(engine)
    with engine.begin() as conn:
        later = [
            CheckpointWrite("conv-a", "alice", "A2", a),
            CheckpointWrite("conv-b", "bob", "B2", b),
        ]
        assert checkpoint_many(conn, later, NOW) == [a, b]
        assert (_answer(conn, a), _answer(conn, b)) == ("A2", "B2")
    assert sum(s.lstrip().upper().startswith("UPDATE") for s in seen) == 1


def test_a_tick_of_later_saves_skips_a_turn_that_has_ended(engine: Engine) -> None:
    with engine.begin() as conn:
        a, b = _first_saves(conn)
        conn.execute(
            conversations.update().where(conversations.c.id == "conv-b").values(status="complete")
        )
        later = [
            CheckpointWrite("conv-a", "alice", "A2", a),
            CheckpointWrite("conv-b", "bob", "B2", b),
        ]
        assert checkpoint_many(conn, later, NOW) == [a, None]
        assert (_answer(conn, a), _answer(conn, b)) == ("A2", "B")
