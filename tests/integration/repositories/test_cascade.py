"""Contract: deleting a context deletes its flows, conversations and messages, nothing else."""

from __future__ import annotations

import pytest

from my_flow_api.errors import NotFoundError
from my_flow_api.models.common import PageParams
from my_flow_api.models.context import Context, ContextCreate
from my_flow_api.models.conversation import (
    Conversation,
    ConversationOutcome,
    ConversationStatus,
    Message,
    MessageRole,
)
from my_flow_api.models.flow import Flow, FlowCreate
from my_flow_api.repositories.protocols import Store
from tests.support.conversations import begin_conversation

pytestmark = pytest.mark.integration

ALICE = "user-alice"


async def filled(store: Store, name: str) -> tuple[Context, Flow, Conversation]:
    ctx = await store.contexts.create(ALICE, ContextCreate(name=name))
    flow = await store.flows.create(ALICE, ctx.id, FlowCreate(title=f"{name} task"))
    message = Message(role=MessageRole.USER, content="hi")
    conv = await begin_conversation(store, ALICE, ctx.id, [message])
    outcome = ConversationOutcome(status=ConversationStatus.COMPLETE, answer="hello")
    await store.conversations.finish(conv.id, ALICE, outcome)
    return ctx, flow, conv


async def test_deleting_a_context_deletes_its_children(store: Store) -> None:
    ctx, flow, conv = await filled(store, "Work")
    assert await store.contexts.delete(ctx.id, ALICE) is True
    assert await store.flows.get_by_id(flow.id, ALICE) is None
    assert await store.conversations.get_by_id(conv.id, ALICE) is None
    with pytest.raises(NotFoundError):
        await store.flows.list_by_context(ALICE, ctx.id, PageParams())
    with pytest.raises(NotFoundError):
        await store.conversations.list_by_context(ALICE, ctx.id, PageParams())


async def test_other_contexts_keep_their_children(store: Store) -> None:
    doomed, _, _ = await filled(store, "Work")
    kept, flow, conv = await filled(store, "Home")
    await store.contexts.delete(doomed.id, ALICE)
    assert await store.flows.get_by_id(flow.id, ALICE) == flow
    kept_conv = await store.conversations.get_by_id(conv.id, ALICE)
    assert kept_conv is not None
    assert [m.content for m in kept_conv.messages] == ["hi", "hello"]
    assert (await store.flows.list_by_context(ALICE, kept.id, PageParams())).total == 1
    assert (await store.contexts.list(ALICE, PageParams())).total == 1
