"""One chat WebSocket: any number of turns (requests) multiplexed on it, each a reader of
its stream's log framed as the AI SDK's `WebSocketChatTransport` protocol.

Authentication travels in each frame's `headers` (`authorization: Bearer …`), or in the
handshake's `Authorization` header; never in the URL. Closing the socket is a disconnect
of each of its readers under the configured policy.
"""

from __future__ import annotations

import asyncio
import json
import math
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import structlog
from fastapi.exceptions import RequestValidationError
from pydantic import TypeAdapter, ValidationError
from starlette.websockets import WebSocket, WebSocketDisconnect

from my_flow_api.auth.verifier import Principal
from my_flow_api.errors import DomainError
from my_flow_api.models.chat_socket import AbortFrame, ClientFrame, ResumeFrame, SendFrame
from my_flow_api.models.ui_chat import UIChatRequest
from my_flow_api.services.chat.ui_chats import UIChats
from my_flow_api.services.streams.registry import ActiveStream
from my_flow_api.services.streams.response import reader_left
from my_flow_api.services.streams.ui_message import Chunk, UIMessageChunks
from my_flow_api.services.streams.wire import decode

log = structlog.get_logger(__name__)

FRAMES: TypeAdapter[SendFrame | ResumeFrame | AbortFrame] = TypeAdapter(ClientFrame)
MAX_REQUESTS = 8
"""Turns one socket may follow at once."""
CLOSE_TOO_BIG = 1009

Authenticate = Callable[[str | None], Awaitable[Principal]]


@dataclass(frozen=True)
class Skip:
    """What a resume has seen already: chunks up to `sequence`, events up to `event_id`."""

    sequence: int = -1
    event_id: int = 0

    def seen(self, sequence: int, event_id: int | None) -> bool:
        if sequence <= self.sequence:
            return True
        return self.event_id > 0 and (event_id is None or event_id <= self.event_id)


