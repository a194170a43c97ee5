"""The direct SQLite path of `Database.statements()` against SQLAlchemy's, on real files.

Same rows stored (byte for byte), same read-back, same errors; a busy database becomes
`StoreUnavailableError` without blocking the loop; an exception or a cancellation inside
the transaction leaves nothing behind, and the connection, the pool and the write turn
usable.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import (
    Column,
    Integer,
    MetaData,
    String,
    Table,
    bindparam,
    event,
    insert,
    select,
    text,
)
from sqlalchemy.exc import IntegrityError, StatementError
from sqlalchemy.pool import QueuePool
from sqlalchemy.util import await_

from my_flow_api.config import load_settings
from my_flow_api.database import create_store
from my_flow_api.errors import StoreUnavailableError
from my_flow_api.models.context import ContextCreate
from my_flow_api.models.conversation import (
    ConversationOutcome,
    ConversationStatus,
    Message,
    MessageRole,
    Usage,
)
from my_flow_api.repositories.sql import SqlStore
from my_flow_api.repositories.sql import engine as sql_engine
from my_flow_api.repositories.sql.conversations import SqlConversationRepository
from my_flow_api.repositories.sql.engine import Database
from my_flow_api.repositories.sql.messages import (
    append_one,
    insert_conversation,
    insert_messages,
    next_seq,
    touch,
)
from my_flow_api.repositories.sql.queries import context_name
from my_flow_api.repositories.sql.sqlite_plans import compile_plan
from my_flow_api.repositories.sql.sqlite_statements import SqliteStatements
from my_flow_api.repositories.sql.statements import SaStatements

pytestmark = pytest.mark.integration

ALICE = "user-alice"
# Not UTC and with microseconds: the bind processors must convert it the same way.
STAMP = datetime(2024, 3, 1, 12, 34, 56, 789012, tzinfo=timezone(timedelta(hours=2)))
LATER = STAMP + timedelta(seconds=5)
ANSWER = "the answer \u2014 caf\u00e9 \U0001f680"
QUESTION = Message(role=MessageRole.USER, content="q")


async def open_store(data_dir: Path) -> SqlStore:
    settings = load_settings(DATA_DIR=data_dir, DATABASE_URL=None, MONGODB_URI=None, _env_file=None)
    store = await create_store(settings)
    assert isinstance(store, SqlStore)
    return store


@pytest.fixture
async def sql_store(tmp_path: Path) -> AsyncIterator[SqlStore]:
    store = await open_store(tmp_path)
    try:
        yield store
    finally:
        await store.close()


@pytest.fixture
def discarded(sql_store: SqlStore) -> list[object]:
    """The connections of `sql_store` discarded (invalidated) from now on."""
    found: list[object] = []
    event.listen(sql_store.engine.sync_engine, "invalidate", lambda conn, *_: found.append(conn))
    return found


def checked_out(store: SqlStore) -> int:
    pool = store.engine.sync_engine.pool
    assert isinstance(pool, QueuePool)
    return pool.checkedout()


def raw_rows(db_file: Path, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    """Rows read with plain `sqlite3` (the stored values, not what SQLAlchemy makes of them)."""
    with sqlite3.connect(db_file) as conn:
        return conn.execute(sql, params).fetchall()


def conversation_row(conversation_id: str, context_id: str) -> dict[str, Any]:
    return {
        "id": conversation_id,
        "user_id": ALICE,
        "context_id": context_id,
        "status": ConversationStatus.STREAMING.value,
        "provider": "openai",
        "model": "gpt",
        "created_at": STAMP,
        "updated_at": STAMP,
    }


async def write_one(db: Database, conversation_id: str, context_id: str) -> dict[str, Any]:
    """One conversation through every statement of `start` and `finish`, fixed values."""
    async with db.statements() as run:
        name = await context_name(run, ALICE, context_id, lock="share")
        await insert_conversation(run, conversation_row(conversation_id, context_id))
        pairs = [(MessageRole.SYSTEM, "be brief"), (MessageRole.USER, "hello")]
        await insert_messages(run, ALICE, conversation_id, 0, pairs, STAMP)
    async with db.statements() as run:
        values = {"status": "complete", "input_tokens": 3, "output_tokens": 4, "error_code": None}
        touched = await touch(run, conversation_id, ALICE, **values, updated_at=LATER)
        await append_one(run, ALICE, conversation_id, (MessageRole.ASSISTANT, ANSWER), LATER)
        seq = await next_seq(run, conversation_id)
        missing = await touch(run, "no-such-id", ALICE, status="failed", updated_at=LATER)
    return {"name": name, "touched": touched, "next_seq": seq, "missing": missing}


async def test_the_direct_path_is_used_on_sqlite_only_where_asked(sql_store: SqlStore) -> None:
    async with Database(sql_store.engine).statements() as run:
        assert isinstance(run, SqliteStatements)
    async with Database(sql_store.engine, direct=False).statements() as run:
        assert isinstance(run, SaStatements)
    postgres = sql_engine.make_engine("postgresql+asyncpg://nobody@127.0.0.1:1/none")
    try:
        with pytest.raises(ValueError, match="only SQLite"):
            Database(postgres, direct=True)
    finally:
        await postgres.dispose()


async def test_both_paths_store_the_same_bytes(sql_store: SqlStore, tmp_path: Path) -> None:
    ctx = await sql_store.contexts.create(ALICE, ContextCreate(name="Work"))
    direct = await write_one(Database(sql_store.engine), "conv-direct", ctx.id)
    via_sa = await write_one(Database(sql_store.engine, direct=False), "conv-sa", ctx.id)
    assert direct == via_sa == {"name": "Work", "touched": True, "next_seq": 3, "missing": False}

    def stored(conversation_id: str) -> list[tuple[Any, ...]]:
        conv = raw_rows(
            tmp_path / "my_flow.db",
            "SELECT * FROM conversations WHERE id = ?",
            conversation_id,
        )
        msgs = raw_rows(
            tmp_path / "my_flow.db",
            "SELECT user_id, seq, role, content, created_at, typeof(created_at) "
            "FROM messages WHERE conversation_id = ? ORDER BY seq",
            conversation_id,
        )
        return [row[1:] for row in conv] + msgs

    assert stored("conv-direct") == stored("conv-sa")
    # The UTCDateTime processor ran: naive UTC text, as SQLAlchemy's SQLite dialect writes it.
    assert stored("conv-direct")[0][-2:] == (
        "2024-03-01 10:34:56.789012",
        "2024-03-01 10:35:01.789012",
    )
    ids: Any = {"id": True, "messages": {"__all__": {"id"}}}
    read = [await sql_store.conversations.get_by_id(c, ALICE) for c in ("conv-direct", "conv-sa")]
    assert read[0] is not None
    assert read[1] is not None
    assert read[0].model_dump(exclude=ids) == read[1].model_dump(exclude=ids)
    assert read[0].updated_at == LATER.astimezone(UTC)


async def test_a_stream_reads_back_the_same_through_either_path(sql_store: SqlStore) -> None:
    ctx = await sql_store.contexts.create(ALICE, ContextCreate(name="Work"))
    system = Message(role=MessageRole.SYSTEM, content="be brief")
    prompt = Message(role=MessageRole.USER, content="question")
    outcome = ConversationOutcome(
        status=ConversationStatus.COMPLETE,
        answer=ANSWER,
        usage=Usage(input_tokens=12, output_tokens=34),
        first_token_ms=150,
        duration_ms=900,
    )
    shapes = []
    repos = (
        sql_store.conversations,
        SqlConversationRepository(Database(sql_store.engine, direct=False)),
    )
    for repo in repos:
        started = await repo.start(ALICE, ctx.id, [system, prompt], provider="p", model="m")
        assert started is not None
        assert started.context_name == "Work"
        assert await repo.finish(started.id, ALICE, outcome) is True
        done = await sql_store.conversations.get_by_id(started.id, ALICE)
        assert done is not None
        for stamp in (done.created_at, done.updated_at, *(m.created_at for m in done.messages)):
            assert stamp.utcoffset() == timedelta(0)
        assert done.updated_at > done.created_at
        assert [m.created_at for m in done.messages] == [done.created_at] * 2 + [done.updated_at]
        shapes.append(
            (
                done.status,
                done.usage,
                done.first_token_ms,
                done.duration_ms,
                done.provider,
                done.model,
                [(m.seq, m.role.value, m.content) for m in done.messages],
            )
        )
    assert shapes[0] == shapes[1]
    assert shapes[0][0] == "complete"
    assert shapes[0][-1] == [
        (0, "system", "be brief"),
        (1, "user", "question"),
        (2, "assistant", ANSWER),
    ]


async def test_a_writer_that_outwaits_the_busy_timeout_is_unavailable_without_blocking(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sql_engine, "SQLITE_BUSY_TIMEOUT_SECONDS", 0.2)
    store = await open_store(tmp_path)
    locker = sqlite3.connect(tmp_path / "my_flow.db", isolation_level=None)
    try:
        ctx = await store.contexts.create(ALICE, ContextCreate(name="x"))
        started = await store.conversations.start(ALICE, ctx.id, [QUESTION])
        assert started is not None
        ticks = 0

        async def ticker() -> None:
            nonlocal ticks
            while True:
                await asyncio.sleep(0.01)
                ticks += 1

        locker.execute("BEGIN IMMEDIATE")
        ticking = asyncio.create_task(ticker())
        calls = [
            store.conversations.start(ALICE, ctx.id, [QUESTION]),
            store.conversations.finish(
                started.id, ALICE, ConversationOutcome(status=ConversationStatus.FAILED)
            ),
        ]
        for call in calls:
            ticks, t0 = 0, time.monotonic()
            with pytest.raises(StoreUnavailableError) as caught:
                await call
            assert time.monotonic() - t0 >= 0.2
            assert ticks >= 5  # the loop kept running while the writer waited
            assert caught.value.__cause__ is None
        waiting = asyncio.create_task(store.conversations.start(ALICE, ctx.id, [QUESTION]))
        await asyncio.sleep(0.05)  # retrying BEGIN IMMEDIATE
        waiting.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiting
        ticking.cancel()
        assert checked_out(store) == 0
        locker.execute("ROLLBACK")
        done = ConversationOutcome(status=ConversationStatus.COMPLETE, answer="a")
        assert await store.conversations.finish(started.id, ALICE, done) is True
        after = await store.conversations.get_by_id(started.id, ALICE)
        assert after is not None
        assert (after.status, [m.content for m in after.messages]) == ("complete", ["q", "a"])
    finally:
        locker.close()
        await store.close()


async def nothing_was_written(
    store: SqlStore, conversation_id: str, discarded: list[object]
) -> None:
    """Rolled back on its own connection, which went back to the pool (not discarded)."""
    assert await store.conversations.get_by_id(conversation_id, ALICE) is None
    assert checked_out(store) == 0
    assert discarded == []


async def still_usable(store: SqlStore, db_file: Path, context_id: str) -> None:
    """No lock left behind (another connection can write at once), and the store works."""
    other = sqlite3.connect(db_file, isolation_level=None, timeout=0)
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
    finally:
        other.close()
    started = await store.conversations.start(ALICE, context_id, [QUESTION])
    assert started is not None
    done = ConversationOutcome(status=ConversationStatus.COMPLETE, answer="a")
    assert await store.conversations.finish(started.id, ALICE, done) is True


async def test_an_exception_inside_the_transaction_rolls_it_back(
    sql_store: SqlStore, tmp_path: Path, discarded: list[object]
) -> None:
    ctx = await sql_store.contexts.create(ALICE, ContextCreate(name="Work"))
    db = Database(sql_store.engine)

    async def failing() -> None:
        async with db.statements() as run:
            await insert_conversation(run, conversation_row("conv-1", ctx.id))
            await insert_messages(run, ALICE, "conv-1", 0, [(MessageRole.USER, "hi")], STAMP)
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        await failing()
    await nothing_was_written(sql_store, "conv-1", discarded)
    await still_usable(sql_store, tmp_path / "my_flow.db", ctx.id)


@pytest.mark.parametrize("direct", [True, False], ids=["direct", "sqlalchemy"])
async def test_a_database_error_is_the_same_error_on_both_paths(
    sql_store: SqlStore, tmp_path: Path, direct: bool, discarded: list[object]
) -> None:
    ctx = await sql_store.contexts.create(ALICE, ContextCreate(name="Work"))
    db = Database(sql_store.engine, direct=direct)

    async def twice() -> None:
        async with db.statements() as run:
            await insert_conversation(run, conversation_row("conv-1", ctx.id))
            await insert_conversation(run, conversation_row("conv-1", ctx.id))

    with pytest.raises(IntegrityError, match="UNIQUE constraint failed"):
        await twice()
    await nothing_was_written(sql_store, "conv-1", discarded)
    await still_usable(sql_store, tmp_path / "my_flow.db", ctx.id)


async def test_a_cancelled_transaction_rolls_back_and_frees_its_turn(
    sql_store: SqlStore, tmp_path: Path, discarded: list[object]
) -> None:
    ctx = await sql_store.contexts.create(ALICE, ContextCreate(name="Work"))
    db = Database(sql_store.engine)
    inside = asyncio.Event()

    async def writer() -> None:
        async with db.statements() as run:
            await insert_conversation(run, conversation_row("conv-1", ctx.id))
            inside.set()
            await asyncio.sleep(3600)

    task = asyncio.create_task(writer())
    await inside.wait()
    # Mid-transaction: another connection cannot write.
    blocked = sqlite3.connect(tmp_path / "my_flow.db", isolation_level=None, timeout=0)
    try:
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            blocked.execute("BEGIN IMMEDIATE")
    finally:
        blocked.close()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await nothing_was_written(sql_store, "conv-1", discarded)
    async with asyncio.timeout(5):  # the write turn was given back
        async with db.statements() as run:
            assert await context_name(run, ALICE, ctx.id) == "Work"
    await still_usable(sql_store, tmp_path / "my_flow.db", ctx.id)


@pytest.mark.parametrize("direct", [True, False], ids=["direct", "sqlalchemy"])
async def test_a_value_its_type_rejects_is_the_same_error_on_both_paths(
    sql_store: SqlStore, direct: bool, discarded: list[object]
) -> None:
    ctx = await sql_store.contexts.create(ALICE, ContextCreate(name="Work"))
    row = {**conversation_row("conv-1", ctx.id), "created_at": "not a datetime"}

    async def bad() -> None:
        async with Database(sql_store.engine, direct=direct).statements() as run:
            await insert_conversation(run, row)

    with pytest.raises(StatementError, match=r"\(builtins.AttributeError\) .*tzinfo") as caught:
        await bad()
    assert type(caught.value) is StatementError
    await nothing_was_written(sql_store, "conv-1", discarded)


@pytest.mark.parametrize("direct", [True, False], ids=["direct", "sqlalchemy"])
async def test_a_failed_commit_is_rolled_back_and_raised_as_on_sqlalchemy(
    sql_store: SqlStore, direct: bool, discarded: list[object]
) -> None:
    async def orphan() -> None:
        async with Database(sql_store.engine, direct=direct).statements() as run:
            await run.execute(text("PRAGMA defer_foreign_keys = ON"), {})  # checked at COMMIT
            await insert_conversation(run, conversation_row("conv-1", "no-such-context"))

    with pytest.raises(IntegrityError, match="FOREIGN KEY constraint failed"):
        await orphan()
    await nothing_was_written(sql_store, "conv-1", discarded)


@pytest.mark.parametrize("direct", [True, False], ids=["direct", "sqlalchemy"])
async def test_the_write_lock_is_taken_at_begin(
    sql_store: SqlStore, tmp_path: Path, direct: bool
) -> None:
    other = sqlite3.connect(tmp_path / "my_flow.db", isolation_level=None, timeout=0)
    try:
        async with Database(sql_store.engine, direct=direct).statements():
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
    finally:
        other.close()


async def test_a_checkout_that_has_to_await_takes_the_greenlet_after_all(
    sql_store: SqlStore,
) -> None:
    assert await sql_store.ping()  # one idle connection: the direct check-out is tried
    awaited: list[bool] = []

    def on_checkout(*_args: Any) -> None:  # a hook that does I/O, as a pre-ping would
        await_(asyncio.sleep(0))
        awaited.append(True)

    event.listen(sql_store.engine.sync_engine, "checkout", on_checkout)
    db = Database(sql_store.engine)
    for _ in range(2):
        async with db.statements() as run:
            assert await context_name(run, ALICE, "no-such-context") is None
    assert awaited == [True, True]
    assert checked_out(sql_store) == 0


def test_statements_that_need_sqlalchemy_at_execution_are_refused(sql_store: SqlStore) -> None:
    table = Table(
        "t", MetaData(), Column("id", Integer, primary_key=True), Column("v", String, default="x")
    )
    with pytest.raises(NotImplementedError, match="column defaults"):
        compile_plan(insert(table), sql_store.engine.dialect, ["id"], many=False)
    plan = compile_plan(insert(table), sql_store.engine.dialect, ["id", "v"], many=False)
    assert plan.sql == "INSERT INTO t (id, v) VALUES (?, ?)"
    assert plan.bind({"v": "y", "id": 1}) == [1, "y"]
    one = select(table.c.v).where(table.c.id == bindparam("id"))
    plan = compile_plan(one, sql_store.engine.dialect, ["id"], many=False)
    assert plan.bind({"id": 7}) == [7]
    with pytest.raises(TypeError, match="not an SQLAlchemy Core statement"):
        compile_plan(object(), sql_store.engine.dialect, [], many=False)  # type: ignore[arg-type]
