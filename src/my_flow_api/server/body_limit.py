"""Request-body size limit as pure ASGI middleware (no BaseHTTPMiddleware: it breaks streaming).

A body over the limit is answered `413` while the client may still be uploading. Closing
the connection then, with unread bytes in the socket, makes the kernel send a reset: the
client's upload fails and the `413` can be lost with it. So the answer to an oversized body
ends with a lingering close: the response goes out with `Connection: close`, the rest of
the body is read and dropped (within bounds), and only then is the response finished and
the connection closed.
"""

from __future__ import annotations

import asyncio
import json

from fastapi import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

LINGER_BYTES_FACTOR = 8
"""An oversized body is read and dropped up to this many times the limit, then cut off."""
LINGER_IDLE_SECONDS = 2.0
"""Stop waiting for the rest of a body when nothing arrives for this long."""
LINGER_MAX_SECONDS = 5.0
"""Stop reading the rest of a body after this long in all."""


class BodyTooLargeError(HTTPException):
    """Raised while a streamed body is being read; FastAPI lets HTTPExceptions through."""

    def __init__(self, max_bytes: int) -> None:
        super().__init__(413, detail=too_large_message(max_bytes))


def too_large_message(max_bytes: int) -> str:
    """The human message of a `413`."""
    return f"Request body exceeds {max_bytes} bytes"


class BodyLimitMiddleware:
    """Answer `413` to any request whose body exceeds `max_bytes`, declared or streamed."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        body = _LimitedBody(receive, self.max_bytes)
        reply = _LingeringSend(send, body)
        declared = _content_length(scope)
        if declared is not None and declared > self.max_bytes:
            body.over = True
            await _reject(reply, self.max_bytes)
            return
        try:
            await self.app(scope, body.receive, reply)
        except BodyTooLargeError:
            if reply.started:
                raise
            await _reject(reply, self.max_bytes)


class _LimitedBody:
    """One request's body as the app reads it: refused once it passes `max_bytes`."""

    def __init__(self, receive: Receive, max_bytes: int) -> None:
        self._receive = receive
        self.max_bytes = max_bytes
        self.received = 0
        self.complete = False
        self.over = False

    async def receive(self) -> Message:
        message = await self._next()
        if self.received > self.max_bytes:
            self.over = True
            raise BodyTooLargeError(self.max_bytes)
        return message

    async def discard_rest(self) -> None:
        """Read and drop the rest of the body, within the linger bounds."""
        limit = self.max_bytes * LINGER_BYTES_FACTOR
        loop = asyncio.get_running_loop()
        deadline = loop.time() + LINGER_MAX_SECONDS
        while not self.complete and self.received <= limit:
            wait = min(LINGER_IDLE_SECONDS, deadline - loop.time())
            try:
                async with asyncio.timeout(wait):
                    message = await self._next()
            except TimeoutError:
                return
            if message["type"] != "http.request":
                return  # the client is gone

    async def _next(self) -> Message:
        message = await self._receive()
        if message["type"] == "http.request":
            self.received += len(message.get("body", b""))
            self.complete = not message.get("more_body", False)
        return message


class _LingeringSend:
    """Passes the app's response on; the answer to an oversized body says `Connection:
    close` and is finished only after the rest of the body was read."""

    def __init__(self, send: Send, body: _LimitedBody) -> None:
        self._send = send
        self._body = body
        self.started = False

    async def __call__(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.started = True
            if self._body.over:
                headers = [*message.get("headers", ()), (b"connection", b"close")]
                message = {**message, "headers": headers}
        elif self._body.over and _ends_body(message):
            await self._send({**message, "more_body": True})
            await self._body.discard_rest()
            message = {"type": "http.response.body", "body": b"", "more_body": False}
        await self._send(message)


def _ends_body(message: Message) -> bool:
    return message["type"] == "http.response.body" and not message.get("more_body", False)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _reject(send: Send, max_bytes: int) -> None:
    body = json.dumps(
        {"detail": too_large_message(max_bytes), "code": "payload_too_large"}
    ).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": 413, "headers": headers})
    await send({"type": "http.response.body", "body": body})
