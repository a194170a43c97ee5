"""The HTTP side of a stream: a reader of its log, framed as `text/event-stream`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

from fastapi.responses import StreamingResponse
from starlette.types import Receive, Scope, Send

from my_flow_api.config import DisconnectPolicy
from my_flow_api.services.streams.events import PING
from my_flow_api.services.streams.registry import ActiveStream, StopReason

SSE_HEADERS = {
    "Content-Type": "text/event-stream",
    "Cache-Control": "no-cache",
    "Connection": "keep-alive",
    "X-Accel-Buffering": "no",
}


@dataclass(frozen=True)
class ReaderPolicy:
    """Keep-alive interval, and what the last reader leaving early does to generation."""

    ping_seconds: float = 15.0
    on_disconnect: DisconnectPolicy = DisconnectPolicy.CONTINUE


async def _wire(stream: ActiveStream, after: int, ping_seconds: float) -> AsyncIterator[bytes]:
    async for batch in stream.log.read(after, idle_seconds=ping_seconds):
        if not batch:
            yield PING
        elif len(batch) == 1:
            yield batch[0].wire
        else:
            yield b"".join(event.wire for event in batch)


class EventStreamResponse(StreamingResponse):
    """A reader of one stream's log.

    The reader is counted from creation until the response is over, however it ends
    (finished, client gone, cancelled before its first byte), so that under the `cancel`
    policy the last reader leaving early always stops the generation.
    """

    def __init__(self, stream: ActiveStream, policy: ReaderPolicy, after: int = 0) -> None:
        super().__init__(
            _wire(stream, after, policy.ping_seconds),
            headers={**SSE_HEADERS, "X-Stream-Id": stream.id},
        )
        self.stream = stream
        self.policy = policy
        stream.readers += 1

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            self._reader_left()

    def _reader_left(self) -> None:
        stream = self.stream
        stream.readers -= 1
        left_early = stream.readers == 0 and not stream.log.closed
        if left_early and self.policy.on_disconnect is DisconnectPolicy.CANCEL:
            stream.stop(StopReason.DISCONNECTED)
