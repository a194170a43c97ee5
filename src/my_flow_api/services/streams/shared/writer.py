"""Copies the owner's memory logs to Redis, one pipeline per flush.

An append only marks its log dirty; the flush task wakes, lets the appends of the same
event-loop turn gather (`COALESCE_SECONDS`), and sends every dirty log's new events in
one pipeline, so a token costs no round trip of its own and one round trip carries many
streams' tokens. The events of all the logs go in one `EVAL` (`_APPEND`: an XADD per
event, inside Redis) rather than one XADD command each: redis-py's work per command
(packing, the reply's parsing, the pipeline's bookkeeping) was most of what the mirror
cost per token: 36 us of CPU beyond the memory log's 4 us, 18 us now (11 with 5 ms
of gathering; `bench/redis_mirror_cost.py`). What was sent is tracked by position in the memory log
(which keeps every event), so after a failed flush, Redis down for instance, the next
one sends the same events again and nothing is lost or doubled: an entry's id is its SSE
id, and Redis refuses an id it already has.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import structlog
from redis.asyncio import Redis
from redis.asyncio.client import Pipeline
from redis.exceptions import RedisError, ResponseError
from redis.typing import EncodableT, FieldT

from my_flow_api.services.streams.log import MemoryStreamLog
from my_flow_api.services.streams.registry import ActiveStream
from my_flow_api.services.streams.shared.keys import Keys

log = structlog.get_logger(__name__)

MAX_EVENTS = 50_000
"""Bound of one log on Redis (approximate trim); a turn's answer is far shorter."""
RETRY_SECONDS = 0.5
TERMINAL_FLAG = b"t"
COALESCE_SECONDS = 0.0
"""How long a flush lets appends gather after the first one: one event-loop turn. Waiting
5 ms cost 7 us less CPU per mirrored token (`bench/redis_mirror_cost.py`), but a client
that had its `done` and reconnected to another replica within those 5 ms found the stream
still live there and got an empty 200 instead of the 204 that stops an `EventSource`; a
flush at once on a stream's end made the test servers' shutdown hang, not understood in
the time there was, so the gathering is one loop turn, as before the EVAL (bench/README)."""

_APPEND = """
-- KEYS: logs. ARGV[1]: MAXLEN; then per log: its first new id, the number of events,
-- 1 if the last one is terminal, a TTL to set (0: none), the events' wire bytes.
local maxlen = ARGV[1]
local a = 2
for i = 1, #KEYS do
  local key = KEYS[i]
  local first = tonumber(ARGV[a])
  local n = tonumber(ARGV[a + 1])
  local terminal = ARGV[a + 2] == '1'
  local ttl = ARGV[a + 3]
  a = a + 4
  for j = 0, n - 1 do
    local r
    if terminal and j == n - 1 then
      r = redis.pcall('XADD', key, 'MAXLEN', '~', maxlen, '0-' .. (first + j),
        'w', ARGV[a + j], 't', '1')
    else
      r = redis.pcall('XADD', key, 'MAXLEN', '~', maxlen, '0-' .. (first + j), 'w', ARGV[a + j])
    end
    -- an id Redis already has was sent by a flush that failed after all: skip it
    if type(r) == 'table' and r.err and not string.find(r.err, 'equal or smaller', 1, true) then
      return r
    end
  end
  a = a + n
  if ttl ~= '0' then
    redis.call('EXPIRE', key, ttl)
  end
end
return #KEYS
"""


@dataclass(eq=False)
class _Tracked:
    stream: ActiveStream
    log: MemoryStreamLog
    sent: int = 0
    conversation_sent: bool = False
    finished: bool = False
    restoring: bool = False
    """Write the stream's record (owner, user, context, running) again: Redis lost it."""


