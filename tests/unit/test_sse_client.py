"""The demo's SSE parser agrees with the encoder on every kind of event."""

from __future__ import annotations

from collections.abc import AsyncIterator

from my_flow_api.services.streams.events import DONE, TOKEN, encode
from my_flow_api.sse_client import ServerSentEvent, parse_sse


async def _lines(wire: bytes) -> AsyncIterator[str]:
    for line in wire.decode().split("\n"):
        yield line


async def test_parses_tokens_comments_and_named_events() -> None:
    wire = (
        encode(1, TOKEN, " hello\nworld")
        + b": ping\n\n"
        + encode(2, TOKEN, "data: x")
        + b"retry: 5\n\n"
        + encode(3, DONE, "{}")
    )
    events = [e async for e in parse_sse(_lines(wire))]
    assert events == [
        ServerSentEvent("message", " hello\nworld", "1"),
        ServerSentEvent("message", "data: x", "2"),
        ServerSentEvent("done", "{}", "3"),
    ]


async def test_ignores_ids_with_nul_and_events_without_data() -> None:
    wire = b"id: a\x00b\nevent: x\n\nid: 4\ndata:no-space\n\n"
    events = [e async for e in parse_sse(_lines(wire))]
    assert events == [ServerSentEvent("message", "no-space", "4")]
