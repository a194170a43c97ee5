"""The Redis mirror's flush loop stops when asked, even when the client turns the
cancellation into its own error (Python 3.11's `asyncio.timeout` can: a stop landing while
the client waits under its socket timeout comes out as TimeoutError)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from my_flow_api.services.streams.events import TOKEN
from my_flow_api.services.streams.log import MemoryStreamLog
from my_flow_api.services.streams.registry import ActiveStream
from my_flow_api.services.streams.shared.keys import Keys
from my_flow_api.services.streams.shared.writer import LogWriter


class _Pipeline:
    """A pipeline whose `execute` hangs until cancelled, then raises what a client
    converting the cancellation would: TimeoutError."""

    def __init__(self, entered: asyncio.Event) -> None:
        self._entered = entered

    def __getattr__(self, name: str) -> Any:
        return lambda *args, **kwargs: None  # eval, hset, set, expire...: queued

    async def execute(self, raise_on_error: bool = True) -> list[Any]:
        self._entered.set()
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            raise TimeoutError("Timeout reading from socket") from None
        return []


class _Client:
    def __init__(self) -> None:
        self.entered = asyncio.Event()

    def pipeline(self, transaction: bool = False) -> _Pipeline:
        return _Pipeline(self.entered)


async def test_a_stop_turned_into_a_timeout_by_the_client_still_stops_the_loop() -> None:
    client = _Client()
    writer = LogWriter(client, Keys("t"), live_ttl=100, retention_ttl=50)  # type: ignore[arg-type]
    task = asyncio.create_task(writer.run())
    stream = ActiveStream("s-1", "alice", "ctx", MemoryStreamLog())
    assert isinstance(stream.log, MemoryStreamLog)
    writer.track(stream, stream.log)
    await stream.log.append(TOKEN, "hello")
    await asyncio.wait_for(client.entered.wait(), 2)
    task.cancel()
    await asyncio.wait({task}, timeout=2)
    assert task.done(), "the loop swallowed its stop and went on retrying"
    with pytest.raises(asyncio.CancelledError):
        task.result()
