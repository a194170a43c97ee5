"""Leases on Redis: the per-user stream slots and the owner's liveness.

A slot is a member of the user's sorted set scored by its expiry in Redis's own clock
(`TIME`, so replicas' clocks never disagree). Taking one is a Lua script: drop expired
slots, count, add, all atomic, so two replicas can never both take the last slot. The
owner refreshes its slots and its replica lease together; a killed replica stops
refreshing and its slots lapse by themselves.
"""

from __future__ import annotations

from collections.abc import Sequence

from redis.asyncio import Redis

from my_flow_api.services.streams.shared.keys import Keys

LEASE_SECONDS = 6.0
"""A replica silent this long is taken for dead (its readers then learn within 15 s)."""
HEARTBEAT_SECONDS = 2.0

_NOW = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
"""

# KEYS: slots, meta, running, owner lease.
# ARGV: stream, limit, lease ms, meta ttl s, owner, user, context
_ACQUIRE = (
    _NOW
    + """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then return 0 end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
redis.call('HSET', KEYS[2], 'user', ARGV[6], 'context', ARGV[7], 'owner', ARGV[5])
redis.call('EXPIRE', KEYS[2], ARGV[4])
redis.call('HSET', KEYS[3], ARGV[1], ARGV[5])
redis.call('SET', KEYS[4], '1', 'PX', ARGV[3])
return 1
"""
)

# KEYS: the lease, then one slots key per stream. ARGV: lease ms, then the stream ids.
# Returns 1 when the lease was still there (0: Redis lost it, or it lapsed).
_REFRESH = (
    _NOW
    + """
local kept = redis.call('EXISTS', KEYS[1])
redis.call('SET', KEYS[1], '1', 'PX', ARGV[1])
for i = 2, #KEYS do
  redis.call('ZADD', KEYS[i], 'XX', now + tonumber(ARGV[1]), ARGV[i])
  redis.call('PEXPIRE', KEYS[i], ARGV[1])
end
return kept
"""
)


class Leases:
    """Slots and the replica lease of one replica."""

    def __init__(self, redis: Redis, keys: Keys, replica_id: str, meta_ttl: int) -> None:
        self.redis = redis
        self.keys = keys
        self.replica_id = replica_id
        self.meta_ttl = meta_ttl
        self._acquire = redis.register_script(_ACQUIRE)
        self._refresh = redis.register_script(_REFRESH)
        self.lease_ms = int(LEASE_SECONDS * 1000)

    async def acquire(self, stream_id: str, user_id: str, context_id: str, limit: int) -> bool:
        """Take a slot for a new stream and publish its owner; False when the user is full."""
        keys = [self.keys.slots(user_id), self.keys.meta(stream_id), self.keys.running]
        keys.append(self.keys.lease(self.replica_id))  # so no sweep takes it for dead
        args: list[str | int] = [stream_id, limit, self.lease_ms, self.meta_ttl, self.replica_id]
        taken = await self._acquire(keys=keys, args=[*args, user_id, context_id])
        return bool(taken)

    async def release(self, stream_id: str, user_id: str) -> None:
        """Give back a slot of a stream that never ran."""
        pipe = self.redis.pipeline(transaction=False)
        pipe.zrem(self.keys.slots(user_id), stream_id)
        pipe.hdel(self.keys.running, stream_id)
        pipe.delete(self.keys.meta(stream_id))
        await pipe.execute()

    async def refresh(self, running: Sequence[tuple[str, str]]) -> bool:
        """Renew this replica's lease and the slots of its running (stream, user) pairs;
        False when the lease had gone (Redis restarted empty, or it lapsed meanwhile)."""
        keys = [self.keys.lease(self.replica_id)]
        keys += [self.keys.slots(user) for _, user in running]
        args: list[str | int] = [self.lease_ms, *(stream for stream, _ in running)]
        return bool(await self._refresh(keys=keys, args=args))

    async def drop(self) -> None:
        """Say this replica is gone (a clean stop): others need not wait for the expiry."""
        await self.redis.delete(self.keys.lease(self.replica_id))

    async def owners_alive(self, owners: Sequence[str]) -> dict[str, bool]:
        """Which of these replicas hold a lease."""
        pipe = self.redis.pipeline(transaction=False)
        for owner in owners:
            pipe.exists(self.keys.lease(owner))
        found = await pipe.execute()
        return {owner: bool(n) for owner, n in zip(owners, found, strict=True)}
