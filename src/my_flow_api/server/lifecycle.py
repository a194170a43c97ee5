"""Shutdown: on SIGTERM/SIGINT, drain the chat streams before the server waits on them.

Uvicorn closes the listening socket on a signal, then waits for open connections, and
only then runs the lifespan shutdown: too late for streams, whose connections stay open
until they end. So the drain is chained onto the server's own signal handlers: running
streams get `SHUTDOWN_GRACE_SECONDS` to finish, then end with `event: error` and code
`shutting_down`, their partial answers saved; new streams get `503 shutting_down`.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Callable
from types import FrameType
from typing import Any

import structlog

from my_flow_api.services.streams.registry import StreamRegistry

log = structlog.get_logger(__name__)

SIGNALS = (signal.SIGTERM, signal.SIGINT)
Handler = Callable[[int, FrameType | None], Any] | int | None


class ShutdownDrain:
    """Chains a stream drain onto the process's current signal handlers."""

    def __init__(self, registry: StreamRegistry, grace_seconds: float) -> None:
        self.registry = registry
        self.grace_seconds = grace_seconds
        self.task: asyncio.Task[None] | None = None
        self._previous: dict[int, Handler] = {}
        self._loop: asyncio.AbstractEventLoop | None = None

    def install(self) -> None:
        """Wrap the SIGTERM/SIGINT handlers (only possible in the main thread)."""
        self._loop = asyncio.get_running_loop()
        try:
            for sig in SIGNALS:
                self._previous[sig] = signal.signal(sig, self._on_signal)
        except ValueError:  # not the main thread (e.g. an embedded server): lifespan drains
            self._previous.clear()

    def uninstall(self) -> None:
        """Put the previous handlers back."""
        for sig, handler in self._previous.items():
            signal.signal(sig, handler)
        self._previous.clear()

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self.start)
        previous = self._previous.get(signum)
        if callable(previous):
            previous(signum, frame)

    def start(self) -> None:
        """Begin draining (once)."""
        if self.task is None:
            log.info("Draining chat streams", running=len(self.registry.running()))
            self.task = asyncio.ensure_future(self.registry.drain(self.grace_seconds))

    async def wait(self) -> None:
        """Drain (if not yet begun) and wait for every stream to end."""
        self.start()
        assert self.task is not None
        await self.task