class ChatSocket:
    def __init__(
        self,
        websocket: WebSocket,
        chats: UIChats,
        authenticate: Authenticate,
        max_frame_bytes: int,
    ) -> None:
        self.websocket = websocket
        self.chats = chats
        self.authenticate = authenticate
        self.max_frame_bytes = max_frame_bytes
        self.handshake_authorization = websocket.headers.get("authorization")
        self._send_lock = asyncio.Lock()
        self._gone = False
        self._requests: dict[str, tuple[asyncio.Task[None], ActiveStream | None, str]] = {}
        self._aborted: set[str] = set()

    async def run(self) -> None:
        await self.websocket.accept()
        try:
            while True:
                message = await self.websocket.receive()
                if message["type"] == "websocket.disconnect":
                    self._gone = True
                    return
                text = message.get("text")
                if text is None:
                    await self._error("", "Frames are JSON text", "invalid_frame")
                    continue
                if len(text.encode()) > self.max_frame_bytes:
                    self._gone = True
                    await self.websocket.close(CLOSE_TOO_BIG, "Frame too large")
                    return
                await self._handle(text)
        finally:  # the socket is gone: each of its readers leaves (the policy applies)
            tasks = [task for task, _, _ in self._requests.values()]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    async def _handle(self, text: str) -> None:
        try:
            raw = json.loads(text)
        except ValueError:
            await self._error("", "A frame must be a JSON object", "invalid_frame")
            return
        request_id = raw.get("requestId") if isinstance(raw, dict) else None
        request_id = request_id if isinstance(request_id, str) else ""
        try:
            frame = FRAMES.validate_python(raw)
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()
            )
            await self._error(request_id, f"Invalid frame: {problems}"[:500], "invalid_frame")
            return
        if isinstance(frame, AbortFrame):
            await self._abort(frame.requestId)
            return
        if frame.requestId in self._requests:
            await self._error(frame.requestId, "requestId is in use", "duplicate_request")
            return
        if len(self._requests) >= MAX_REQUESTS:
            message = f"At most {MAX_REQUESTS} requests at once per socket"
            await self._error(frame.requestId, message, "too_many_requests")
            return
        # Registered before any await, so an abort that follows at once finds it.
        task = asyncio.create_task(self._serve(frame))
        self._requests[frame.requestId] = (task, None, "")

    async def _serve(self, frame: SendFrame | ResumeFrame) -> None:
        request_id = frame.requestId
        try:
            user_id = await self._user(frame.headers)
            context_id = frame.body.context_id
            if isinstance(frame, SendFrame):
                body = UIChatRequest(
                    id=frame.id,
                    messages=frame.messages,
                    trigger=frame.trigger,
                    messageId=frame.messageId,
                )
                stream: ActiveStream | None = await self.chats.start(user_id, context_id, body)
                skip = Skip()
            else:
                stream = await self.chats.active(user_id, context_id, frame.id)
                skip = Skip(
                    -1 if frame.lastSequence is None else frame.lastSequence,
                    frame.lastEventId or 0,
                )
            if stream is None:
                await self._send({"type": "no-active", "requestId": request_id})
                return
            if request_id in self._aborted:  # aborted while the turn was starting
                await self.chats.chat.cancel(stream.id, user_id)
                return
            self._requests[request_id] = (self._requests[request_id][0], stream, user_id)
            await self._relay(request_id, stream, skip)
        except DomainError as exc:
            retry_after = getattr(exc, "retry_after", None)
            await self._error(
                request_id, f"{exc.status_code}: {exc.message}", exc.code, retry_after
            )
        except (RequestValidationError, ValidationError):
            await self._error(request_id, "The messages hold no text", "validation_error")
        except Exception:  # a request's failure must not end the other turns
            log.exception("Chat socket request failed")
            await self._error(request_id, "Internal server error", "internal_error")
        finally:
            self._requests.pop(request_id, None)
            self._aborted.discard(request_id)

    async def _relay(self, request_id: str, stream: ActiveStream, skip: Skip) -> None:
        stream.readers += 1
        try:
            await self._send({"type": "start", "requestId": request_id})
            chunks = UIMessageChunks(stream)
            sequence = 0
            if not skip.seen(0, None):
                await self._chunk(request_id, 0, chunks.start(), None)
            async for batch in stream.log.read(0):
                for wire in batch:
                    event = decode(wire)
                    for chunk in chunks.translate(event):
                        sequence += 1
                        if not skip.seen(sequence, event.id):
                            await self._chunk(request_id, sequence, chunk, event.id)
            await self._send({"type": "end", "requestId": request_id})
        finally:
            reader_left(stream, self.chats.chat.policy.reader)

    async def _abort(self, request_id: str) -> None:
        """Stop the request's turn (like the stop endpoint) and stop relaying it."""
        entry = self._requests.get(request_id)
        if entry is None:
            return
        task, stream, user_id = entry
        if stream is None:  # still starting: `_serve` stops it once it exists
            self._aborted.add(request_id)
            return
        try:
            await self.chats.chat.cancel(stream.id, user_id)
        except DomainError as exc:
            log.warning("Chat socket abort failed", code=exc.code)
        task.cancel()

    async def _user(self, headers: dict[str, str]) -> str:
        authorization = next(
            (value for key, value in headers.items() if key.lower() == "authorization"),
            self.handshake_authorization,
        )
        principal = await self.authenticate(authorization)
        structlog.contextvars.bind_contextvars(user_id=principal.user_id)
        return principal.user_id

    async def _chunk(
        self, request_id: str, sequence: int, chunk: Chunk, event_id: int | None
    ) -> None:
        frame: dict[str, Any] = {
            "type": "chunk",
            "requestId": request_id,
            "sequence": sequence,
            "chunk": chunk,
        }
        if event_id is not None:
            frame["eventId"] = event_id
        await self._send(frame)

    async def _error(
        self, request_id: str, text: str, code: str, retry_after: float | None = None
    ) -> None:
        frame: dict[str, Any] = {
            "type": "error",
            "requestId": request_id,
            "errorText": text,
            "code": code,
        }
        if retry_after:  # `busy`, `too_many_streams`: the seconds an HTTP Retry-After says
            frame["retryAfter"] = max(1, math.ceil(retry_after))
        await self._send(frame)

    async def _send(self, frame: dict[str, Any]) -> None:
        """Send a frame; once the socket is gone, nothing (`run` is ending every request)."""
        if self._gone:
            return
        data = json.dumps(frame, separators=(",", ":"), ensure_ascii=False)
        async with self._send_lock:
            try:
                await self.websocket.send_text(data)
            except (WebSocketDisconnect, RuntimeError, OSError):
                self._gone = True
