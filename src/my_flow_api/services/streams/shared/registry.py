"""The stream registry of one replica among several, sharing streams through Redis.

The owner keeps generating into its memory log, which its own readers read as before;
the log is mirrored to Redis, where every other replica can find, read, stop and count
the stream. Background loops: the writer, the remote readers' XREAD, the heartbeat
(lease, slots, take-over of dead owners' streams) and the stop listener.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Coroutine
from typing import Any

import structlog
from redis.asyncio import Redis
from redis.exceptions import RedisError

from my_flow_api.errors import DomainError
from my_flow_api.models.common import new_id
from my_flow_api.services.streams.log import MemoryStreamLog
from my_flow_api.services.streams.registry import (
    ActiveStream,
    LostHandler,
    StopReason,
    StreamRegistry,
    too_many_streams,
)
from my_flow_api.services.streams.shared.feeds import RemoteFeeds
from my_flow_api.services.streams.shared.janitor import Janitor
from my_flow_api.services.streams.shared.keys import Keys, required, text_map
from my_flow_api.services.streams.shared.leases import HEARTBEAT_SECONDS, Leases
from my_flow_api.services.streams.shared.writer import LogWriter

log = structlog.get_logger(__name__)

REQUEST_SECONDS = 1.5
"""Bound of a request's own Redis calls: a 503 well within 2 s when Redis hangs."""
RETRY_SECONDS = 0.5
FAILURES = (RedisError, OSError, TimeoutError)


class SharedStreamRegistry(StreamRegistry):
    """Streams of this replica, and access to every other replica's through Redis."""

    def __init__(
        self,
        redis: Redis,
        keys: Keys,
        on_lost: LostHandler,
        *,
        retention_seconds: float,
        retention_max_bytes: int,
        max_per_user: int,
        max_duration_seconds: float,
    ) -> None:
        super().__init__(retention_seconds, retention_max_bytes, max_per_user)
        self.redis = redis
        self.keys = keys
        self.replica_id = new_id()
        retention_ttl = int(retention_seconds) + 1
        live_ttl = int(max_duration_seconds) + retention_ttl + 60
        self.leases = Leases(redis, keys, self.replica_id, live_ttl)
        self.writer = LogWriter(redis, keys, live_ttl, retention_ttl)
        self.feeds = RemoteFeeds(redis, keys)
        self.janitor = Janitor(redis, keys, self.leases, on_lost, retention_ttl)
        self._tasks: list[asyncio.Task[None]] = []

    def begin(self) -> None:
        """Start the background loops (they ride out Redis being down)."""
        loops: list[Callable[[], Coroutine[Any, Any, None]]] = [
            self.writer.run,
            self.feeds.run,
            self._heartbeat,
            self._listen_for_stops,
        ]
        self._tasks = [asyncio.create_task(loop(), name=f"redis-{loop.__name__}") for loop in loops]

    async def start(self, user_id: str, context_id: str) -> ActiveStream:
        self.check_accepting()
        stream = ActiveStream(new_id(), user_id, context_id, MemoryStreamLog())
        stream.owner = self.replica_id
        async with required(), asyncio.timeout(REQUEST_SECONDS):
            taken = await self.leases.acquire(stream.id, user_id, context_id, self.max_per_user)
        if not taken:
            raise too_many_streams(self.max_per_user)
        assert isinstance(stream.log, MemoryStreamLog)
        self.writer.track(stream, stream.log)
        return self.register(stream)

    def recorded(self, stream: ActiveStream) -> None:
        self.writer.recorded(stream)

    def finish(self, stream: ActiveStream) -> None:
        if not stream.finished:
            super().finish(stream)
            self.writer.finished(stream)

    def _forget(self, stream_id: str) -> None:
        super()._forget(stream_id)
        self.writer.forget(stream_id)

    async def find(self, stream_id: str, user_id: str) -> ActiveStream | None:
        here = self.local(stream_id)
        if here is not None:
            return here if here.user_id == user_id else None
        async with required(), asyncio.timeout(REQUEST_SECONDS):
            meta = text_map(await self.redis.hgetall(self.keys.meta(stream_id)))
            if meta.get("user") != user_id:
                return None
            mirror = await self.feeds.mirror(stream_id)
        stream = ActiveStream(stream_id, user_id, meta.get("context", ""), mirror)
        stream.conversation_id = meta.get("conversation", "")
        stream.owner = meta.get("owner", "")
        stream.started.set()
        if meta.get("stop"):
            stream.stop_reason = StopReason.CANCELLED
        return stream

    async def running_for(self, conversation_id: str, user_id: str) -> str | None:
        here = await super().running_for(conversation_id, user_id)
        if here is not None:
            return here
        try:
            async with asyncio.timeout(REQUEST_SECONDS):
                raw = await self.redis.get(self.keys.turn(conversation_id))
                if raw is None:
                    return None
                stream_id = raw.decode() if isinstance(raw, bytes) else str(raw)
                meta = text_map(await self.redis.hgetall(self.keys.meta(stream_id)))
        except FAILURES:
            return None  # the 409 goes out without the id
        return stream_id if meta.get("user") == user_id else None

    async def request_stop(self, stream: ActiveStream) -> bool:
        if stream.owner == self.replica_id or stream.log.closed:
            return await super().request_stop(stream)
        async with required(), asyncio.timeout(REQUEST_SECONDS):
            pipe = self.redis.pipeline(transaction=False)
            pipe.hset(self.keys.meta(stream.id), "stop", "1")
            pipe.publish(self.keys.stop_channel(stream.owner), stream.id)
            await pipe.execute()
        stream.stop_reason = StopReason.CANCELLED
        return True

    async def ping(self) -> bool | None:
        try:
            async with asyncio.timeout(REQUEST_SECONDS):
                return bool(await self.redis.ping())
        except FAILURES:
            return False

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        with contextlib.suppress(*FAILURES):
            async with asyncio.timeout(REQUEST_SECONDS):
                await self.writer.flush_now()
                await self.leases.drop()
        await self.redis.aclose()

    async def _heartbeat(self) -> None:
        failing = False
        while True:
            try:
                if not await self.leases.refresh([(s.id, s.user_id) for s in self.running()]):
                    self.writer.restore()  # Redis came back empty: our streams' records too
                await self.janitor.sweep()
            except (*FAILURES, DomainError) as exc:
                if not failing:
                    log.warning("Redis heartbeat failed; retrying", error=type(exc).__name__)
                failing = True
            else:
                failing = False
            await asyncio.sleep(HEARTBEAT_SECONDS)

    async def _listen_for_stops(self) -> None:
        channel = self.keys.stop_channel(self.replica_id)
        while True:
            pubsub = self.redis.pubsub(ignore_subscribe_messages=True)
            try:
                await pubsub.subscribe(channel)
                while True:
                    message = await pubsub.get_message(timeout=1.0)
                    if message is not None:
                        self._stop_here(bytes(message["data"]).decode())
            except FAILURES:
                await asyncio.sleep(RETRY_SECONDS)
            finally:
                with contextlib.suppress(*FAILURES):
                    await pubsub.aclose()  # type: ignore[no-untyped-call]

    def _stop_here(self, stream_id: str) -> None:
        stream = self.local(stream_id)
        if stream is not None and stream.stop(StopReason.CANCELLED):
            log.info("Chat stream stopped from another replica", stream_id=stream_id)
