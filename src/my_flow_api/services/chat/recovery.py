"""What the chat service records for a stream whose generating process died."""

from __future__ import annotations

from my_flow_api.models.conversation import ConversationOutcome, ConversationStatus
from my_flow_api.repositories.protocols import Store
from my_flow_api.services.streams.registry import LostHandler, LostStream


def lost_stream_recorder(store: Store) -> LostHandler:
    """The registry's `on_lost`: the conversation becomes `interrupted`, with the part of
    the answer that reached the stream's log."""

    async def record(lost: LostStream) -> None:
        outcome = ConversationOutcome(
            status=ConversationStatus.INTERRUPTED, answer=lost.answer, error_code=lost.code
        )
        await store.conversations.finish(lost.conversation_id, lost.user_id, outcome)

    return record
