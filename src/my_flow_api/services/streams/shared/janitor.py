"""Taking over the streams of a replica that died.

Every replica sweeps the running streams now and then. A stream whose owner's lease was
missing at two sweeps in a row is claimed with `SET NX`, so exactly one replica ends it:
it appends one terminal `error` (code `replica_lost`) to the log, which every reader
anywhere then relays, and hands the answer's tokens that reached the log to `on_lost`
(the chat service records the conversation as `interrupted` with them).

Two sweeps, not one: after Redis itself was away for longer than a lease, a live owner
gets a heartbeat in before it is taken for dead.
"""

from __future__ import annotations

import structlog
from redis.asyncio import Redis
from redis.typing import EncodableT, FieldT

from my_flow_api.services.streams.events import ERROR, encode, error_data, token_text
from my_flow_api.services.streams.registry import LostHandler, LostStream
from my_flow_api.services.streams.shared.keys import Entry, Keys, entries, entry_number, text_map
from my_flow_api.services.streams.shared.leases import Leases
from my_flow_api.services.streams.shared.writer import MAX_EVENTS, TERMINAL_FLAG

log = structlog.get_logger(__name__)

LOST_CODE = "replica_lost"
LOST_MESSAGE = "The server generating this answer stopped before it was complete"


class Janitor:
    """Ends, once, the streams of replicas whose lease has lapsed."""

    def __init__(
        self, redis: Redis, keys: Keys, leases: Leases, on_lost: LostHandler, retention_ttl: int
    ) -> None:
        self.redis = redis
        self.keys = keys
        self.leases = leases
        self.on_lost = on_lost
        self.retention_ttl = retention_ttl
        self._suspects: set[str] = set()

    async def sweep(self) -> int:
        """Take over what dead owners left; returns how many streams this replica ended."""
        running = text_map(await self.redis.hgetall(self.keys.running))
        me = self.leases.replica_id
        owners = sorted({owner for owner in running.values() if owner != me})
        alive = await self.leases.owners_alive(owners) if owners else {}
        missing = {owner for owner, here in alive.items() if not here}
        dead, self._suspects = missing & self._suspects, missing
        ended = 0
        for stream_id, owner in running.items():
            if owner in dead and await self._claim(stream_id):
                try:
                    await self._end(stream_id)
                except BaseException:  # the store or Redis failed: the next sweep retries
                    await self.redis.delete(self.keys.claim(stream_id))
                    raise
                ended += 1
        return ended

    async def _claim(self, stream_id: str) -> bool:
        me = self.leases.replica_id
        claim = self.keys.claim(stream_id)
        return bool(await self.redis.set(claim, me, nx=True, ex=self.retention_ttl))

    async def _end(self, stream_id: str) -> None:
        keys = self.keys
        logged = entries(await self.redis.xrange(keys.log(stream_id)))
        meta = text_map(await self.redis.hgetall(keys.meta(stream_id)))
        ended = bool(logged) and logged[-1][1].get(TERMINAL_FLAG) == b"1"
        if not ended:
            await self._append_error(stream_id, logged)
            await self._record(meta, logged)
        pipe = self.redis.pipeline(transaction=False)
        pipe.hdel(keys.running, stream_id)
        if "user" in meta:
            pipe.zrem(keys.slots(meta["user"]), stream_id)
        pipe.expire(keys.log(stream_id), self.retention_ttl)
        pipe.expire(keys.meta(stream_id), self.retention_ttl)
        await pipe.execute()
        log.warning("Took over a stream whose replica stopped", stream_id=stream_id)

    async def _append_error(self, stream_id: str, entries: list[Entry]) -> None:
        number = entry_number(entries[-1][0]) + 1 if entries else 1
        data = error_data(LOST_CODE, LOST_MESSAGE)
        fields: dict[FieldT, EncodableT] = {b"w": encode(number, ERROR, data), TERMINAL_FLAG: b"1"}
        await self.redis.xadd(self.keys.log(stream_id), fields, id=f"0-{number}", maxlen=MAX_EVENTS)

    async def _record(self, meta: dict[str, str], entries: list[Entry]) -> None:
        conversation_id, user_id = meta.get("conversation"), meta.get("user")
        if not conversation_id or not user_id:
            return  # the owner died before the conversation was stored
        parts = [token_text(fields[b"w"]) for _, fields in entries]
        answer = "".join(part for part in parts if part is not None)
        await self.on_lost(LostStream(conversation_id, user_id, answer or None, LOST_CODE))
