"""A scripted raw HTTP/1.1 server on 127.0.0.1 for transport tests.

Each accepted connection is handed to `handler(reader, writer, conn_no)`; the server counts
connections and records every request head it parsed, so tests can see reuse and framing.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

Reader = asyncio.StreamReader
Writer = asyncio.StreamWriter
Handler = Callable[["RawServer", Reader, Writer, int], Awaitable[None]]


@dataclass
class Request:
    """A request as the server received it."""

    line: str
    headers: dict[str, str]
    body: bytes


@dataclass
class RawServer:
    """Start with `async with RawServer(handler) as server`; `server.url` is its base URL."""

    handler: Handler
    ssl_context: ssl.SSLContext | None = None
    connections: int = 0
    requests: list[Request] = field(default_factory=list)
    closed_by_client: int = 0
    _server: asyncio.Server | None = None
    _writers: list[asyncio.StreamWriter] = field(default_factory=list)

    @property
    def url(self) -> str:
        assert self._server is not None
        port = self._server.sockets[0].getsockname()[1]
        scheme = "https" if self.ssl_context else "http"
        host = "localhost" if self.ssl_context else "127.0.0.1"
        return f"{scheme}://{host}:{port}"

    async def __aenter__(self) -> RawServer:
        self._server = await asyncio.start_server(
            self._accept, "127.0.0.1", 0, ssl=self.ssl_context
        )
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.close()
        for writer in self._writers:
            writer.close()

    async def read_request(self, reader: asyncio.StreamReader) -> Request | None:
        """The next request on a connection, or None when the client closed it."""
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except asyncio.IncompleteReadError:
            self.closed_by_client += 1
            return None
        line, *rest = head.decode().split("\r\n")
        headers = {k.lower(): v for k, _, v in (h.partition(": ") for h in rest if h)}
        body = await reader.readexactly(int(headers.get("content-length", "0")))
        request = Request(line, headers, body)
        self.requests.append(request)
        return request

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        self._writers.append(writer)
        try:
            await self.handler(self, reader, writer, self.connections)
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()


def response(body: bytes, *, status: str = "200 OK", extra: str = "") -> bytes:
    """A complete `Content-Length` response."""
    return (
        f"HTTP/1.1 {status}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n{extra}\r\n"
    ).encode() + body


def chunked(pieces: list[bytes]) -> bytes:
    """A chunked-encoded body made of `pieces` (then the last, empty chunk)."""
    out = b"".join(f"{len(p):x}\r\n".encode() + p + b"\r\n" for p in pieces if p)
    return out + b"0\r\n\r\n"
