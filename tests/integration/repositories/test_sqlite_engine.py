"""SQLite's transactions on real files: where statements run, how writers lock, what is undone.

Statements are observed with the driver's own trace callback (aiosqlite's public
`set_trace_callback`), which runs in the thread that executes each statement.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from collections.abc import AsyncIterator
from pathlib import Path

import aiosqlite
import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.dialects.sqlite.aiosqlite import AsyncAdapt_aiosqlite_connection
from sqlalchemy.engine import Connection
from sqlalchemy.util import await_

from my_flow_api.errors import StoreUnavailableError
from my_flow_api.models.common import utcnow
from my_flow_api.models.context import ContextCreate
from my_flow_api.models.conversation import (
    ConversationOutcome,
    ConversationStatus,
    Message,
    MessageRole,
)
from my_flow_api.repositories.factory import upgrade_database
from my_flow_api.repositories.sql import SqlStore
from my_flow_api.repositories.sql.engine import Database
from my_flow_api.repositories.sql.tables import contexts

pytestmark = pytest.mark.integration

ALICE = "user-alice"
Trace = list[tuple[int, str]]


@pytest.fixture
async def db_file(tmp_path: Path) -> Path:
    """A migrated SQLite file."""
    path = tmp_path / "store.db"
    await upgrade_database(f"sqlite+aiosqlite:///{path}")
    return path


async def open_store(path: Path, query: str = "") -> SqlStore:
    return SqlStore.from_url(f"sqlite+aiosqlite:///{path}{query}")


@pytest.fixture
async def store(db_file: Path) -> AsyncIterator[SqlStore]:
    store = await open_store(db_file)
    try:
        yield store
    finally:
        await store.close()


async def trace(store: SqlStore) -> Trace:
    """Every statement the store's (single, pooled) connection runs from now on."""
    seen: Trace = []
    async with store.engine.connect() as conn:
        raw = await conn.get_raw_connection()
        driver = raw.driver_connection
        assert isinstance(driver, aiosqlite.Connection)
        await driver.set_trace_callback(lambda sql: seen.append((threading.get_ident(), sql)))
    return seen


def verbs(seen: Trace) -> list[str]:
    return [" ".join(sql.split()[:2]) for _, sql in seen]


def context_row(name: str = "Work") -> dict[str, object]:
    now = utcnow()
    return {
        "id": f"ctx-{name}",
        "user_id": ALICE,
        "name": name,
        "color": "#000000",
        "icon": "x",
        "created_at": now,
        "updated_at": now,
    }


async def count_contexts(db: Database) -> int:
    async with db.read() as conn:
        return int((await conn.execute(select(func.count()).select_from(contexts))).scalar_one())


def lock_is_free(path: Path) -> bool:
    """True when another connection can take the write lock at once."""
    other = sqlite3.connect(path, isolation_level=None, timeout=0)
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
        return True
    except sqlite3.OperationalError:
        return False
    finally:
        other.close()


async def test_a_stream_runs_two_statements_per_write_off_the_loop_thread(
    store: SqlStore,
) -> None:
    seen = await trace(store)
    await store.contexts.create(ALICE, ContextCreate(name="Home"))
    ctx = await store.contexts.create(ALICE, ContextCreate(name="Work"))
    del seen[:]
    question = Message(role=MessageRole.USER, content="hi")
    started = await store.conversations.start(ALICE, ctx.id, [question])
    assert started is not None
    assert started.context_name == "Work"
    outcome = ConversationOutcome(status=ConversationStatus.COMPLETE, answer="hello")
    assert await store.conversations.finish(started.id, ALICE, outcome) is True
    assert verbs(seen) == [
        "BEGIN IMMEDIATE",
        "INSERT INTO",
        "INSERT INTO",
        "COMMIT",
        "BEGIN IMMEDIATE",
        "UPDATE conversations",
        "INSERT INTO",
        "COMMIT",
    ]
    assert threading.get_ident() not in {thread for thread, _ in seen}


async def test_reads_begin_deferred(store: SqlStore) -> None:
    seen = await trace(store)
    assert await store.contexts.get_by_id("nothing", ALICE) is None
    assert verbs(seen) == ["BEGIN", "SELECT contexts.id,", "COMMIT"]


async def test_an_exception_inside_a_write_rolls_it_back(db_file: Path, store: SqlStore) -> None:
    db = Database(store.engine)

    async def failing() -> None:
        async with db.write() as conn:
            await conn.execute(insert(contexts).values(context_row()))
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        await failing()
    assert await count_contexts(db) == 0
    assert lock_is_free(db_file)
    async with asyncio.timeout(5), db.write() as conn:
        await conn.execute(insert(contexts).values(context_row()))
    assert await count_contexts(db) == 1


