"""Setting up a stored conversation the way the service does: `start`, then read it back."""

from __future__ import annotations

from collections.abc import Sequence

from my_flow_api.models.conversation import Conversation, Message
from my_flow_api.repositories.protocols import Store


async def begin_conversation(
    store: Store,
    user_id: str,
    context_id: str,
    messages: Sequence[Message],
    *,
    provider: str | None = None,
    model: str | None = None,
) -> Conversation:
    """A new conversation (status streaming) in the user's own context."""
    started = await store.conversations.start(
        user_id, context_id, messages, provider=provider, model=model
    )
    assert started is not None, "the context must be the user's"
    conversation = await store.conversations.get_by_id(started.id, user_id)
    assert conversation is not None
    return conversation