class LogWriter:
    """Mirrors the logs of this replica's streams into Redis streams."""

    def __init__(self, redis: Redis, keys: Keys, live_ttl: int, retention_ttl: int) -> None:
        self.redis = redis
        self.keys = keys
        self.live_ttl = live_ttl
        self.retention_ttl = retention_ttl
        self._dirty: dict[str, _Tracked] = {}
        self._known: dict[str, _Tracked] = {}
        self._restore = False
        self._wake = asyncio.Event()
        self._failing = False

    def track(self, stream: ActiveStream, memory: MemoryStreamLog) -> None:
        """Mirror this log from now on (and again after `restore`, until `forget`)."""
        tracked = _Tracked(stream, memory)
        self._known[stream.id] = tracked
        memory.on_append = lambda: self._mark(tracked)

    def forget(self, stream_id: str) -> None:
        """The stream's retention is over here: a restore no longer writes it."""
        self._known.pop(stream_id, None)

    def restore(self) -> None:
        """Redis lost its data (a restart without persistence): write every stream this
        replica still holds again, records and whole logs, so any replica can resume
        them. Done by the flush loop, in order with its other writes."""
        self._restore = True
        self._wake.set()

    def recorded(self, stream: ActiveStream) -> None:
        """Publish the conversation id soon (whoever takes over a dead owner needs it)."""
        self._mark_stream(stream)

    def finished(self, stream: ActiveStream) -> None:
        """After its last events, free the stream's slot and start its retention."""
        self._mark_stream(stream, finished=True)

    def _mark_stream(self, stream: ActiveStream, finished: bool = False) -> None:
        memory = stream.log
        if isinstance(memory, MemoryStreamLog) and memory.on_append is not None:
            memory.on_append()
            if finished:
                self._dirty[stream.id].finished = True

    def _mark(self, tracked: _Tracked) -> None:
        self._dirty[tracked.stream.id] = tracked
        self._wake.set()

    async def run(self) -> None:
        """The flush loop (a background task until cancelled)."""
        while True:
            await self._wake.wait()
            await asyncio.sleep(COALESCE_SECONDS)
            self._wake.clear()
            if self._restore:
                self._restore = False
                self._begin_restore()
            batch, self._dirty = self._dirty, {}
            try:
                await self._flush(list(batch.values()))
            except asyncio.CancelledError:  # stopping: `flush_now` sends this batch again
                self._requeue(batch)
                raise
            except (RedisError, OSError, TimeoutError) as exc:
                if _cancelling():  # the client turned our cancellation into its own error
                    self._requeue(batch)
                    raise asyncio.CancelledError from exc
                if not self._failing:
                    log.warning("Redis write failed; retrying", error=type(exc).__name__)
                self._failing = True
                self._requeue(batch)
                await asyncio.sleep(RETRY_SECONDS)
                self._wake.set()
            else:
                if self._failing:
                    log.info("Redis writes resumed")
                self._failing = False

    def _begin_restore(self) -> None:
        for stream_id, tracked in self._known.items():
            tracked.sent = 0
            tracked.conversation_sent = False
            tracked.restoring = True
            self._dirty[stream_id] = tracked
        if self._known:
            log.warning(
                "Redis lost the streams' records; writing them again", count=len(self._known)
            )

    def _requeue(self, batch: dict[str, _Tracked]) -> None:
        for stream_id, tracked in batch.items():
            self._dirty.setdefault(stream_id, tracked)

    async def flush_now(self) -> None:
        """Send what is pending (at shutdown), once, ignoring failures."""
        batch, self._dirty = self._dirty, {}
        try:
            await self._flush(list(batch.values()))
        except (RedisError, OSError, TimeoutError):
            log.warning("Redis unavailable at shutdown; the last events stay local")

    async def _flush(self, batch: list[_Tracked]) -> None:
        pipe = self.redis.pipeline(transaction=False)
        logs: list[EncodableT] = []
        events: list[EncodableT] = [MAX_EVENTS]
        sent: list[tuple[_Tracked, int]] = []
        for tracked in batch:
            if tracked.restoring:
                self._queue_record(pipe, tracked)
                # whole, from event 1: what was sent between Redis' return and this restore
                # sits at later ids, and readers only take the next id, so it goes first
                pipe.delete(self.keys.log(tracked.stream.id))
            sent.append((tracked, self._queue_events(tracked, logs, events)))
        if logs:
            pipe.eval(_APPEND, len(logs), *logs, *events)
        for tracked, _ in sent:  # after the events: the end is on Redis first
            self._queue_after(pipe, tracked)
        results = await pipe.execute(raise_on_error=False)
        for result in results:
            if isinstance(result, ResponseError) and "equal or smaller" not in str(result):
                raise result
        for tracked, upto in sent:
            tracked.sent = upto
            tracked.conversation_sent = bool(tracked.stream.conversation_id)
            tracked.restoring = False

    def _queue_events(
        self, tracked: _Tracked, logs: list[EncodableT], events: list[EncodableT]
    ) -> int:
        """Add the tracked log's new events to the `_APPEND` call; returns the id sent up
        to."""
        memory = tracked.log
        news = memory.encoded_after(tracked.sent)
        last = tracked.sent + len(news)
        if news:
            logs.append(self.keys.log(tracked.stream.id))
            # the TTL once: the turn's maximum duration bounds it
            ttl = self.live_ttl if tracked.sent == 0 else 0
            events += (tracked.sent + 1, len(news), 1 if memory.closed else 0, ttl, *news)
        return last

    def _queue_after(self, pipe: Pipeline, tracked: _Tracked) -> None:
        """Queue the tracked stream's other news: its conversation, its end."""
        stream, memory, keys = tracked.stream, tracked.log, self.keys
        if stream.conversation_id and not tracked.conversation_sent:
            pipe.hset(keys.meta(stream.id), "conversation", stream.conversation_id)
            # a newer turn overwrites it, never deleted: an old stream's end may come later
            pipe.set(keys.turn(stream.conversation_id), stream.id, ex=self.live_ttl)
        if tracked.finished:
            pipe.zrem(keys.slots(stream.user_id), stream.id)
            pipe.hdel(keys.running, stream.id)
            pipe.expire(keys.log(stream.id), self.retention_ttl)
            pipe.expire(keys.meta(stream.id), self.retention_ttl)
            memory.on_append = None

    def _queue_record(self, pipe: Pipeline, tracked: _Tracked) -> None:
        """The stream's record as `Leases.acquire` wrote it (its slot excepted: slots come
        back as streams start, and a lost one only lets the user start one more)."""
        stream, keys = tracked.stream, self.keys
        record: dict[FieldT, EncodableT] = {
            "user": stream.user_id,
            "context": stream.context_id,
            "owner": stream.owner,
        }
        pipe.hset(keys.meta(stream.id), mapping=record)
        pipe.expire(keys.meta(stream.id), self.live_ttl)
        if not tracked.finished:
            pipe.hset(keys.running, stream.id, stream.owner)


def _cancelling() -> bool:
    """Whether this task was asked to stop. A cancellation that lands while the Redis client
    waits under its own timeout can come out as a TimeoutError or ConnectionError (Python
    3.11's `asyncio.timeout` race); retrying then swallowed the stop, and a shutdown waited
    for the flush loop for ever (seen in the chat-socket tests' teardown)."""
    task = asyncio.current_task()
    return task is not None and task.cancelling() > 0
