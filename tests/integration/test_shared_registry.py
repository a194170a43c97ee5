"""Two apps in one process, each a replica of its own, sharing Redis and one SQLite file:
the shared registry's remote paths (find, mirror, stop over pub/sub) where coverage sees
them; `test_replicas.py` runs the same against real separate processes."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from redis.asyncio import Redis

from my_flow_api.services.streams.shared.keys import POOL_SIZE
from tests.fakes.openai_server import FakeOpenAI
from tests.integration.test_conversations_api import chat, new_context
from tests.support.app import Api, make_settings, start_api
from tests.support.redis import PrivateRedis
from tests.support.sse import read_events, wait_for_status

pytestmark = [pytest.mark.integration, pytest.mark.redis]

TOKENS = [f"t{i} " for i in range(40)]


@pytest.fixture
def fake() -> Iterator[FakeOpenAI]:
    with FakeOpenAI(tokens=TOKENS, delay=0.05, extraction={"flows": []}) as server:
        yield server


@pytest.fixture
async def two(
    tmp_path: Path, fake: FakeOpenAI, redis_url: str, redis_prefix: str
) -> AsyncIterator[tuple[Api, Api]]:
    settings = make_settings(
        tmp_path,
        **fake.settings_overrides(),
        REDIS_URL=redis_url,
        REDIS_KEY_PREFIX=redis_prefix,
        STREAM_FIRST_TOKEN_WAIT_SECONDS=3.0,
    )
    async for a in start_api(settings):
        async for b in start_api(settings):
            yield a, b


async def test_b_resumes_and_stops_what_a_generates(two: tuple[Api, Api], fake: FakeOpenAI) -> None:
    a, b = two
    on_a, on_b = a.client("alice"), b.client("alice")
    health = (await on_b.get("/api/v1/health")).json()
    assert health["redis"] == "ok"
    context_id = await new_context(on_a)
    async with on_a.stream("POST", "/api/v1/conversations/stream", json=chat(context_id)) as r:
        stream_id = r.headers["x-stream-id"]
        head = await read_events(r, 3)
        url = f"/api/v1/conversations/streams/{stream_id}"
        assert (await b.client("bob").get(url)).status_code == 404
        async with on_b.stream("GET", url, headers={"Last-Event-ID": "3"}) as remote:
            more = await read_events(remote, 2)
            stopped = await on_b.post(f"{url}/cancel")
            assert stopped.status_code == 200
            assert await fake.wait_closed(1.0)
            rest = await read_events(remote, 1000)
        local_rest = await read_events(r, 1000)
    assert stopped.json()["stop_requested"] is True
    remote_events = head + more + rest
    assert [int(e[2]) for e in remote_events] == list(range(1, len(remote_events) + 1))
    assert remote_events == head + local_rest, "the owner's and B's readers saw the same"
    assert json.loads(remote_events[-1][1])["finish_reason"] == "cancelled"
    await wait_for_status(on_b, context_id, "cancelled", within=5)
    again = await on_b.post(f"{url}/cancel")
    assert again.json() == {**again.json(), "finished": True, "stop_requested": True}


async def test_remote_readers_share_a_few_redis_connections(
    tmp_path: Path, fake: FakeOpenAI, private_redis: PrivateRedis
) -> None:
    settings = make_settings(
        tmp_path,
        **fake.settings_overrides(),
        REDIS_URL=private_redis.url,
        STREAM_FIRST_TOKEN_WAIT_SECONDS=3.0,
    )
    async for a in start_api(settings):
        async for b in start_api(settings):
            users = [f"user{i}" for i in range(12)]
            started = [await _started(a.client(user)) for user in users]
            readers = [
                _follow(b.client(user), stream_id)
                for user, stream_id in zip(users, started, strict=True)
                for _ in range(3)
            ]
            tasks = [asyncio.create_task(reader) for reader in readers]
            await asyncio.sleep(1.0)  # 36 remote readers are following their streams
            clients = await _connected_clients(private_redis.url)
            ends = await asyncio.gather(*tasks)
    assert all(end == "done" for end in ends)
    # Each of the two processes holds at most its pool, whatever the number of readers.
    assert clients <= 2 * POOL_SIZE < len(readers), f"{clients} connections, {len(readers)} readers"


async def _started(client: httpx.AsyncClient) -> str:
    context_id = await new_context(client)
    request = client.build_request("POST", "/api/v1/conversations/stream", json=chat(context_id))
    response = await client.send(request, stream=True)
    await response.aclose()  # the turn goes on (policy `continue`)
    return response.headers["x-stream-id"]


async def _follow(client: httpx.AsyncClient, stream_id: str) -> str:
    url = f"/api/v1/conversations/streams/{stream_id}"
    async with client.stream("GET", url, headers={"Last-Event-ID": "1"}) as r:
        assert r.status_code == 200
        return (await read_events(r, 1000))[-1][0]


async def _connected_clients(url: str) -> int:
    client = Redis.from_url(url)
    try:
        info = await client.info("clients")
        return int(info["connected_clients"]) - 1  # not this one
    finally:
        await client.aclose()
