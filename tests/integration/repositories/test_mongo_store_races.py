"""MongoDB store under concurrency and without a server: de-duplication that holds under
races, message numbering under concurrent appends, and "unavailable" instead of a crash."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from my_flow_api.config import ConfigError, load_settings
from my_flow_api.errors import StoreUnavailableError
from my_flow_api.models.common import PageParams
from my_flow_api.models.context import ContextCreate
from my_flow_api.models.conversation import (
    ConversationOutcome,
    ConversationStatus,
    Message,
    MessageRole,
)
from my_flow_api.models.flow import FlowCreate, FlowUpdate
from my_flow_api.repositories.mongo import MongoStore, make_client
from tests.support.conversations import begin_conversation
from tests.support.mongo import free_port, start_nx, stop

pytestmark = pytest.mark.integration

USER = "user-a"
PAGE = PageParams()
SECRET = "s3cr3t-pw"


async def _context(store: MongoStore) -> str:
    return (await store.contexts.create(USER, ContextCreate(name="Work"))).id


async def _open_titles(store: MongoStore, context_id: str) -> list[str]:
    query = {"context_id": context_id, "open_title": {"$exists": True}}
    return sorted([d["open_title"] async for d in store.collections.flows.find(query)])


async def test_concurrent_create_unique_creates_one(
    mongo_store: MongoStore, mongo_uri: str
) -> None:
    """Racers on separate clients (so separate connections): every one of them can miss the
    others in its look-up, and only the unique index stops the extra inserts."""
    context_id = await _context(mongo_store)
    db_name = mongo_store.collections.db.name
    settings = load_settings(MONGODB_URI=mongo_uri, MONGODB_DB_NAME=db_name, _env_file=None)
    racers = [await MongoStore.connect(settings) for _ in range(6)]
    titles = ["Call the bank", "call the bank", "  CALL  the bank!", "Call the bank."] * 3
    try:
        results = await asyncio.gather(
            *(
                racers[i % len(racers)].flows.create_unique(USER, context_id, FlowCreate(title=t))
                for i, t in enumerate(titles)
            )
        )
    finally:
        for racer in racers:
            await racer.close()
    assert sum(r is not None for r in results) == 1
    page = await mongo_store.flows.list_by_context(USER, context_id, PAGE)
    assert page.total == 1
    assert await _open_titles(mongo_store, context_id) == ["call the bank"]


async def test_the_title_is_free_again_once_the_flow_is_completed(mongo_store: MongoStore) -> None:
    context_id = await _context(mongo_store)
    first = await mongo_store.flows.create_unique(USER, context_id, FlowCreate(title="Pay rent"))
    assert first is not None
    assert (
        await mongo_store.flows.create_unique(USER, context_id, FlowCreate(title="pay rent"))
        is None
    )
    done = await mongo_store.flows.update(first.id, USER, FlowUpdate(is_completed=True))
    assert done is not None
    assert done.completed_at is not None
    again = await mongo_store.flows.create_unique(USER, context_id, FlowCreate(title="Pay rent"))
    assert again is not None
    # Reopening the first one is allowed: it becomes an open duplicate that holds nothing.
    reopened = await mongo_store.flows.update(first.id, USER, FlowUpdate(is_completed=False))
    assert reopened is not None
    assert reopened.completed_at is None
    assert await _open_titles(mongo_store, context_id) == ["pay rent"]


async def test_a_hand_made_duplicate_keeps_the_title_taken(mongo_store: MongoStore) -> None:
    context_id = await _context(mongo_store)
    flows = mongo_store.flows
    holder = await flows.create(USER, context_id, FlowCreate(title="Book flights"))
    twin = await flows.create(USER, context_id, FlowCreate(title="book flights"))
    assert holder.id != twin.id
    assert await _open_titles(mongo_store, context_id) == ["book flights"]

    await flows.update(holder.id, USER, FlowUpdate(is_completed=True))
    assert await _open_titles(mongo_store, context_id) == ["book flights"]  # handed to twin
    assert await flows.create_unique(USER, context_id, FlowCreate(title="Book flights")) is None

    renamed = await flows.update(twin.id, USER, FlowUpdate(title="Book hotel"))
    assert renamed is not None
    assert renamed.title == "Book hotel"
    assert await _open_titles(mongo_store, context_id) == ["book hotel"]
    assert await flows.create_unique(USER, context_id, FlowCreate(title="Book flights"))

    assert await flows.delete(twin.id, USER) is True
    assert await _open_titles(mongo_store, context_id) == ["book flights"]
    assert await flows.delete(twin.id, USER) is False


async def test_racing_continuations_number_messages_without_gaps(mongo_store: MongoStore) -> None:
    context_id = await _context(mongo_store)
    repo = mongo_store.conversations
    first = [Message(role=MessageRole.USER, content="q0")]
    conversation = await begin_conversation(mongo_store, USER, context_id, first)
    batches = [
        [Message(role=MessageRole.USER, content=f"q{i}-{j}") for j in range(3)] for i in range(1, 6)
    ]
    outcome = ConversationOutcome(status=ConversationStatus.COMPLETE, answer="the answer")
    for batch in batches:  # one turn at a time: each continuation after the last one's end
        assert await repo.finish(conversation.id, USER, outcome) is True
        await asyncio.gather(
            repo.append_messages(conversation.id, USER, batch),
            repo.append_messages(conversation.id, USER, batch),
            return_exceptions=True,
        )
    assert await repo.finish(conversation.id, USER, outcome) is True

    finished = await repo.get_by_id(conversation.id, USER)
    assert finished is not None
    assert [m.seq for m in finished.messages] == list(range(22))
    assert finished.messages[-1].role is MessageRole.ASSISTANT
    for i in range(1, 6):  # each batch stored once, together and in order
        seqs = [m.seq for m in finished.messages if m.content.startswith(f"q{i}-")]
        assert seqs == list(range(seqs[0], seqs[0] + 3))
    failed = ConversationOutcome(status=ConversationStatus.FAILED, error_code="upstream")
    assert await repo.finish(conversation.id, USER, failed) is True
    silent = await repo.get_by_id(conversation.id, USER)
    assert silent is not None
    assert len(silent.messages) == 22
    assert silent.status is ConversationStatus.FAILED


async def test_an_unreachable_server_is_unavailable_not_an_error() -> None:
    uri = f"mongodb://admin:{SECRET}@127.0.0.1:{free_port()}/"
    settings = load_settings(MONGODB_URI=uri, _env_file=None)
    with pytest.raises(StoreUnavailableError) as caught:
        await MongoStore.connect(settings, server_selection_timeout_ms=300)
    assert SECRET not in str(caught.value)
    assert "127.0.0.1" not in str(caught.value)
    assert caught.value.__cause__ is None

    store = MongoStore(make_client(uri, server_selection_timeout_ms=300), "my_flow")
    try:
        assert await store.ping() is False
        with pytest.raises(StoreUnavailableError):
            await store.contexts.list(USER, PAGE)
        with pytest.raises(StoreUnavailableError):
            await store.flows.get_by_id("x", USER)
    finally:
        await store.close()


async def test_a_server_that_goes_away_makes_the_store_unavailable(tmp_path: Path) -> None:
    process, uri = start_nx(tmp_path)
    try:
        settings = load_settings(MONGODB_URI=uri, MONGODB_DB_NAME="gone", _env_file=None)
        store = await MongoStore.connect(settings, server_selection_timeout_ms=500)
        context_id = await _context(store)
        assert await store.ping() is True
    finally:
        stop(process)
    try:
        assert await store.ping() is False
        with pytest.raises(StoreUnavailableError):
            await store.flows.create(USER, context_id, FlowCreate(title="too late"))
    finally:
        await store.close()


async def test_bad_settings_are_config_errors() -> None:
    with pytest.raises(ConfigError, match="MONGODB_URI is required"):
        await MongoStore.connect(load_settings(_env_file=None, MONGODB_URI=None))
    bad = f"mongodb://admin:{SECRET}@127.0.0.1:1/?notAnOption=&w=banana"
    with pytest.raises(ConfigError) as caught:
        make_client(f"http://{bad}")
    assert SECRET not in str(caught.value)
