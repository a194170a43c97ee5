"""FLOOR: a bare Starlette app that streams pre-formatted SSE events, no upstream.

The same number of token events as a relayed answer (`tokens=N rate=R` in the request
body), each `id: n\\ndata: <token>\\n\\n` built once at start-up, one ASGI send per event,
paced like the fake upstream when `rate` > 0, then `event: done`. The floor for any Python
server here.

    python bench/servers/floor.py --port 9002
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import AsyncIterator

from _common import PATH, SSE_HEADERS, serve, tokens_and_rate
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import StreamingResponse
from starlette.routing import Route

WORDS = ["the", "quick", "brown", "fox", "jumps", "over", "a", "lazy", "dog", "and"]
_EVENTS: list[bytes] = []
DONE = b'event: done\ndata: {"finish_reason":"stop"}\n\n'


def events(n: int) -> list[bytes]:
    """The first `n` pre-formatted token events (built once, reused)."""
    while len(_EVENTS) < n:
        i = len(_EVENTS) + 1
        _EVENTS.append(f"id: {i}\ndata:  {WORDS[i % len(WORDS)]}\n\n".encode())
    return _EVENTS[:n]


async def _generate(n: int, rate: float) -> AsyncIterator[bytes]:
    wire = events(n)
    if rate <= 0:
        for event in wire:
            yield event
    else:
        loop = asyncio.get_running_loop()
        start, step = loop.time(), 1.0 / rate
        for i, event in enumerate(wire):
            delay = start + i * step - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            yield event
    yield DONE


async def stream(request: Request) -> StreamingResponse:
    tokens, rate = tokens_and_rate(await request.body())
    return StreamingResponse(
        _generate(tokens, rate), media_type="text/event-stream", headers=SSE_HEADERS
    )


app = Starlette(routes=[Route(PATH, stream, methods=["POST"])])


def main() -> None:
    parser = argparse.ArgumentParser(description="FLOOR benchmark server")
    parser.add_argument("--port", type=int, required=True)
    serve(app, parser.parse_args().port)


if __name__ == "__main__":
    main()
