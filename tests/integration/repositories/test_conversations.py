"""Contract: conversations and their messages (start, append, finish, get, list, isolation)."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from my_flow_api.errors import ConversationBusyError, HistoryConflictError, NotFoundError
from my_flow_api.models.common import PageParams, utcnow
from my_flow_api.models.context import Context, ContextCreate
from my_flow_api.models.conversation import (
    Conversation,
    ConversationOutcome,
    ConversationStatus,
    Message,
    MessageRole,
    Usage,
)
from my_flow_api.models.flow import FlowCreate, FlowUpdate
from my_flow_api.repositories.protocols import Store
from tests.support.conversations import begin_conversation

pytestmark = pytest.mark.integration

ALICE = "user-alice"
BOB = "user-bob"
COMPLETE = ConversationStatus.COMPLETE
TRICKY = "  line one\n\nline two \u2014 caf\u00e9 \U0001f680\r\n\tend  "


def user(content: str) -> Message:
    return Message(role=MessageRole.USER, content=content)


async def context_of(store: Store, owner: str = ALICE) -> Context:
    return await store.contexts.create(owner, ContextCreate(name="Work"))


async def started(store: Store, ctx: Context, *contents: str) -> Conversation:
    messages = [user(c) for c in contents or ("hello",)]
    return await begin_conversation(store, ALICE, ctx.id, messages, provider="local", model="m")


def shape(conversation: Conversation) -> list[tuple[int, str, str]]:
    return [(m.seq, m.role.value, m.content) for m in conversation.messages]


async def test_a_started_conversation_is_streaming_in_order(store: Store) -> None:
    ctx = await context_of(store)
    system = Message(role=MessageRole.SYSTEM, content="be brief")
    conv = await begin_conversation(
        store, ALICE, ctx.id, [system, user(TRICKY)], provider="openai", model="gpt"
    )
    assert (conv.status, conv.provider, conv.model) == ("streaming", "openai", "gpt")
    assert (conv.user_id, conv.context_id, conv.usage) == (ALICE, ctx.id, Usage())
    assert shape(conv) == [(0, "system", "be brief"), (1, "user", TRICKY)]
    for stamp in (conv.created_at, conv.updated_at, *(m.created_at for m in conv.messages)):
        assert stamp.utcoffset() == timedelta(0)
    assert await store.conversations.get_by_id(conv.id, ALICE) == conv


async def test_start_without_provider_or_model(store: Store) -> None:
    ctx = await context_of(store)
    conv = await begin_conversation(store, ALICE, ctx.id, [user("hi")])
    assert (conv.provider, conv.model, conv.error_code, conv.duration_ms) == (None,) * 4


async def test_start_records_the_conversation_and_names_its_context(store: Store) -> None:
    ctx = await context_of(store)
    system = Message(role=MessageRole.SYSTEM, content="be brief")
    started_ = await store.conversations.start(
        ALICE, ctx.id, [system, user(TRICKY)], provider="openai", model="gpt"
    )
    assert started_ is not None
    assert started_.context_name == "Work"
    conv = await store.conversations.get_by_id(started_.id, ALICE)
    assert conv is not None
    assert (conv.status, conv.provider, conv.model, conv.context_id) == (
        "streaming",
        "openai",
        "gpt",
        ctx.id,
    )
    assert shape(conv) == [(0, "system", "be brief"), (1, "user", TRICKY)]


async def test_start_says_no_open_flows_only_when_the_context_has_none(store: Store) -> None:
    ctx = await context_of(store)
    theirs = await context_of(store, owner=BOB)
    await store.flows.create(BOB, theirs.id, FlowCreate(title="Not Alice's"))
    done = await store.flows.create(ALICE, ctx.id, FlowCreate(title="Done"))
    await store.flows.update(done.id, ALICE, FlowUpdate(is_completed=True))
    first = await store.conversations.start(ALICE, ctx.id, [user("hi")])
    assert first is not None
    sql = type(store).__name__ == "SqlStore"  # MongoDB does not say (True: capture reads)
    assert first.open_flows is not sql
    await store.flows.create(ALICE, ctx.id, FlowCreate(title="Open"))
    second = await store.conversations.start(ALICE, ctx.id, [user("hi")])
    assert second is not None
    assert second.open_flows is True  # never False while an open flow exists


async def test_start_in_a_foreign_or_missing_context_stores_nothing(store: Store) -> None:
    bobs = await context_of(store, BOB)
    assert await store.conversations.start(ALICE, bobs.id, [user("hi")]) is None
    assert await store.conversations.start(ALICE, "no-such-context", [user("hi")]) is None
    assert (await store.conversations.list_by_context(BOB, bobs.id, PageParams())).total == 0


async def test_finish_stores_the_answer_and_the_outcome(store: Store) -> None:
    ctx = await context_of(store)
    conv = await started(store, ctx, "question")
    outcome = ConversationOutcome(
        status=ConversationStatus.COMPLETE,
        answer=TRICKY,
        usage=Usage(input_tokens=12, output_tokens=34),
        first_token_ms=150,
        duration_ms=900,
    )
    assert await store.conversations.finish(conv.id, ALICE, outcome) is True
    done = await store.conversations.get_by_id(conv.id, ALICE)
    assert done is not None
    assert shape(done) == [(0, "user", "question"), (1, "assistant", TRICKY)]
    assert (done.status, done.usage, done.first_token_ms, done.duration_ms) == (
        "complete",
        Usage(input_tokens=12, output_tokens=34),
        150,
        900,
    )
    assert done.updated_at > conv.updated_at


@pytest.mark.parametrize("answer", [None, ""])
async def test_finish_without_an_answer_adds_no_message(store: Store, answer: str | None) -> None:
    ctx = await context_of(store)
    conv = await started(store, ctx)
    outcome = ConversationOutcome(
        status=ConversationStatus.FAILED, answer=answer, error_code="provider_unavailable"
    )
    assert await store.conversations.finish(conv.id, ALICE, outcome) is True
    failed = await store.conversations.get_by_id(conv.id, ALICE)
    assert failed is not None
    assert (failed.status, failed.error_code) == ("failed", "provider_unavailable")
    assert shape(failed) == shape(conv)


async def test_append_continues_the_sequence_and_streams_again(store: Store) -> None:
    ctx = await context_of(store)
    conv = await started(store, ctx, "one")
    answer = ConversationOutcome(status=ConversationStatus.COMPLETE, answer="two")
    await store.conversations.finish(conv.id, ALICE, answer)
    more = await store.conversations.append_messages(conv.id, ALICE, [user("three"), user("four")])
    assert more is not None
    assert more.status == "streaming"
    assert shape(more) == [
        (0, "user", "one"),
        (1, "assistant", "two"),
        (2, "user", "three"),
        (3, "user", "four"),
    ]


async def test_of_concurrent_continuations_one_is_stored_the_others_are_busy(
    store: Store,
) -> None:
    ctx = await context_of(store)
    conv = await started(store, ctx, "start")
    await store.conversations.finish(conv.id, ALICE, ConversationOutcome(status=COMPLETE))
    results = await asyncio.gather(
        *(store.conversations.append_messages(conv.id, ALICE, [user(f"m{i}")]) for i in range(6)),
        return_exceptions=True,
    )
    stored = [r for r in results if isinstance(r, Conversation)]
    assert len(stored) == 1
    assert all(isinstance(r, ConversationBusyError) for r in results if r not in stored)
    final = await store.conversations.get_by_id(conv.id, ALICE)
    assert final is not None
    assert [m.seq for m in final.messages] == [0, 1]
    assert final.messages[1].content == stored[0].messages[1].content


async def test_finishes_and_continuations_racing_keep_consecutive_seqs(store: Store) -> None:
    ctx = await context_of(store)
    conv = await started(store, ctx, "start")
    answer = ConversationOutcome(status=ConversationStatus.COMPLETE, answer="reply")
    finishes = [store.conversations.finish(conv.id, ALICE, answer) for _ in range(4)]
    appends = [
        store.conversations.append_messages(conv.id, ALICE, [user("more")]) for _ in range(4)
    ]
    results = await asyncio.gather(*finishes, *appends, return_exceptions=True)
    appended = sum(isinstance(r, Conversation) for r in results[4:])
    assert appended + sum(isinstance(r, ConversationBusyError) for r in results[4:]) == 4
    final = await store.conversations.get_by_id(conv.id, ALICE)
    assert final is not None
    assert [m.seq for m in final.messages] == list(range(5 + appended))
    assert [m.content for m in final.messages].count("reply") == 4


async def test_a_checkpoint_is_the_answer_until_the_end_rewrites_it(store: Store) -> None:
    ctx = await context_of(store)
    conv = await started(store, ctx, "question")
    repo = store.conversations
    first = await repo.checkpoint(conv.id, ALICE, "Hel", None)
    assert first is not None
    assert await repo.checkpoint(conv.id, ALICE, "Hello wor", first) == first
    seen = await repo.get_by_id(conv.id, ALICE)
    assert seen is not None
    assert seen.status == "streaming"
    assert shape(seen) == [(0, "user", "question"), (1, "assistant", "Hello wor")]
    assert await repo.checkpoint(conv.id, BOB, "sneaky", None) is None
    done = ConversationOutcome(status=COMPLETE, answer="Hello world", answer_message_id=first)
    assert await repo.finish(conv.id, ALICE, done)
    assert await repo.checkpoint(conv.id, ALICE, "late", first) is None  # the turn is over
    final = await repo.get_by_id(conv.id, ALICE)
    assert final is not None
    assert shape(final) == [(0, "user", "question"), (1, "assistant", "Hello world")]


async def test_stale_streaming_conversations_become_interrupted_with_their_checkpoint(
    store: Store,
) -> None:
    ctx = await context_of(store)
    lost = await started(store, ctx, "lost")
    await store.conversations.checkpoint(lost.id, ALICE, "half an ans", None)
    finished = await started(store, ctx, "finished")
    await store.conversations.finish(finished.id, ALICE, ConversationOutcome(status=COMPLETE))
    cutoff = utcnow() + timedelta(seconds=1)
    assert await store.conversations.interrupt_stale(utcnow() - timedelta(hours=1), "x") == 0
    assert await store.conversations.interrupt_stale(cutoff, "server_restarted") == 1
    found = await store.conversations.get_by_id(lost.id, ALICE)
    assert found is not None
    assert (found.status, found.error_code) == ("interrupted", "server_restarted")
    assert shape(found) == [(0, "user", "lost"), (1, "assistant", "half an ans")]
    still = await store.conversations.get_by_id(finished.id, ALICE)
    assert still is not None
    assert still.status == "complete"
    assert await store.conversations.append_messages(lost.id, ALICE, [user("again")]) is not None


async def test_a_streaming_conversation_takes_no_second_turn(store: Store) -> None:
    ctx = await context_of(store)
    conv = await started(store, ctx, "first")
    with pytest.raises(ConversationBusyError):
        await store.conversations.append_messages(conv.id, ALICE, [user("second")])
    assert await store.conversations.get_by_id(conv.id, ALICE) == conv


async def test_an_append_after_a_history_that_grew_meanwhile_stores_nothing(
    store: Store,
) -> None:
    ctx = await context_of(store)
    conv = await started(store, ctx, "one")
    with pytest.raises(ConversationBusyError):  # busy is told before the history
        await store.conversations.append_messages(conv.id, ALICE, [user("x")], after=9)
    answer = ConversationOutcome(status=COMPLETE, answer="two")
    await store.conversations.finish(conv.id, ALICE, answer)
    before = await store.conversations.get_by_id(conv.id, ALICE)
    with pytest.raises(HistoryConflictError):  # the caller read one message, two are stored
        await store.conversations.append_messages(conv.id, ALICE, [user("late")], after=1)
    assert await store.conversations.get_by_id(conv.id, ALICE) == before
    more = await store.conversations.append_messages(conv.id, ALICE, [user("three")], after=2)
    assert more is not None
    assert shape(more)[-1] == (2, "user", "three")


async def test_list_is_newest_first_paginated_without_messages(store: Store) -> None:
    ctx, other = await context_of(store), await context_of(store)
    made = [await started(store, ctx, f"c{i}") for i in range(3)]
    await started(store, other)
    page = await store.conversations.list_by_context(ALICE, ctx.id, PageParams(limit=2))
    assert (page.total, [c.id for c in page.items]) == (3, [made[2].id, made[1].id])
    assert not hasattr(page.items[0], "messages")
    rest = await store.conversations.list_by_context(ALICE, ctx.id, PageParams(limit=2, offset=2))
    assert [c.id for c in rest.items] == [made[0].id]
    assert rest.items[0].created_at.utcoffset() == timedelta(0)


async def test_another_user_never_sees_or_changes_a_conversation(store: Store) -> None:
    ctx = await context_of(store)
    conv = await started(store, ctx)
    finish = ConversationOutcome(status=ConversationStatus.CANCELLED, answer="x")
    assert await store.conversations.get_by_id(conv.id, BOB) is None
    assert await store.conversations.append_messages(conv.id, BOB, [user("sneaky")]) is None
    assert await store.conversations.finish(conv.id, BOB, finish) is False
    with pytest.raises(NotFoundError):
        await store.conversations.list_by_context(BOB, ctx.id, PageParams())
    assert await store.conversations.get_by_id(conv.id, ALICE) == conv


async def test_missing_conversation(store: Store) -> None:
    outcome = ConversationOutcome(status=ConversationStatus.COMPLETE)
    assert await store.conversations.get_by_id("no-such-id", ALICE) is None
    assert await store.conversations.append_messages("no-such-id", ALICE, [user("x")]) is None
    assert await store.conversations.finish("no-such-id", ALICE, outcome) is False
    with pytest.raises(NotFoundError):
        await store.conversations.list_by_context(ALICE, "no-such-context", PageParams())
