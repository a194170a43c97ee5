"""Where replicas meet on Redis: the client, its time limits, and every key's name."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import cast

from redis.asyncio import BlockingConnectionPool, Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

from my_flow_api.errors import SharedStateUnavailableError

CONNECT_TIMEOUT_SECONDS = 1.0
"""A request that needs Redis while it is down gets its 503 within about this long."""
SOCKET_TIMEOUT_SECONDS = 3.0
"""Above the remote readers' XREAD BLOCK, which holds its connection that long."""
POOL_SIZE = 16
"""Connections per process: a fixed bound whatever the number of streams and readers."""
POOL_WAIT_SECONDS = 1.0
Entry = tuple[bytes, dict[bytes, bytes]]
UNAVAILABLE = "Redis, where replicas share streams, is unavailable; try again shortly"


def connect(url: str) -> Redis:
    """A client whose calls fail fast instead of retrying while Redis is down: the
    callers (new streams, the background loops) decide about trying again."""
    pool = BlockingConnectionPool.from_url(
        url,
        max_connections=POOL_SIZE,
        timeout=POOL_WAIT_SECONDS,
        socket_connect_timeout=CONNECT_TIMEOUT_SECONDS,
        socket_timeout=SOCKET_TIMEOUT_SECONDS,
        retry=Retry(NoBackoff(), 1),  # once: a connection Redis closed (restart) is remade
        health_check_interval=30,
    )
    return Redis(connection_pool=pool)


@contextlib.asynccontextmanager
async def required() -> AsyncIterator[None]:
    """Turn Redis failures of a request's calls into one 503 with a code."""
    try:
        yield
    except (RedisError, OSError, TimeoutError) as exc:
        raise SharedStateUnavailableError(UNAVAILABLE) from exc


@dataclass(frozen=True)
class Keys:
    """Key names under one prefix (tests and deployments sharing a Redis pick their own)."""

    prefix: str

    def log(self, stream_id: str) -> str:
        """The stream's events: a Redis stream with entry ids 0-1, 0-2, ... = SSE ids."""
        return f"{self.prefix}log:{stream_id}"

    def meta(self, stream_id: str) -> str:
        """Hash: user, context, owner replica, conversation, stop flag."""
        return f"{self.prefix}meta:{stream_id}"

    def claim(self, stream_id: str) -> str:
        """Set once by the replica that records a dead owner's stream as interrupted."""
        return f"{self.prefix}claim:{stream_id}"

    def turn(self, conversation_id: str) -> str:
        """The stream generating (or that last generated) the conversation's turn."""
        return f"{self.prefix}turn:{conversation_id}"

    def slots(self, user_id: str) -> str:
        """Sorted set of the user's running streams, scored by lease expiry (ms)."""
        return f"{self.prefix}slots:{user_id}"

    def lease(self, replica_id: str) -> str:
        """Present while the replica is alive (it refreshes the expiry)."""
        return f"{self.prefix}replica:{replica_id}"

    def stop_channel(self, replica_id: str) -> str:
        """Pub/sub channel on which a replica hears stop requests for its streams."""
        return f"{self.prefix}stop:{replica_id}"

    @property
    def running(self) -> str:
        """Hash of running streams: stream id -> owner replica id."""
        return f"{self.prefix}running"


def text_map(raw: object) -> dict[str, str]:
    """A hash as read (bytes to bytes) in text."""
    pairs = cast("dict[bytes, bytes]", raw)
    return {key.decode(): value.decode() for key, value in pairs.items()}


def entries(raw: object) -> list[Entry]:
    """Stream entries as read: (id, fields), all bytes."""
    return cast("list[Entry]", raw or [])


def entry_number(entry_id: bytes | str) -> int:
    """The SSE id of a log entry (`0-N` -> N)."""
    raw = entry_id.decode() if isinstance(entry_id, bytes) else entry_id
    return int(raw.rpartition("-")[2])
