"""One pooled HTTP/1.1 connection of `transport.Pool`: a request out, its response parsed by
`httptools` as it arrives.

The connection is the socket's `asyncio.Protocol`: each read is fed to the parser inside
`data_received` and wakes the one waiting reader, with no stream buffer in between (a
relayed token is one socket read, so every Python step per read counts). The read
time-out is one timer per connection, re-armed from the time of the last read, instead of
a timeout scope around every read (which costs more than parsing a token).
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import cast

import httptools
import httpx2

from my_flow_api.services.ai.response_parser import ResponseParser

MAX_BUFFERED = 256 * 1024
"""Body bytes received but not yet read beyond which the socket stops being read."""


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a connection goes: scheme, host and port."""

    scheme: str
    host: str
    port: int


class Connection(ResponseParser, asyncio.Protocol):
    """An open connection; `send` one request, then read its `body` to the end."""

    def __init__(self, origin: Origin) -> None:
        self.origin = origin
        self.idle_since = 0.0
        self.received_any = False
        self.complete = False
        self._loop = asyncio.get_running_loop()
        self._transport: asyncio.Transport | None = None
        self._waiter: asyncio.Future[None] | None = None
        self._writable: asyncio.Future[None] | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._timeout: float | None = None
        self._last_read = 0.0
        self._timed_out = False
        self._eof = False
        self._spoiled = False
        self._paused = False
        self._buffered = 0
        self._error: httpx2.TransportError | None = None
        self._reset()

    @classmethod
    async def open(
        cls, origin: Origin, context: ssl.SSLContext | None, connect_seconds: float | None
    ) -> Connection:
        """Connect (TLS when `context` is given) within `connect_seconds`."""
        conn = cls(origin)
        try:
            async with asyncio.timeout(connect_seconds):
                await conn._loop.create_connection(
                    lambda: conn,
                    origin.host,
                    origin.port,
                    ssl=context,
                    server_hostname=origin.host if context else None,
                )
        except TimeoutError as exc:
            raise httpx2.ConnectTimeout("timed out connecting to the server") from exc
        except OSError as exc:  # refused, unreachable, DNS, TLS handshake (SSLError)
            raise httpx2.ConnectError(f"could not connect: {type(exc).__name__}") from exc
        return conn

    @property
    def reusable(self) -> bool:
        """True when a finished response left the connection clean and open."""
        transport = self._transport
        return (
            self.complete
            and not self._spoiled
            and not self._eof
            and self._keep_alive
            and transport is not None
            and not transport.is_closing()
        )

    async def send(
        self, head: bytes, body: bytes, read_seconds: float | None
    ) -> tuple[int, list[tuple[bytes, bytes]]]:
        """Write the request; return status and headers once the head has arrived.

        From now until the response ends, `read_seconds` without a byte is a time-out.
        """
        self._reset()
        self._consumed()  # reading may have been paused by the previous response
        self._timeout = read_seconds
        self._last_read = self._loop.time()
        if read_seconds is not None:
            self._timer = self._loop.call_later(read_seconds, self._watch)
        if self._eof or self._transport is None:
            raise httpx2.WriteError("the connection was closed before sending")
        self._transport.write(head + body)
        if self._writable is not None:
            await self._writable
        while not self._head_done:
            if not await self._fill():
                raise httpx2.RemoteProtocolError("the server closed without answering")
        return self._parser.get_status_code(), self._headers

    async def body(self) -> AsyncIterator[bytes]:
        """The response body, one `bytes` per socket read (chunked framing removed)."""
        pieces = self._pieces
        while True:
            if pieces:
                chunk = pieces[0] if len(pieces) == 1 else b"".join(pieces)
                pieces.clear()
                self._consumed()
                yield chunk
            if self.complete:
                return
            if not await self._fill():
                if not self._until_close:
                    raise httpx2.RemoteProtocolError("the server closed the connection mid-body")
                self._finished()

    def close(self) -> None:
        """Drop the connection (safe to call more than once)."""
        self._stop_timer()
        self._eof = True
        if self._transport is not None:
            self._transport.close()

    async def _fill(self) -> bool:
        """Wait until a read has been parsed; False at the end of the stream."""
        if not self._pieces and not self._eof and self._error is None:
            waiter = self._waiter = self._loop.create_future()
            try:
                await waiter
            finally:
                self._waiter = None
        if self._error is not None:
            raise self._timeout_or(self._error)
        if self._eof and not self._pieces and not self.complete:
            if self._timed_out:
                raise httpx2.ReadTimeout("the server stopped sending")
            return False
        return True

    def _consumed(self) -> None:
        self._buffered = 0
        if self._paused and self._transport is not None:
            self._paused = False
            self._transport.resume_reading()

    def _wake(self) -> None:
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    # asyncio.Protocol
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = cast(asyncio.Transport, transport)

    def data_received(self, data: bytes) -> None:
        self._last_read = self._loop.time()
        self.received_any = True
        try:
            self._parser.feed_data(data)
        except httptools.HttpParserError as exc:
            self._spoiled = True
            self._error = httpx2.RemoteProtocolError(f"malformed HTTP response: {exc}")
        if self._buffered > MAX_BUFFERED and not self._paused and self._transport is not None:
            self._paused = True
            self._transport.pause_reading()
        self._wake()

    def eof_received(self) -> bool:
        self._eof = True
        self._wake()
        return False

    def connection_lost(self, exc: Exception | None) -> None:
        self._eof = True
        if exc is not None and self._error is None:  # reset, broken TLS record
            self._error = httpx2.ReadError("the connection broke while reading")
        self.resume_writing()
        self._wake()

    def pause_writing(self) -> None:
        if self._writable is None:
            self._writable = self._loop.create_future()

    def resume_writing(self) -> None:
        writable, self._writable = self._writable, None
        if writable is not None and not writable.done():
            writable.set_result(None)

    def _timeout_or(self, error: httpx2.TransportError) -> httpx2.TransportError:
        return httpx2.ReadTimeout("the server stopped answering") if self._timed_out else error

    def _watch(self) -> None:
        """The read time-out: abort when nothing arrived for `timeout` seconds, else re-arm."""
        assert self._timeout is not None
        quiet = self._loop.time() - self._last_read
        if quiet >= self._timeout:
            self._timed_out = True
            self._timer = None
            if self._transport is not None:
                self._transport.abort()
        else:
            self._timer = self._loop.call_later(self._timeout - quiet, self._watch)

    def _stop_timer(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _finished(self) -> None:
        self.complete = True
        self._stop_timer()
