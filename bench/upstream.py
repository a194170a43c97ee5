"""A lean fake OpenAI-compatible upstream for the streaming benchmark (its own process).

`POST .../chat/completions` with `"stream": true` answers with `chat.completion.chunk` SSE
events in chunked transfer encoding, exactly as OpenAI sends them: a role chunk, one chunk
per token, a finish chunk, a usage chunk (`stream_options.include_usage`) and
`data: [DONE]`. Without `"stream": true` it answers at once with a `chat.completion` whose
content is `{"flows": []}` (the endpoint's flow extraction call).

How many tokens and how fast is read from the request body (`tokens=N rate=R` anywhere in
it, normally in the user message, so every relay passes it through unchanged); the
command-line values are the defaults. `rate` 0 means no per-token delay: the whole body is
one write. Otherwise token `i` is written at `start + i / rate` (absolute schedule, no
drift), the first one together with the response headers.

All frames are built once at start-up, a paced token is one `transport.write` from a timer
callback (no task, no coroutine per token), so the upstream stays far from being the
bottleneck; the harness measures its CPU anyway. `GET /stats` returns its counters.

    python bench/upstream.py --port 9001 [--tokens 200] [--rate 0]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
from typing import Any

WORDS = (
    "the",
    "quick",
    "brown",
    "fox",
    "jumps",
    "over",
    "a",
    "lazy",
    "dog",
    "and",
    "then",
    "it",
    "writes",
    "a",
    "short",
    "plan",
    "for",
    "tomorrow:",
    "book",
    "the",
    "flight,",
    "call",
    "the",
    "client,",
    "send",
    "the",
    "invoice,",
    "review",
    "the",
    "draft,",
    "water",
    "the",
    "plants,",
    "renew",
    "the",
    "passport",
    "before",
    "the",
    "trip",
    "in",
    "March",
)
VOCABULARY = [f" {w}" for w in WORDS]

_TOKENS_RE = re.compile(rb"tokens=(\d+)")
_RATE_RE = re.compile(rb"rate=(\d+(?:\.\d+)?)")
_CL_RE = re.compile(rb"\r\ncontent-length:\s*(\d+)", re.IGNORECASE)
_CLOSE_RE = re.compile(rb"\r\nconnection:\s*close", re.IGNORECASE)

_BASE = {
    "id": "chatcmpl-bench",
    "object": "chat.completion.chunk",
    "created": 1_700_000_000,
    "model": "gpt-bench",
    "system_fingerprint": "fp_bench",
}


def _frame(payload: bytes) -> bytes:
    """One HTTP/1.1 chunk holding `payload`."""
    return b"%x\r\n%b\r\n" % (len(payload), payload)


def _event(obj: dict[str, Any]) -> bytes:
    return b"data: " + json.dumps(obj, separators=(",", ":")).encode() + b"\n\n"


def _chunk(delta: dict[str, Any], finish: str | None = None) -> bytes:
    choice = {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}
    return _event({**_BASE, "choices": [choice], "usage": None})


STREAM_HEAD = (
    b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream; charset=utf-8\r\n"
    b"cache-control: no-cache\r\ntransfer-encoding: chunked\r\n\r\n"
)
ROLE = _frame(_chunk({"role": "assistant", "content": ""}))
TOKEN_FRAMES = [_frame(_chunk({"content": w})) for w in VOCABULARY]
END = b"0\r\n\r\n"


def _tail(tokens: int) -> bytes:
    usage = {"prompt_tokens": 42, "completion_tokens": tokens, "total_tokens": 42 + tokens}
    return (
        _frame(_chunk({}, "stop"))
        + _frame(_event({**_BASE, "choices": [], "usage": usage}))
        + _frame(b"data: [DONE]\n\n")
    )


def _completion() -> bytes:
    message = {"role": "assistant", "content": json.dumps({"flows": []}), "refusal": None}
    body = json.dumps(
        {
            "id": "chatcmpl-bench",
            "object": "chat.completion",
            "created": 1_700_000_000,
            "model": "gpt-bench",
            "choices": [
                {"index": 0, "message": message, "logprobs": None, "finish_reason": "stop"}
            ],
            "usage": {"prompt_tokens": 50, "completion_tokens": 5, "total_tokens": 55},
        },
        separators=(",", ":"),
    ).encode()
    head = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: %d\r\n\r\n"
    return head % len(body) + body


COMPLETION = _completion()


class Stats:
    """Counters served by `GET /stats`."""

    def __init__(self) -> None:
        self.streams = 0
        self.completions = 0
        self.tokens = 0
        self.active = 0
        self.peak_active = 0
        self.cut_midstream = 0
        self.other = 0

    def as_json(self) -> bytes:
        return json.dumps(vars(self)).encode()


class Upstream(asyncio.Protocol):
    """One connection: HTTP/1.1 keep-alive, one request at a time."""

    def __init__(self, server: UpstreamServer) -> None:
        self.server = server
        self.buf = b""
        self.transport: asyncio.Transport | None = None
        self.streaming = False
        self.timer: asyncio.TimerHandle | None = None
        self.close_after = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]  # uvloop's is not a subclass

    def connection_lost(self, exc: Exception | None) -> None:
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None
        if self.streaming:
            self.streaming = False
            self.server.stats.active -= 1
            self.server.stats.cut_midstream += 1
        self.transport = None

    def data_received(self, data: bytes) -> None:
        self.buf += data
        while not self.streaming and self.transport is not None:
            end = self.buf.find(b"\r\n\r\n")
            if end < 0:
                return
            head = self.buf[: end + 2]
            match = _CL_RE.search(head)
            length = int(match.group(1)) if match else 0
            if len(self.buf) < end + 4 + length:
                return
            body = self.buf[end + 4 : end + 4 + length]
            self.buf = self.buf[end + 4 + length :]
            self.close_after = _CLOSE_RE.search(head) is not None
            self._handle(head, body)

    def _handle(self, head: bytes, body: bytes) -> None:
        transport = self.transport
        assert transport is not None
        stats = self.server.stats
        request_line = head.split(b"\r\n", 1)[0]
        if request_line.startswith(b"GET /stats"):
            payload = stats.as_json()
            head_out = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n"
            transport.write(head_out + b"content-length: %d\r\n\r\n" % len(payload) + payload)
            self._finish()
            return
        if b"/chat/completions" not in request_line:
            stats.other += 1
            transport.write(b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n")
            self._finish()
            return
        if b'"stream":true' not in body and b'"stream": true' not in body:
            stats.completions += 1
            transport.write(COMPLETION)
            self._finish()
            return
        found = _TOKENS_RE.search(body)
        tokens = int(found.group(1)) if found else self.server.tokens
        found = _RATE_RE.search(body)
        rate = float(found.group(1)) if found else self.server.rate
        stats.streams += 1
        stats.active += 1
        stats.peak_active = max(stats.peak_active, stats.active)
        self.streaming = True
        if rate <= 0 or tokens <= 1:
            transport.write(STREAM_HEAD + ROLE + self.server.body(tokens))
            stats.tokens += tokens
            self._end_stream()
            return
        transport.write(STREAM_HEAD + ROLE + TOKEN_FRAMES[0])
        stats.tokens += 1
        loop = asyncio.get_running_loop()
        self._pace(loop, loop.time(), 1, tokens, 1.0 / rate)

    def _pace(
        self, loop: asyncio.AbstractEventLoop, start: float, i: int, n: int, step: float
    ) -> None:
        self.timer = loop.call_at(start + i * step, self._tick, loop, start, i, n, step)

    def _tick(
        self, loop: asyncio.AbstractEventLoop, start: float, i: int, n: int, step: float
    ) -> None:
        self.timer = None
        transport = self.transport
        if transport is None:
            return
        transport.write(TOKEN_FRAMES[i % len(TOKEN_FRAMES)])
        self.server.stats.tokens += 1
        if i + 1 < n:
            self._pace(loop, start, i + 1, n, step)
        else:
            self._end_stream(n)

    def _end_stream(self, tokens: int | None = None) -> None:
        transport = self.transport
        assert transport is not None
        self.streaming = False
        self.server.stats.active -= 1
        if tokens is None:  # called from data_received, whose loop goes on
            self._finish()
            return
        transport.write(_tail_cached(tokens) + END)
        self._finish()
        if self.transport is not None and self.buf:
            self.data_received(b"")

    def _finish(self) -> None:
        if self.close_after and self.transport is not None:
            self.transport.close()


_TAILS: dict[int, bytes] = {}


def _tail_cached(tokens: int) -> bytes:
    tail = _TAILS.get(tokens)
    if tail is None:
        tail = _TAILS[tokens] = _tail(tokens)
    return tail


class UpstreamServer:
    """Shared state: defaults, pre-built bodies, counters."""

    def __init__(self, tokens: int, rate: float) -> None:
        self.tokens = tokens
        self.rate = rate
        self.stats = Stats()
        self._bodies: dict[int, bytes] = {}

    def body(self, tokens: int) -> bytes:
        """All token frames, the tail and the end marker of an unpaced answer."""
        body = self._bodies.get(tokens)
        if body is None:
            frames = b"".join(TOKEN_FRAMES[i % len(TOKEN_FRAMES)] for i in range(tokens))
            body = self._bodies[tokens] = frames + _tail_cached(tokens) + END
        return body


async def serve(port: int, tokens: int, rate: float) -> None:
    """Listen on 127.0.0.1:`port` until killed."""
    state = UpstreamServer(tokens, rate)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: Upstream(state), "127.0.0.1", port, backlog=4096, reuse_address=True
    )
    print(f"upstream listening on 127.0.0.1:{port}", flush=True)
    async with server:
        await server.serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--tokens", type=int, default=200)
    parser.add_argument("--rate", type=float, default=0.0, help="tokens/s per stream; 0: no delay")
    args = parser.parse_args()
    try:
        import uvloop

        uvloop.run(serve(args.port, args.tokens, args.rate))
    except ImportError:
        asyncio.run(serve(args.port, args.tokens, args.rate))
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
