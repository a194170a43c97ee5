"""Through a real nginx (the shipped `deploy/nginx/my-flow.conf`) round-robining two
replicas: a stream, its resume and its cancel land on different replicas and work, and
keep-alive pings pass unbuffered."""

from __future__ import annotations

import asyncio
import itertools
import json
import shutil
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from tests.fakes.openai_server import FakeOpenAI
from tests.integration.test_conversations_api import chat, new_context
from tests.support.mongo import free_port
from tests.support.replicas import Replica, replica_env, replica_token, start_replicas
from tests.support.sse import read_events, wait_for_status
from tests.support.system import missing

pytestmark = [pytest.mark.integration, pytest.mark.postgres, pytest.mark.redis]

CONFIG = Path(__file__).parents[2] / "deploy" / "nginx" / "my-flow.conf"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
HAVE_NGINX = Path(NGINX).exists()
STREAM = "/api/v1/conversations/stream"
PING_SECONDS = 0.5


def nginx_config(tmp: Path, port: int, replicas: list[Replica]) -> str:
    """The shipped server block on `port` over `replicas`, in a minimal main config.

    The only addition is a response header naming the replica that answered.
    """
    shipped = CONFIG.read_text()
    servers = "".join(f"    server 127.0.0.1:{r.port};\n" for r in replicas)
    shipped = shipped.replace("    server 127.0.0.1:8001;\n    server 127.0.0.1:8002;\n", servers)
    shipped = shipped.replace("listen 8080;", f"listen 127.0.0.1:{port};")
    shipped = shipped.replace(
        "location / {", "location / {\n        add_header X-Upstream $upstream_addr always;"
    )
    temp = "".join(
        f"    {kind}_temp_path {tmp}/{kind};\n"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return (
        f"worker_processes 1;\ndaemon off;\npid {tmp}/nginx.pid;\n"
        f"error_log {tmp}/error.log warn;\nevents {{ worker_connections 256; }}\n"
        f"http {{\n    access_log off;\n{temp}{shipped}\n}}\n"
    )


@pytest.fixture
def fake() -> Iterator[FakeOpenAI]:
    tokens = [f"t{i} " for i in range(60)]
    with FakeOpenAI(tokens=tokens, delay=0.05, extraction={"flows": []}) as server:
        yield server


@pytest.fixture
async def proxied(
    tmp_path: Path, fake: FakeOpenAI, postgres_db: str, redis_url: str, redis_prefix: str
) -> AsyncIterator[tuple[str, dict[str, str]]]:
    """nginx's URL in front of two replicas, and the replicas' environment."""
    if not HAVE_NGINX:
        missing("nginx", "apt-get install nginx")
    env = replica_env(
        tmp_path, fake, postgres_db, redis_url, redis_prefix, SSE_PING_SECONDS=str(PING_SECONDS)
    )
    replicas = await start_replicas(("a", "b"), env, tmp_path)
    port = free_port()
    conf = tmp_path / "nginx.conf"
    conf.write_text(nginx_config(tmp_path, port, replicas))
    nginx = await asyncio.create_subprocess_exec(NGINX, "-c", str(conf), "-p", str(tmp_path))
    try:
        await _wait_listening(port, nginx, tmp_path)
        yield f"http://127.0.0.1:{port}", env
    finally:
        nginx.terminate()
        await asyncio.wait_for(nginx.wait(), 10)
        await asyncio.gather(*(r.stop() for r in replicas))


async def _wait_listening(port: int, nginx: asyncio.subprocess.Process, tmp: Path) -> None:
    deadline = time.monotonic() + 10
    async with httpx.AsyncClient() as client:
        while True:
            try:
                await client.get(f"http://127.0.0.1:{port}/api/v1/health")
                return
            except httpx.TransportError:
                assert nginx.returncode is None, "nginx exited; see error.log in " + str(tmp)
                assert time.monotonic() < deadline, "nginx did not start"
                await asyncio.sleep(0.05)


async def test_stream_resume_and_cancel_work_on_different_replicas(
    proxied: tuple[str, dict[str, str]], fake: FakeOpenAI
) -> None:
    url, env = proxied
    headers = {"Authorization": f"Bearer {replica_token(env, 'alice')}"}
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=30) as client:
        context_id = await new_context(client)
        async with client.stream("POST", STREAM, json=chat(context_id)) as started:
            owner = started.headers["x-upstream"]
            stream_id = started.headers["x-stream-id"]
            head = await read_events(started, 3)
        resume_url = f"/api/v1/conversations/streams/{stream_id}"
        async with client.stream("GET", resume_url, headers={"Last-Event-ID": "3"}) as resumed:
            assert resumed.status_code == 200
            resumer = resumed.headers["x-upstream"]
            more = await read_events(resumed, 2)
            if (await client.get("/api/v1/health")).headers["x-upstream"] != owner:
                await client.get("/api/v1/health")  # so that the cancel goes to the other one
            cancelled = await client.post(f"{resume_url}/cancel")
            rest = await read_events(resumed, 1000)
    assert resumer != owner
    assert cancelled.status_code == 200
    assert cancelled.headers["x-upstream"] != owner
    assert await fake.wait_closed(0.1), "the owner's upstream was stopped"
    events = head + more + rest
    assert [int(e[2]) for e in events] == list(range(1, len(events) + 1))
    assert json.loads(events[-1][1])["finish_reason"] == "cancelled"
    async with httpx.AsyncClient(base_url=url, headers=headers) as client:
        await wait_for_status(client, context_id, "cancelled", within=5)


async def test_pings_pass_through_unbuffered(
    proxied: tuple[str, dict[str, str]], fake: FakeOpenAI
) -> None:
    fake.script(tokens=["late"], first_byte_delay=3.0, extraction={"flows": []})
    url, env = proxied
    headers = {"Authorization": f"Bearer {replica_token(env, 'alice')}"}
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=30) as client:
        body = chat(await new_context(client))
        sent = time.monotonic()
        arrivals: list[tuple[float, str]] = []
        async with client.stream("POST", STREAM, json=body) as r:
            async for line in r.aiter_lines():
                arrivals.append((time.monotonic() - sent, line))
    pings = [at for at, line in arrivals if line == ": ping"]
    first_data = next(at for at, line in arrivals if line.startswith("data:"))
    early = [at for at in pings if at < first_data]
    assert len(early) >= 3, f"pings before the first token: {early}"
    assert early[0] < 3 * PING_SECONDS, "the first ping was held back"
    gaps = [b - a for a, b in itertools.pairwise(early)]
    assert max(gaps) < 3 * PING_SECONDS, f"pings arrived in bursts: {gaps}"
