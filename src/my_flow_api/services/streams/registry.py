"""The streams of this process: who owns them, their log, and their generation task."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from my_flow_api.models.common import new_id
from my_flow_api.services.ai.errors import AIServiceError
from my_flow_api.services.streams.log import MemoryStreamLog, StreamLog


@dataclass(eq=False)
class ActiveStream:
    """One stream: its log, its owner, and how its start went."""

    id: str
    user_id: str
    context_id: str
    conversation_id: str
    log: StreamLog
    started: asyncio.Event = field(default_factory=asyncio.Event)
    early_failure: AIServiceError | None = None
    task: asyncio.Task[None] | None = None

    def mark_started(self) -> None:
        """The first token, or the end, has been written: the response may begin."""
        self.started.set()

    async def wait_started(self, limit_seconds: float) -> None:
        """Wait for the first token or the end, at most `limit_seconds`."""
        if self.started.is_set():
            return
        try:
            async with asyncio.timeout(limit_seconds):
                await self.started.wait()
        except TimeoutError:
            return


class StreamRegistry:
    """Streams by id; a finished stream stays readable for `retention_seconds`."""

    def __init__(self, retention_seconds: float = 600.0) -> None:
        self.retention_seconds = retention_seconds
        self._streams: dict[str, ActiveStream] = {}

    def create(self, user_id: str, context_id: str, conversation_id: str) -> ActiveStream:
        """Register a new stream with an empty in-memory log."""
        stream = ActiveStream(new_id(), user_id, context_id, conversation_id, MemoryStreamLog())
        self._streams[stream.id] = stream
        return stream

    def get(self, stream_id: str, user_id: str) -> ActiveStream | None:
        """The stream if it exists and belongs to the user."""
        stream = self._streams.get(stream_id)
        if stream is None or stream.user_id != user_id:
            return None
        return stream

    def finished(self, stream: ActiveStream) -> None:
        """Forget the stream once its retention time has passed."""
        loop = asyncio.get_running_loop()
        loop.call_later(self.retention_seconds, self._streams.pop, stream.id, None)

    def running(self) -> list[ActiveStream]:
        """Streams whose generation task is still running."""
        return [s for s in self._streams.values() if s.task is not None and not s.task.done()]

    async def shutdown(self) -> None:
        """Cancel every running generation and wait for it to record its end."""
        tasks = [s.task for s in self.running() if s.task is not None]
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
