"""Saving a streaming answer while it streams, so a killed process loses little of it.

While it has news, a turn's answer so far is written as the turn's assistant message (the
first write inserts it, later ones rewrite it by id). A SIGKILL then loses at most one
interval of what readers saw; the sweep (`recovery.py`) records such a turn as
`interrupted` with that text. A failed write is logged and retried at the next tick: it
never fails the turn.

One `CheckpointWriter` per process writes them all (group commit): its clock ticks on a
grid shared by every turn, and each tick writes every due turn's answer in one call of
`ConversationRepository.checkpoint_many` (SQL: one transaction). A transaction per turn
and interval was about 0.9 M instructions, most of it the same trips to the driver
whatever the text; at 500 streams it was 500 transactions a second in one worker.

The grid is `PHASES` ticks an interval. A turn is first due `PHASES` ticks of the grid
after the one before it enrolled, so at most one interval after it began and never sooner
than 3/4 of one (most turns end before, and then cost an entry in a dict: no timer of
their own, no task); once written, again
`PHASES` ticks later, or sooner to join the other turns' saves (`_next_due`). A due turn
with no news waits for the next tick.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable

import structlog

from my_flow_api.errors import DomainError
from my_flow_api.models.conversation import CheckpointWrite
from my_flow_api.repositories.protocols import ConversationRepository

log = structlog.get_logger(__name__)

PHASES = 4
"""Ticks of the grid per interval: a turn's first save comes 0.75-1 interval after its
start (never later than one interval: what a SIGKILL may lose). Coarser, first saves came
sooner and a stream wrote more often than once an interval in all (2: +0.25 saves per
stream on average); the clock fires only when some turn is due, so finer costs nothing
while no turn is."""


class Checkpoints:
    """The periodic saves of one turn's answer; `stop()` before recording its end."""

    def __init__(
        self,
        writer: CheckpointWriter,
        conversation_id: str,
        user_id: str,
        answer: Callable[[], list[str]],
    ) -> None:
        self._writer = writer
        self.conversation_id = conversation_id
        self.user_id = user_id
        self._answer = answer
        self._saved_parts = 0
        self._pending = 0
        self._stopped = False
        self.due_tick = 0
        """The writer's tick at which this turn is next written, if it has news."""
        self.writing: asyncio.Future[None] | None = None
        """The writer's batch holding this turn's save, while it is under way."""
        self.message_id: str | None = None
        """The assistant message holding the answer so far, once one was saved."""

    def start(self) -> None:
        """Begin saving (a turn with checkpoints switched off never calls this)."""
        if not self._stopped:
            self._writer.enroll(self)

    async def stop(self) -> str | None:
        """No more saves; waits for one under way, so the end of the turn is written
        after it and knows its message. Returns that message's id (None: nothing saved)."""
        self._stopped = True
        self._writer.withdraw(self)
        if self.writing is not None:
            await asyncio.gather(self.writing, return_exceptions=True)
        return self.message_id

    def news(self) -> CheckpointWrite | None:
        """The answer so far to write, or None when it has not grown since the last save."""
        parts = self._answer()
        if len(parts) == self._saved_parts:
            return None
        self._pending = len(parts)
        return CheckpointWrite(self.conversation_id, self.user_id, "".join(parts), self.message_id)

    def saved(self, message_id: str | None) -> None:
        """The outcome of the write `news` gave (None: nothing stored, tried again)."""
        if message_id is not None:
            self.message_id = message_id
            self._saved_parts = self._pending


class CheckpointWriter:
    """One per process: the shared clock and the group commit of all turns' saves."""

    def __init__(self, conversations: ConversationRepository, interval: float) -> None:
        self._conversations = conversations
        self._step = interval / PHASES
        self._enrolled: dict[Checkpoints, None] = {}  # a set in enrolment order
        self._timer: asyncio.TimerHandle | None = None
        self._timer_tick = 0
        self._last_tick = 0
        self._writing: asyncio.Future[None] | None = None

    def enroll(self, turn: Checkpoints) -> None:
        """Save `turn` from its `PHASES`th tick on (see the module docstring)."""
        if self._step <= 0 or turn in self._enrolled:
            return
        turn.due_tick = self._grid_index() + PHASES
        self._enrolled[turn] = None
        self._wake_at(turn.due_tick)

    def withdraw(self, turn: Checkpoints) -> None:
        """No more saves of `turn` (one under way still lands: `turn.writing`)."""
        self._enrolled.pop(turn, None)
        if not self._enrolled and self._timer is not None:
            self._timer.cancel()  # an idle process keeps no timer
            self._timer = None

    def _grid_index(self) -> int:
        """The last tick of the grid on the loop's clock (a turn's due tick is a time on
        it, not a number of ticks it saw)."""
        return math.floor(asyncio.get_running_loop().time() / self._step)

    def _wake_at(self, tick: int) -> None:
        """Fire the clock at grid tick `tick`, or sooner if it is set sooner: it fires only
        when some turn is due, not at every tick of the grid."""
        if self._writing is not None:
            return  # `_written` sets the next tick
        # never in the past, never the same tick twice (a timer may fire a clock
        # resolution early)
        tick = max(tick, self._grid_index() + 1, self._last_tick + 1)
        if self._timer is not None:
            if self._timer_tick <= tick:
                return
            self._timer.cancel()
        self._timer_tick = tick
        # on the grid of the loop's clock, so every turn's saves fall into the same ticks
        self._timer = asyncio.get_running_loop().call_at(tick * self._step, self._tick, tick)

    def _wake_for_next(self) -> None:
        if self._enrolled:
            self._wake_at(min(turn.due_tick for turn in self._enrolled))

    def _tick(self, tick: int) -> None:
        self._timer = None
        self._last_tick = tick
        batch: list[tuple[Checkpoints, CheckpointWrite]] = []
        for turn in self._enrolled:
            if turn.due_tick <= tick and (write := turn.news()) is not None:
                batch.append((turn, write))
        if not batch:
            self._wake_for_next()
            return
        # a stop lets the batch land, never halves it; the next tick comes after its end
        self._writing = writing = asyncio.ensure_future(self._write(tick, batch))
        for turn, _ in batch:
            turn.writing = writing
        writing.add_done_callback(self._written)

    def _written(self, _: asyncio.Future[None]) -> None:
        self._writing = None
        self._wake_for_next()

    async def _write(self, tick: int, batch: list[tuple[Checkpoints, CheckpointWrite]]) -> None:
        try:
            ids = await self._conversations.checkpoint_many([write for _, write in batch])
        except Exception as exc:  # every turn of the batch tries again at the next tick
            code = exc.code if isinstance(exc, DomainError) else type(exc).__name__
            log.warning("Could not checkpoint the answers", code=code, turns=len(batch))
            ids = [None] * len(batch)
        due = self._next_due(tick, alone=len(self._enrolled) <= len(batch))
        for (turn, _), message_id in zip(batch, ids, strict=True):
            turn.writing = None
            turn.saved(message_id)
            if message_id is not None:
                turn.due_tick = due

    @staticmethod
    def _next_due(tick: int, *, alone: bool) -> int:
        """A turn's next save after one at `tick`: an interval later, or, when other turns
        stream, at the next tick of the grid's first phase, where every turn's later saves
        meet (turns' first saves spread over the phases; without this, they would commit
        in `PHASES` groups an interval for as long as they stream)."""
        if alone or tick % PHASES == 0:
            return tick + PHASES
        return (tick // PHASES + 1) * PHASES
