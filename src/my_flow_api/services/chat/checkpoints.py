"""Saving a streaming answer while it streams, so a killed process loses little of it.

One timer per turn, off the per-token path: every `interval` seconds, if the answer grew,
its text so far is written as the turn's assistant message (the first write inserts it,
later ones rewrite it by id). A SIGKILL then loses at most one interval of what readers
saw; the sweep (`recovery.py`) records such a turn as `interrupted` with that text.
A failed write is logged and retried at the next tick: it never fails the turn.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable

import structlog

from my_flow_api.errors import DomainError
from my_flow_api.repositories.protocols import ConversationRepository

log = structlog.get_logger(__name__)


class Checkpoints:
    """The periodic saves of one turn's answer; `stop()` before recording its end."""

    def __init__(
        self,
        conversations: ConversationRepository,
        conversation_id: str,
        user_id: str,
        answer: Callable[[], list[str]],
        interval: float,
    ) -> None:
        self._conversations = conversations
        self._conversation_id = conversation_id
        self._user_id = user_id
        self._answer = answer
        self._interval = interval
        self._saved_parts = 0
        self._saving: asyncio.Future[None] | None = None
        self._task: asyncio.Task[None] | None = None
        self.message_id: str | None = None
        """The assistant message holding the answer so far, once one was saved."""

    def start(self) -> None:
        """Begin ticking (a turn with checkpoints switched off never calls this)."""
        if self._interval > 0 and self._task is None:
            self._task = asyncio.create_task(self._run(), name="answer-checkpoints")

    async def stop(self) -> str | None:
        """No more saves; waits for one under way, so the end of the turn is written
        after it and knows its message. Returns that message's id (None: nothing saved)."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self._saving is not None:
            await asyncio.gather(self._saving, return_exceptions=True)
        return self.message_id

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self._interval)
            parts = self._answer()
            if len(parts) == self._saved_parts:
                continue
            count = len(parts)
            self._saving = asyncio.ensure_future(self._save("".join(parts), count))
            await asyncio.shield(self._saving)  # a stop lets the write land, never halves it

    async def _save(self, text: str, count: int) -> None:
        try:
            saved = await self._conversations.checkpoint(
                self._conversation_id, self._user_id, text, self.message_id
            )
        except Exception as exc:  # the next tick tries again
            code = exc.code if isinstance(exc, DomainError) else type(exc).__name__
            log.warning("Could not checkpoint the answer", code=code)
            return
        if saved is not None:
            self.message_id = saved
            self._saved_parts = count
