"""The stream registry: per-user limits, owner-only lookup, bounded retention, drain."""

from __future__ import annotations

import asyncio

import pytest

from my_flow_api.errors import RateLimitedError, ShuttingDownError
from my_flow_api.services.streams.events import DONE, TOKEN
from my_flow_api.services.streams.registry import StopReason, StreamRegistry


async def test_each_user_gets_at_most_max_per_user_running_streams() -> None:
    registry = StreamRegistry(max_per_user=2)
    first = registry.open("alice", "c")
    registry.open("alice", "c")
    with pytest.raises(RateLimitedError) as caught:
        registry.open("alice", "c")
    assert caught.value.retry_after >= 1
    registry.open("bob", "c")
    registry.finish(first)
    registry.finish(first)  # idempotent: frees one slot, not two
    registry.open("alice", "c")
    with pytest.raises(RateLimitedError):
        registry.open("alice", "c")


async def test_only_the_owner_finds_a_stream() -> None:
    registry = StreamRegistry()
    stream = registry.open("alice", "c")
    assert registry.get(stream.id, "alice") is stream
    assert registry.get(stream.id, "bob") is None
    assert registry.get("missing", "alice") is None


async def test_finished_logs_are_forgotten_oldest_first_past_the_byte_bound() -> None:
    registry = StreamRegistry(retention_max_bytes=200)
    streams = [registry.open("alice", "c") for _ in range(3)]
    for stream in streams:
        await stream.log.append(TOKEN, "x" * 60)
        await stream.log.append(DONE, "{}")
        registry.finish(stream)
    assert registry.get(streams[0].id, "alice") is None
    assert registry.get(streams[2].id, "alice") is streams[2]


async def test_finished_logs_are_forgotten_after_the_retention_time() -> None:
    registry = StreamRegistry(retention_seconds=0.05)
    stream = registry.open("alice", "c")
    registry.finish(stream)
    assert registry.get(stream.id, "alice") is stream
    await asyncio.sleep(0.1)
    assert registry.get(stream.id, "alice") is None


async def test_drain_waits_then_stops_and_refuses_new_streams() -> None:
    registry = StreamRegistry()
    quick, slow = registry.open("alice", "c"), registry.open("bob", "c")
    quick.task = asyncio.create_task(asyncio.sleep(0.01))
    slow.task = asyncio.create_task(asyncio.sleep(60))
    quick.task.add_done_callback(lambda _: registry.finish(quick))
    slow.task.add_done_callback(lambda _: registry.finish(slow))
    await asyncio.wait_for(registry.drain(grace_seconds=0.1), 2)
    assert quick.stop_reason is None
    assert slow.stop_reason is StopReason.SHUTDOWN
    assert slow.task.cancelled()
    assert registry.running() == []
    with pytest.raises(ShuttingDownError):
        registry.open("alice", "c")
    assert not slow.stop(StopReason.CANCELLED)
