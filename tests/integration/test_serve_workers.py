"""`my-flow serve --workers N`: more than one process needs Redis; with it, every worker
serves and a stream started on one is found (resumed, stopped) by any."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import redis.asyncio

from my_flow_api.cli import main
from my_flow_api.config import get_settings
from tests.fakes.openai_server import FakeOpenAI
from tests.integration.test_conversations_api import chat, new_context
from tests.support.mongo import free_port
from tests.support.replicas import Replica, replica_env, replica_token
from tests.support.sse import read_events

BIN = Path(sys.executable).parent


@pytest.fixture
def no_redis(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_several_workers_without_redis_refuse_with_one_line(
    no_redis: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["serve", "--workers", "2", "--port", str(free_port())]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "--workers 2 needs REDIS_URL" in err


def test_zero_workers_is_refused(no_redis: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--workers", "0"]) == 2
    assert "--workers must be at least 1" in capsys.readouterr().err


@pytest.mark.redis
@pytest.mark.postgres
async def test_two_workers_share_their_streams(
    tmp_path: Path, postgres_db: str, redis_url: str, redis_prefix: str
) -> None:
    with FakeOpenAI(tokens=[f"w{i} " for i in range(40)], delay=0.05) as fake:
        env = replica_env(tmp_path, fake, postgres_db, redis_url, redis_prefix)
        server = Replica("workers", env, tmp_path)
        server.args = ("--workers", "2")
        await server.start()
        try:
            await _wait_for_leases(redis_url, redis_prefix, 2)
            alice = server.client(replica_token(env, "alice"))
            context_id = await new_context(alice)
            async with alice.stream(
                "POST", "/api/v1/conversations/stream", json=chat(context_id)
            ) as r:
                stream_id = r.headers["x-stream-id"]
                head = await read_events(r, 3)
            url = f"/api/v1/conversations/streams/{stream_id}"
            # New connections land on either worker: every resume must find the stream.
            resumed = await asyncio.gather(
                *(_resume(server, env, url, head[-1][2]) for _ in range(6))
            )
            assert all(tail == resumed[0] for tail in resumed)
            ids = [int(e[2]) for e in head + resumed[0]]
            assert ids == list(range(1, len(ids) + 1))
        finally:
            await server.stop()


async def _resume(
    server: Replica, env: dict[str, str], url: str, after: str
) -> list[tuple[str, str, str]]:
    headers = {"Authorization": f"Bearer {replica_token(env, 'alice')}", "Last-Event-ID": after}
    client = httpx.AsyncClient(base_url=server.base_url, headers=headers, timeout=30)
    async with client, client.stream("GET", url) as r:
        assert r.status_code == 200
        return await read_events(r, 1000)


async def _wait_for_leases(url: str, prefix: str, count: int) -> None:
    """Each worker is a replica of its own, with its lease on Redis."""
    client = redis.asyncio.Redis.from_url(url)
    try:
        for _ in range(100):
            if len(await client.keys(f"{prefix}replica:*")) == count:
                return
            await asyncio.sleep(0.1)
        raise AssertionError(f"never {count} worker leases")
    finally:
        await client.aclose()
