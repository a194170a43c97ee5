"""Contract: the group commit of checkpoints (`checkpoint_many`), and the process's
checkpoint writer on a real store: several turns' answers in one tick, an ended turn
skipped, a failed tick tried again."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest

from my_flow_api.models.context import ContextCreate
from my_flow_api.models.conversation import (
    CheckpointWrite,
    Conversation,
    ConversationOutcome,
    ConversationStatus,
    Message,
    MessageRole,
)
from my_flow_api.repositories.protocols import ConversationRepository, Store
from my_flow_api.services.chat.checkpoints import Checkpoints, CheckpointWriter
from tests.support.conversations import begin_conversation

pytestmark = pytest.mark.integration

ALICE = "user-alice"
BOB = "user-bob"
COMPLETE = ConversationOutcome(status=ConversationStatus.COMPLETE)
INTERVAL = 0.1


async def turn(store: Store, owner: str, question: str) -> Conversation:
    ctx = await store.contexts.create(owner, ContextCreate(name="Work"))
    asked = [Message(role=MessageRole.USER, content=question)]
    return await begin_conversation(store, owner, ctx.id, asked)


async def shape(store: Store, conv: Conversation) -> list[tuple[str, str]]:
    found = await store.conversations.get_by_id(conv.id, conv.user_id)
    assert found is not None
    return [(m.role.value, m.content) for m in found.messages]


async def test_one_call_stores_every_streaming_turn_and_skips_the_others(store: Store) -> None:
    a, b = await turn(store, ALICE, "a?"), await turn(store, BOB, "b?")
    ended = await turn(store, ALICE, "ended?")
    assert await store.conversations.finish(ended.id, ALICE, COMPLETE)
    repo = store.conversations

    first = await repo.checkpoint_many(
        [
            CheckpointWrite(a.id, ALICE, "A1", None),
            CheckpointWrite(ended.id, ALICE, "late", None),
            CheckpointWrite(b.id, ALICE, "not Alice's", None),  # another user's turn
            CheckpointWrite(b.id, BOB, "B1", None),
        ]
    )
    a_id, gone, foreign, b_id = first
    assert a_id is not None
    assert b_id is not None
    assert a_id != b_id
    assert (gone, foreign) == (None, None)

    again = [CheckpointWrite(a.id, ALICE, "A1 A2", a_id), CheckpointWrite(b.id, BOB, "B1 B2", b_id)]
    assert await repo.checkpoint_many(again) == [a_id, b_id]
    assert await shape(store, a) == [("user", "a?"), ("assistant", "A1 A2")]
    assert await shape(store, b) == [("user", "b?"), ("assistant", "B1 B2")]
    assert await shape(store, ended) == [("user", "ended?")]
    assert await repo.checkpoint_many([]) == []


async def test_the_end_of_a_turn_rewrites_its_batched_checkpoint(store: Store) -> None:
    conv = await turn(store, ALICE, "q")
    [saved] = await store.conversations.checkpoint_many(
        [CheckpointWrite(conv.id, ALICE, "He", None)]
    )
    done = ConversationOutcome(
        status=ConversationStatus.COMPLETE, answer="Hello", answer_message_id=saved
    )
    assert await store.conversations.finish(conv.id, ALICE, done)
    assert await shape(store, conv) == [("user", "q"), ("assistant", "Hello")]
    assert await store.conversations.checkpoint_many(
        [CheckpointWrite(conv.id, ALICE, "x", saved)]
    ) == [None]


class FailingOnce:
    """The store's repository whose first `checkpoint_many` fails (a dropped connection)."""

    def __init__(self, repo: ConversationRepository) -> None:
        self.repo = repo
        self.calls: asyncio.Queue[int] = asyncio.Queue()
        """How many writes each call carried, once it is over."""
        self._failed = False

    async def checkpoint_many(self, writes: Sequence[CheckpointWrite]) -> list[str | None]:
        try:
            if not self._failed:
                self._failed = True
                raise OSError("connection reset")
            return await self.repo.checkpoint_many(writes)
        finally:
            self.calls.put_nowait(len(writes))

    async def next_call(self) -> int:
        return await asyncio.wait_for(self.calls.get(), INTERVAL * 20)


async def test_the_writer_commits_concurrent_turns_together_and_retries_a_failed_tick(
    store: Store,
) -> None:
    a, b = await turn(store, ALICE, "a?"), await turn(store, BOB, "b?")
    repo = FailingOnce(store.conversations)
    writer = CheckpointWriter(repo, INTERVAL)  # type: ignore[arg-type]
    answers = {a.id: ["A1"], b.id: ["B1"]}
    saves = [Checkpoints(writer, c.id, c.user_id, lambda c=c: answers[c.id]) for c in (a, b)]
    for save in saves:
        save.start()
    # the first due tick fails for both, the next one stores both: one call each time
    assert [await repo.next_call(), await repo.next_call()] == [2, 2]
    assert await shape(store, a) == [("user", "a?"), ("assistant", "A1")]
    assert await shape(store, b) == [("user", "b?"), ("assistant", "B1")]

    assert await store.conversations.finish(b.id, BOB, COMPLETE)  # b's turn ends under it
    answers[a.id].append(" A2")
    answers[b.id].append(" B2")
    assert await repo.next_call() == 2
    ids = [await save.stop() for save in saves]
    assert ids[0] is not None
    assert ids[1] is not None
    assert await shape(store, a) == [("user", "a?"), ("assistant", "A1 A2")]
    assert await shape(store, b) == [("user", "b?"), ("assistant", "B1")]
