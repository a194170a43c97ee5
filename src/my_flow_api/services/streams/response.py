"""The HTTP side of a stream: a reader of its log, framed as `text/event-stream`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

from fastapi.responses import StreamingResponse

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


async def _wire(stream: ActiveStream, after: int, policy: ReaderPolicy) -> AsyncIterator[bytes]:
    stream.readers += 1
    try:
        async for batch in stream.log.read(after, idle_seconds=policy.ping_seconds):
            if not batch:
                yield PING
            elif len(batch) == 1:
                yield batch[0].wire
            else:
                yield b"".join(event.wire for event in batch)
    finally:
        stream.readers -= 1
        left_early = stream.readers == 0 and not stream.log.closed
        if left_early and policy.on_disconnect is DisconnectPolicy.CANCEL:
            stream.stop(StopReason.DISCONNECTED)


def event_stream_response(
    stream: ActiveStream, policy: ReaderPolicy, after: int = 0
) -> StreamingResponse:
    """Stream the log's events after `after`; generation goes on without this reader
    unless the policy says `cancel` and it was the last one."""
    headers = {**SSE_HEADERS, "X-Stream-Id": stream.id}
    return StreamingResponse(_wire(stream, after, policy), headers=headers)
