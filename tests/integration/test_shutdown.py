"""SIGTERM while streams are running: each ends with one terminal event, the process exits
(with streams in memory and on Redis)."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from my_flow_api.auth.local_keys import mint_local_token
from my_flow_api.config import load_settings
from tests.fakes.openai_server import FakeOpenAI
from tests.support.sse import read_events

BIN = Path(sys.executable).parent


@pytest.fixture
def fake() -> Iterator[FakeOpenAI]:
    tokens = [f"w{i} " for i in range(200)]
    with FakeOpenAI(tokens=tokens, delay=0.05, extraction={"flows": []}) as server:
        yield server


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def _serve(env: dict[str, str], port: int) -> AsyncIterator[asyncio.subprocess.Process]:
    process = await asyncio.create_subprocess_exec(
        str(BIN / "my-flow"),
        "serve",
        "--port",
        str(port),
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        yield process
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


async def _wait_ready(base_url: str) -> None:
    deadline = time.monotonic() + 60
    async with httpx.AsyncClient(base_url=base_url) as client:
        while True:
            try:
                if (await client.get("/api/v1/health")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "the server did not start"
            await asyncio.sleep(0.2)


@pytest.mark.parametrize(("grace", "terminal"), [(0.3, "error"), (30.0, "done")])
async def test_sigterm_ends_every_stream_with_one_terminal_event(
    tmp_path: Path, fake: FakeOpenAI, grace: float, terminal: str, streams_mode: dict[str, Any]
) -> None:
    if terminal == "done":
        fake.script(tokens=[f"w{i} " for i in range(30)], delay=0.05, extraction={"flows": []})
    overrides = {**fake.settings_overrides(), "DATA_DIR": str(tmp_path)}
    env = {**os.environ, **overrides, "SHUTDOWN_GRACE_SECONDS": str(grace), "LOG_FORMAT": "json"}
    env.update({name: str(value) for name, value in streams_mode.items()})
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    token = mint_local_token(load_settings(**overrides, _env_file=None), "alice")
    headers = {"Authorization": f"Bearer {token}"}
    async for process in _serve(env, port):
        await _wait_ready(base_url)
        async with httpx.AsyncClient(base_url=base_url, headers=headers, timeout=30) as client:
            context_id = (await client.post("/api/v1/contexts", json={"name": "W"})).json()["id"]
            body = {"context_id": context_id, "messages": [{"role": "user", "content": "hi"}]}
            async with client.stream("POST", "/api/v1/conversations/stream", json=body) as r:
                first = await read_events(r, 3)
                process.send_signal(signal.SIGTERM)
                rest = await read_events(r, 10_000, limit=40)
        _, stderr = await asyncio.wait_for(process.communicate(), 30)
        assert process.returncode == 0, stderr.decode()[-2000:]
    events = first + rest
    assert [int(e[2]) for e in events] == list(range(1, len(events) + 1))
    assert [e[0] for e in events if e[0] in ("done", "error")] == [terminal]
    if terminal == "error":
        assert json.loads(events[-1][1])["code"] == "shutting_down"
