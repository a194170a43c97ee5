"""The per-stream event log: an interface and its in-memory implementation.

A Redis implementation can satisfy the same protocol so that a stream started on one
replica is readable (and resumable) from another.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Protocol

from my_flow_api.services.streams.events import StreamEvent, make_event


class StreamClosedError(RuntimeError):
    """An event was appended after the terminal one."""


class StreamLog(Protocol):
    """Numbered events of one stream; ids start at 1 and increase by 1."""

    async def append(self, name: str, data: str) -> StreamEvent:
        """Add an event; a terminal event closes the log."""
        ...

    def read(
        self, after: int = 0, idle_seconds: float | None = None
    ) -> AsyncIterator[list[StreamEvent]]:
        """Batches of events with id > `after`: first the stored ones, then live ones.

        An empty batch means `idle_seconds` passed without an event (time for a keep-alive).
        Ends after the terminal event has been yielded.
        """
        ...

    @property
    def closed(self) -> bool: ...

    @property
    def last_id(self) -> int: ...


class MemoryStreamLog:
    """A StreamLog kept in this process's memory.

    Readers wait on one shared `asyncio.Event` that is replaced on every append, so a
    burst of tokens wakes each reader once and it takes the whole batch at once.
    """

    def __init__(self) -> None:
        self._events: list[StreamEvent] = []
        self._changed = asyncio.Event()
        self._closed = False

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def last_id(self) -> int:
        return len(self._events)

    @property
    def size_bytes(self) -> int:
        """Bytes held by the encoded events (for memory bounds)."""
        return sum(len(e.wire) for e in self._events)

    async def append(self, name: str, data: str) -> StreamEvent:
        if self._closed:
            raise StreamClosedError("stream already ended")
        event = make_event(len(self._events) + 1, name, data)
        self._events.append(event)
        if event.terminal:
            self._closed = True
        changed, self._changed = self._changed, asyncio.Event()
        changed.set()
        return event

    async def read(
        self, after: int = 0, idle_seconds: float | None = None
    ) -> AsyncIterator[list[StreamEvent]]:
        position = max(after, 0)
        while True:
            waiter = self._changed
            if position < len(self._events):
                batch = self._events[position:]
                position = len(self._events)
                yield batch
                if batch[-1].terminal:
                    return
                continue
            if self._closed:
                return
            if not await _wait(waiter, idle_seconds):
                yield []


async def _wait(event: asyncio.Event, limit: float | None) -> bool:
    """Wait for `event`; False when `limit` seconds passed first."""
    if limit is None:
        await event.wait()
        return True
    try:
        async with asyncio.timeout(limit):
            await event.wait()
    except TimeoutError:
        return False
    return True
