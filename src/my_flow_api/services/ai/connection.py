"""One pooled HTTP/1.1 connection of `LeanTransport`: a request out, its response parsed by
`httptools` as it arrives.

The read time-out is one timer per connection, re-armed from the time of the last read,
instead of a timeout scope around every read (which costs more than parsing a token).
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httptools
import httpx2

READ_SIZE = 65536


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a connection goes: scheme, host and port."""

    scheme: str
    host: str
    port: int


class Connection:
    """An open connection; `send` one request, then read its `body` to the end."""

    def __init__(self, origin: Origin, reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        self.origin = origin
        self.idle_since = 0.0
        self.received_any = False
        self.complete = False
        self._reader = reader
        self._writer = writer
        self._loop = asyncio.get_running_loop()
        self._timer: asyncio.TimerHandle | None = None
        self._timeout: float | None = None
        self._last_read = 0.0
        self._timed_out = False
        self._eof = False
        self._spoiled = False
        self._reset()

    @classmethod
    async def open(
        cls, origin: Origin, context: ssl.SSLContext | None, connect_seconds: float | None
    ) -> Connection:
        """Connect (TLS when `context` is given) within `connect_seconds`."""
        try:
            async with asyncio.timeout(connect_seconds):
                reader, writer = await asyncio.open_connection(
                    origin.host,
                    origin.port,
                    ssl=context,
                    server_hostname=origin.host if context else None,
                    limit=READ_SIZE,
                )
        except TimeoutError as exc:
            raise httpx2.ConnectTimeout("timed out connecting to the server") from exc
        except OSError as exc:  # refused, unreachable, DNS, TLS handshake (SSLError)
            raise httpx2.ConnectError(f"could not connect: {type(exc).__name__}") from exc
        return cls(origin, reader, writer)

    @property
    def reusable(self) -> bool:
        """True when a finished response left the connection clean and open."""
        return (
            self.complete
            and not self._spoiled
            and not self._eof
            and self._keep_alive
            and not self._reader.at_eof()
            and not self._writer.is_closing()
        )

    async def send(
        self, head: bytes, body: bytes, read_seconds: float | None
    ) -> tuple[int, bytes, list[tuple[bytes, bytes]]]:
        """Write the request; return status, reason and headers once the head has arrived.

        From now until the response ends, `read_seconds` without a byte is a time-out.
        """
        self._reset()
        self._timeout = read_seconds
        self._last_read = self._loop.time()
        if read_seconds is not None:
            self._timer = self._loop.call_later(read_seconds, self._watch)
        try:
            self._writer.write(head + body if len(body) < READ_SIZE else head)
            if len(body) >= READ_SIZE:
                self._writer.write(body)
            await self._writer.drain()
        except OSError as exc:
            raise self._timeout_or(httpx2.WriteError("the connection broke while sending")) from exc
        while not self._head_done:
            if not await self._fill():
                raise httpx2.RemoteProtocolError("the server closed without answering")
        return self._parser.get_status_code(), self._reason, self._headers

    async def body(self) -> AsyncIterator[bytes]:
        """The response body, one `bytes` per socket read (chunked framing removed)."""
        pieces = self._pieces
        while True:
            if pieces:
                chunk = pieces[0] if len(pieces) == 1 else b"".join(pieces)
                pieces.clear()
                yield chunk
            if self.complete:
                return
            if not await self._fill():
                if not self._ends_at_close():
                    raise httpx2.RemoteProtocolError("the server closed the connection mid-body")
                self._finished()

    def close(self) -> None:
        """Drop the connection (safe to call more than once)."""
        self._stop_timer()
        self._eof = True
        self._writer.close()

    async def _fill(self) -> bool:
        """Read once and parse it; False at the end of the stream."""
        try:
            data = await self._reader.read(READ_SIZE)
        except OSError as exc:  # reset, broken TLS record
            raise self._timeout_or(httpx2.ReadError("the connection broke while reading")) from exc
        if not data:
            self._eof = True
            if self._timed_out:
                raise httpx2.ReadTimeout("the server stopped sending")
            return False
        self._last_read = self._loop.time()
        self.received_any = True
        try:
            self._parser.feed_data(data)
        except httptools.HttpParserError as exc:
            self._spoiled = True
            raise httpx2.RemoteProtocolError(f"malformed HTTP response: {exc}") from exc
        return True

    def _ends_at_close(self) -> bool:
        """A body without length or chunking runs until the server closes."""
        if not self._head_done:
            return False
        names = {name.lower() for name, _ in self._headers}
        return b"content-length" not in names and b"transfer-encoding" not in names

    def _timeout_or(self, error: httpx2.TransportError) -> httpx2.TransportError:
        return httpx2.ReadTimeout("the server stopped answering") if self._timed_out else error

    def _watch(self) -> None:
        """The read time-out: abort when nothing arrived for `timeout` seconds, else re-arm."""
        assert self._timeout is not None
        quiet = self._loop.time() - self._last_read
        if quiet >= self._timeout:
            self._timed_out = True
            self._timer = None
            self._writer.transport.abort()
        else:
            self._timer = self._loop.call_later(self._timeout - quiet, self._watch)

    def _stop_timer(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _reset(self) -> None:
        self._parser = httptools.HttpResponseParser(self)
        self._head_done = False
        self._keep_alive = False
        self._reason = b""
        self._headers: list[tuple[bytes, bytes]] = []
        self._pieces: list[bytes] = []
        self.complete = False
        self.received_any = False

    def _finished(self) -> None:
        self.complete = True
        self._stop_timer()

    # httptools callbacks
    def on_message_begin(self) -> None:
        if self.complete:  # bytes after the end of the response: never reuse this connection
            self._spoiled = True

    def on_status(self, status: bytes) -> None:
        self._reason += status

    def on_header(self, name: bytes, value: bytes) -> None:
        self._headers.append((name, value))

    def on_headers_complete(self) -> None:
        self._head_done = True
        self._keep_alive = self._parser.should_keep_alive()  # only valid inside callbacks

    def on_body(self, body: bytes) -> None:
        if not self.complete:
            self._pieces.append(body)

    def on_message_complete(self) -> None:
        if not self.complete:
            self._finished()