async def test_a_cancelled_write_rolls_back_and_gives_up_its_turn(
    db_file: Path, store: SqlStore
) -> None:
    db = Database(store.engine)
    inside = asyncio.Event()

    async def stuck() -> None:
        async with db.write() as conn:
            await conn.execute(insert(contexts).values(context_row()))
            inside.set()
            await asyncio.Event().wait()

    task = asyncio.create_task(stuck())
    await inside.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert lock_is_free(db_file)
    async with asyncio.timeout(5), db.write() as conn:
        await conn.execute(insert(contexts).values(context_row("Home")))
    assert await count_contexts(db) == 1


async def test_a_cancelled_run_write_rolls_back_and_gives_up_its_turn(
    db_file: Path, store: SqlStore
) -> None:
    db = Database(store.engine)
    inside = asyncio.Event()

    def stuck(conn: Connection) -> None:  # one greenlet for the whole transaction
        conn.execute(insert(contexts).values(context_row()))
        inside.set()
        await_(asyncio.Event().wait())

    task = asyncio.create_task(db.run_write(stuck))
    await inside.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert lock_is_free(db_file)
    await db.run_write(lambda conn: conn.execute(insert(contexts).values(context_row("Home"))))
    assert await count_contexts(db) == 1


async def test_a_failing_run_write_rolls_back(db_file: Path, store: SqlStore) -> None:
    db = Database(store.engine)

    def failing(conn: Connection) -> None:
        conn.execute(insert(contexts).values(context_row()))
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        await db.run_write(failing)
    assert lock_is_free(db_file)
    assert await count_contexts(db) == 0


async def test_a_connection_given_back_after_a_commit_is_not_rolled_back(
    store: SqlStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = Database(store.engine)
    assert await count_contexts(db) == 0  # the pool's connection exists
    rollbacks: list[object] = []
    original = AsyncAdapt_aiosqlite_connection.rollback

    def counted(self: AsyncAdapt_aiosqlite_connection) -> None:
        rollbacks.append(self)
        original(self)

    monkeypatch.setattr(AsyncAdapt_aiosqlite_connection, "rollback", counted)
    async with db.write() as conn:
        await conn.execute(insert(contexts).values(context_row()))
    assert await count_contexts(db) == 1
    assert rollbacks == []  # each is a trip to the connection's thread, for nothing


async def test_a_connection_given_back_inside_a_transaction_is_rolled_back(
    db_file: Path, store: SqlStore
) -> None:
    async with store.engine.connect() as conn:  # SQLAlchemy sees no transaction here
        raw = await conn.get_raw_connection()
        driver = raw.driver_connection
        assert isinstance(driver, aiosqlite.Connection)
        await driver.execute("BEGIN IMMEDIATE")
        await driver.execute(
            "INSERT INTO contexts (id, user_id, name, color, icon, created_at,"
            " updated_at) VALUES ('c', 'u', 'n', '#000000', 'x', '', '')"
        )
        assert not lock_is_free(db_file)
    assert lock_is_free(db_file)
    assert await count_contexts(Database(store.engine)) == 0


async def test_a_writer_waits_for_another_process_without_blocking_the_loop(
    db_file: Path,
) -> None:
    store = await open_store(db_file, "?timeout=0.5")
    locker = sqlite3.connect(db_file, isolation_level=None)
    ticks = 0

    async def tick() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    ticker = asyncio.create_task(tick())
    try:
        locker.execute("BEGIN IMMEDIATE")
        started = time.monotonic()
        with pytest.raises(StoreUnavailableError):
            await store.contexts.create(ALICE, ContextCreate(name="x"))
        waited = time.monotonic() - started
        assert 0.4 < waited < 5  # the URL's `timeout`, not the 15 s default
        assert ticks >= 10
        locker.execute("ROLLBACK")
        ctx = await store.contexts.create(ALICE, ContextCreate(name="x"))
        assert await store.contexts.get_by_id(ctx.id, ALICE) == ctx
    finally:
        ticker.cancel()
        locker.close()
        await store.close()


async def test_a_writer_cancelled_while_waiting_for_the_lock_leaves_nothing(
    db_file: Path,
) -> None:
    store = await open_store(db_file, "?timeout=0.5")
    locker = sqlite3.connect(db_file, isolation_level=None)
    try:
        locker.execute("BEGIN IMMEDIATE")
        waiting = asyncio.create_task(store.contexts.create(ALICE, ContextCreate(name="x")))
        await asyncio.sleep(0.1)
        waiting.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiting
        locker.execute("ROLLBACK")
        async with asyncio.timeout(5):
            await store.contexts.create(ALICE, ContextCreate(name="y"))
        assert await count_contexts(Database(store.engine)) == 1
        assert lock_is_free(db_file)
    finally:
        locker.close()
        await store.close()
