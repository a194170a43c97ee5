"""Readers of other replicas' streams: one local mirror per stream, fed by one blocking
XREAD per process that covers every mirrored stream at once.

A mirror is a `MemoryStreamLog`, so remote readers get the same batching and keep-alives
as local ones, and any number of readers of one stream cost one entry in the XREAD. The
process holds its mirrors weakly: a mirror goes when its last reader does.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Sequence
from typing import cast

import structlog
from redis.asyncio import Redis
from redis.exceptions import RedisError

from my_flow_api.services.streams.log import MemoryStreamLog
from my_flow_api.services.streams.shared.keys import Entry, Keys, entries, entry_number
from my_flow_api.services.streams.shared.writer import TERMINAL_FLAG

log = structlog.get_logger(__name__)

BLOCK_MS = 300
"""How long the XREAD waits; also the longest a newly mirrored stream waits to join it."""
COUNT = 1000
RETRY_SECONDS = 0.5


class MirrorLog(MemoryStreamLog):
    """A local copy of a Redis log, kept in order (entries it has already are skipped)."""

    def take(self, entries: Sequence[Entry]) -> None:
        for entry_id, fields in entries:
            if self.closed:
                return
            if entry_number(entry_id) == self.last_id + 1:
                self.append_encoded(fields[b"w"], fields.get(TERMINAL_FLAG) == b"1")


class RemoteFeeds:
    """This process's mirrors of streams owned elsewhere."""

    def __init__(self, redis: Redis, keys: Keys) -> None:
        self.redis = redis
        self.keys = keys
        self._mirrors: weakref.WeakValueDictionary[str, MirrorLog] = weakref.WeakValueDictionary()
        self._wake = asyncio.Event()

    async def mirror(self, stream_id: str) -> MirrorLog:
        """The stream's mirror, loaded with what Redis has and then kept up to date."""
        existing = self._mirrors.get(stream_id)
        if existing is not None:
            return existing
        loaded = MirrorLog()
        loaded.take(entries(await self.redis.xrange(self.keys.log(stream_id))))
        existing = self._mirrors.get(stream_id)  # another reader got there meanwhile
        if existing is not None:
            return existing
        if not loaded.closed:
            self._mirrors[stream_id] = loaded
            self._wake.set()
        return loaded

    async def run(self) -> None:
        """The XREAD loop (a background task until cancelled)."""
        failing = False
        while True:
            live = {sid: m for sid, m in list(self._mirrors.items()) if not m.closed}
            if not live:
                self._wake.clear()
                await self._wake.wait()
                continue
            try:
                reply = await self._read(live)
            except (RedisError, OSError, TimeoutError) as exc:
                if not failing:
                    log.warning("Redis read failed; retrying", error=type(exc).__name__)
                failing = True
                await asyncio.sleep(RETRY_SECONDS)
                continue
            failing = False
            for key, news in reply:
                mirror = live.get(key.decode().removeprefix(self.keys.log("")))
                if mirror is not None:
                    mirror.take(news)

    async def _read(self, live: dict[str, MirrorLog]) -> list[tuple[bytes, list[Entry]]]:
        streams: dict[str | bytes, str] = {
            self.keys.log(sid): f"0-{m.last_id}" for sid, m in live.items()
        }
        reply = await self.redis.xread(streams, count=COUNT, block=BLOCK_MS)  # type: ignore[arg-type]
        return cast("list[tuple[bytes, list[Entry]]]", reply or [])
