"""The Redis pieces one at a time, against the real server: the log copy, the slots, the
take-over of a dead owner's stream, the remote mirror."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from redis.asyncio import Redis

from my_flow_api.config import load_settings
from my_flow_api.models.context import ContextCreate
from my_flow_api.models.conversation import ConversationStatus, Message, MessageRole
from my_flow_api.repositories.factory import create_store
from my_flow_api.repositories.protocols import Store
from my_flow_api.services.chat.recovery import lost_stream_recorder
from my_flow_api.services.streams.events import DONE, ERROR, TOKEN, encode, token_text
from my_flow_api.services.streams.log import MemoryStreamLog
from my_flow_api.services.streams.registry import ActiveStream
from my_flow_api.services.streams.shared.feeds import MirrorLog, RemoteFeeds
from my_flow_api.services.streams.shared.janitor import LOST_CODE, Janitor
from my_flow_api.services.streams.shared.keys import Keys, connect, entries, text_map
from my_flow_api.services.streams.shared.leases import Leases
from my_flow_api.services.streams.shared.writer import LogWriter
from tests.support.conversations import begin_conversation
from tests.support.redis import PrivateRedis

pytestmark = [pytest.mark.integration, pytest.mark.redis]


@pytest.fixture
async def redis(redis_url: str) -> AsyncIterator[Redis]:
    client = connect(redis_url)
    yield client
    await client.aclose()


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    settings = load_settings(DATA_DIR=tmp_path, DATABASE_URL=None, _env_file=None)
    opened = await create_store(settings)
    yield opened
    await opened.close()


def _owned(user: str = "alice") -> ActiveStream:
    return ActiveStream(f"s-{user}", user, "ctx", MemoryStreamLog())


async def test_the_writer_copies_a_burst_in_order_with_the_end_flagged(
    redis: Redis, redis_prefix: str
) -> None:
    keys = Keys(redis_prefix)
    writer = LogWriter(redis, keys, live_ttl=100, retention_ttl=50)
    task = asyncio.create_task(writer.run())
    stream = _owned()
    assert isinstance(stream.log, MemoryStreamLog)
    writer.track(stream, stream.log)
    for i in range(200):
        await stream.log.append(TOKEN, f"t{i}")
    await stream.log.append(DONE, "{}")
    writer.finished(stream)
    await asyncio.sleep(0.3)
    task.cancel()
    logged = entries(await redis.xrange(keys.log(stream.id)))
    assert [e[0] for e in logged] == [f"0-{i}".encode() for i in range(1, 202)]
    assert [fields[b"w"] for _, fields in logged] == stream.log.encoded_after(0)
    assert [b"t" in fields for _, fields in logged] == [False] * 200 + [True]
    assert 0 < await redis.ttl(keys.log(stream.id)) <= 50, "retention starts at the end"


async def _reads(redis: Redis) -> int:
    """How many times the server read from a client socket (one per pipeline, at least)."""
    stats = await redis.info("stats")
    return int(stats["total_reads_processed"])


async def test_a_burst_of_tokens_costs_one_round_trip_not_one_each(tmp_path: Path) -> None:
    server = PrivateRedis(tmp_path)
    server.start()
    redis, keys = connect(server.url), Keys("w:")
    writer = LogWriter(redis, keys, live_ttl=100, retention_ttl=50)
    task = asyncio.create_task(writer.run())
    streams = [_owned(f"u{i}") for i in range(10)]
    try:
        before = await _reads(redis)
        for stream in streams:
            assert isinstance(stream.log, MemoryStreamLog)
            writer.track(stream, stream.log)
            for i in range(50):  # 500 tokens of 10 streams within one loop turn
                await stream.log.append(TOKEN, f"t{i}")
        await asyncio.sleep(0.3)
        used = await _reads(redis) - before
        assert used <= 4, f"{used} reads for 500 tokens"
        assert await redis.xlen(keys.log(streams[-1].id)) == 50
    finally:
        task.cancel()
        await redis.aclose()
        server.stop()


async def test_the_writer_catches_up_after_redis_was_away(tmp_path: Path) -> None:
    server = PrivateRedis(tmp_path)
    server.start()
    redis, keys = connect(server.url), Keys("w:")
    writer = LogWriter(redis, keys, live_ttl=100, retention_ttl=50)
    task = asyncio.create_task(writer.run())
    stream = _owned()
    assert isinstance(stream.log, MemoryStreamLog)
    writer.track(stream, stream.log)
    try:
        await stream.log.append(TOKEN, "before")
        await asyncio.sleep(0.2)
        server.stop()
        for i in range(5):
            await stream.log.append(TOKEN, f"during {i}")
            await asyncio.sleep(0.05)
        server.start()
        await asyncio.sleep(1.5)
        logged = entries(await redis.xrange(keys.log(stream.id)))
        # The server kept nothing (no persistence): what it has now came after its return.
        assert [fields[b"w"] for _, fields in logged] == stream.log.encoded_after(1)
    finally:
        task.cancel()
        await redis.aclose()
        server.stop()


async def test_slots_are_atomic_across_replicas_and_lapse_with_their_owner(
    redis: Redis, redis_prefix: str
) -> None:
    keys = Keys(redis_prefix)
    one, two = Leases(redis, keys, "r1", 60), Leases(redis, keys, "r2", 60)
    one.lease_ms = two.lease_ms = 300
    tries = [(one if i % 2 else two).acquire(f"s{i}", "alice", "c", 3) for i in range(10)]
    assert sorted(await asyncio.gather(*tries)) == [False] * 7 + [True] * 3
    assert not await one.acquire("s-late", "alice", "c", 3)
    await asyncio.sleep(0.4)  # nobody refreshed: the slots lapsed
    assert await one.acquire("s-after", "alice", "c", 3)
    await one.refresh([("s-after", "alice")])
    assert await one.owners_alive(["r1", "r2"]) == {"r1": True, "r2": False}


async def _dead_owners_stream(redis: Redis, keys: Keys, store: Store) -> str:
    context = await store.contexts.create("alice", ContextCreate(name="Work"))
    question = [Message(role=MessageRole.USER, content="hi")]
    conversation = await begin_conversation(store, "alice", context.id, question)
    pipe = redis.pipeline(transaction=False)
    for number, text in enumerate(["Hel", "lo\nthere"], start=1):
        pipe.xadd(keys.log("s1"), {"w": encode(number, TOKEN, text)}, id=f"0-{number}")
    pipe.hset(keys.meta("s1"), mapping={"user": "alice", "conversation": conversation.id})
    pipe.hset(keys.running, "s1", "ghost")
    await pipe.execute()
    return conversation.id


async def test_a_dead_owners_stream_is_ended_once_after_two_sweeps(
    redis: Redis, redis_prefix: str, store: Store
) -> None:
    keys = Keys(redis_prefix)
    conversation_id = await _dead_owners_stream(redis, keys, store)
    janitors = [
        Janitor(redis, keys, Leases(redis, keys, r, 60), lost_stream_recorder(store), 60)
        for r in "ab"
    ]
    assert [await j.sweep() for j in janitors] == [0, 0], "one missed lease is not death"
    assert sum(await asyncio.gather(*(j.sweep() for j in janitors))) == 1
    assert [await j.sweep() for j in janitors] == [0, 0]
    logged = entries(await redis.xrange(keys.log("s1")))
    assert len(logged) == 3
    assert logged[-1][1][b"t"] == b"1"
    assert f'"code":"{LOST_CODE}"'.encode() in logged[-1][1][b"w"]
    assert logged[-1][1][b"w"].startswith(b"id: 3\nevent: " + ERROR.encode())
    assert text_map(await redis.hgetall(keys.running)) == {}
    stored = await store.conversations.get_by_id(conversation_id, "alice")
    assert stored is not None
    assert stored.status is ConversationStatus.INTERRUPTED
    assert stored.messages[-1].content == "Hello\nthere"


async def test_a_mirror_follows_the_redis_log_and_skips_what_it_has(
    redis: Redis, redis_prefix: str
) -> None:
    keys = Keys(redis_prefix)
    feeds = RemoteFeeds(redis, keys)
    task = asyncio.create_task(feeds.run())
    await redis.xadd(keys.log("s"), {"w": encode(1, TOKEN, "a")}, id="0-1")
    mirror = await feeds.mirror("s")
    assert await feeds.mirror("s") is mirror, "one mirror per stream and process"
    await redis.xadd(keys.log("s"), {"w": encode(2, TOKEN, "b")}, id="0-2")
    await redis.xadd(keys.log("s"), {"w": encode(3, DONE, "{}"), "t": "1"}, id="0-3")
    batches = [batch async for batch in mirror.read(0)]
    task.cancel()
    assert b"".join(b"".join(batch) for batch in batches).count(b"id: ") == 3
    assert mirror.closed
    again = MirrorLog()
    again.take(entries(await redis.xrange(keys.log("s"))) * 2)
    assert again.encoded_after(0) == mirror.encoded_after(0)


def test_token_text_inverts_encode() -> None:
    for text in ["plain", "two\nlines", "", "  lead", "data: x"]:
        assert token_text(encode(7, TOKEN, text)) == text
    assert token_text(encode(8, DONE, "{}")) is None
