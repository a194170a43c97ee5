"""The per-stream event log: an interface and its in-memory implementation.

With Redis (`streams/shared/`) the owner's memory log is mirrored into a Redis stream
and other replicas read a local mirror of that, so every reader reads a memory log.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator, Callable
from typing import Protocol

from my_flow_api.services.streams.events import TERMINAL, encode

EVENT_OVERHEAD_BYTES = sys.getsizeof(b"") + 8
"""Memory an event costs beyond its wire bytes: the `bytes` object and its list slot."""


class StreamClosedError(RuntimeError):
    """An event was appended after the terminal one."""


class StreamLog(Protocol):
    """Numbered events of one stream; ids start at 1 and increase by 1.

    Events are kept in their wire encoding only (`events.encode`): that is all a reader
    sends, all a shared store (Redis) would hold, and it costs no garbage-collector work.
    """

    async def append(self, name: str, data: str) -> int:
        """Add an event and return its id; a terminal event closes the log."""
        ...

    def read(self, after: int = 0, idle_seconds: float | None = None) -> AsyncIterator[list[bytes]]:
        """Batches of encoded events with id > `after`: first the stored ones, then live ones.

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

    Each waiting reader parks on one future; an append resolves them all, so a burst of
    tokens wakes each reader once and it takes the whole batch at once. The keep-alive is
    one timer per reader, re-armed from its last activity, not a timeout around each wait.
    """

    def __init__(self) -> None:
        self._events: list[bytes] = []
        self._waiters: list[asyncio.Future[bool]] = []
        self._closed = False
        self._size = 0
        self.on_append: Callable[[], None] | None = None
        """Called after every append (the Redis writer marks the log for its next flush)."""

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def last_id(self) -> int:
        return len(self._events)

    @property
    def size_bytes(self) -> int:
        """Memory held by the events (wire bytes plus per-event overhead), for bounds."""
        return self._size

    async def append(self, name: str, data: str) -> int:
        if self._closed:
            raise StreamClosedError("stream already ended")
        return self.append_encoded(encode(len(self._events) + 1, name, data), name in TERMINAL)

    def append_encoded(self, wire: bytes, terminal: bool) -> int:
        """Add an event already framed with the next id (a mirror copying another log)."""
        if self._closed:
            raise StreamClosedError("stream already ended")
        self._events.append(wire)
        self._size += len(wire) + EVENT_OVERHEAD_BYTES
        self._closed = terminal
        waiters = self._waiters
        if waiters:
            for waiter in waiters:
                if not waiter.done():
                    waiter.set_result(True)
            waiters.clear()
        if self.on_append is not None:
            self.on_append()
        return len(self._events)

    def encoded_after(self, after: int) -> list[bytes]:
        """The stored events with id > `after`, as framed."""
        return self._events[after:]

    async def read(
        self, after: int = 0, idle_seconds: float | None = None
    ) -> AsyncIterator[list[bytes]]:
        position = max(after, 0)
        loop = asyncio.get_running_loop()
        idle = _IdleTimer(loop, idle_seconds) if idle_seconds is not None else None
        try:
            while True:
                if position < len(self._events):
                    batch = self._events[position:]
                    position = len(self._events)
                    if idle is not None:
                        idle.active = loop.time()
                    yield batch
                    continue
                if self._closed:
                    return
                waiter: asyncio.Future[bool] = loop.create_future()
                self._waiters.append(waiter)
                if idle is not None:
                    idle.waiter = waiter
                if not await waiter:
                    yield []
        finally:
            if idle is not None:
                idle.stop()


class _IdleTimer:
    """Resolves a reader's pending wait with False after `seconds` without activity."""

    def __init__(self, loop: asyncio.AbstractEventLoop, seconds: float) -> None:
        self.loop = loop
        self.seconds = seconds
        self.active = loop.time()
        self.waiter: asyncio.Future[bool] | None = None
        self._handle = loop.call_at(self.active + seconds, self._fire)

    def _fire(self) -> None:
        now = self.loop.time()
        due = self.active + self.seconds
        if now >= due:
            waiter = self.waiter
            if waiter is not None and not waiter.done():
                waiter.set_result(False)
            self.active = now
            due = now + self.seconds
        self._handle = self.loop.call_at(due, self._fire)

    def stop(self) -> None:
        self._handle.cancel()
