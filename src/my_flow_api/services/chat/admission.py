"""Admission of new turns: at most `max_starting` turns in their start phase, a short
bounded wait for a start slot, then a `503 busy` with `Retry-After`.

The start phase of a turn runs from its admission to its first token (or its end): the
conversation's transaction, the upstream request, the wait for the model's first token.
That is where a stream's fixed cost lies (issue 24: ~9 ms of CPU, against microseconds per
relayed token), so a burst of starts is what saturates a worker and makes every stream's
first token late, the running ones' tokens too.

Why the number of turns in their start phase, and not event-loop lag, is the signal:

- it is exact and costs nothing to read (a counter), where lag is a sample taken by a
  timer, noisy on a shared machine (another process's CPU shows up as our lag) and late:
  it rises only once the loop is already behind, and every start admitted meanwhile still
  has all of its work ahead of it;
- it bounds the harm directly: the work of the admitted starts waiting in the loop's ready
  queue, ahead of the running streams' token callbacks, is at most `max_starting` starts'
  steps; by Little's law the admitted start rate adapts by itself (N slots / start time),
  so a loop that slows down admits fewer starts without any tuning of a lag threshold;
- it also catches a provider slow to its first token (turns pile up waiting for it), which
  lag does not see at all.
Its price: with a provider whose first token takes long, `max_starting` also caps the
start rate at `max_starting / provider TTFT`, so the default leaves room for that (64
slots: 128 starts a second at a 0.5 s first token).

A start that finds every slot taken waits (first come, first served) at most
`wait_seconds`, behind at most `max_starting` others; beyond either bound it is refused
at once: never an unbounded pile-up. A refused start has touched nothing (no store write,
no per-user slot), and a client that leaves while waiting leaves nothing behind.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
from collections import deque
from collections.abc import Awaitable, Callable

from starlette.types import Receive

from my_flow_api.errors import DomainError, ServiceBusyError
from my_flow_api.services.chat.metrics import StreamMetrics

Gone = Callable[[], Awaitable[object]]
"""Returns once the client that asked for the start has left (an HTTP disconnect)."""

BUSY_MESSAGE = "The service is starting as many turns as it can; retry shortly"


class ClientGoneError(DomainError):
    """The client left while its start waited for a slot: nothing was done for it, and
    nobody reads the answer (nginx's 499: client closed request)."""

    status_code = 499
    code = "client_gone"


def http_gone(receive: Receive) -> Gone:
    """`Gone` for an HTTP request whose body was read: the next ASGI message is its end."""

    async def gone() -> None:
        while (await receive())["type"] != "http.disconnect":
            pass

    return gone


class StartSlot:
    """One admitted start; `release()` (idempotent) at its first token or its end.
    `taken`: a turn's start adopted it (and will release it)."""

    __slots__ = ("_admission", "_held", "taken")

    def __init__(self, admission: StartAdmission) -> None:
        self._admission = admission
        self._held = True
        self.taken = False

    def release(self) -> None:
        if self._held:
            self._held = False
            self._admission._release()


class StartAdmission:
    """Start slots: `max_starting` at once, up to as many waiting `wait_seconds` at most."""

    def __init__(
        self, max_starting: int, wait_seconds: float, metrics: StreamMetrics | None = None
    ) -> None:
        self.max_starting = max_starting
        self.max_waiting = max_starting
        self.wait_seconds = wait_seconds
        self.retry_after = max(1, math.ceil(wait_seconds))
        self.starting = 0
        self._waiters: deque[asyncio.Future[None]] = deque()
        self._counters: dict[str, Callable[[], None]] = {}
        if metrics is not None:
            metrics.starting.set_function(lambda: self.starting)
            for result in ("admitted", "queued", "busy", "gone"):  # no label lookup per start
                self._counters[result] = metrics.admission.labels(result=result).inc

    @property
    def waiting(self) -> int:
        """Starts waiting for a slot."""
        return len(self._waiters)

    def has_free_slot(self) -> bool:
        """A start now would get a slot without waiting."""
        return self.starting < self.max_starting and not self._waiters

    def take(self) -> StartSlot:
        """A free slot (`has_free_slot()` must be true)."""
        self.starting += 1
        self._count("admitted")
        return StartSlot(self)

    async def enter(self, gone: Gone | None = None) -> StartSlot:
        """A start slot: at once when one is free, else after a bounded wait; else
        ServiceBusyError (503, `busy`, Retry-After). ClientGoneError if `gone` returns
        first. Cancellation while waiting leaves no trace."""
        if self.has_free_slot():
            return self.take()
        if self.wait_seconds <= 0 or len(self._waiters) >= self.max_waiting:
            raise self._busy()
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        watch = asyncio.ensure_future(gone()) if gone is not None else None
        try:
            waits: set[asyncio.Future[object]] = {waiter}  # type: ignore[arg-type]
            if watch is not None:
                waits.add(watch)
            await asyncio.wait(waits, timeout=self.wait_seconds, return_when="FIRST_COMPLETED")
        except BaseException:
            self._leave(waiter)
            raise
        finally:
            if watch is not None:
                watch.cancel()
        if waiter.done() and not waiter.cancelled():
            if _left(watch):
                self._leave(waiter)  # handed a slot, but the client is gone: pass it on
                self._count("gone")
                raise ClientGoneError("The client left while its turn waited to start")
            self._count("queued")
            return StartSlot(self)
        self._leave(waiter)
        if _left(watch):
            self._count("gone")
            raise ClientGoneError("The client left while its turn waited to start")
        raise self._busy()

    def _leave(self, waiter: asyncio.Future[None]) -> None:
        """A waiter gives up: out of the queue, or, if a slot was already handed to it,
        the slot goes to the next one."""
        if waiter.done() and not waiter.cancelled():
            self._release()
            return
        waiter.cancel()
        with contextlib.suppress(ValueError):
            self._waiters.remove(waiter)

    def _release(self) -> None:
        """A slot is free: hand it to the first live waiter (the count stays), or count it
        free."""
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                return
        self.starting -= 1

    def _busy(self) -> ServiceBusyError:
        self._count("busy")
        return ServiceBusyError(BUSY_MESSAGE, retry_after=self.retry_after)

    def _count(self, result: str) -> None:
        count = self._counters.get(result)
        if count is not None:
            count()


def _left(watch: asyncio.Future[object] | None) -> bool:
    """The disconnect watcher saw the client leave. A watcher that failed (its `receive`
    raised) is no proof of that; its exception is retrieved so it is not logged as lost."""
    if watch is None or not watch.done() or watch.cancelled():
        return False
    return watch.exception() is None
