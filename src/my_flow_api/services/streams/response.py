"""The HTTP side of a stream: a reader of its log, framed as `text/event-stream`."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from my_flow_api.config import DisconnectPolicy
from my_flow_api.server.direct_send import body_send
from my_flow_api.services.streams.framing import Framing, TextFraming
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


def reader_left(stream: ActiveStream, policy: ReaderPolicy) -> None:
    """A reader of any protocol is gone: under the `cancel` policy the last one leaving
    before the end stops the generation."""
    stream.readers -= 1
    left_early = stream.readers == 0 and not stream.log.closed
    if left_early and policy.on_disconnect is DisconnectPolicy.CANCEL:
        stream.stop(StopReason.DISCONNECTED)


class EventStreamResponse(Response):
    """A reader of one stream's log, framed as `text/event-stream`.

    The reader is counted from creation until the response is over, however it ends
    (finished, client gone, cancelled before its first byte), so that under the `cancel`
    policy the last reader leaving early always stops the generation.

    Unlike Starlette's `StreamingResponse` it needs no task group: one task waits for the
    client's disconnect and cancels the sending task, which keeps the per-stream work small.
    """

    media_type = "text/event-stream"

    def __init__(
        self,
        stream: ActiveStream,
        policy: ReaderPolicy,
        after: int = 0,
        framing: Framing | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.status_code = 200
        self.background = None
        self.init_headers({**SSE_HEADERS, **(headers or {}), "X-Stream-Id": stream.id})
        self.stream = stream
        self.policy = policy
        self.after = after
        self.framing = framing or TextFraming()
        stream.readers += 1

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        watch = _DisconnectWatch(receive)
        framing = self.framing
        # The start and the last message go through every middleware; the events in
        # between skip the wrappers that only pass them on (`server/direct_send.py`).
        middle = body_send(scope, send)
        try:
            await send({"type": "http.response.start", "status": 200, "headers": self.raw_headers})
            head = framing.head()
            if not self.stream.started.is_set():
                # Nothing to relay yet. A new stream's headers waited up to a ping interval
                # for its first token, so the next keep-alive is already due.
                head += framing.ping()
            if head:
                await middle({"type": "http.response.body", "body": head, "more_body": True})
            events = self.stream.log.read(self.after, idle_seconds=self.policy.ping_seconds)
            async for batch in events:
                body = framing.frame(batch) if batch else framing.ping()
                await middle({"type": "http.response.body", "body": body, "more_body": True})
            await send({"type": "http.response.body", "body": framing.tail(), "more_body": False})
        except asyncio.CancelledError:
            if not watch.disconnected:
                raise
        finally:
            watch.stop()
            reader_left(self.stream, self.policy)


class _DisconnectWatch:
    """Cancels the current task when the client disconnects, until `stop()`."""

    def __init__(self, receive: Receive) -> None:
        self.disconnected = False
        self._sender = asyncio.current_task()
        self._active = True
        self._task = asyncio.get_running_loop().create_task(self._listen(receive))

    async def _listen(self, receive: Receive) -> None:
        while (await receive())["type"] != "http.disconnect":
            pass
        if self._active and self._sender is not None:
            self.disconnected = True
            self._sender.cancel()

    def stop(self) -> None:
        self._active = False
        self._task.cancel()
        if self.disconnected and self._sender is not None:
            self._sender.uncancel()
