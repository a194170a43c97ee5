"""Reading SSE responses in tests: a bounded number of events, with a time limit."""

from __future__ import annotations

import asyncio
import time
import weakref
from collections.abc import AsyncIterator
from typing import Any

import httpx
from httpx_sse import EventSource, ServerSentEvent

Event = tuple[str, str, str]


_SOURCES: weakref.WeakKeyDictionary[httpx.Response, AsyncIterator[ServerSentEvent]] = (
    weakref.WeakKeyDictionary()
)


async def read_events(response: httpx.Response, n: int, limit: float = 15.0) -> list[Event]:
    """Up to `n` more events (event, data, id) of an open response; stops at a terminal one.

    Repeated calls on the same response go on where the previous one stopped.
    """
    source = _SOURCES.get(response)
    if source is None:
        source = _SOURCES[response] = EventSource(response).aiter_sse()
    events: list[Event] = []
    async with asyncio.timeout(limit):
        async for sse in source:
            if sse.event == "message" and not sse.data:
                # httpx-sse dispatches a keep-alive comment's blank line once an id was
                # seen; the SSE spec dispatches nothing without data.
                continue
            events.append((sse.event, sse.data, sse.id))
            if len(events) >= n or sse.event in ("done", "error"):
                break
    if not events or events[-1][0] in ("done", "error"):
        _SOURCES.pop(response, None)
    return events


async def wait_for_status(
    client: httpx.AsyncClient, context_id: str, status: str, within: float
) -> dict[str, Any]:
    """Poll the context's newest conversation until it has `status`."""
    deadline = time.monotonic() + within
    while True:
        listed = (await client.get(f"/api/v1/contexts/{context_id}/conversations")).json()
        items = listed["items"]
        if items and items[0]["status"] == status:
            return dict(items[0])
        assert time.monotonic() < deadline, f"status stayed {items[0]['status'] if items else None}"
        await asyncio.sleep(0.05)


async def wait_for_total(client: httpx.AsyncClient, url: str, total: int, within: float) -> None:
    """Poll a paginated list until it holds `total` items."""
    deadline = time.monotonic() + within
    while (await client.get(url)).json()["total"] != total:
        assert time.monotonic() < deadline, f"{url} never reached {total} items"
        await asyncio.sleep(0.05)
