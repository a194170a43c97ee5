"""What the bare benchmark servers share: request parsing and one uvicorn worker."""

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
