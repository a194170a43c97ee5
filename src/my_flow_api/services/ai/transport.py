"""A lean HTTP/1.1 client transport for the providers' two requests.

The bytes on the wire move from httpx2's client and httpcore2/h11/anyio (several
pure-Python layers per request and per chunk of a streamed body) to one `asyncio`
connection whose responses `httptools` (C, the parser uvicorn serves with) parses. A
streamed answer then costs one Python step per socket read rather than a stack of them
per SSE event, and a request costs no `Request`/`Response`/`Headers` objects that stay
alive (and tracked by the garbage collector) for the whole stream (`bench/README.md`).

What it does: keep-alive connections pooled per origin (idle ones expire), TLS with the
same CA bundle as httpx2, `Content-Length`, chunked and read-until-close bodies, connect
and read time-outs (one re-armed timer per connection, not one per read), and a single
retry when a reused idle connection turns out closed before any answer byte. Failures
raise httpx2's own exceptions, mapped like any other transport failure. Proxies are not
spoken: `proxy_applies` tells the caller to use httpx2 instead.
"""

from __future__ import annotations

import ssl
import time
import urllib.request
from collections import defaultdict
from collections.abc import AsyncIterator

import httpx2

from my_flow_api.services.ai.connection import Connection, Origin
from my_flow_api.services.ai.decoding import decoded

MAX_IDLE_PER_ORIGIN = 100
KEEPALIVE_SECONDS = 30.0


class LeanResponse:
    """A response whose head has arrived; read `chunks()` to the end, or `aclose()` it."""

    def __init__(
        self, status: int, raw_headers: list[tuple[bytes, bytes]], conn: Connection, pool: Pool
    ) -> None:
        self.status = status
        self.raw_headers = raw_headers
        self._conn = conn
        self._pool = pool
        self._released = False
        self._headers: httpx2.Headers | None = None

    @property
    def headers(self) -> httpx2.Headers:
        """The headers as a case-insensitive mapping (built on first use: errors only)."""
        if self._headers is None:
            self._headers = httpx2.Headers(self.raw_headers)
        return self._headers

    def chunks(self) -> AsyncIterator[bytes]:
        """The body, one `bytes` per socket read, straight from the connection.

        A body the server compressed although `identity` was asked for is decoded.
        """
        encoding = next((v for k, v in self.raw_headers if k.lower() == b"content-encoding"), b"")
        body = self._conn.body()
        return body if encoding in (b"", b"identity") else decoded(body, encoding)

    async def aclose(self) -> None:
        """Give the connection back when the body was read to its end, else drop it."""
        if self._released:
            return
        self._released = True
        if self._conn.complete:
            self._pool.release(self._conn)
        else:  # abandoned mid-body: the rest of it would poison the next request
            self._conn.close()


class Pool:
    """Pooled HTTP/1.1 connections; `send` one request and get its `LeanResponse`."""

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

    async def send(
        self,
        origin: Origin,
        head: bytes,
        body: bytes,
        *,
        connect_seconds: float | None,
        read_seconds: float | None,
    ) -> LeanResponse:
        """Send a request (`head` from `request_head`) and return once its head has arrived."""
        if self._closed:
            raise RuntimeError("the connection pool is closed")
        while True:
            conn = self._take_idle(origin)
            reused = conn is not None
            if conn is None:
                conn = await Connection.open(origin, self._ssl_for(origin), connect_seconds)
            try:
                status, headers = await conn.send(head, body, read_seconds)
            except httpx2.TransportError:
                conn.close()
                if reused and not conn.received_any:
                    continue  # the server closed the idle connection first: one fresh try
                raise
            except BaseException:
                conn.close()
                raise
            return LeanResponse(status, headers, conn, self)

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

    def _ssl_for(self, origin: Origin) -> ssl.SSLContext | None:
        if origin.scheme != "https":
            return None
        if self._ssl is None:
            self._ssl = httpx2.create_ssl_context()
            self._ssl.set_alpn_protocols(["http/1.1"])
        return self._ssl


def origin_of(url: httpx2.URL) -> Origin:
    """Scheme, host and port of an http(s) URL."""
    if url.scheme not in ("http", "https"):
        raise httpx2.UnsupportedProtocol(f"unsupported URL scheme {url.scheme!r}")
    port = url.port or (443 if url.scheme == "https" else 80)
    return Origin(url.scheme, url.host, port)


def request_head(method: str, url: httpx2.URL, headers: dict[str, str]) -> bytes:
    """Request line, `Host` and `headers`, without the blank line (callers add the length)."""
    host = url.netloc.decode("ascii")
    lines = [f"{method} {url.raw_path.decode('ascii')} HTTP/1.1\r\nHost: {host}\r\n"]
    lines.extend(f"{name}: {value}\r\n" for name, value in headers.items())
    return "".join(lines).encode("latin-1")


def proxy_applies(url: str) -> bool:
    """True when the environment routes `url` through a proxy (HTTP(S)_PROXY, NO_PROXY)."""
    parsed = httpx2.URL(url)
    proxies = urllib.request.getproxies()
    if not (proxies.get(parsed.scheme) or proxies.get("all")):
        return False
    return not urllib.request.proxy_bypass(parsed.host)
