"""A lean HTTP/1.1 transport for the providers' `httpx2` client.

The bytes on the wire move from httpcore2/h11/anyio (several pure-Python layers per
chunk of a streamed body) to one `asyncio` connection whose responses `httptools` (C,
the parser uvicorn serves with) parses. A streamed answer then costs one Python step per
socket read rather than a stack of them per SSE event (`bench/README.md`).

What it does: keep-alive connections pooled per origin (idle ones expire), TLS with the
same CA bundle as httpx2, `Content-Length`, chunked and read-until-close bodies, connect
and read time-outs (one re-armed timer per connection, not one per read), and a single
retry when a reused idle connection turns out closed before any answer byte. Failures
raise httpx2's own exceptions, mapped like any other transport failure. Proxies are not
spoken: `lean_http_client` returns None when one applies (httpx2's transport is used).
"""

from __future__ import annotations

import ssl
import time
import urllib.request
from collections import defaultdict
from collections.abc import AsyncIterator

import httpx2

from my_flow_api.services.ai.connection import Connection, Origin

MAX_IDLE_PER_ORIGIN = 100
RAW_BODY = "my_flow_raw_body"
"""Response extension: the body per socket read, straight from the connection."""
KEEPALIVE_SECONDS = 30.0


class LeanTransport(httpx2.AsyncBaseTransport):
    """An `httpx2` transport: pooled HTTP/1.1 connections parsed by `httptools`."""

    def __init__(
        self,
        *,
        ssl_context: ssl.SSLContext | None = None,
        max_idle_per_origin: int = MAX_IDLE_PER_ORIGIN,
        keepalive_seconds: float = KEEPALIVE_SECONDS,
    ) -> None:
        self._ssl = ssl_context
        self._idle: defaultdict[Origin, list[Connection]] = defaultdict(list)
        self._max_idle = max_idle_per_origin
        self._keepalive = keepalive_seconds
        self._closed = False

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        """Send `request` and return as soon as the response head has arrived."""
        origin = self._origin(request.url)
        timeouts = request.extensions.get("timeout", {})
        head, body = _encode_request(request), await request.aread()
        while True:
            conn = self._take_idle(origin)
            reused = conn is not None
            if conn is None:
                conn = await Connection.open(origin, self._ssl_for(origin), timeouts.get("connect"))
            try:
                status, reason, headers = await conn.send(head, body, timeouts.get("read"))
            except httpx2.TransportError:
                conn.close()
                if reused and not conn.received_any:
                    continue  # the server closed the idle connection first: one fresh try
                raise
            except BaseException:
                conn.close()
                raise
            return httpx2.Response(
                status,
                headers=headers,
                stream=_Body(conn, self),
                extensions={
                    "http_version": b"HTTP/1.1",
                    "reason_phrase": reason,
                    RAW_BODY: conn.body,
                },
            )

    def release(self, conn: Connection) -> None:
        """Take back a connection whose response was read to its end."""
        idle = self._idle[conn.origin]
        if self._closed or not conn.reusable or len(idle) >= self._max_idle:
            conn.close()
            return
        conn.idle_since = time.monotonic()
        idle.append(conn)

    async def aclose(self) -> None:
        """Close every idle connection; connections in use close when their body does."""
        self._closed = True
        for idle in self._idle.values():
            for conn in idle:
                conn.close()
            idle.clear()

    def _take_idle(self, origin: Origin) -> Connection | None:
        idle = self._idle.get(origin)
        deadline = time.monotonic() - self._keepalive
        while idle:
            conn = idle.pop()
            if conn.reusable and conn.idle_since > deadline:
                return conn
            conn.close()
        return None

    def _origin(self, url: httpx2.URL) -> Origin:
        if self._closed:
            raise RuntimeError("the transport is closed")
        if url.scheme not in ("http", "https"):
            raise httpx2.UnsupportedProtocol(f"unsupported URL scheme {url.scheme!r}")
        port = url.port or (443 if url.scheme == "https" else 80)
        return Origin(url.scheme, url.host, port)

    def _ssl_for(self, origin: Origin) -> ssl.SSLContext | None:
        if origin.scheme != "https":
            return None
        if self._ssl is None:
            self._ssl = httpx2.create_ssl_context()
            self._ssl.set_alpn_protocols(["http/1.1"])
        return self._ssl


class _Body(httpx2.AsyncByteStream):
    """The response body: one `bytes` per socket read; the connection goes back when done."""

    def __init__(self, conn: Connection, transport: LeanTransport) -> None:
        self._conn = conn
        self._transport = transport
        self._released = False

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._conn.body():
            yield chunk

    async def aclose(self) -> None:
        if self._released:
            return
        self._released = True
        if self._conn.complete:
            self._transport.release(self._conn)
        else:  # abandoned mid-body: the rest of it would poison the next request
            self._conn.close()


def body_chunks(response: httpx2.Response) -> AsyncIterator[bytes]:
    """A streamed response's body, one `bytes` per socket read.

    When `LeanTransport` carried an identity-encoded response, straight from its connection:
    httpx2's decoding and chunking layers would only pass each read through (three more
    generator steps per relayed token). Closing the response still releases the connection.
    """
    raw = response.extensions.get(RAW_BODY)
    identity = response.headers.get("content-encoding", "identity") == "identity"
    if raw is not None and identity:
        chunks: AsyncIterator[bytes] = raw()
        return chunks
    return response.aiter_bytes()


def _encode_request(request: httpx2.Request) -> bytes:
    target = request.url.raw_path.decode("ascii")
    lines = [f"{request.method} {target} HTTP/1.1\r\n".encode("ascii")]
    lines.extend(name + b": " + value + b"\r\n" for name, value in request.headers.raw)
    lines.append(b"\r\n")
    return b"".join(lines)


def proxy_applies(url: str) -> bool:
    """True when the environment routes `url` through a proxy (HTTP(S)_PROXY, NO_PROXY)."""
    parsed = httpx2.URL(url)
    proxies = urllib.request.getproxies()
    if not (proxies.get(parsed.scheme) or proxies.get("all")):
        return False
    return not urllib.request.proxy_bypass(parsed.host)


def lean_http_client(base_url: str, timeout: float) -> httpx2.AsyncClient | None:
    """An `httpx2.AsyncClient` on `LeanTransport`, or None when a proxy applies.

    Redirects are followed, as the SDKs' default clients do.
    """
    if proxy_applies(base_url):
        return None
    return httpx2.AsyncClient(
        transport=LeanTransport(), timeout=timeout, follow_redirects=True, trust_env=False
    )
