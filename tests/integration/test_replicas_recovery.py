"""Two real `my-flow serve` replicas on PostgreSQL and Redis (issue 21): after Redis comes
back empty, a stream that lived through the outage is resumable on the other replica; and
of two continuations of one conversation sent to both replicas at once, one runs and the
other is a 409 naming it."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.fakes.openai_server import FakeOpenAI
from tests.integration.test_conversations_api import chat, new_context
from tests.support.redis import PrivateRedis
from tests.support.replicas import replica_env, replica_token, start_replicas
from tests.support.sse import read_events

pytestmark = [pytest.mark.integration, pytest.mark.postgres, pytest.mark.redis]

TOKENS = [f"t{i} " for i in range(80)]
STREAM = "/api/v1/conversations/stream"


@pytest.fixture
def fake() -> Iterator[FakeOpenAI]:
    with FakeOpenAI(tokens=TOKENS, delay=0.1, extraction={"flows": []}) as server:
        yield server


async def test_after_redis_restarts_empty_the_other_replica_resumes_a_live_stream(
    tmp_path: Path, fake: FakeOpenAI, postgres_db: str, private_redis: PrivateRedis
) -> None:
    env = replica_env(tmp_path, fake, postgres_db, private_redis.url, "restart:")
    a, b = await start_replicas(("a", "b"), env, tmp_path)
    try:
        token = replica_token(env, "alice")
        on_a, on_b = a.client(token), b.client(token)
        context_id = await new_context(on_a)
        async with on_a.stream("POST", STREAM, json=chat(context_id)) as running:
            stream_id = running.headers["x-stream-id"]
            head = await read_events(running, 3)
            private_redis.stop()
            await asyncio.sleep(1.0)
            private_redis.start()  # empty: no persistence
            restarted = time.monotonic()
            url = f"/api/v1/conversations/streams/{stream_id}"
            after = {"Last-Event-ID": head[-1][2]}
            while True:
                async with on_b.stream("GET", url, headers=after) as resumed:
                    if resumed.status_code == 200:
                        took = time.monotonic() - restarted
                        tail = await read_events(resumed, 1000, limit=30)
                        break
                assert time.monotonic() - restarted < 10, "not resumable on the other replica"
                await asyncio.sleep(0.2)
        print(f"resumable on the other replica {took:.1f} s after Redis came back")
        events = head + tail
        assert [int(e[2]) for e in events] == list(range(1, len(events) + 1))
        assert events[-1][0] == "done"
        assert "".join(d for n, d, _ in events if n == "message") == "".join(TOKENS)
    finally:
        await asyncio.gather(a.stop(), b.stop())


async def test_two_replicas_take_one_turn_of_a_conversation_at_a_time(
    tmp_path: Path, fake: FakeOpenAI, postgres_db: str, redis_url: str, redis_prefix: str
) -> None:
    env = replica_env(tmp_path, fake, postgres_db, redis_url, redis_prefix)
    a, b = await start_replicas(("a", "b"), env, tmp_path)
    try:
        token = replica_token(env, "alice")
        on_a, on_b = a.client(token), b.client(token)
        context_id = await new_context(on_a)
        fake.script(tokens=["a1"], extraction={"flows": []})
        assert (await on_a.post(STREAM, json=chat(context_id, "u1"))).status_code == 200
        listed = (await on_a.get(f"/api/v1/contexts/{context_id}/conversations")).json()
        conversation_id = listed["items"][0]["id"]
        fake.script(tokens=["slow", " answer"], delay=1.0, extraction={"flows": []})

        async def continue_on(client: httpx.AsyncClient, text: str) -> httpx.Response:
            body = {**chat(context_id, text), "conversation_id": conversation_id}
            async with client.stream("POST", STREAM, json=body) as response:
                await response.aread()
                return response

        results = await asyncio.gather(continue_on(on_a, "u2-X"), continue_on(on_b, "u2-Y"))
        assert sorted(r.status_code for r in results) == [200, 409]
        ran = next(r for r in results if r.status_code == 200)
        refused = next(r for r in results if r.status_code == 409)
        assert refused.json()["code"] == "conversation_busy"
        assert refused.json()["stream_id"] == ran.headers["x-stream-id"]
        stored = (await on_b.get(f"/api/v1/conversations/{conversation_id}")).json()
        contents = [m["content"] for m in stored["messages"]]
        assert contents[:2] == ["u1", "a1"]
        assert contents[2] in ("u2-X", "u2-Y")
        assert contents[3:] == ["slow answer"]
    finally:
        await asyncio.gather(a.stop(), b.stop())
