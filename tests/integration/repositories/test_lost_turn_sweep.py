"""The sweep of turns a dead process left streaming (issue 21), on every store: at
start-up a lone process takes every streaming conversation for lost, a replica sharing
Redis takes none; the periodic sweep takes one streaming longer than a turn can last."""

from __future__ import annotations

import asyncio

from my_flow_api.models.context import ContextCreate
from my_flow_api.models.conversation import Message, MessageRole
from my_flow_api.repositories.protocols import Store
from my_flow_api.services.chat.recovery import RESTART_CODE, STALE_CODE, LostTurnSweep
from tests.support.conversations import begin_conversation

ALICE = "user-alice"


async def streaming_conversation(store: Store) -> str:
    context = await store.contexts.create(ALICE, ContextCreate(name="Work"))
    question = [Message(role=MessageRole.USER, content="question")]
    conversation = await begin_conversation(store, ALICE, context.id, question)
    await store.conversations.checkpoint(conversation.id, ALICE, "half", None)
    return conversation.id


async def state(store: Store, conversation_id: str) -> tuple[str, str | None, str]:
    found = await store.conversations.get_by_id(conversation_id, ALICE)
    assert found is not None
    return found.status.value, found.error_code, found.messages[-1].content


async def test_a_lone_process_takes_every_streaming_turn_for_lost_at_start(store: Store) -> None:
    conversation_id = await streaming_conversation(store)
    assert await LostTurnSweep(store, 300, owns_all=False).at_start() == 0  # Redis: others'
    assert await state(store, conversation_id) == ("streaming", None, "half")
    await asyncio.sleep(0.05)  # MongoDB's clock may run a few ms ahead within a burst
    assert await LostTurnSweep(store, 300, owns_all=True).at_start() == 1
    assert await state(store, conversation_id) == ("interrupted", RESTART_CODE, "half")


async def test_the_periodic_sweep_takes_a_turn_older_than_any_turn_can_be(store: Store) -> None:
    conversation_id = await streaming_conversation(store)
    patient = LostTurnSweep(store, 300, owns_all=False, every_seconds=0.05)
    sweep = LostTurnSweep(store, 0.1, owns_all=False, every_seconds=0.05, margin_seconds=0)
    tasks = [asyncio.create_task(patient.run()), asyncio.create_task(sweep.run())]
    try:
        for _ in range(100):  # 5 s
            if (await state(store, conversation_id))[0] != "streaming":
                break
            await asyncio.sleep(0.05)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    assert await state(store, conversation_id) == ("interrupted", STALE_CODE, "half")
