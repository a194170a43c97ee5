"""The streams of this process: who owns them, their log, their task, and their limits."""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter, OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from enum import StrEnum

from my_flow_api.errors import RateLimitedError, ShuttingDownError
from my_flow_api.models.common import new_id
from my_flow_api.services.streams.log import MemoryStreamLog, StreamLog

RETRY_AFTER_SECONDS = 5


def too_many_streams(limit: int) -> RateLimitedError:
    """The refusal of a stream over the per-user limit."""
    return RateLimitedError(
        f"At most {limit} concurrent streams per user",
        retry_after=RETRY_AFTER_SECONDS,
        code="too_many_streams",
    )


@dataclass(frozen=True, slots=True)
class LostStream:
    """A stream whose generating process died: what its conversation must record."""

    conversation_id: str
    user_id: str
    answer: str | None
    code: str


LostHandler = Callable[[LostStream], Awaitable[None]]
"""Records a lost stream's end; supplied by whoever owns conversations (the chat service)."""


class StopReason(StrEnum):
    """Why a generation was stopped before its end."""

    CANCELLED = "cancelled"  # the owner asked to stop
    DISCONNECTED = "interrupted"  # the last reader left and the policy is `cancel`
    SHUTDOWN = "shutting_down"  # the process is stopping


@dataclass(eq=False)
class ActiveStream:
    """One stream: its log, its owner, its task, and whether it has begun."""

    id: str
    user_id: str
    context_id: str
    log: StreamLog
    conversation_id: str = ""
    started: asyncio.Event = field(default_factory=asyncio.Event)
    task: asyncio.Task[None] | None = None
    stop_reason: StopReason | None = None
    readers: int = 0
    finished: bool = False
    owner: str = ""  # with Redis: the replica generating it
    on_started: Callable[[], None] | None = None
    """Called once with the first token or the end (the chat service frees its start slot)."""

    def mark_started(self) -> None:
        """The first token, or the end, has been written: the response may begin."""
        self.started.set()
        if self.on_started is not None:
            on_started, self.on_started = self.on_started, None
            on_started()

    async def wait_started(self, limit_seconds: float) -> None:
        """Wait for the first token or the end, at most `limit_seconds`."""
        if self.started.is_set():
            return
        try:
            async with asyncio.timeout(limit_seconds):
                await self.started.wait()
        except TimeoutError:
            return

    async def wait_ended(self, limit_seconds: float) -> None:
        """Wait at most `limit_seconds` for the generation to record its end."""
        if self.task is not None:
            await asyncio.wait({self.task}, timeout=limit_seconds)
            return
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(limit_seconds):
                async for _ in self.log.read(self.log.last_id):
                    pass

    def stop(self, reason: StopReason) -> bool:
        """Cancel the generation (the task records how it ended); False if already over."""
        if self.task is None or self.task.done():
            return False
        if self.stop_reason is None:
            self.stop_reason = reason
        self.task.cancel()
        return True


class StreamRegistry:
    """Streams by id, at most `max_per_user` running per user.

    A finished stream stays readable (for resume) for `retention_seconds`, and finished
    logs together hold at most `retention_max_bytes`: the oldest go first.
    """

    def __init__(
        self,
        retention_seconds: float = 600.0,
        retention_max_bytes: int = 64 * 1024 * 1024,
        max_per_user: int = 3,
    ) -> None:
        self.retention_seconds = retention_seconds
        self.retention_max_bytes = retention_max_bytes
        self.max_per_user = max_per_user
        self.accepting = True
        self._streams: dict[str, ActiveStream] = {}
        self._running: Counter[str] = Counter()
        self._retained: OrderedDict[str, int] = OrderedDict()
        self._retained_bytes = 0

    def open(self, user_id: str, context_id: str) -> ActiveStream:
        """Register a stream for `user_id`, or refuse: over the limit, or shutting down."""
        self.check_accepting()
        if self._running[user_id] >= self.max_per_user:
            raise too_many_streams(self.max_per_user)
        return self.register(ActiveStream(new_id(), user_id, context_id, MemoryStreamLog()))

    def check_accepting(self) -> None:
        """ShuttingDownError once draining has begun."""
        if not self.accepting:
            raise ShuttingDownError("The service is shutting down; try again shortly")

    def register(self, stream: ActiveStream) -> ActiveStream:
        """Count a stream of this process as running (its slot is already taken)."""
        self._streams[stream.id] = stream
        self._running[stream.user_id] += 1
        return stream

    def local(self, stream_id: str) -> ActiveStream | None:
        """The stream if this process holds it, whoever owns it."""
        return self._streams.get(stream_id)

    async def start(self, user_id: str, context_id: str) -> ActiveStream:
        """`open`, as every registry does it (a shared one asks Redis)."""
        return self.open(user_id, context_id)

    def recorded(self, stream: ActiveStream) -> None:
        """The stream's conversation is stored (a shared registry publishes its id)."""

    async def find(self, stream_id: str, user_id: str) -> ActiveStream | None:
        """`get`, as every registry does it (a shared one also finds other replicas')."""
        return self.get(stream_id, user_id)

    async def running_for(self, conversation_id: str, user_id: str) -> str | None:
        """The id of the user's running stream generating this conversation, if known."""
        for stream in self.running():
            if stream.conversation_id == conversation_id and stream.user_id == user_id:
                return stream.id
        return None

    async def request_stop(self, stream: ActiveStream) -> bool:
        """Ask the stream's generation to stop as cancelled; False if it was over."""
        return stream.stop(StopReason.CANCELLED)

    async def ping(self) -> bool | None:
        """Whether the shared state answers; None when there is none (memory only)."""
        return None

    async def close(self) -> None:
        """Release what the registry holds outside this process (nothing here)."""

    def get(self, stream_id: str, user_id: str) -> ActiveStream | None:
        """The stream if it exists and belongs to the user."""
        stream = self._streams.get(stream_id)
        if stream is None or stream.user_id != user_id:
            return None
        return stream

    def running(self) -> list[ActiveStream]:
        """Streams that have not finished."""
        return [s for s in self._streams.values() if not s.finished]

    def finish(self, stream: ActiveStream) -> None:
        """The stream ended (or never started): free its slot, keep its log for a while."""
        if stream.finished:
            return
        stream.finished = True
        self._running[stream.user_id] -= 1
        if self._running[stream.user_id] <= 0:
            del self._running[stream.user_id]
        size = getattr(stream.log, "size_bytes", 0)
        self._retained[stream.id] = size
        self._retained_bytes += size
        while self._retained and self._retained_bytes > self.retention_max_bytes:
            self._forget(next(iter(self._retained)))
        asyncio.get_running_loop().call_later(self.retention_seconds, self._forget, stream.id)

    def _forget(self, stream_id: str) -> None:
        size = self._retained.pop(stream_id, None)
        if size is not None:
            self._retained_bytes -= size
            self._streams.pop(stream_id, None)

    async def drain(self, grace_seconds: float) -> None:
        """Take no new streams; let running ones finish for `grace_seconds`, then stop them."""
        self.accepting = False
        tasks = {s.task for s in self.running() if s.task is not None}
        if tasks:
            await asyncio.wait(tasks, timeout=grace_seconds)
        for stream in self.running():
            stream.stop(StopReason.SHUTDOWN)
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
