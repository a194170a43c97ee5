"""Saving a streaming answer while it streams, so a killed process loses little of it.

One timer per turn (a timer callback, no task), off the per-token path: every `interval`
seconds, if the answer grew, its text so far is written as the turn's assistant message
(the first write inserts it, later ones rewrite it by id). A SIGKILL then loses at most
one interval of what readers saw; the sweep (`recovery.py`) records such a turn as
`interrupted` with that text. A failed write is logged and retried at the next tick: it
never fails the turn.
"""

from __future__ import annotations

import asyncio
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
        self._timer: asyncio.TimerHandle | None = None
        self._stopped = False
        self.message_id: str | None = None
        """The assistant message holding the answer so far, once one was saved."""

    def start(self) -> None:
        """Begin ticking (a turn with checkpoints switched off never calls this).

        A timer callback, not a task: most turns end before their first tick, and a timer
        costs a stream far less than a task with a sleeping coroutine."""
        if self._interval > 0 and self._timer is None and not self._stopped:
            self._timer = asyncio.get_running_loop().call_later(self._interval, self._tick)

    async def stop(self) -> str | None:
        """No more saves; waits for one under way, so the end of the turn is written
        after it and knows its message. Returns that message's id (None: nothing saved)."""
        self._stopped = True
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._saving is not None:
            await asyncio.gather(self._saving, return_exceptions=True)
        return self.message_id

    def _tick(self) -> None:
        self._timer = None
        parts = self._answer()
        if len(parts) == self._saved_parts:
            self.start()
            return
        # a stop lets the write land, never halves it; the next tick counts from its end
        self._saving = asyncio.ensure_future(self._save("".join(parts), len(parts)))
        self._saving.add_done_callback(lambda _: self.start())

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
