"""The HTTP side of a stream: a reader of its log, framed as `text/event-stream`."""

from __future__ import annotations

from collections.abc import AsyncIterator

from fastapi.responses import StreamingResponse

from my_flow_api.services.streams.registry import ActiveStream

SSE_HEADERS = {
    "Content-Type": "text/event-stream",
    "Cache-Control": "no-cache",
    "Connection": "keep-alive",
    "X-Accel-Buffering": "no",
}


async def _wire(stream: ActiveStream, after: int) -> AsyncIterator[bytes]:
    async for batch in stream.log.read(after):
        if len(batch) == 1:
            yield batch[0].wire
        else:
            yield b"".join(event.wire for event in batch)


def event_stream_response(stream: ActiveStream, after: int = 0) -> StreamingResponse:
    """Stream the log's events after `after`; the generation does not depend on this reader."""
    headers = {**SSE_HEADERS, "X-Stream-Id": stream.id}
    return StreamingResponse(_wire(stream, after), headers=headers)
