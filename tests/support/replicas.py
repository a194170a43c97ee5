"""Several real service processes (`my-flow serve`) sharing one database and one Redis.

Each replica is a subprocess on a free 127.0.0.1 port; its log goes to a file in the
test's folder (shown when it fails to start). Tokens are minted from the shared data
folder, whose signing key every replica reads.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from my_flow_api.auth.local_keys import mint_local_token
from my_flow_api.config import load_settings
from tests.fakes.openai_server import FakeOpenAI
from tests.support.mongo import free_port

BIN = Path(sys.executable).parent
START_SECONDS = 60.0


@dataclass
class Replica:
    """One `my-flow serve` process; `start()` again after `kill()` reuses the port."""

    name: str
    env: dict[str, str]
    logs: Path
    port: int = field(default_factory=free_port)
    args: tuple[str, ...] = ()
    """More `my-flow serve` arguments (`--workers 2`)."""
    process: asyncio.subprocess.Process | None = None
    clients: list[httpx.AsyncClient] = field(default_factory=list)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> None:
        log = (self.logs / f"{self.name}.log").open("ab")
        self.process = await asyncio.create_subprocess_exec(
            str(BIN / "my-flow"),
            *("serve", "--port", str(self.port), *self.args),
            env=self.env,
            cwd=self.logs,  # no `.env` of the working tree
            stdout=log,
            stderr=log,
        )
        log.close()
        await self._wait_ready()

    async def _wait_ready(self) -> None:
        deadline = time.monotonic() + START_SECONDS
        async with httpx.AsyncClient(base_url=self.base_url) as client:
            while True:
                try:
                    if (await client.get("/api/v1/health")).status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                if self.process is not None and self.process.returncode is not None:
                    raise AssertionError(f"{self.name} exited: {self.log_tail()}")
                assert time.monotonic() < deadline, f"{self.name} did not start"
                await asyncio.sleep(0.1)

    def log_tail(self) -> str:
        return (self.logs / f"{self.name}.log").read_text()[-3000:]

    async def kill(self) -> None:
        """SIGKILL: no drain, no clean-up, as in a crash."""
        if self.process is not None and self.process.returncode is None:
            self.process.send_signal(signal.SIGKILL)
            await self.process.wait()

    async def stop(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.process.wait(), 20)
            except TimeoutError:
                await self.kill()
        for client in self.clients:
            await client.aclose()
        self.clients.clear()

    def client(self, token: str) -> httpx.AsyncClient:
        headers = {"Authorization": f"Bearer {token}"}
        client = httpx.AsyncClient(base_url=self.base_url, headers=headers, timeout=30)
        self.clients.append(client)
        return client


def replica_token(env: dict[str, str], user: str) -> str:
    """A local-mode token that every replica sharing `env`'s data folder accepts."""
    keys = ("DATA_DIR", "LOCAL_ISSUER", "LOCAL_AUDIENCE")
    settings = load_settings(**{k: env[k] for k in keys if k in env}, _env_file=None)
    return mint_local_token(settings, user)


FOREIGN = ("AI_", "OPENAI_", "ANTHROPIC_", "LOGTO_", "MONGODB_", "DATABASE_", "REDIS_", "STREAM_")
"""Variables of the test run's own environment that the replicas must not inherit."""


def replica_env(
    tmp_path: Path, fake: FakeOpenAI, database: str, redis: str, prefix: str, **extra: str
) -> dict[str, str]:
    """The environment of replicas on one database, one Redis prefix and one fake upstream."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(FOREIGN)}
    data = tmp_path / "data"
    data.mkdir(exist_ok=True)
    return {
        **base,
        **fake.settings_overrides(),
        "DATA_DIR": str(data),
        "DATABASE_URL": database,
        "REDIS_URL": redis,
        "REDIS_KEY_PREFIX": prefix,
        "LOG_FORMAT": "json",
        "SSE_PING_SECONDS": "5",
        "STREAM_FIRST_TOKEN_WAIT_SECONDS": "3",
        **extra,
    }


async def start_replicas(names: tuple[str, ...], env: dict[str, str], logs: Path) -> list[Replica]:
    """Replicas of these names, started together and ready."""
    replicas = [Replica(name, env, logs) for name in names]
    await asyncio.gather(*(r.start() for r in replicas))
    return replicas
