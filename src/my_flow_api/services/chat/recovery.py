"""What the chat service records for a stream whose generating process died: with Redis,
what another replica read of it; alone, what its checkpoints saved."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import structlog

from my_flow_api.errors import DomainError
from my_flow_api.models.common import utcnow
from my_flow_api.models.conversation import ConversationOutcome, ConversationStatus, MessageRole
from my_flow_api.repositories.protocols import Store
from my_flow_api.services.streams.registry import LostHandler, LostStream

log = structlog.get_logger(__name__)


def lost_stream_recorder(store: Store) -> LostHandler:
    """The registry's `on_lost`: the conversation becomes `interrupted`, with the part of
    the answer that reached the stream's log."""

    async def record(lost: LostStream) -> None:
        outcome = ConversationOutcome(
            status=ConversationStatus.INTERRUPTED,
            answer=lost.answer,
            error_code=lost.code,
            answer_message_id=await _checkpointed(store, lost),
        )
        await store.conversations.finish(lost.conversation_id, lost.user_id, outcome)

    return record


async def _checkpointed(store: Store, lost: LostStream) -> str | None:
    """The assistant message the lost turn's checkpoints stored, which the answer read from
    Redis (never shorter, and beginning with it) replaces: a streaming conversation's last
    message, if the assistant's and a beginning of that answer, is its checkpoint."""
    conversation = await store.conversations.get_by_id(lost.conversation_id, lost.user_id)
    if conversation is None or conversation.status is not ConversationStatus.STREAMING:
        return None
    last = conversation.messages[-1] if conversation.messages else None
    if last is None or last.role is not MessageRole.ASSISTANT:
        return None
    return last.id if (lost.answer or "").startswith(last.content) else None


RESTART_CODE = "server_restarted"
"""A turn whose process stopped (SIGKILL, a crash) and was found at the next start."""
STALE_CODE = "stream_lost"
"""A turn found streaming long after it must have ended (its writer is gone)."""
SWEEP_SECONDS = 60.0
STALE_MARGIN_SECONDS = 60.0


class LostTurnSweep:
    """Finds conversations left `streaming` by a process that died, and records them
    `interrupted` with what their checkpoints saved.

    At start-up, a process that owns every stream (no Redis: one process only) takes every
    conversation streaming since before it started for lost. Periodically, every process
    takes for lost a conversation that has been streaming unchanged for longer than a turn
    can last (`max_duration_seconds` plus a margin): no turn outlives its duration cap, so
    the time stamp its start wrote is enough (checkpoints need not touch the conversation).
    """

    def __init__(
        self,
        store: Store,
        max_duration_seconds: float,
        *,
        owns_all: bool,
        every_seconds: float = SWEEP_SECONDS,
        margin_seconds: float = STALE_MARGIN_SECONDS,
    ) -> None:
        self.store = store
        self.stale_after = timedelta(seconds=max_duration_seconds + margin_seconds)
        self.owns_all = owns_all
        self.every_seconds = every_seconds

    async def at_start(self) -> int:
        """The start-up sweep (nothing with Redis: other replicas' turns are alive)."""
        if not self.owns_all:
            return 0
        found = await self.store.conversations.interrupt_stale(utcnow(), RESTART_CODE)
        if found:
            log.warning("Recorded turns of a stopped process as interrupted", count=found)
        return found

    async def run(self) -> None:
        """The periodic sweep (a background task until cancelled); failures wait a turn."""
        while True:
            await asyncio.sleep(self.every_seconds)
            try:
                before = utcnow() - self.stale_after
                found = await self.store.conversations.interrupt_stale(before, STALE_CODE)
            except DomainError as exc:
                log.warning("The sweep of lost turns failed", code=exc.code)
                continue
            if found:
                log.warning("Recorded lost turns as interrupted", count=found)
