"""Two real service processes behind no load balancer, sharing PostgreSQL and Redis: any
replica resumes, stops and counts any stream, and a killed replica's streams end once."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from tests.fakes.openai_server import FakeOpenAI
from tests.integration.test_conversations_api import chat, new_context
from tests.support.redis import PrivateRedis
from tests.support.replicas import Replica, replica_env, replica_token, start_replicas
from tests.support.sse import read_events, wait_for_status

pytestmark = [pytest.mark.integration, pytest.mark.postgres, pytest.mark.redis]

TOKENS = [f"t{i} " for i in range(60)]
SLOW = {"tokens": TOKENS, "delay": 0.05, "extraction": {"flows": []}}
STREAM = "/api/v1/conversations/stream"


@pytest.fixture
def fake() -> Iterator[FakeOpenAI]:
    with FakeOpenAI(**SLOW) as server:
        yield server


@pytest.fixture
def env(
    tmp_path: Path, fake: FakeOpenAI, postgres_db: str, redis_url: str, redis_prefix: str
) -> dict[str, str]:
    return replica_env(tmp_path, fake, postgres_db, redis_url, redis_prefix)


@pytest.fixture
async def pair(env: dict[str, str], tmp_path: Path) -> AsyncIterator[tuple[Replica, Replica]]:
    a, b = await start_replicas(("a", "b"), env, tmp_path)
    try:
        yield a, b
    finally:
        await asyncio.gather(a.stop(), b.stop())


def _users(env: dict[str, str], a: Replica, b: Replica, user: str) -> tuple[httpx.AsyncClient, ...]:
    token = replica_token(env, user)
    return a.client(token), b.client(token)


async def test_resume_on_the_other_replica_gives_the_exact_suffix(
    pair: tuple[Replica, Replica], env: dict[str, str]
) -> None:
    a, b = pair
    on_a, on_b = _users(env, a, b, "alice")
    context_id = await new_context(on_a)
    async with on_a.stream("POST", STREAM, json=chat(context_id)) as r:
        stream_id = r.headers["x-stream-id"]
        head = await read_events(r, 5)
    url = f"/api/v1/conversations/streams/{stream_id}"
    async with on_b.stream("GET", url, headers={"Last-Event-ID": head[-1][2]}) as live:
        assert live.status_code == 200
        tail = await read_events(live, 1000)
    events = head + tail
    assert [int(e[2]) for e in events] == list(range(1, len(events) + 1)), "no gap, no duplicate"
    assert "".join(d for name, d, _ in events if name == "message") == "".join(TOKENS)
    assert tail[-1][0] == "done"
    async with on_b.stream("GET", url, params={"last_event_id": 10}) as ended:
        replay = await read_events(ended, 1000)
    assert replay == events[10:]


async def test_a_cancel_through_b_stops_the_upstream_on_a_within_a_second(
    pair: tuple[Replica, Replica], env: dict[str, str], fake: FakeOpenAI
) -> None:
    a, b = pair
    on_a, on_b = _users(env, a, b, "alice")
    context_id = await new_context(on_a)
    async with on_a.stream("POST", STREAM, json=chat(context_id)) as r:
        stream_id = r.headers["x-stream-id"]
        first = await read_events(r, 2)
        cancel = asyncio.create_task(on_b.post(f"/api/v1/conversations/streams/{stream_id}/cancel"))
        assert await fake.wait_closed(1.0), "A's upstream outlived the cancel sent to B"
        stopped = await cancel
        rest = await read_events(r, 1000)
    assert stopped.status_code == 200
    assert stopped.json()["stop_requested"] is True
    assert [e[0] for e in (first + rest)[-2:]] == ["metadata", "done"]
    assert json.loads(rest[-1][1])["finish_reason"] == "cancelled"
    conversation = await wait_for_status(on_b, context_id, "cancelled", within=5)
    stored = (await on_b.get(f"/api/v1/conversations/{conversation['id']}")).json()
    assert stored["messages"][-1]["content"].startswith("t0 ")
    again = await on_b.post(f"/api/v1/conversations/streams/{stream_id}/cancel")
    assert again.status_code == 200
    assert again.json()["finished"] is True


async def test_another_users_resume_or_cancel_through_b_is_404_and_changes_nothing(
    pair: tuple[Replica, Replica], env: dict[str, str], fake: FakeOpenAI
) -> None:
    a, b = pair
    on_a, _ = _users(env, a, b, "alice")
    _, bob_on_b = _users(env, a, b, "bob")
    context_id = await new_context(on_a)
    async with on_a.stream("POST", STREAM, json=chat(context_id)) as r:
        stream_id = r.headers["x-stream-id"]
        head = await read_events(r, 2)
        url = f"/api/v1/conversations/streams/{stream_id}"
        assert (await bob_on_b.get(url)).status_code == 404
        cancelled = await bob_on_b.post(f"{url}/cancel")
        assert cancelled.status_code == 404
        assert cancelled.json()["code"] == "not_found"
        assert not await fake.wait_closed(0.5), "the upstream was stopped"
        rest = await read_events(r, 1000)
    assert "".join(d for n, d, _ in head + rest if n == "message") == "".join(TOKENS)
    assert json.loads(rest[-1][1])["finish_reason"] == "stop"


async def test_the_limit_holds_across_replicas(
    pair: tuple[Replica, Replica], env: dict[str, str]
) -> None:
    a, b = pair
    on_a, on_b = _users(env, a, b, "alice")
    context_id = await new_context(on_a)
    clients = [on_a, on_b, on_a, on_b]
    sent = [c.build_request("POST", STREAM, json=chat(context_id)) for c in clients]
    responses = await asyncio.gather(
        *(c.send(q, stream=True) for c, q in zip(clients, sent, strict=True))
    )
    try:
        statuses = sorted(r.status_code for r in responses)
        assert statuses == [200, 200, 200, 429]
        [refused] = [r for r in responses if r.status_code == 429]
        await refused.aread()
        assert int(refused.headers["retry-after"]) >= 1
        assert refused.json()["code"] == "too_many_streams"
    finally:
        for response in responses:
            await response.aclose()


async def test_a_killed_replica_ends_its_streams_once_and_comes_back(
    pair: tuple[Replica, Replica], env: dict[str, str]
) -> None:
    a, b = pair
    on_a, on_b = _users(env, a, b, "alice")
    context_id = await new_context(on_a)
    async with on_a.stream("POST", STREAM, json=chat(context_id)) as r:
        stream_id = r.headers["x-stream-id"]
        head = await read_events(r, 5)
    url = f"/api/v1/conversations/streams/{stream_id}"
    async with on_b.stream("GET", url, headers={"Last-Event-ID": head[-1][2]}) as reader:
        more = await read_events(reader, 3)
        await a.kill()
        killed_at = time.monotonic()
        rest = await read_events(reader, 1000, limit=20)
    waited = time.monotonic() - killed_at
    events = head + more + rest
    terminal = [e for e in events if e[0] in ("done", "error")]
    assert [e[0] for e in terminal] == ["error"], "exactly one terminal event"
    assert json.loads(terminal[0][1])["code"] == "replica_lost"
    assert waited < 15, f"the error came {waited:.1f} s after the kill"
    assert [int(e[2]) for e in events] == list(range(1, len(events) + 1))
    partial = "".join(d for n, d, _ in events if n == "message")
    conversation = await wait_for_status(on_b, context_id, "interrupted", within=5)
    stored = (await on_b.get(f"/api/v1/conversations/{conversation['id']}")).json()
    assert stored["messages"][-1]["content"] == partial
    await asyncio.sleep(3)  # other sweeps come and go: still recorded once, unchanged
    again = (await on_b.get(f"/api/v1/conversations/{conversation['id']}")).json()
    assert again["messages"] == stored["messages"]
    await a.start()
    fresh = a.client(replica_token(env, "alice"))
    async with fresh.stream("POST", STREAM, json=chat(context_id)) as restarted:
        assert restarted.status_code == 200
        events = await read_events(restarted, 1000)
    assert events[-1][0] == "done"


async def test_redis_down_gives_503_with_a_code_and_recovery_needs_no_restart(
    tmp_path: Path, fake: FakeOpenAI, postgres_db: str, private_redis: PrivateRedis
) -> None:
    fake.script(tokens=[f"t{i} " for i in range(30)], delay=0.05, extraction={"flows": []})
    env = replica_env(tmp_path, fake, postgres_db, private_redis.url, "down:")
    [a] = await start_replicas(("a",), env, tmp_path)
    try:
        alice = a.client(replica_token(env, "alice"))
        context_id = await new_context(alice)
        async with alice.stream("POST", STREAM, json=chat(context_id)) as running:
            head = await read_events(running, 2)
            private_redis.stop()
            sent = time.monotonic()
            refused = await alice.post(STREAM, json=chat(context_id))
            took = time.monotonic() - sent
            rest = await read_events(running, 1000)
        assert refused.status_code == 503
        assert refused.json()["code"] == "redis_unavailable"
        assert took < 2.0, f"the 503 took {took:.2f} s"
        assert rest[-1][0] == "done", "the running stream kept serving its local reader"
        assert len(head + rest) == len(fake.current.tokens) + 2
        health = await alice.get("/api/v1/health")
        assert health.status_code == 503
        assert health.json()["redis"] == "unavailable"
        private_redis.start()
        async with alice.stream("POST", STREAM, json=chat(context_id)) as back:
            assert back.status_code == 200
            assert (await read_events(back, 1000))[-1][0] == "done"
        assert (await alice.get("/api/v1/health")).json()["redis"] == "ok"
    finally:
        await a.stop()
