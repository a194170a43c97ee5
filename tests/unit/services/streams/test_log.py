"""The in-memory event log: numbering, replay, live following, one terminal event."""

from __future__ import annotations

import asyncio

import pytest

from my_flow_api.services.streams.events import DONE, TOKEN, encode
from my_flow_api.services.streams.log import (
    EVENT_OVERHEAD_BYTES,
    MemoryStreamLog,
    StreamClosedError,
)


def _id(wire: bytes) -> int:
    return int(wire.split(b"\n", 1)[0].removeprefix(b"id: "))


def _data(wire: bytes) -> str:
    lines = [line[6:] for line in wire.split(b"\n") if line.startswith(b"data: ")]
    return b"\n".join(lines).decode()


async def _collect(log: MemoryStreamLog, after: int = 0) -> list[str]:
    return [_data(wire) async for batch in log.read(after) for wire in batch]


async def test_ids_are_consecutive_and_terminal_closes() -> None:
    log = MemoryStreamLog()
    ids = [await log.append(TOKEN, "a"), await log.append(TOKEN, "b")]
    assert not log.closed
    ids.append(await log.append(DONE, "{}"))
    assert ids == [1, 2, 3]
    assert log.closed
    assert log.last_id == 3
    wires = [encode(1, TOKEN, "a"), encode(2, TOKEN, "b"), encode(3, DONE, "{}")]
    assert [wire async for batch in log.read() for wire in batch] == wires
    assert log.size_bytes == sum(len(w) + EVENT_OVERHEAD_BYTES for w in wires)
    with pytest.raises(StreamClosedError):
        await log.append(TOKEN, "late")


async def test_replay_after_an_id_returns_exactly_the_suffix() -> None:
    log = MemoryStreamLog()
    for text in "abcd":
        await log.append(TOKEN, text)
    await log.append(DONE, "{}")
    assert await _collect(log) == ["a", "b", "c", "d", "{}"]
    assert await _collect(log, after=2) == ["c", "d", "{}"]
    assert await _collect(log, after=5) == []


async def test_live_reader_follows_and_batches_bursts() -> None:
    log = MemoryStreamLog()
    batches: list[list[int]] = []

    async def reader() -> None:
        async for batch in log.read():
            batches.append([_id(wire) for wire in batch])

    task = asyncio.create_task(reader())
    await asyncio.sleep(0)
    await log.append(TOKEN, "a")
    await asyncio.sleep(0)
    for text in "bcd":  # a burst with no await in between: one wake-up
        await log.append(TOKEN, text)
    await log.append(DONE, "{}")
    await asyncio.wait_for(task, 1)
    assert [i for batch in batches for i in batch] == [1, 2, 3, 4, 5]
    assert len(batches) < 5


async def test_many_readers_see_the_same_events() -> None:
    log = MemoryStreamLog()
    readers = [asyncio.create_task(_collect(log)) for _ in range(20)]
    await asyncio.sleep(0)
    for text in "xyz":
        await log.append(TOKEN, text)
        await asyncio.sleep(0)
    await log.append(DONE, "{}")
    results = await asyncio.wait_for(asyncio.gather(*readers), 1)
    assert all(r == ["x", "y", "z", "{}"] for r in results)


async def test_an_idle_reader_gets_keep_alive_batches_and_a_busy_one_none() -> None:
    log = MemoryStreamLog()
    loop = asyncio.get_running_loop()
    started = loop.time()
    reader = log.read(idle_seconds=0.05)
    assert await anext(reader) == []
    assert await anext(reader) == []
    assert 0.09 <= loop.time() - started < 0.5

    async def feed() -> None:
        for text in "abcdefghij":
            await asyncio.sleep(0.02)
            await log.append(TOKEN, text)
        await log.append(DONE, "{}")

    writer = asyncio.create_task(feed())
    seen = [batch async for batch in reader]
    await writer
    assert [] not in seen  # never 50 ms without an event while tokens arrive every 20 ms
    assert "".join(_data(wire) for batch in seen for wire in batch) == "abcdefghij{}"
