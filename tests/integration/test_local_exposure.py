"""Local mode stays local, and proxy headers are believed only from configured addresses
(issue 21), with real `my-flow serve` processes: a non-loopback `--host` in local mode
refuses to start unless LOCAL_AUTH_ALLOW_REMOTE, which the log then states; the local
sign-in refuses a remote peer; X-Forwarded-For from 127.0.0.1 is ignored unless
FORWARDED_ALLOW_IPS names it, so the sign-in limit cannot be dodged from the host."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest

from my_flow_api.cli import main
from my_flow_api.config import get_settings

pytestmark = pytest.mark.integration

BIN = Path(sys.executable).parent
SIGN_IN = "/api/v1/auth/local-token"


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    for name in list(os.environ):
        if name.startswith(("AI_", "OPENAI_", "LOGTO_", "MONGODB_", "DATABASE_", "REDIS_")):
            monkeypatch.delenv(name)
    for name in ("FORWARDED_ALLOW_IPS", "LOCAL_AUTH_ALLOW_REMOTE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    get_settings.cache_clear()
    yield {**os.environ, "DATA_DIR": str(tmp_path), "LOG_FORMAT": "json"}
    get_settings.cache_clear()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@asynccontextmanager
async def serving(env: dict[str, str], *args: str) -> AsyncIterator[tuple[httpx.AsyncClient, Path]]:
    """`my-flow serve` on a free port; a client for it and the file its log goes to."""
    port = free_port()
    log = Path(env["DATA_DIR"]) / f"serve-{port}.log"
    with log.open("wb") as out:
        process = await asyncio.create_subprocess_exec(
            str(BIN / "my-flow"), "serve", "--port", str(port), *args, env=env, stderr=out
        )
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if (await client.get("/api/v1/health")).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert process.returncode is None, log.read_text()
                assert time.monotonic() < deadline, "the server did not start"
                await asyncio.sleep(0.2)
            yield client, log
    finally:
        process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(process.wait(), 30)


def test_local_mode_on_a_public_interface_refuses_to_start(
    env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["serve", "--host", "0.0.0.0", "--port", str(free_port())]) == 2  # noqa: S104
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert "Logto" in err
    assert "LOCAL_AUTH_ALLOW_REMOTE" in err


async def test_with_the_opt_in_it_starts_says_so_and_remote_peers_sign_in(
    env: dict[str, str],
) -> None:
    opted = {**env, "LOCAL_AUTH_ALLOW_REMOTE": "true", "FORWARDED_ALLOW_IPS": "127.0.0.1"}
    async with serving(opted, "--host", "0.0.0.0") as (client, log):  # noqa: S104
        remote = {"X-Forwarded-For": "203.0.113.9"}
        signed = await client.post(SIGN_IN, json={"name": "alice"}, headers=remote)
        assert signed.status_code == 200
    assert "LOCAL_AUTH_ALLOW_REMOTE is set" in log.read_text()


async def test_the_local_sign_in_refuses_a_remote_peer(env: dict[str, str]) -> None:
    behind_proxy = {**env, "FORWARDED_ALLOW_IPS": "127.0.0.1"}
    async with serving(behind_proxy) as (client, _):
        remote = {"X-Forwarded-For": "203.0.113.9"}
        refused = await client.post(SIGN_IN, json={"name": "alice"}, headers=remote)
        assert (refused.status_code, refused.json()["code"]) == (403, "local_sign_in_remote")
        assert "Logto" in refused.json()["detail"]
        local = {"X-Forwarded-For": "127.0.0.1"}
        assert (await client.post(SIGN_IN, json={"name": "a"}, headers=local)).status_code == 200


async def test_forwarded_headers_are_ignored_unless_configured(env: dict[str, str]) -> None:
    async with serving(env) as (client, _):
        statuses = []
        for i in range(21):  # 20 a minute per address: each claims another address
            spoofed = {"X-Forwarded-For": f"198.51.100.{i}"}
            response = await client.post(SIGN_IN, json={"name": "alice"}, headers=spoofed)
            statuses.append(response.status_code)
        assert statuses == [200] * 20 + [429]
