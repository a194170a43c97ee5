"""What the bare benchmark servers (and the load generator) share: request parsing, an
HTTP/1.1 chunked decoder, and one uvicorn worker."""

from __future__ import annotations

import re
from typing import Any

import uvicorn

TOKENS_RE = re.compile(rb"tokens=(\d+)")
RATE_RE = re.compile(rb"rate=(\d+(?:\.\d+)?)")

SSE_HEADERS = {
    "Cache-Control": "no-cache",
    "Connection": "keep-alive",
    "X-Accel-Buffering": "no",
}

PATH = "/api/v1/conversations/stream"


def tokens_and_rate(body: bytes, tokens: int = 200, rate: float = 0.0) -> tuple[int, float]:
    """`tokens=N rate=R` from a request body (the fake upstream reads the same)."""
    found = TOKENS_RE.search(body)
    if found:
        tokens = int(found.group(1))
    found = RATE_RE.search(body)
    if found:
        rate = float(found.group(1))
    return tokens, rate


class Chunked:
    """Incremental decoder of an HTTP/1.1 chunked body."""

    def __init__(self) -> None:
        self.buf = b""
        self.remaining = 0
        self.crlf = False
        self.done = False

    def feed(self, data: bytes) -> bytes:
        buf, pos, out = self.buf + data, 0, []
        while True:
            if self.remaining:
                take = min(self.remaining, len(buf) - pos)
                out.append(buf[pos : pos + take])
                pos += take
                self.remaining -= take
                if self.remaining:
                    break
                self.crlf = True
            if self.crlf:
                if len(buf) - pos < 2:
                    break
                pos += 2
                self.crlf = False
            end = buf.find(b"\r\n", pos)
            if end < 0:
                break
            size = int(buf[pos:end].split(b";", 1)[0], 16)
            pos = end + 2
            if size == 0:
                self.done = True
                break
            self.remaining = size
        self.buf = buf[pos:]
        return b"".join(out)


def serve(app: Any, port: int) -> None:
    """One uvicorn worker on 127.0.0.1 (uvloop + httptools, no access log)."""
    uvicorn.run(
        app,
        host="127.0.0.1",
        port=port,
        log_level="warning",
        access_log=False,
        timeout_graceful_shutdown=5,
    )
