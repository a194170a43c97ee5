"""What only the MongoDB store has to show: indexes, storage shape, crash-safe cascade,
race-free de-duplication, and how it fails when the server is not there.

The behaviour every store shares is in the contract suite next to this file.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from pymongo.errors import BulkWriteError

from my_flow_api.config import load_settings
from my_flow_api.errors import HistoryConflictError, NotFoundError
from my_flow_api.models.common import PageParams
from my_flow_api.models.context import ContextCreate, ContextUpdate
from my_flow_api.models.conversation import (
    ConversationOutcome,
    ConversationStatus,
    Message,
    MessageRole,
)
from my_flow_api.models.flow import FlowCreate, FlowPriority, FlowUpdate
from my_flow_api.repositories.mongo import MongoStore
from my_flow_api.repositories.mongo.base import INDEXES
from tests.support.conversations import begin_conversation

pytestmark = pytest.mark.integration

USER = "user-a"
PAGE = PageParams()


def _user_msg(text: str) -> Message:
    return Message(role=MessageRole.USER, content=text)


async def _index_keys(store: MongoStore) -> dict[str, set[tuple[tuple[str, ...], bool]]]:
    found: dict[str, set[tuple[tuple[str, ...], bool]]] = {}
    for name in INDEXES:
        cursor = await store.collections.db[name].list_indexes()
        found[name] = {(tuple(ix["key"]), bool(ix.get("unique"))) async for ix in cursor}
    return found


async def test_connect_creates_the_indexes_and_is_idempotent(
    mongo_store: MongoStore, mongo_uri: str
) -> None:
    first = await _index_keys(mongo_store)
    for name, models in INDEXES.items():
        for model in models:
            spec = model.document
            expected = (tuple(spec["key"]), bool(spec.get("unique")))
            assert expected in first[name], f"{name}: {spec['name']} missing"
    db_name = mongo_store.collections.db.name
    settings = load_settings(MONGODB_URI=mongo_uri, MONGODB_DB_NAME=db_name, _env_file=None)
    again = await MongoStore.connect(settings)
    try:
        assert await _index_keys(again) == first
    finally:
        await again.close()


async def test_ids_are_strings_and_times_aware_utc(mongo_store: MongoStore) -> None:
    context = await mongo_store.contexts.create(USER, ContextCreate(name="Work"))
    naive_due = datetime(2030, 1, 2, 3, 4, 5, 678901)  # naive: taken as UTC
    flow = await mongo_store.flows.create(
        USER, context.id, FlowCreate(title="Ship it", due_date=naive_due)
    )
    plus_two = timezone(timedelta(hours=2))
    updated = await mongo_store.flows.update(
        flow.id, USER, FlowUpdate(due_date=datetime(2030, 1, 2, 5, 0, tzinfo=plus_two))
    )
    conversation = await begin_conversation(mongo_store, USER, context.id, [_user_msg("hi")])

    assert flow.due_date == datetime(2030, 1, 2, 3, 4, 5, 678901, tzinfo=UTC)
    assert updated is not None
    assert updated.due_date == datetime(2030, 1, 2, 3, 0, tzinfo=UTC)
    assert await mongo_store.flows.get_by_id(flow.id, USER) == updated
    for model in (context, flow, updated, conversation, conversation.messages[0]):
        assert isinstance(model.id, str)
        assert len(model.id) == 32
        assert model.created_at.utcoffset() == timedelta(0)
    cols = mongo_store.collections
    for collection in (cols.contexts, cols.flows, cols.conversations, cols.messages):
        raw = await collection.find_one({"user_id": USER})
        assert raw is not None
        assert isinstance(raw["_id"], str)
        assert raw["created_at"].utcoffset() == timedelta(0)


async def test_due_dates_keep_microseconds_beside_the_bson_date(mongo_store: MongoStore) -> None:
    context = await mongo_store.contexts.create(USER, ContextCreate(name="Work"))
    due = datetime(2031, 6, 7, 8, 9, 10, 123456, tzinfo=UTC)
    flow = await mongo_store.flows.create(USER, context.id, FlowCreate(title="x", due_date=due))
    raw = await mongo_store.collections.flows.find_one({"_id": flow.id})
    assert raw is not None
    assert raw["due_date"] == datetime(2031, 6, 7, 8, 9, 10, 123000, tzinfo=UTC)
    assert raw["due_date_us"] == 456
    change = FlowUpdate(due_date=None, priority=FlowPriority.HIGH)
    cleared = await mongo_store.flows.update(flow.id, USER, change)
    assert cleared is not None
    assert cleared.due_date is None
    assert cleared.priority is FlowPriority.HIGH
    assert await mongo_store.flows.get_by_id(flow.id, USER) == cleared


async def test_timestamps_are_strictly_increasing(mongo_store: MongoStore) -> None:
    made = [await mongo_store.contexts.create(USER, ContextCreate(name=f"c{i}")) for i in range(5)]
    stamps = [c.created_at for c in made]
    assert stamps == sorted(set(stamps))
    listed = await mongo_store.contexts.list(USER, PAGE)
    assert [c.id for c in listed.items] == [c.id for c in reversed(made)]


async def _filled_context(store: MongoStore, user: str = USER) -> tuple[str, str, str]:
    context = await store.contexts.create(user, ContextCreate(name="Doomed"))
    flow = await store.flows.create(user, context.id, FlowCreate(title="Task"))
    conversation = await begin_conversation(store, user, context.id, [_user_msg("hello")])
    return context.id, flow.id, conversation.id


async def _raw_counts(store: MongoStore, context_id: str) -> dict[str, int]:
    cols = store.collections
    return {
        "contexts": await cols.contexts.count_documents({"_id": context_id}),
        "flows": await cols.flows.count_documents({"context_id": context_id}),
        "conversations": await cols.conversations.count_documents({"context_id": context_id}),
        "messages": await cols.messages.count_documents({"context_id": context_id}),
    }


async def test_a_cascade_interrupted_after_marking_hides_everything(
    mongo_store: MongoStore, mongo_uri: str
) -> None:
    context_id, flow_id, conversation_id = await _filled_context(mongo_store)
    kept_id, kept_flow, _ = await _filled_context(mongo_store)

    assert await mongo_store.contexts.mark_deleting(context_id, USER) is True
    # -- the process "crashes" here: nothing deleted yet, everything must look gone --
    store = mongo_store
    assert await store.contexts.get_by_id(context_id, USER) is None
    assert [c.id for c in (await store.contexts.list(USER, PAGE)).items] == [kept_id]
    assert await store.flows.get_by_id(flow_id, USER) is None
    assert await store.flows.update(flow_id, USER, FlowUpdate(title="x")) is None
    assert await store.flows.delete(flow_id, USER) is False
    assert await store.conversations.get_by_id(conversation_id, USER) is None
    assert (
        await store.conversations.append_messages(conversation_id, USER, [_user_msg("x")]) is None
    )
    done = ConversationOutcome(status=ConversationStatus.COMPLETE, answer="a")
    assert await store.conversations.finish(conversation_id, USER, done) is False
    assert await store.contexts.update(context_id, USER, ContextUpdate(name="x")) is None
    with pytest.raises(NotFoundError):
        await store.flows.list_by_context(USER, context_id, PAGE)
    with pytest.raises(NotFoundError):
        await store.conversations.list_by_context(USER, context_id, PAGE)
    with pytest.raises(NotFoundError):
        await store.flows.create(USER, context_id, FlowCreate(title="late"))
    assert await store.conversations.start(USER, context_id, [_user_msg("late")]) is None

    # A restart finishes the job; the other context is untouched.
    settings = load_settings(
        MONGODB_URI=mongo_uri, MONGODB_DB_NAME=store.collections.db.name, _env_file=None
    )
    restarted = await MongoStore.connect(settings)
    await restarted.close()
    assert await _raw_counts(store, context_id) == dict.fromkeys(
        ("contexts", "flows", "conversations", "messages"), 0
    )
    assert (await _raw_counts(store, kept_id))["flows"] == 1
    assert await store.flows.get_by_id(kept_flow, USER) is not None


async def test_deleting_again_after_a_crash_cleans_up_and_answers_false(
    mongo_store: MongoStore,
) -> None:
    context_id, _, _ = await _filled_context(mongo_store)
    await mongo_store.contexts.mark_deleting(context_id, USER)
    # a crash after the messages went but before the rest
    await mongo_store.collections.messages.delete_many({"context_id": context_id})

    assert await mongo_store.contexts.delete(context_id, USER) is False
    assert set((await _raw_counts(mongo_store, context_id)).values()) == {0}
    assert await mongo_store.contexts.mark_deleting(context_id, USER) is None


async def test_delete_is_scoped_by_user(mongo_store: MongoStore) -> None:
    context_id, flow_id, _ = await _filled_context(mongo_store)
    assert await mongo_store.contexts.delete(context_id, "intruder") is False
    assert await mongo_store.flows.get_by_id(flow_id, USER) is not None
    assert await mongo_store.contexts.delete(context_id, USER) is True
    assert set((await _raw_counts(mongo_store, context_id)).values()) == {0}


async def test_an_append_whose_insert_failed_does_not_refuse_later_whole_histories(
    mongo_store: MongoStore,
) -> None:
    """The sequence numbers are reserved before the messages are inserted: an insert that
    fails after its reservation must leave a gap in `seq`, not a counter that no history
    read from the stored messages can ever match again."""
    context = await mongo_store.contexts.create(USER, ContextCreate(name="Gap"))
    conv = await begin_conversation(mongo_store, USER, context.id, [_user_msg("one")])
    done = ConversationOutcome(status=ConversationStatus.COMPLETE, answer="two")
    await mongo_store.conversations.finish(conv.id, USER, done)
    # another writer's document already holds seq 2: the next insert fails for real
    blocker = {"_id": "blocker", "conversation_id": conv.id, "user_id": "someone-else", "seq": 2}
    await mongo_store.collections.messages.insert_one(blocker)
    with pytest.raises(BulkWriteError):
        await mongo_store.conversations.append_messages(conv.id, USER, [_user_msg("x")], after=2)
    await mongo_store.conversations.finish(
        conv.id,
        USER,
        ConversationOutcome(status=ConversationStatus.FAILED, error_code="store_unavailable"),
    )
    stored = await mongo_store.conversations.get_by_id(conv.id, USER)
    assert stored is not None
    assert [m.content for m in stored.messages] == ["one", "two"]
    with pytest.raises(HistoryConflictError):  # a history older than the stored one
        await mongo_store.conversations.append_messages(conv.id, USER, [_user_msg("y")], after=1)
    more = await mongo_store.conversations.append_messages(
        conv.id, USER, [_user_msg("three")], after=2
    )
    assert more is not None
    assert [m.content for m in more.messages] == ["one", "two", "three"]


async def test_a_stale_history_is_refused_while_a_turn_end_is_inserting_its_answer(
    mongo_store: MongoStore,
) -> None:
    """A turn's end bumps the counter, then inserts its answer: in between the stored
    messages are one short of the counter, and a history without that answer is stale."""
    context = await mongo_store.contexts.create(USER, ContextCreate(name="Window"))
    conv = await begin_conversation(mongo_store, USER, context.id, [_user_msg("one")])
    cols = mongo_store.collections
    await cols.conversations.update_one(  # what `finish` has done before its insert
        {"_id": conv.id}, {"$set": {"status": "complete"}, "$inc": {"message_count": 1}}
    )
    with pytest.raises(HistoryConflictError):
        await mongo_store.conversations.append_messages(conv.id, USER, [_user_msg("x")], after=1)
    stored = await mongo_store.conversations.get_by_id(conv.id, USER)
    assert stored is not None
    assert [m.content for m in stored.messages] == ["one"]
